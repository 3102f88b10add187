/* AAPCS64: homogeneous aggregates (AAPCS64 5.9.5), from an aggregate's
 * members as dwarf/abi.c describes them, with GCC's reading of the rules
 * (aapcs_vfp_sub_candidate): a union counts its largest member, and no
 * level may hold padding. */
#include <string.h>
#include "a64_abi.h"

#define HFA_MAX 4

/* A member's kind is its size, marked for long double and vectors so
 * that neither mixes with another type of the same size. */
#define KIND_LONG_DOUBLE 0x100u
#define KIND_VECTOR      0x200u
#define KIND_SIZE(k)     ((k) & 0xffu)

static long long leaf(unsigned *kind, unsigned k, long long count)
{
	if (*kind && *kind != k)
		return -1;
	*kind = k;
	return count;
}

/* How many members of one kind (*kind, 0 until the first) make up node
 * i; -1 when it is no homogeneous aggregate of at most HFA_MAX. */
static long long members(const struct abi_desc *d, unsigned i, void *ctx)
{
	const struct abi_node *n = &d->node[i];
	unsigned *kind = ctx;
	long long total = 0, sub;

	switch (n->kind) {
	case ABI_NODE_FLOAT:
		total = leaf(kind, (unsigned)n->size, 1);
		break;
	case ABI_NODE_LONG_DOUBLE:
		total = leaf(kind, (unsigned)n->size | KIND_LONG_DOUBLE, 1);
		break;
	case ABI_NODE_VECTOR:
		if (n->size != 8 && n->size != 16)
			return -1;
		total = leaf(kind, (unsigned)n->size | KIND_VECTOR, 1);
		break;
	case ABI_NODE_ARRAY:
		if (!n->nkids || n->count < 0)
			return -1;
		sub = members(d, abi_node_first(i), kind);
		if (sub < 0 || (sub > 0 && n->count > HFA_MAX))
			return -1;
		total = sub * n->count;
		break;
	case ABI_NODE_RECORD:
	case ABI_NODE_UNION:
		total = abi_count_members(d, i, members, kind);
		break;
	default:
		return -1;
	}
	if (total < 0 || total > HFA_MAX)
		return -1;
	if (total > 0 && (uint64_t)total * KIND_SIZE(*kind) != n->size)
		return -1;
	return total;
}

void a64_abi_classify(const struct abi_desc *d, struct a64_abi_class *out)
{
	unsigned kind = 0;
	long long n;

	memset(out, 0, sizeof(*out));
	if (d->cls != ABI_AGGREGATE || !d->nnodes)
		return;
	n = members(d, 0, &kind);
	if (n >= 1) {
		out->hfa_count = (unsigned)n;
		out->hfa_size = KIND_SIZE(kind);
	}
}
