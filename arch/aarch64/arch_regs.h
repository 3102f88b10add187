#ifndef LATCH_ARCH_REGS_H
#define LATCH_ARCH_REGS_H

#include <asm/ptrace.h>
#include "a64_abi.h"
#include "a64_step.h"

/* Same layout as struct a64_regs in a64_step.h. */
struct arch_regs {
	struct user_pt_regs g;
};

/* v0-v31 (PIECE_FP register numbers 0-31), fpsr and fpcr, from
 * PTRACE_GETREGSET NT_PRFPREG. */
struct arch_fpregs {
	struct user_fpsimd_state f;
};

/* struct abi_type's classes: homogeneous aggregates (a64_abi.c). */
struct arch_abi_class {
	struct a64_abi_class a;
};

/* struct step_plan's private part: the planner's own plan (a64_step.c). */
struct arch_step_priv {
	struct a64_plan a;
};

#endif
