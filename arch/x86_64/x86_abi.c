/* SysV x86-64: the classes of an aggregate's eightbytes (psABI 3.2.3),
 * from its members as dwarf/abi.c describes them. Only the first two
 * eightbytes matter: anything larger goes to memory. */
#include <string.h>
#include "x86_abi.h"

#define NCHUNK 2

struct scan {
	bool seen[NCHUNK];
	bool nonsse[NCHUNK];
	bool sse_up;
	bool long_double;
};

static void leaf(struct scan *s, uint64_t off, uint64_t size, bool sse)
{
	uint64_t last = off + (size ? size - 1 : 0);

	for (uint64_t c = off / 8; c <= last / 8 && c < NCHUNK; c++) {
		s->seen[c] = true;
		if (!sse)
			s->nonsse[c] = true;
	}
}

/* Node i of d, its offsets moved by delta (an array element past the
 * first). */
static void scan(const struct abi_desc *d, unsigned i, uint64_t delta, struct scan *s)
{
	const struct abi_node *n = &d->node[i];
	uint64_t off = n->off + delta, stride;
	unsigned k, j;

	switch (n->kind) {
	case ABI_NODE_FLOAT:
	case ABI_NODE_VECTOR:
		leaf(s, off, n->size, true);
		if (n->size == 16 && off == 0)
			s->sse_up = true;
		return;
	case ABI_NODE_LONG_DOUBLE:
		s->long_double = true;
		leaf(s, off, n->size, false);
		return;
	case ABI_NODE_RECORD:
	case ABI_NODE_UNION:
		for (k = 0, j = abi_node_first(i); k < n->nkids; k++, j = abi_node_next(d, j))
			scan(d, j, delta, s);
		return;
	case ABI_NODE_ARRAY:
		/* elements past the register chunks add nothing */
		stride = abi_node_stride(d, i);
		for (long long e = 0, ne = abi_node_reg_elems(d, i, off); e < ne; e++)
			scan(d, abi_node_first(i), delta + (uint64_t)e * stride, s);
		return;
	default:
		leaf(s, off, n->size, false);
		return;
	}
}

/* How many long doubles node i is made of, and of nothing else; -1 when
 * anything else is in it. A union counts its largest member. */
static long long long_doubles(const struct abi_desc *d, unsigned i, void *ctx)
{
	const struct abi_node *n = &d->node[i];
	long long sub;

	switch (n->kind) {
	case ABI_NODE_LONG_DOUBLE:
		return 1;
	case ABI_NODE_ARRAY:
		if (!n->nkids || n->count < 0)
			return -1;
		sub = long_doubles(d, abi_node_first(i), ctx);
		return sub < 0 ? -1 : sub * n->count;
	case ABI_NODE_RECORD:
	case ABI_NODE_UNION:
		return abi_count_members(d, i, long_doubles, ctx);
	default:
		return -1;
	}
}

void x86_abi_classify(const struct abi_desc *d, struct x86_abi_class *out)
{
	struct scan s;
	long long n;

	memset(out, 0, sizeof(*out));
	if (d->cls != ABI_AGGREGATE || !d->nnodes)
		return;
	memset(&s, 0, sizeof(s));
	scan(d, 0, 0, &s);
	for (int c = 0; c < NCHUNK; c++) {
		out->chunk_is_float[c] = s.seen[c] && !s.nonsse[c];
		out->chunk_empty[c] = 8u * c < d->size && !s.seen[c];
	}
	out->sse_up = s.sse_up && out->chunk_is_float[0] && out->chunk_is_float[1];
	out->has_long_double = s.long_double;
	n = long_doubles(d, 0, NULL);
	if (n > 0 && (uint64_t)n * 16 == d->size)
		out->x87_count = (unsigned)n;
}
