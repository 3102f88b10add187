#ifndef LATCH_ARCH_REGS_H
#define LATCH_ARCH_REGS_H

#include <sys/user.h>

struct arch_regs {
	struct user_regs_struct g;
};

#endif
