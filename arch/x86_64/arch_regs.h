#ifndef LATCH_ARCH_REGS_H
#define LATCH_ARCH_REGS_H

#include <sys/user.h>
#include "x86_abi.h"
#include "x86_step.h"

struct arch_regs {
	struct user_regs_struct g;
};

/* The FXSAVE area from PTRACE_GETFPREGS: xmm_space holds xmm0-15,
 * st_space the x87 registers as a stack, ST(0) first, 16 bytes each. */
struct arch_fpregs {
	struct user_fpregs_struct f;
};

/* PIECE_FP register numbers: 0-15 are xmm0-15, ARCH_FP_ST0 + i is ST(i),
 * whose 80 bits arch_fp_reg gives in the low 10 bytes, zeros above. A long
 * double in st(0) is a 10-byte piece; _Complex long double takes two
 * 16-byte pieces so that the imaginary part lands at offset 16. */
#define ARCH_FP_ST0 16

/* struct abi_type's classes: SysV's eightbytes (x86_abi.c). */
struct arch_abi_class {
	struct x86_abi_class x;
};

/* struct step_plan's private part: the planner's own plan (x86_step.c). */
struct arch_step_priv {
	struct x86_plan x;
};

#endif
