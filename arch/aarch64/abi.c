/* AAPCS64 as Linux uses it, at a function's first instruction and at its
 * return site. */
#include <string.h>
#include "a64_abi.h"
#include "arch.h"

#define NGRN 8   /* x0-x7 */
#define NSRN 8   /* v0-v7 */

const unsigned arch_int_arg_regs = NGRN;

void arch_abi_classify(const struct abi_desc *d, struct arch_abi_class *out)
{
	a64_abi_classify(d, &out->a);
}

static bool is_hfa(const struct abi_type *t)
{
	return t->cls == ABI_AGGREGATE && t->arch.a.hfa_count >= 1 &&
	       t->arch.a.hfa_count <= ABI_MAX_PIECES && t->arch.a.hfa_size != 0;
}

/* Copied by the caller and passed, or returned through x8, by reference:
 * composites over 16 bytes that are no homogeneous aggregate, long
 * vectors, and C++ classes that must not be copied bitwise. */
static bool indirect(const struct abi_type *t)
{
	switch (t->cls) {
	case ABI_INT:
		return false;
	case ABI_FLOAT:
	case ABI_LONG_DOUBLE:
		return t->size > 16;
	case ABI_AGGREGATE:
		return t->nontrivial || (!is_hfa(t) && t->size > 16);
	}
	return false;
}

void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret)
{
	memset(c, 0, sizeof(*c));
	c->next_stack = r->g.sp;
	/* x8 is no argument register: nothing shifts. */
	if (ret && indirect(ret))
		c->ret_buf = r->g.regs[8];
}

/* Stack slots are multiples of 8 bytes, aligned to 8 or to 16 for types
 * that need it. */
static void on_stack(struct abi_cursor *c, size_t size, unsigned align,
		     struct abi_loc *loc)
{
	align = align > 8 ? 16 : 8;
	c->next_stack = (c->next_stack + align - 1) & ~(uint64_t)(align - 1);
	loc->kind = LOC_MEMORY;
	loc->addr = c->next_stack;
	c->next_stack += (size + 7) & ~(size_t)7;
}

static void by_reference(struct abi_cursor *c, const struct arch_regs *r,
			 struct abi_loc *loc)
{
	if (c->next_int < NGRN) {
		loc->kind = LOC_MEMORY;
		loc->addr = r->g.regs[c->next_int++];
	} else {
		/* The pointer itself is on the stack, which latch does not
		 * read here: .addr says where. */
		on_stack(c, 8, 8, loc);
		loc->kind = LOC_NONE;
	}
}

/* Integer registers for n 8-byte words of a size-byte value. */
static void int_pieces(struct abi_cursor *c, const struct arch_regs *r,
		       size_t size, unsigned n, struct abi_loc *loc)
{
	loc->kind = LOC_REGS;
	for (unsigned i = 0; i < n; i++) {
		size_t left = size - 8 * i;

		abi_add_piece(loc, PIECE_INT, left > 8 ? 8 : (unsigned)left, 0,
			  r->g.regs[c->next_int++]);
	}
}

static void aggregate(struct abi_cursor *c, const struct arch_regs *r,
		      const struct abi_type *t, struct abi_loc *loc)
{
	unsigned n;

	if (is_hfa(t)) {
		if (c->next_float + t->arch.a.hfa_count > NSRN) {
			/* No partial split: later floats go to the stack too. */
			c->next_float = NSRN;
			on_stack(c, t->size, t->align, loc);
			return;
		}
		loc->kind = LOC_REGS;
		for (unsigned i = 0; i < t->arch.a.hfa_count; i++)
			abi_add_piece(loc, PIECE_FP, t->arch.a.hfa_size, c->next_float++, 0);
		return;
	}
	if (t->size == 0) {
		loc->kind = LOC_REGS;   /* an empty struct takes nothing */
		return;
	}
	n = (unsigned)((t->size + 7) / 8);
	/* A 16-byte-aligned pair starts at an even register, even when it
	 * then does not fit. */
	if (t->align >= 16 && (c->next_int & 1))
		c->next_int++;
	if (c->next_int + n > NGRN) {
		c->next_int = NGRN;
		on_stack(c, t->size, t->align, loc);
		return;
	}
	int_pieces(c, r, t->size, n, loc);
}

void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	if (indirect(t)) {
		by_reference(c, r, loc);
		return;
	}
	switch (t->cls) {
	case ABI_INT:
		if (c->next_int < NGRN)
			int_pieces(c, r, t->size ? t->size : 8, 1, loc);
		else
			on_stack(c, 8, 8, loc);
		return;
	case ABI_FLOAT:
	case ABI_LONG_DOUBLE:   /* binary128, in a vector register */
		if (c->next_float < NSRN)
			abi_add_piece(loc, PIECE_FP, t->size ? (unsigned)t->size : 8,
				  c->next_float++, 0);
		else
			on_stack(c, t->size ? t->size : 8, t->align, loc);
		return;
	case ABI_AGGREGATE:
		aggregate(c, r, t, loc);
		return;
	}
	loc->kind = LOC_NONE;
}

void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     uint64_t ret_buf, struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	if (indirect(t)) {
		/* Written through x8, which the callee need not preserve:
		 * only the address seen at entry finds it. */
		if (ret_buf) {
			loc->kind = LOC_MEMORY;
			loc->addr = ret_buf;
		} else {
			loc->kind = LOC_NONE;
		}
		return;
	}
	switch (t->cls) {
	case ABI_INT:
		abi_add_piece(loc, PIECE_INT, t->size && t->size < 8 ? (unsigned)t->size : 8,
			  0, r->g.regs[0]);
		return;
	case ABI_FLOAT:
	case ABI_LONG_DOUBLE:
		abi_add_piece(loc, PIECE_FP, t->size ? (unsigned)t->size : 8, 0, 0);
		return;
	case ABI_AGGREGATE:
		break;
	}
	loc->kind = LOC_REGS;
	if (is_hfa(t)) {
		for (unsigned i = 0; i < t->arch.a.hfa_count; i++)
			abi_add_piece(loc, PIECE_FP, t->arch.a.hfa_size, i, 0);
		return;
	}
	for (unsigned i = 0; 8 * i < t->size && i < 2; i++) {
		size_t left = t->size - 8 * i;

		abi_add_piece(loc, PIECE_INT, left > 8 ? 8 : (unsigned)left, 0,
			  r->g.regs[i]);
	}
}
