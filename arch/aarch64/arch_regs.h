#ifndef LATCH_ARCH_REGS_H
#define LATCH_ARCH_REGS_H

#include <asm/ptrace.h>

/* Same layout as struct a64_regs in a64_step.h. */
struct arch_regs {
	struct user_pt_regs g;
};

#endif
