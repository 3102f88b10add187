/* x86-64 step-over internals shared by step.c (which decides) and
 * emulate.c (which performs). Kept out of src/arch.h because the meaning of
 * struct step_plan's op/reg_a/reg_b/imm/target is private to this back end. */
#ifndef LATCH_X86_STEP_PRIV_H
#define LATCH_X86_STEP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

/* plan->op for STEP_EMULATE. Zero is left unused so that a zeroed plan is
 * never mistaken for a valid emulation. */
enum x86_emu_op {
	X86_EMU_NOP = 1,
	X86_EMU_MOV,        /* reg_a = reg_b (64-bit) */
	X86_EMU_JMP,        /* rip = target */
	X86_EMU_JMP_REG,    /* rip = reg_a */
	X86_EMU_JCC,        /* imm = condition code (low nibble of the opcode) */
	X86_EMU_JRCXZ,
	X86_EMU_JECXZ,
	X86_EMU_LOOP,       /* imm = enum x86_loop_kind */
	X86_EMU_CALL,       /* push addr+len, rip = target */
	X86_EMU_CALL_REG,   /* push addr+len, rip = old reg_a */
	X86_EMU_PUSH,       /* push old reg_a */
	X86_EMU_SUB_IMM,    /* reg_a -= imm, arithmetic flags as the CPU sets them */
};

enum x86_loop_kind { X86_LOOP, X86_LOOPE, X86_LOOPNE };

/* General-purpose registers in hardware encoding order, so that reg_a and
 * reg_b do not depend on capstone's register numbering. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_GPR_COUNT
};

#define X86_FLAG_CF 0x001u
#define X86_FLAG_PF 0x004u
#define X86_FLAG_AF 0x010u
#define X86_FLAG_ZF 0x040u
#define X86_FLAG_SF 0x080u
#define X86_FLAG_OF 0x800u

/* EFLAGS after a 64-bit a - b, other bits of eflags kept. */
uint64_t x86_sub_flags(uint64_t eflags, uint64_t a, uint64_t b);
/* Is condition cc (0..15, as in Jcc/SETcc/CMOVcc) true under eflags? */
bool x86_cond(unsigned cc, uint64_t eflags);

#endif
