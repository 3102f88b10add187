/* A type as the calling conventions see it, before any one of them rules
 * on it. dwarf/abi.c reads the description from DWARF: what kind of value
 * it is, its size and natural alignment, and the tree of its members; the
 * back end applies its convention's rules to that tree (SysV x86-64 in
 * arch/x86_64/x86_abi.c, AAPCS64 in arch/aarch64/a64_abi.c), as elfutils'
 * backends do. Host-independent: both classifiers build and are tested on
 * any host. */
#ifndef LATCH_ABI_DESC_H
#define LATCH_ABI_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum abi_class {
	ABI_INT,        /* integer, pointer, enum, bool, char */
	ABI_FLOAT,      /* float or double scalar (and _Float16, __float128,
			 * SIMD vectors: one vector register) */
	ABI_LONG_DOUBLE,  /* x87 extended (x86-64), binary128 (aarch64) */
	ABI_AGGREGATE,  /* struct/union/class by value, _Complex, __int128 */
};

enum abi_node_kind {
	ABI_NODE_INT,          /* integers, enums, pointers, pointers to members */
	ABI_NODE_FLOAT,        /* binary floating point: _Float16 to __float128 */
	ABI_NODE_LONG_DOUBLE,  /* C's long double */
	ABI_NODE_VECTOR,       /* a SIMD vector (vector_size): one value */
	ABI_NODE_BITFIELD,     /* bits of a storage unit */
	ABI_NODE_RECORD,       /* struct or class: its members */
	ABI_NODE_UNION,        /* its members, all at its offset */
	ABI_NODE_ARRAY,        /* count elements, the first described by the
				* one child (none when DWARF gives no type);
				* _Complex is an array of two */
	ABI_NODE_OPAQUE,       /* DWARF does not give the layout: bytes only */
};

struct abi_node {
	enum abi_node_kind kind;
	uint64_t off;          /* from the start of the whole value (an
				* array's element: of the first one) */
	uint64_t size;         /* bytes (a bit-field: those its bits touch) */
	/* Natural alignment, the same in both 64-bit ABIs: a scalar's size up
	 * to 16 (pointers and enums up to 8, long double 16); a bit-field's
	 * declared type's, which it does not have to keep itself; 0 for
	 * opaque bytes and for records, unions and arrays (their members'). */
	unsigned align;
	unsigned attr_align;   /* an aligned attribute of the member or of its
				* nested type (not the whole value's own) */
	bool float_elems;      /* VECTOR: of floating-point elements */
	long long count;       /* ARRAY: elements; -1 when unknown */
	unsigned nkids;        /* RECORD, UNION: members; ARRAY: 0 or 1 */
	unsigned span;         /* nodes in this subtree, this one included */
};

struct abi_desc {
	enum abi_class cls;
	size_t size;
	unsigned align;        /* the value's natural alignment (1: packed) */
	bool unaligned;        /* a member off its natural alignment (packed) */
	bool nontrivial;       /* C++ non-trivially-copyable: by reference */
	bool is_complex;       /* a _Complex scalar, not a struct */
	/* ABI_AGGREGATE: its members, preorder: node[0] is the value itself
	 * and the children of a node follow it, each subtree in a row. */
	struct abi_node *node;
	unsigned nnodes;
};

/* The first child of node i, and the sibling after node i. */
static inline unsigned abi_node_first(unsigned i)
{
	return i + 1;
}

static inline unsigned abi_node_next(const struct abi_desc *d, unsigned i)
{
	return i + d->node[i].span;
}

/* Counts what node j is made of, for a back end's rule: -1 when it holds
 * anything the rule does not count. */
typedef long long (*abi_count_fn)(const struct abi_desc *d, unsigned j, void *ctx);

/* What record or union node i is made of, by count over its members: the
 * sum for a record, the largest for a union (its members overlap), -1 if
 * any member is -1. */
static inline long long abi_count_members(const struct abi_desc *d, unsigned i,
					  abi_count_fn count, void *ctx)
{
	const struct abi_node *n = &d->node[i];
	long long total = 0;
	unsigned k, j;

	for (k = 0, j = abi_node_first(i); k < n->nkids; k++, j = abi_node_next(d, j)) {
		long long sub = count(d, j, ctx);

		if (sub < 0)
			return -1;
		if (n->kind == ABI_NODE_UNION)
			total = sub > total ? sub : total;
		else
			total += sub;
	}
	return total;
}

/* The element stride of array node i: its element's size. */
static inline uint64_t abi_node_stride(const struct abi_desc *d, unsigned i)
{
	return d->node[i].nkids ? d->node[i + 1].size : 0;
}

/* How many elements of array node i, placed at off, start within the
 * first 16 bytes, where values travel in registers (the first always
 * counts: it decides alignment and classes for all). */
static inline long long abi_node_reg_elems(const struct abi_desc *d, unsigned i, uint64_t off)
{
	uint64_t stride = abi_node_stride(d, i);
	long long e = 0;

	if (!d->node[i].nkids)
		return 0;
	while (e < d->node[i].count && (e == 0 || (stride && off + (uint64_t)e * stride < 16)))
		e++;
	return e;
}

#endif
