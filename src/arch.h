/* What the core asks of an architecture back end (arch/<arch>/). */
#ifndef LATCH_ARCH_H
#define LATCH_ARCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/abi_desc.h"
#include "arch_regs.h"   /* struct arch_regs, from arch/<arch>/ */
#include "util/mem.h"

extern const char arch_name[];

/* Registers ----------------------------------------------------------- */
int arch_get_regs(pid_t tid, struct arch_regs *r);            /* 0/-errno */
int arch_set_regs(pid_t tid, const struct arch_regs *r);      /* 0/-errno */
uint64_t arch_get_pc(const struct arch_regs *r);
void arch_set_pc(struct arch_regs *r, uint64_t pc);
uint64_t arch_get_sp(const struct arch_regs *r);
void arch_set_sp(struct arch_regs *r, uint64_t sp);
/* The general registers in DWARF numbering from 0, as an unwinder's first
 * frame wants them: x86-64 0-16 (rax ... r15, rip), aarch64 0-31 (x0-x30,
 * sp). Writes at most ARCH_DWARF_NREGS and returns how many. */
#define ARCH_DWARF_NREGS 32
unsigned arch_dwarf_regs(const struct arch_regs *r, uint64_t *regs);
/* Bits of a code address saved in memory that are not part of the address
 * (aarch64 pointer authentication codes); 0 when there are none. */
uint64_t arch_code_tag_mask(pid_t tid);

/* Traps --------------------------------------------------------------- */
#define ARCH_TRAP_MAX 4
extern const uint8_t arch_trap[ARCH_TRAP_MAX];
extern const size_t arch_trap_len;
/* Is this SIGTRAP the result of executing a trap instruction? */
bool arch_is_trap_signal(const siginfo_t *si);
/* Address of the trap instruction a thread stopped on, from its pc. */
uint64_t arch_trap_addr(const struct arch_regs *r);
/* Could a thread be found at the pc a hit of a trap at an instruction
 * with these original bytes leaves, without having hit it (having just
 * run that instruction itself)? Then only the siginfo tells. */
bool arch_trap_pc_ambiguous(const uint8_t *orig, size_t len);
/* Registers that make the thread execute whatever now lies at the trap
 * address (after the trap was removed). */
void arch_rewind_to_trap(struct arch_regs *r, uint64_t trap_addr);

/* Calls --------------------------------------------------------------- */
/* At a function's first instruction: where it will return to. */
int arch_return_address(const struct arch_regs *r, mem_read_fn rd, void *ctx,
			uint64_t *ra);
/* At a function's first instruction: the sp the caller sees once the call
 * has returned, i.e. the sp at the return-site trap. */
uint64_t arch_sp_after_return(const struct arch_regs *r);

/* Argument passing (the ABI) ------------------------------------------ */
/* What the ABI needs to know about one argument or return type: the
 * neutral facts of its description (core/abi_desc.h) and the back end's
 * classification of it. */
struct abi_type {
	enum abi_class cls;
	size_t size;
	/* Natural alignment in bytes: the type's own for scalars, the largest
	 * of the members' for aggregates (an aligned attribute on the
	 * aggregate type itself does not count, as AAPCS64 has it; 1 for a
	 * packed one). Picks stack slots and, on aarch64, an even register
	 * pair for 16. */
	unsigned align;
	bool nontrivial;         /* C++ non-trivially-copyable: by reference */
	bool unaligned;          /* a member off its natural alignment */
	bool is_complex;         /* a _Complex scalar, not a struct */
	/* ABI_AGGREGATE: the back end's classes (its arch_regs.h) */
	struct arch_abi_class arch;
};

/* The back end's classification of an aggregate described by d. */
void arch_abi_classify(const struct abi_desc *d, struct arch_abi_class *out);

/* A value in registers is the concatenation, from byte 0 on, of the low
 * `size` bytes of each piece's register. */
enum abi_piece_kind {
	PIECE_INT,       /* an integer register; its contents are in .word */
	PIECE_FP,        /* floating/vector register .reg, numbered as
			  * arch_fp_reg numbers them */
};

struct abi_piece {
	enum abi_piece_kind kind;
	unsigned size;
	unsigned reg;
	uint64_t word;
};

#define ABI_MAX_PIECES 4

enum abi_loc_kind {
	LOC_REGS,        /* .piece[0..npieces) */
	LOC_MEMORY,      /* the bytes are at .addr in the tracee */
	LOC_NONE,        /* unknown: the ABI position could not be found
			  * (.addr, when set, is the stack slot holding the
			  * pointer to an argument passed by reference) */
};

struct abi_loc {
	enum abi_loc_kind kind;
	unsigned npieces;
	struct abi_piece piece[ABI_MAX_PIECES];
	uint64_t addr;
};

/* For the back ends: one more register piece of loc. */
static inline void abi_add_piece(struct abi_loc *loc, enum abi_piece_kind kind,
				 unsigned size, unsigned reg, uint64_t word)
{
	loc->kind = LOC_REGS;
	loc->piece[loc->npieces++] = (struct abi_piece){
		.kind = kind, .size = size, .reg = reg, .word = word,
	};
}

struct abi_cursor {
	unsigned next_int;
	unsigned next_float;
	uint64_t next_stack;     /* address of the next stack argument */
	/* Where an aggregate returned in memory will be written (the hidden
	 * pointer: rdi on x86-64, x8 on aarch64); 0 if none. The caller
	 * keeps it for arch_abi_return. */
	uint64_t ret_buf;
};

/* Start walking a function's arguments at its entry trap. ret may be NULL
 * (void or unknown); an aggregate returned in memory consumes the hidden
 * pointer register first where the ABI says so. */
void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret);
/* Where the next argument of type t lies. */
void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc);
/* Where a return value of type t lies, at the return-site trap. ret_buf
 * is the cursor's ret_buf from the call's entry (0: unknown). */
void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     uint64_t ret_buf, struct abi_loc *loc);
/* Number of integer argument registers, for functions without DWARF. */
extern const unsigned arch_int_arg_regs;

/* Floating-point and vector registers, fetched only for values that need
 * them (one more system call per stop). struct arch_fpregs comes from
 * arch_regs.h. 0 or -errno. */
int arch_get_fpregs(pid_t tid, struct arch_fpregs *fp);
/* The 16 bytes of register reg of a PIECE_FP piece, low byte first. */
void arch_fp_reg(const struct arch_fpregs *fp, unsigned reg, uint8_t out[16]);
/* DWARF register number dwreg as a piece of size bytes (for location
 * expressions such as DW_OP_reg5); false for registers latch does not
 * read. */
bool arch_dwarf_reg(const struct arch_regs *r, unsigned dwreg, unsigned size,
		    struct abi_piece *p);

/* Injected system calls (scratch pages) -------------------------------- */
/* Bytes of the system-call instruction, to find one in the tracee's code. */
extern const uint8_t arch_syscall_insn[];
extern const size_t arch_syscall_insn_len;
/* Instructions start at multiples of this. */
extern const size_t arch_insn_align;
extern const long arch_nr_mmap, arch_nr_munmap;
/* Registers that run syscall nr(args) from the instruction at insn_addr. */
void arch_syscall_setup(struct arch_regs *r, uint64_t insn_addr, long nr,
			const uint64_t args[6]);
long arch_syscall_result(const struct arch_regs *r);
/* Was thread tid, with registers r, stopped inside a system call (so that
 * resuming it restarts the call)? */
bool arch_in_syscall(pid_t tid, const struct arch_regs *r);
/* r: a thread stopped in a system call that the kernel would restart as
 * the thread leaves this stop. A call injected meanwhile makes it leave
 * from another stop, where the kernel no longer restarts anything: make
 * r restart the call from user space instead, as the kernel would with no
 * signal handler to run. False if there is nothing to restart. */
bool arch_syscall_restart(struct arch_regs *r);

/* Stepping over a trap without removing it ------------------------------ */
#define ARCH_INSN_MAX 16
#define ARCH_SLOT_SIZE 64
/* How far a scratch slot may lie from the code it stands in for: the
 * reach of the pc-relative forms the relocated copies use, with margin. */
extern const uint64_t arch_slot_reach;

enum step_kind {
	STEP_EMULATE,   /* the tracer performs the instruction's effect */
	STEP_OOL,       /* run code[] from a scratch slot, which continues
			 * at the right place afterwards */
	STEP_REFUSE,    /* cannot be stepped over: why[] says why */
};

struct step_plan {
	enum step_kind kind;
	uint64_t addr;                 /* the original instruction */
	unsigned len;
	/* STEP_EMULATE: what the back end needs to emulate it (its
	 * arch_regs.h defines it) */
	struct arch_step_priv priv;
	/* STEP_OOL */
	uint64_t slot_addr;
	uint8_t code[ARCH_SLOT_SIZE];
	size_t code_len;
	/* STEP_REFUSE */
	char why[96];
};

/* Decide how to step over the instruction whose original bytes are
 * insn[0..avail) at addr. slot_addr is where an out-of-line copy would be
 * placed (0: none available, emulate or refuse). Returns 0, -EINVAL for
 * bytes that do not decode, -ERANGE when slot_addr is out of reach. */
int arch_step_plan(const uint8_t *insn, size_t avail, uint64_t addr,
		   uint64_t slot_addr, struct step_plan *plan);
/* Make a thread stopped on the trap at plan->addr carry on past it: adjust
 * registers, writing tracee memory through wr when the instruction does
 * (push, call). 0 or -errno. */
int arch_step_apply(const struct step_plan *plan, struct arch_regs *r,
		    mem_write_fn wr, void *ctx);
/* Decode one instruction for display: "push rbp". 0 or -EINVAL. */
int arch_disasm(const uint8_t *insn, size_t avail, uint64_t addr,
		char *buf, size_t buflen, unsigned *len);

#endif
