/* What the core asks of an architecture back end (arch/<arch>/). */
#ifndef LATCH_ARCH_H
#define LATCH_ARCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "arch_regs.h"   /* struct arch_regs, from arch/<arch>/ */
#include "mem.h"

extern const char arch_name[];

/* Registers ----------------------------------------------------------- */
int arch_get_regs(pid_t tid, struct arch_regs *r);            /* 0/-errno */
int arch_set_regs(pid_t tid, const struct arch_regs *r);      /* 0/-errno */
uint64_t arch_get_pc(const struct arch_regs *r);
void arch_set_pc(struct arch_regs *r, uint64_t pc);
uint64_t arch_get_sp(const struct arch_regs *r);

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
enum abi_class {
	ABI_INT,        /* integer, pointer, enum, bool, char */
	ABI_FLOAT,      /* float or double scalar */
	ABI_LONG_DOUBLE,
	ABI_AGGREGATE,  /* struct/union/class by value */
};

/* What the ABI needs to know about one argument or return type. */
struct abi_type {
	enum abi_class cls;
	size_t size;
	/* ABI_AGGREGATE: for each 8-byte chunk, true when every member in it
	 * is a float or double (SysV SSE class, AAPCS64 HFA members). */
	bool chunk_is_float[2];
	bool all_float;          /* aggregate of floats/doubles only */
	bool nontrivial;         /* C++ non-trivially-copyable: by reference */
};

enum abi_loc_kind {
	LOC_INT_REG,     /* .reg[0..nregs): integer registers */
	LOC_FLOAT_REG,   /* .reg: vector registers */
	LOC_MIXED_REG,   /* aggregate split: one int and one vector register */
	LOC_MEMORY,      /* the bytes are at .addr in the tracee */
	LOC_NONE,        /* the ABI position could not be determined */
};

struct abi_loc {
	enum abi_loc_kind kind;
	unsigned nregs;
	uint64_t words[2];   /* register contents for LOC_*_REG int parts */
	uint64_t addr;       /* LOC_MEMORY */
};

struct abi_cursor {
	unsigned next_int;
	unsigned next_float;
	uint64_t next_stack;     /* address of the next stack argument */
};

/* Start walking a function's arguments at its entry trap. ret may be NULL
 * (void or unknown); an aggregate returned in memory consumes the hidden
 * pointer register first. */
void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret);
/* Where the next argument of type t lies. */
void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc);
/* Where a return value of type t lies, at the return-site trap. */
void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     struct abi_loc *loc);
/* Number of integer argument registers, for functions without DWARF. */
extern const unsigned arch_int_arg_regs;

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
	/* STEP_EMULATE: back-end private description */
	int op;
	int reg_a, reg_b;
	int64_t imm;
	uint64_t target;
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
