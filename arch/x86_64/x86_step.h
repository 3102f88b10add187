/* x86-64 step-over: decide how a thread stopped on an int3 planted over
 * an instruction gets past that instruction without the trap being removed
 * (other threads keep running through it) and without single-stepping:
 * x86_step.c decides, x86_emulate.c performs.
 *
 * Self-contained on purpose: only libc and capstone, its own register
 * block, no <sys/user.h>, so that it builds and is unit-tested on any host.
 * The x86-64 back end (step.c) copies struct user_regs_struct to and from
 * struct x86_regs and wraps these functions into arch_step_plan and
 * arch_step_apply. */
#ifndef LATCH_X86_STEP_H
#define LATCH_X86_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Same layout as the kernel's struct user_regs_struct (NT_PRSTATUS). */
struct x86_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* Largest out-of-line sequence: the relocated instruction, then an
 * absolute jump back (or a return address pushed, then the jump). */
#define X86_SLOT_SIZE 64

enum x86_kind {
	/* Zero left unused so that a zeroed plan is never acted on. */
	X86_EMULATE = 1,   /* x86_step_apply performs the effect on x86_regs */
	X86_OOL,           /* run code[] at slot_addr; it jumps back */
	X86_REFUSE,        /* cannot be stepped over: why[] says why */
};

/* plan->op for X86_EMULATE. Zero is left unused so that a zeroed plan is
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

struct x86_plan {
	enum x86_kind kind;
	uint64_t addr;            /* the original instruction */
	unsigned len;
	/* X86_EMULATE */
	int op;
	int reg_a, reg_b;
	int64_t imm;
	uint64_t target;
	/* X86_OOL */
	uint64_t slot_addr;
	uint8_t code[X86_SLOT_SIZE];
	size_t code_len;
	/* X86_REFUSE (and the error returns, for the log) */
	char why[96];
};

/* Writes len bytes at addr in the tracee: 0, or an error (a positive one
 * becomes -EIO). */
typedef int (*x86_write_fn)(void *ctx, uint64_t addr, const void *buf, size_t len);

/* Plan the step over the instruction whose original bytes are
 * insn[0..avail) at addr. slot_addr is where an out-of-line copy would run
 * (0: none, emulate or refuse). Returns 0 with a plan (which may be
 * X86_REFUSE), -EINVAL for bytes that do not decode, -ENOSPC when the
 * instruction needs a slot and slot_addr is 0, -ERANGE when the slot is out
 * of reach, -ENOMEM/-ENOSYS when capstone cannot be opened. */
int x86_step_plan(const uint8_t *insn, size_t avail, uint64_t addr,
		  uint64_t slot_addr, struct x86_plan *plan);

/* Carry a thread stopped on the trap at plan->addr past it, writing tracee
 * memory through wr when the instruction does (push, call). The caller must
 * already have written code[] at slot_addr for X86_OOL. On error r is
 * unchanged. 0, -EOPNOTSUPP for X86_REFUSE, -EINVAL for a bad plan, or
 * wr's error. */
int x86_step_apply(const struct x86_plan *plan, struct x86_regs *r,
		   x86_write_fn wr, void *ctx);

/* The longest x86-64 instruction. */
#define X86_INSN_MAX 15

/* A copy, for new_addr, of the instruction insn[0..avail) at addr, into
 * out (its length in *len): its pc-relative operand rewritten to reach
 * what the original reached. 0; -ENOTSUP (with *why) for one that cannot
 * be moved (it transfers control, or its operand is out of reach),
 * -EINVAL (with *why) for bytes that do not decode, -ENOMEM, -ENOSYS. */
int x86_relocate(const uint8_t *insn, size_t avail, uint64_t addr, uint64_t new_addr,
		 uint8_t out[X86_INSN_MAX], unsigned *len, const char **why);

/* One instruction of a function, as x86_scan sees it. */
enum x86_insn_kind {
	X86_I_OTHER,
	X86_I_RET,
	X86_I_JMP,        /* direct: target */
	X86_I_JCC,        /* conditional, loop, jrcxz: target */
	X86_I_JMP_IND,
	X86_I_CALL,       /* direct: target */
	X86_I_CALL_IND,
	X86_I_ENDBR,
	X86_I_STOP,       /* int3, ud2, hlt: no way on */
};

struct x86_insn_info {
	uint64_t addr;
	unsigned len;
	enum x86_insn_kind kind;
	uint64_t target;
};

/* Decode code[0..size) at addr, from its start to its end, into
 * v[0..*n). 0, -EINVAL where it does not decode, -E2BIG past cap
 * instructions, -ENOMEM, -ENOSYS. */
int x86_scan(const uint8_t *code, size_t size, uint64_t addr, struct x86_insn_info *v,
	     size_t cap, size_t *n);

/* "push rbp" for display, and the instruction's length. 0 or -EINVAL;
 * truncates. */
int x86_disasm(const uint8_t *insn, size_t avail, uint64_t addr,
	       char *buf, size_t buflen, unsigned *len);

#endif
