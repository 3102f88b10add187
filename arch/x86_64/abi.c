/* The System V x86-64 calling convention, at a function's first instruction
 * and at its return site. */
#include <string.h>
#include "arch.h"

#define NINT 6
#define NSSE 8

const unsigned arch_int_arg_regs = NINT;

static uint64_t int_reg(const struct arch_regs *r, unsigned i)
{
	switch (i) {
	case 0: return r->g.rdi;
	case 1: return r->g.rsi;
	case 2: return r->g.rdx;
	case 3: return r->g.rcx;
	case 4: return r->g.r8;
	default: return r->g.r9;
	}
}

/* Aggregates over two eightbytes, long double and non-trivially copyable
 * C++ classes are never split across registers. */
static bool in_memory(const struct abi_type *t)
{
	return t->cls == ABI_LONG_DOUBLE ||
	       (t->cls == ABI_AGGREGATE && (t->size > 16 || t->size == 0));
}

void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret)
{
	memset(c, 0, sizeof(*c));
	/* At entry rsp points at the return address; arguments follow it. */
	c->next_stack = r->g.rsp + 8;
	if (ret && ret->cls == ABI_AGGREGATE && (in_memory(ret) || ret->nontrivial))
		c->next_int = 1;   /* the hidden result pointer in rdi */
}

static void on_stack(struct abi_cursor *c, size_t size, size_t align,
		     struct abi_loc *loc)
{
	if (align > 8)
		c->next_stack = (c->next_stack + align - 1) & ~(uint64_t)(align - 1);
	loc->kind = LOC_MEMORY;
	loc->addr = c->next_stack;
	c->next_stack += (size + 7) & ~(size_t)7;
}

void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	if (t->cls == ABI_AGGREGATE && t->nontrivial) {
		/* Passed by invisible reference. */
		if (c->next_int < NINT) {
			loc->kind = LOC_MEMORY;
			loc->addr = int_reg(r, c->next_int++);
		} else {
			uint64_t at = c->next_stack;

			c->next_stack += 8;
			loc->kind = LOC_NONE;
			loc->addr = at;
		}
		return;
	}
	switch (t->cls) {
	case ABI_INT:
		if (c->next_int < NINT) {
			loc->kind = LOC_INT_REG;
			loc->nregs = 1;
			loc->words[0] = int_reg(r, c->next_int++);
		} else {
			on_stack(c, 8, 8, loc);
		}
		return;
	case ABI_FLOAT:
		if (c->next_float < NSSE) {
			loc->kind = LOC_FLOAT_REG;
			loc->nregs = 1;
			loc->words[0] = c->next_float++;
		} else {
			on_stack(c, 8, 8, loc);
		}
		return;
	case ABI_LONG_DOUBLE:
		on_stack(c, 16, 16, loc);
		return;
	case ABI_AGGREGATE:
		break;
	}
	if (in_memory(t)) {
		on_stack(c, t->size, 8, loc);
		return;
	}
	unsigned chunks = t->size > 8 ? 2 : 1, nint = 0, nsse = 0;

	for (unsigned i = 0; i < chunks; i++)
		t->chunk_is_float[i] ? nsse++ : nint++;
	if (c->next_int + nint > NINT || c->next_float + nsse > NSSE) {
		on_stack(c, t->size, 8, loc);
		return;
	}
	loc->nregs = chunks;
	loc->kind = nsse == 0 ? LOC_INT_REG : nint == 0 ? LOC_FLOAT_REG : LOC_MIXED_REG;
	for (unsigned i = 0; i < chunks; i++)
		loc->words[i] = t->chunk_is_float[i] ? c->next_float++
						     : int_reg(r, c->next_int++);
}

void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	switch (t->cls) {
	case ABI_INT:
		loc->kind = LOC_INT_REG;
		loc->nregs = 1;
		loc->words[0] = r->g.rax;
		return;
	case ABI_FLOAT:
		loc->kind = LOC_FLOAT_REG;
		loc->nregs = 1;
		return;
	case ABI_LONG_DOUBLE:
		loc->kind = LOC_NONE;   /* st(0): read with the x87 state later */
		return;
	case ABI_AGGREGATE:
		break;
	}
	if (in_memory(t) || t->nontrivial) {
		/* rax holds the caller's buffer on return. */
		loc->kind = LOC_MEMORY;
		loc->addr = r->g.rax;
		return;
	}
	unsigned chunks = t->size > 8 ? 2 : 1, ni = 0, nf = 0;
	uint64_t ints[2] = { r->g.rax, r->g.rdx };

	loc->nregs = chunks;
	for (unsigned i = 0; i < chunks; i++)
		loc->words[i] = t->chunk_is_float[i] ? nf++ : ints[ni++];
	loc->kind = nf == 0 ? LOC_INT_REG : ni == 0 ? LOC_FLOAT_REG : LOC_MIXED_REG;
}
