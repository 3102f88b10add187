/* The System V x86-64 calling convention, at a function's first instruction
 * and at its return site. */
#include <string.h>
#include "arch.h"
#include "x86_abi.h"

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

/* The classes of an aggregate's eightbytes that matter here. */
enum eightbyte { EB_NONE, EB_INT, EB_SSE, EB_SSEUP };

/* Classify aggregate t's eightbytes into eb[0..*n); false when it is of
 * class MEMORY: over 16 bytes, an x87 member, an unaligned field. */
static bool eightbytes(const struct abi_type *t, enum eightbyte eb[2],
		       unsigned *n)
{
	const struct x86_abi_class *x = &t->arch.x;

	if (t->size > 16 || x->has_long_double || t->unaligned)
		return false;
	*n = (unsigned)((t->size + 7) / 8);
	for (unsigned i = 0; i < *n; i++)
		eb[i] = x->chunk_empty[i] ? EB_NONE :
			x->chunk_is_float[i] ? EB_SSE : EB_INT;
	if (*n == 2 && x->sse_up && eb[0] == EB_SSE)
		eb[1] = EB_SSEUP;
	return true;
}

/* The x87 forms of a return value: _Complex long double in st(0) and
 * st(1), a struct of one long double in st(0). */
static unsigned x87_return_regs(const struct abi_type *t)
{
	if (t->cls == ABI_LONG_DOUBLE)
		return 1;
	if (t->cls != ABI_AGGREGATE || !t->arch.x.has_long_double || t->nontrivial ||
	    t->unaligned)
		return 0;
	if (t->is_complex)
		return t->arch.x.x87_count == 2 ? 2 : 0;
	return t->arch.x.x87_count == 1 ? 1 : 0;
}

void arch_abi_classify(const struct abi_desc *d, struct arch_abi_class *out)
{
	x86_abi_classify(d, &out->x);
}

static bool returns_in_memory(const struct abi_type *t)
{
	enum eightbyte eb[2];
	unsigned n;

	if (t->cls != ABI_AGGREGATE)
		return false;
	if (t->nontrivial)
		return true;
	return !x87_return_regs(t) && !eightbytes(t, eb, &n);
}

void arch_abi_start(struct abi_cursor *c, const struct arch_regs *r,
		    const struct abi_type *ret)
{
	memset(c, 0, sizeof(*c));
	/* At entry rsp points at the return address; arguments follow it. */
	c->next_stack = r->g.rsp + 8;
	if (ret && returns_in_memory(ret)) {
		c->ret_buf = r->g.rdi;
		c->next_int = 1;
	}
}

static unsigned clamp(size_t size, unsigned max)
{
	return size == 0 || size > max ? max : (unsigned)size;
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

static void by_reference(struct abi_cursor *c, const struct arch_regs *r,
			 struct abi_loc *loc)
{
	if (c->next_int < NINT) {
		loc->kind = LOC_MEMORY;
		loc->addr = int_reg(r, c->next_int++);
	} else {
		/* The pointer itself is on the stack, which latch does not
		 * read here: .addr says where. */
		loc->kind = LOC_NONE;
		loc->addr = c->next_stack;
		c->next_stack += 8;
	}
}

/* Pieces of an aggregate classified eb[0..n): INTEGER eightbytes take
 * ints[] in turn, SSE ones vector registers from sse on. */
static void place(struct abi_loc *loc, const struct abi_type *t,
		  const enum eightbyte eb[2], unsigned n, const uint64_t ints[2],
		  unsigned sse)
{
	unsigned ni = 0;

	loc->kind = LOC_REGS;
	for (unsigned i = 0; i < n; i++) {
		unsigned size = clamp(t->size - 8 * i, 8);

		switch (eb[i]) {
		case EB_INT:
			abi_add_piece(loc, PIECE_INT, size, 0, ints[ni++]);
			break;
		case EB_SSE:
			if (i + 1 < n && eb[i + 1] == EB_SSEUP)
				size = 16;
			abi_add_piece(loc, PIECE_FP, size, sse++, 0);
			break;
		case EB_SSEUP:
			break;
		case EB_NONE:
			/* padding only: zeros keep later pieces in place */
			abi_add_piece(loc, PIECE_INT, size, 0, 0);
			break;
		}
	}
}

/* An aggregate goes whole into registers or whole onto the stack; one
 * that does not fit leaves the registers to later arguments. */
static void aggregate(struct abi_cursor *c, const struct arch_regs *r,
		      const struct abi_type *t, struct abi_loc *loc)
{
	enum eightbyte eb[2];
	unsigned n, nint = 0, nsse = 0;
	uint64_t ints[2] = { 0, 0 };

	if (!eightbytes(t, eb, &n)) {
		on_stack(c, t->size, t->align, loc);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		nint += eb[i] == EB_INT;
		nsse += eb[i] == EB_SSE;
	}
	if (c->next_int + nint > NINT || c->next_float + nsse > NSSE) {
		on_stack(c, t->size, t->align, loc);
		return;
	}
	for (unsigned i = 0; i < nint; i++)
		ints[i] = int_reg(r, c->next_int++);
	place(loc, t, eb, n, ints, c->next_float);
	c->next_float += nsse;
}

void arch_abi_next(struct abi_cursor *c, const struct arch_regs *r,
		   const struct abi_type *t, struct abi_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	switch (t->cls) {
	case ABI_INT:
		if (c->next_int < NINT)
			abi_add_piece(loc, PIECE_INT, clamp(t->size, 8), 0,
				  int_reg(r, c->next_int++));
		else
			on_stack(c, 8, 8, loc);
		return;
	case ABI_FLOAT:
		if (c->next_float >= NSSE) {
			on_stack(c, t->size, t->align, loc);
		} else if (t->size > 16) {
			/* ymm/zmm: the upper halves are not in the FXSAVE area */
			loc->kind = LOC_NONE;
			c->next_float++;
		} else {
			abi_add_piece(loc, PIECE_FP, clamp(t->size, 16), c->next_float++, 0);
		}
		return;
	case ABI_LONG_DOUBLE:
		on_stack(c, 16, 16, loc);
		return;
	case ABI_AGGREGATE:
		if (t->nontrivial)
			by_reference(c, r, loc);
		else
			aggregate(c, r, t, loc);
		return;
	}
	loc->kind = LOC_NONE;
}

void arch_abi_return(const struct arch_regs *r, const struct abi_type *t,
		     uint64_t ret_buf, struct abi_loc *loc)
{
	const uint64_t ints[2] = { r->g.rax, r->g.rdx };
	enum eightbyte eb[2];
	unsigned n, x87 = x87_return_regs(t);

	/* rax returns the buffer's address, which makes ret_buf redundant */
	(void)ret_buf;
	memset(loc, 0, sizeof(*loc));
	/* 16 bytes per x87 register, as long double takes in memory: the
	 * imaginary part of a complex lands at 16 */
	if (x87 == 1) {
		abi_add_piece(loc, PIECE_FP, 16, ARCH_FP_ST0, 0);
		return;
	}
	if (x87 == 2) {
		abi_add_piece(loc, PIECE_FP, 16, ARCH_FP_ST0, 0);
		abi_add_piece(loc, PIECE_FP, 16, ARCH_FP_ST0 + 1, 0);
		return;
	}
	switch (t->cls) {
	case ABI_INT:
		abi_add_piece(loc, PIECE_INT, clamp(t->size, 8), 0, r->g.rax);
		return;
	case ABI_FLOAT:
		if (t->size > 16)
			loc->kind = LOC_NONE;
		else
			abi_add_piece(loc, PIECE_FP, clamp(t->size, 16), 0, 0);
		return;
	case ABI_LONG_DOUBLE:
	case ABI_AGGREGATE:
		break;
	}
	if (returns_in_memory(t) || !eightbytes(t, eb, &n)) {
		loc->kind = LOC_MEMORY;
		loc->addr = r->g.rax;
		return;
	}
	place(loc, t, eb, n, ints, 0);
}
