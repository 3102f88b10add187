/* aarch64 step-over: decide how a thread stopped on a `brk #0` planted over
 * an instruction gets past that instruction without the trap being removed
 * (other threads keep running through it) and without single-stepping.
 *
 * Self-contained on purpose: only libc and capstone, its own register block,
 * no <asm/ptrace.h>, so that it builds and is unit-tested on any host. The
 * aarch64 back end copies struct user_pt_regs to and from struct a64_regs
 * and wraps these functions into arch_step_plan/arch_step_apply. */
#ifndef LATCH_A64_STEP_H
#define LATCH_A64_STEP_H

#include <stddef.h>
#include <stdint.h>

/* Same layout as the kernel's struct user_pt_regs (NT_PRSTATUS). x[31] holds
 * x0..x30; register number 31 means sp or xzr depending on the instruction,
 * never an element of x[]. */
struct a64_regs {
	uint64_t x[31];
	uint64_t sp, pc, pstate;
};

#define A64_PSTATE_N (1ull << 31)
#define A64_PSTATE_Z (1ull << 30)
#define A64_PSTATE_C (1ull << 29)
#define A64_PSTATE_V (1ull << 28)
/* PSTATE.BTYPE: the branch type the next instruction is checked against on
 * a BTI-guarded page. */
#define A64_PSTATE_BTYPE_SHIFT 10
#define A64_PSTATE_BTYPE_MASK (3ull << A64_PSTATE_BTYPE_SHIFT)

/* Largest out-of-line sequence: save x16, load the literal address, load,
 * restore x16, branch back, then an 8-byte aligned literal. */
#define A64_SLOT_SIZE 32

enum a64_kind {
	/* Zero left unused so that a zeroed plan is never acted on. */
	A64_EMULATE = 1,   /* the tracer performs the effect on a64_regs */
	A64_OOL,           /* run code[] at slot_addr; it branches back */
	A64_REFUSE,        /* cannot be stepped over: why[] says why */
};

/* plan->op for A64_EMULATE. Register numbers are the instruction's 5-bit
 * fields; whether 31 is sp or xzr is fixed by the op. */
enum a64_emu_op {
	A64_EMU_NOP = 1,
	A64_EMU_ADD_IMM,   /* Xd|SP(reg_a) = Xn|SP(reg_b) + imm, no flags */
	A64_EMU_STP_PRE,   /* sp += imm, then [sp] = reg_a, [sp+8] = reg_b
			    * (31 = xzr), written before sp moves */
	A64_EMU_SET,       /* Xd(reg_a, 31 = xzr) = target: adr, adrp */
	A64_EMU_B,         /* pc = target */
	A64_EMU_BL,        /* x30 = addr + 4, pc = target */
	A64_EMU_BCOND,     /* imm = condition (0..15) on NZCV */
	A64_EMU_CBZ,       /* imm = operand width, 32 or 64 */
	A64_EMU_CBNZ,
	A64_EMU_TBZ,       /* imm = bit number 0..63 */
	A64_EMU_TBNZ,
	A64_EMU_BR,        /* pc = Xn(reg_a) */
	A64_EMU_BLR,       /* x30 = addr + 4, pc = old Xn(reg_a) */
	A64_EMU_RET,       /* pc = Xn(reg_a) */
};

struct a64_plan {
	enum a64_kind kind;
	uint64_t addr;            /* the original instruction */
	uint32_t insn;
	/* A64_EMULATE */
	int op;
	int reg_a, reg_b;
	int64_t imm;
	uint64_t target;
	/* A64_OOL */
	uint64_t slot_addr;
	uint8_t code[A64_SLOT_SIZE];   /* little-endian instruction words */
	size_t code_len;
	/* A64_REFUSE (and the error returns, for the log) */
	char why[96];
};

/* Plan the step over insn (the original word, as a number) at addr.
 * slot_addr is where an out-of-line copy would run (0: none; else 4-byte
 * aligned and within +-128 MiB of addr, so that the copy can branch back
 * directly). Returns 0 with a plan (which may be A64_REFUSE), -EINVAL for a
 * word that does not decode or a misaligned slot, -ENOSPC when the
 * instruction needs a slot and slot_addr is 0, -ERANGE when the slot is out
 * of branch range, -ENOMEM/-ENOSYS when capstone cannot be opened. */
int a64_step_plan(uint32_t insn, uint64_t addr, uint64_t slot_addr,
		  struct a64_plan *plan);

/* Carry a thread stopped on the trap at plan->addr (pc == plan->addr) past
 * it, writing tracee memory through wr when the instruction stores. The
 * caller must already have written code[] at slot_addr for A64_OOL. On
 * error r is unchanged. 0, -EOPNOTSUPP for A64_REFUSE, -EINVAL for a bad
 * plan, or wr's error (a positive return from wr becomes -EIO). */
int a64_step_apply(const struct a64_plan *plan, struct a64_regs *r,
		   int (*wr)(void *ctx, uint64_t addr, const void *buf,
			     size_t len),
		   void *ctx);

/* "stp x29, x30, [sp, #-0x10]!" for display. 0 or -EINVAL; truncates. */
int a64_disasm(uint32_t insn, uint64_t addr, char *buf, size_t len);

/* Is condition cond (0..15, as in b.cond) true under pstate's NZCV? */
int a64_cond_holds(unsigned cond, uint64_t pstate);

#endif
