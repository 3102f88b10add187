/* The calling conventions' view of DWARF types, described without any
 * one convention's rules (core/abi_desc.h): what kind of value a type is,
 * its size and alignment, and the tree of its members. The back end
 * classifies the description (arch_abi_classify). */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/abi.h"
#include "dwarf/attr.h"

#define MAX_DEPTH 16

size_t dw_type_size(Dwarf_Die *type)
{
	Dwarf_Word size;
	Dwarf_Die peeled;

	if (!type || dwarf_peel_type(type, &peeled) != 0)
		return 0;
	if (dwarf_aggregate_size(&peeled, &size) != 0)
		return dwarf_tag(&peeled) == DW_TAG_pointer_type ? sizeof(void *) : 0;
	return (size_t)size;
}

/* Both 64-bit ABIs align a scalar to its size, up to 16. */
static unsigned natural_align(size_t size)
{
	unsigned a = 1;

	while (a < size && a < 16)
		a <<= 1;
	return a;
}

/* The x87 extended type of x86-64 (binary128 on aarch64, where no back
 * end asks). part is the size of one real part. */
static bool is_long_double(Dwarf_Die *base, size_t part)
{
	const char *name = dwarf_diename(base);

	return part == 10 || part == 12 || (name && strstr(name, "long double"));
}

/* Number of elements of an array type (product of its dimensions), or -1
 * when a dimension is unknown (flexible array members). */
static long long array_count(Dwarf_Die *arr)
{
	Dwarf_Die child;
	long long n = 1;

	if (dwarf_child(arr, &child) != 0)
		return -1;
	do {
		Dwarf_Attribute a;
		Dwarf_Word w;
		Dwarf_Sword lower = 0;

		if (dwarf_tag(&child) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&child, DW_AT_count, &a) &&
		    dwarf_formudata(&a, &w) == 0) {
			n *= (long long)w;
		} else if (dwarf_attr(&child, DW_AT_upper_bound, &a) &&
			   dwarf_formudata(&a, &w) == 0) {
			if (dwarf_attr(&child, DW_AT_lower_bound, &a))
				dwarf_formsdata(&a, &lower);
			n *= (long long)w - lower + 1;
		} else {
			return -1;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

struct builder {
	struct abi_desc *d;
	unsigned cap;
	bool failed;             /* out of memory: the tree is cut short */
};

/* Appends n; its index, or -1 when out of memory. */
static int push(struct builder *b, struct abi_node n)
{
	if (b->failed)
		return -1;
	if (b->d->nnodes == b->cap) {
		unsigned cap = b->cap ? 2 * b->cap : 16;
		struct abi_node *v = realloc(b->d->node, cap * sizeof(*v));

		if (!v) {
			b->failed = true;
			return -1;
		}
		b->d->node = v;
		b->cap = cap;
	}
	n.span = 1;
	b->d->node[b->d->nnodes] = n;
	return (int)b->d->nnodes++;
}

/* Node i's subtree ends here. */
static void close_node(struct builder *b, int i)
{
	if (i >= 0 && !b->failed)
		b->d->node[i].span = b->d->nnodes - (unsigned)i;
}

static void describe(struct builder *b, Dwarf_Die *type, uint64_t off,
		     unsigned attr_align, int depth);

/* A bit-field has no alignment of its own to break, but its bytes and its
 * declared type's alignment count like any member's. */
static void describe_bitfield(struct builder *b, Dwarf_Die *m, Dwarf_Die *mtype,
			      uint64_t off, unsigned attr_align)
{
	Dwarf_Attribute a;
	Dwarf_Word bo, bits = dw_udata(m, DW_AT_bit_size);
	size_t unit = dw_type_size(mtype);
	struct abi_node n = { .kind = ABI_NODE_BITFIELD, .attr_align = attr_align,
			      .align = natural_align(unit < 8 ? unit : 8) };
	uint64_t moff;

	if (bits && dwarf_attr(m, DW_AT_data_bit_offset, &a) &&
	    dwarf_formudata(&a, &bo) == 0) {
		n.off = off + bo / 8;
		n.size = (bo + bits - 1) / 8 - bo / 8 + 1;
	} else {
		/* DWARF 2-4 describe the bits within a storage unit of the type */
		dw_member_offset(m, &moff);
		n.off = off + moff;
		n.size = unit ? unit : 1;
	}
	push(b, n);
}

/* Record or union t at off: a node, then one per member. */
static void describe_members(struct builder *b, Dwarf_Die *t, uint64_t off,
			     unsigned attr_align, int depth)
{
	struct abi_node n = {
		.kind = dwarf_tag(t) == DW_TAG_union_type ? ABI_NODE_UNION : ABI_NODE_RECORD,
		.off = off, .size = dw_type_size(t), .attr_align = attr_align,
	};
	int i = push(b, n);
	Dwarf_Die m, mtype;
	Dwarf_Attribute a;
	uint64_t moff;
	unsigned kids = 0;

	for (bool more = dw_first_member(t, &m); more; more = dw_next_member(&m), kids++) {
		unsigned malign = (unsigned)dw_udata(&m, DW_AT_alignment);

		if (!dw_member_offset(&m, &moff) ||
		    !dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &mtype)) {
			/* Unknown layout: never claim floats we can't see. */
			push(b, (struct abi_node){ .kind = ABI_NODE_OPAQUE, .off = off, .size = 16 });
			continue;
		}
		if (dwarf_hasattr(&m, DW_AT_bit_size))
			describe_bitfield(b, &m, &mtype, off, malign);
		else
			describe(b, &mtype, off + moff, malign, depth + 1);
	}
	if (i >= 0 && !b->failed)
		b->d->node[i].nkids = kids;
	close_node(b, i);
}

static void describe_array(struct builder *b, Dwarf_Die *t, uint64_t off,
			   unsigned attr_align, int depth)
{
	Dwarf_Die elem, base;
	Dwarf_Attribute a;
	size_t size = dw_type_size(t);
	bool has_elem = dwarf_formref_die(dwarf_attr(t, DW_AT_type, &a), &elem);
	struct abi_node n = { .off = off, .size = size, .attr_align = attr_align };
	int i;

	if (dwarf_hasattr(t, DW_AT_GNU_vector)) {
		/* A SIMD vector is one value whatever its elements are. */
		n.kind = ABI_NODE_VECTOR;
		n.align = natural_align(size);
		n.float_elems = has_elem && dwarf_peel_type(&elem, &base) == 0 &&
				dw_udata(&base, DW_AT_encoding) == DW_ATE_float;
		push(b, n);
		return;
	}
	n.kind = ABI_NODE_ARRAY;
	n.count = array_count(t);
	n.nkids = has_elem;
	i = push(b, n);
	if (has_elem)
		describe(b, &elem, off, 0, depth + 1);
	close_node(b, i);
}

static void describe_base(struct builder *b, Dwarf_Die *t, uint64_t off,
			  unsigned attr_align)
{
	size_t size = dw_type_size(t), half = size / 2;
	struct abi_node n = { .kind = ABI_NODE_INT, .off = off, .size = size,
			      .align = natural_align(size), .attr_align = attr_align };
	int i;

	switch (dw_udata(t, DW_AT_encoding)) {
	case DW_ATE_float:
		if (is_long_double(t, size)) {
			n.kind = ABI_NODE_LONG_DOUBLE;
			n.align = 16;
		} else {
			n.kind = ABI_NODE_FLOAT;
		}
		push(b, n);
		return;
	case DW_ATE_complex_float:
		/* two of its real type, side by side */
		n.kind = ABI_NODE_ARRAY;
		n.align = 0;
		n.count = 2;
		n.nkids = 1;
		i = push(b, n);
		if (is_long_double(t, half))
			push(b, (struct abi_node){ .kind = ABI_NODE_LONG_DOUBLE, .off = off,
						   .size = half, .align = 16 });
		else
			push(b, (struct abi_node){ .kind = ABI_NODE_FLOAT, .off = off,
						   .size = half, .align = natural_align(half) });
		close_node(b, i);
		return;
	default:
		push(b, n);
		return;
	}
}

/* type at off; attr_align: the member's aligned attribute (0: none). */
static void describe(struct builder *b, Dwarf_Die *type, uint64_t off,
		     unsigned attr_align, int depth)
{
	Dwarf_Die t;
	size_t size;

	if (depth > MAX_DEPTH || dwarf_peel_type(type, &t) != 0) {
		push(b, (struct abi_node){ .kind = ABI_NODE_OPAQUE, .off = off, .size = 8 });
		return;
	}
	size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type: {
		/* a nested type's own aligned attribute counts; the whole
		 * value's does not (depth 0), as AAPCS64 has it */
		unsigned own = depth ? (unsigned)dw_udata(&t, DW_AT_alignment) : 0;

		describe_members(b, &t, off, own > attr_align ? own : attr_align, depth);
		return;
	}
	case DW_TAG_array_type:
		describe_array(b, &t, off, attr_align, depth);
		return;
	case DW_TAG_base_type:
		describe_base(b, &t, off, attr_align);
		return;
	default:
		/* pointers, enums, pointers to members: word-aligned at most */
		push(b, (struct abi_node){ .kind = ABI_NODE_INT, .off = off, .size = size,
					   .align = natural_align(size < 8 ? size : 8),
					   .attr_align = attr_align });
		return;
	}
}

static void raise_align(unsigned *align, unsigned a)
{
	if (a > *align)
		*align = a;
}

/* The largest alignment the members of node i want, and whether one is
 * off it (packed); delta moves an array element's offsets. */
static void align_of(const struct abi_desc *d, unsigned i, uint64_t delta,
		     unsigned *align, bool *unaligned)
{
	const struct abi_node *n = &d->node[i];
	uint64_t off = n->off + delta, stride;
	unsigned k, j;

	raise_align(align, n->attr_align);
	switch (n->kind) {
	case ABI_NODE_RECORD:
	case ABI_NODE_UNION:
		for (k = 0, j = abi_node_first(i); k < n->nkids; k++, j = abi_node_next(d, j))
			align_of(d, j, delta, align, unaligned);
		return;
	case ABI_NODE_ARRAY:
		/* the first element decides; those past the register chunks
		 * are not looked at */
		stride = abi_node_stride(d, i);
		for (long long e = 0, ne = abi_node_reg_elems(d, i, off); e < ne; e++)
			align_of(d, abi_node_first(i), delta + (uint64_t)e * stride, align, unaligned);
		return;
	case ABI_NODE_BITFIELD:
		raise_align(align, n->align);
		return;
	default:
		if (n->align) {
			if (off % n->align)
				*unaligned = true;
			raise_align(align, n->align);
		}
		return;
	}
}

static void describe_aggregate(Dwarf_Die *t, struct abi_desc *d)
{
	struct builder b = { .d = d };
	bool record = dw_is_aggregate(t);
	unsigned align = 0;

	d->cls = ABI_AGGREGATE;
	d->size = dw_type_size(t);
	/* _Complex, __int128 and pointers to member functions behave like
	 * two-member structs */
	describe(&b, t, 0, 0, 0);
	if (b.failed) {
		/* out of memory: no members seen, integer registers or memory */
		free(d->node);
		d->node = NULL;
		d->nnodes = 0;
	}
	if (d->nnodes)
		align_of(d, 0, 0, &align, &d->unaligned);
	/* a packed layout aligns to 1 whatever its members would want */
	d->align = align && !d->unaligned ? align : 1;
	if (record && dw_cxx_by_reference(t))
		d->nontrivial = true;
}

void dw_abi_describe(Dwarf_Die *type, struct abi_desc *d)
{
	Dwarf_Die t;

	memset(d, 0, sizeof(*d));
	d->cls = ABI_INT;
	d->size = sizeof(void *);
	d->align = sizeof(void *);
	if (!type || dwarf_peel_type(type, &t) != 0)
		return;
	if (dw_type_size(&t))
		d->size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		switch (dw_udata(&t, DW_AT_encoding)) {
		case DW_ATE_complex_float:
			describe_aggregate(&t, d);
			d->is_complex = true;
			return;
		case DW_ATE_float:
			/* __float128 and _Float16 still travel in one vector register */
			d->cls = is_long_double(&t, d->size) ? ABI_LONG_DOUBLE : ABI_FLOAT;
			break;
		default:
			if (d->size > 8) {
				describe_aggregate(&t, d);   /* __int128: two integer words */
				return;
			}
		}
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		describe_aggregate(&t, d);
		return;
	case DW_TAG_array_type:
		if (dwarf_hasattr(&t, DW_AT_GNU_vector)) {
			/* SIMD vectors (__m128...) take one vector register */
			d->cls = ABI_FLOAT;
			break;
		}
		d->size = sizeof(void *);   /* decays to a pointer */
		break;
	case DW_TAG_ptr_to_member_type:
		if (d->size > 8) {
			describe_aggregate(&t, d);   /* {function, adjustment} */
			return;
		}
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_subroutine_type:
		d->size = sizeof(void *);
		break;
	default:
		break;
	}
	d->align = natural_align(d->size);
}

void abi_desc_free(struct abi_desc *d)
{
	free(d->node);
	d->node = NULL;
	d->nnodes = 0;
}

void dw_abi_classify(Dwarf_Die *type, struct abi_type *out)
{
	struct abi_desc d;

	dw_abi_describe(type, &d);
	memset(out, 0, sizeof(*out));
	out->cls = d.cls;
	out->size = d.size;
	out->align = d.align;
	out->nontrivial = d.nontrivial;
	out->unaligned = d.unaligned;
	out->is_complex = d.is_complex;
	arch_abi_classify(&d, &out->arch);
	abi_desc_free(&d);
}
