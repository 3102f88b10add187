/* AAPCS64 as Linux uses it, at a function's first instruction and at its
 * return site. */
#include <string.h>
#include "arch.h"

#define NGRN 8   /* x0-x7 */
#define NSRN 8   /* v0-v7 */

const unsigned arch_int_arg_regs = NGRN;

void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret)
{
	/* A result returned in memory goes through x8, not an argument
	 * register, so it shifts nothing. */
	(void)ret;
	memset(c, 0, sizeof(*c));
	c->next_stack = r->g.sp;
}

static void on_stack(struct abi_cursor *c, size_t size, size_t align,
		     struct abi_loc *loc)
{
	if (align < 8)
		align = 8;
	c->next_stack = (c->next_stack + align - 1) & ~(uint64_t)(align - 1);
	loc->kind = LOC_MEMORY;
	loc->addr = c->next_stack;
	c->next_stack += (size + 7) & ~(size_t)7;
}

/* A homogeneous floating-point aggregate: up to four members of one
 * floating type. abi_type says only "all members float", so the member
 * count is taken from the size, as for the common all-double case. */
static unsigned hfa_members(const struct abi_type *t)
{
	if (t->cls != ABI_AGGREGATE || !t->all_float || t->size == 0 || t->size > 32)
		return 0;
	return (unsigned)((t->size + 7) / 8);
}

void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc)
{
	unsigned n;

	memset(loc, 0, sizeof(*loc));
	switch (t->cls) {
	case ABI_INT:
		if (c->next_int < NGRN) {
			loc->kind = LOC_INT_REG;
			loc->nregs = 1;
			loc->words[0] = r->g.regs[c->next_int++];
		} else {
			on_stack(c, 8, 8, loc);
		}
		return;
	case ABI_FLOAT:
	case ABI_LONG_DOUBLE:   /* binary128, in a vector register */
		if (c->next_float < NSRN) {
			loc->kind = LOC_FLOAT_REG;
			loc->nregs = 1;
			loc->words[0] = c->next_float++;
		} else {
			on_stack(c, t->size ? t->size : 8, t->cls == ABI_LONG_DOUBLE ? 16 : 8, loc);
		}
		return;
	case ABI_AGGREGATE:
		break;
	}
	n = hfa_members(t);
	if (n) {
		if (c->next_float + n <= NSRN) {
			loc->kind = LOC_FLOAT_REG;
			loc->nregs = n > 2 ? 2 : n;
			loc->words[0] = c->next_float;
			c->next_float += n;
		} else {
			c->next_float = NSRN;
			on_stack(c, t->size, 8, loc);
		}
		return;
	}
	if (t->size > 16 || t->nontrivial) {
		/* Copied by the caller and passed by reference. */
		struct abi_loc ptr;
		struct abi_type word = { .cls = ABI_INT, .size = 8 };

		arch_abi_next(c, r, &word, &ptr);
		if (ptr.kind == LOC_INT_REG) {
			loc->kind = LOC_MEMORY;
			loc->addr = ptr.words[0];
		} else {
			loc->kind = LOC_NONE;   /* the pointer itself is on the stack */
			loc->addr = ptr.addr;
		}
		return;
	}
	unsigned regs = t->size > 8 ? 2 : 1;

	if (c->next_int + regs <= NGRN) {
		loc->kind = LOC_INT_REG;
		loc->nregs = regs;
		for (unsigned i = 0; i < regs; i++)
			loc->words[i] = r->g.regs[c->next_int++];
	} else {
		c->next_int = NGRN;
		on_stack(c, t->size, 8, loc);
	}
}

void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	switch (t->cls) {
	case ABI_INT:
		loc->kind = LOC_INT_REG;
		loc->nregs = 1;
		loc->words[0] = r->g.regs[0];
		return;
	case ABI_FLOAT:
	case ABI_LONG_DOUBLE:
		loc->kind = LOC_FLOAT_REG;
		loc->nregs = 1;
		return;
	case ABI_AGGREGATE:
		break;
	}
	if (hfa_members(t)) {
		loc->kind = LOC_FLOAT_REG;
		loc->nregs = 1;
		return;
	}
	if (t->size > 16 || t->nontrivial) {
		/* Written through x8, which the callee need not preserve. */
		loc->kind = LOC_NONE;
		return;
	}
	loc->kind = LOC_INT_REG;
	loc->nregs = t->size > 8 ? 2 : 1;
	loc->words[0] = r->g.regs[0];
	loc->words[1] = r->g.regs[1];
}
