/* ABI classification of DWARF types: what an argument's type means for
 * where the calling convention puts it. One walk answers both back ends'
 * questions (SysV eightbyte classes, AAPCS64 homogeneous aggregates);
 * each reads the fields it needs. */
#include <dwarf.h>
#include <string.h>
#include "dwarf/abi.h"
#include "dwarf/attr.h"

#define MAX_DEPTH 16
#define NCHUNK 2          /* only the first 16 bytes can travel in registers */
#define HFA_MAX 4

/* What the leaves (scalars) of an aggregate look like, per 8-byte chunk. */
struct agg_scan {
	bool seen[NCHUNK];
	bool nonsse[NCHUNK];
	bool any_leaf;
	bool any_nonfloat;
	bool sse_up;
	bool long_double;
	bool unaligned;
	unsigned align;
};

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

static void raise_align(struct agg_scan *s, unsigned align)
{
	if (align > s->align)
		s->align = align;
}

/* sse: SysV SSE class; floating: counts for all_float; align: the leaf's
 * natural alignment, 0 for bit-fields, which have none of their own. */
static void scan_leaf(struct agg_scan *s, uint64_t off, uint64_t size,
		      bool sse, bool floating, unsigned align)
{
	uint64_t last = off + (size ? size - 1 : 0);

	s->any_leaf = true;
	if (!floating)
		s->any_nonfloat = true;
	if (align) {
		if (off % align)
			s->unaligned = true;
		raise_align(s, align);
	}
	for (uint64_t c = off / 8; c <= last / 8 && c < NCHUNK; c++) {
		s->seen[c] = true;
		if (!sse)
			s->nonsse[c] = true;
	}
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

static void scan(struct agg_scan *s, Dwarf_Die *type, uint64_t off, int depth);

/* A bit-field has no alignment of its own to break, but its bytes and its
 * declared type's alignment count like any member's. */
static void scan_bitfield(struct agg_scan *s, Dwarf_Die *m, Dwarf_Die *mtype,
			  uint64_t off)
{
	Dwarf_Attribute a;
	Dwarf_Word bo, bits = dw_udata(m, DW_AT_bit_size);
	size_t unit = dw_type_size(mtype);
	uint64_t moff;

	raise_align(s, natural_align(unit < 8 ? unit : 8));
	if (bits && dwarf_attr(m, DW_AT_data_bit_offset, &a) &&
	    dwarf_formudata(&a, &bo) == 0) {
		scan_leaf(s, off + bo / 8, (bo + bits - 1) / 8 - bo / 8 + 1,
			  false, false, 0);
		return;
	}
	/* DWARF 2-4 describe the bits within a storage unit of the type */
	dw_member_offset(m, &moff);
	scan_leaf(s, off + moff, unit ? unit : 1, false, false, 0);
}

static void scan_members(struct agg_scan *s, Dwarf_Die *agg, uint64_t off,
			 int depth)
{
	Dwarf_Die m, mtype;
	Dwarf_Attribute a;
	uint64_t moff;

	for (bool more = dw_first_member(agg, &m); more; more = dw_next_member(&m)) {
		if (!dw_member_offset(&m, &moff) ||
		    !dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &mtype)) {
			/* Unknown layout: never claim floats we can't see. */
			scan_leaf(s, off, 16, false, false, 0);
			continue;
		}
		raise_align(s, (unsigned)dw_udata(&m, DW_AT_alignment));
		if (dwarf_hasattr(&m, DW_AT_bit_size)) {
			scan_bitfield(s, &m, &mtype, off);
			continue;
		}
		scan(s, &mtype, off + moff, depth + 1);
	}
}

static void scan_array(struct agg_scan *s, Dwarf_Die *arr, uint64_t off,
		       int depth)
{
	Dwarf_Die elem;
	Dwarf_Attribute a;
	long long n = array_count(arr);
	size_t esize;

	if (!dwarf_formref_die(dwarf_attr(arr, DW_AT_type, &a), &elem))
		return;
	esize = dw_type_size(&elem);
	if (n <= 0)
		return;
	/* Elements past the register chunks add nothing: the first element
	 * already decided all_float and the alignment. */
	for (long long i = 0; i < n; i++) {
		uint64_t at = off + (uint64_t)i * esize;

		if (i > 0 && (esize == 0 || at >= 8 * NCHUNK))
			break;
		scan(s, &elem, at, depth + 1);
	}
}

/* A SIMD vector is one SSE-class value whatever its elements are. */
static void scan_vector(struct agg_scan *s, Dwarf_Die *vec, uint64_t off,
			size_t size)
{
	Dwarf_Die elem, base;
	Dwarf_Attribute a;
	bool floating = false;

	if (dwarf_formref_die(dwarf_attr(vec, DW_AT_type, &a), &elem) &&
	    dwarf_peel_type(&elem, &base) == 0)
		floating = dw_udata(&base, DW_AT_encoding) == DW_ATE_float;
	scan_leaf(s, off, size, true, floating, natural_align(size));
	if (size == 16 && off == 0)
		s->sse_up = true;
}

static void scan_base(struct agg_scan *s, Dwarf_Die *t, uint64_t off,
		      size_t size)
{
	size_t half = size / 2;

	switch (dw_udata(t, DW_AT_encoding)) {
	case DW_ATE_float:
		if (is_long_double(t, size)) {
			s->long_double = true;
			scan_leaf(s, off, size, false, true, 16);
			return;
		}
		scan_leaf(s, off, size, true, true, natural_align(size));
		if (size == 16 && off == 0)
			s->sse_up = true;   /* __float128 */
		return;
	case DW_ATE_complex_float:
		if (is_long_double(t, half)) {
			s->long_double = true;
			scan_leaf(s, off, size, false, true, 16);
			return;
		}
		scan_leaf(s, off, half, true, true, natural_align(half));
		scan_leaf(s, off + half, half, true, true, natural_align(half));
		return;
	default:
		scan_leaf(s, off, size, false, false, natural_align(size));
		return;
	}
}

static void scan(struct agg_scan *s, Dwarf_Die *type, uint64_t off, int depth)
{
	Dwarf_Die t;
	size_t size;

	if (depth > MAX_DEPTH || dwarf_peel_type(type, &t) != 0) {
		scan_leaf(s, off, 8, false, false, 0);
		return;
	}
	size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		/* a nested type's own aligned attribute does count */
		raise_align(s, (unsigned)dw_udata(&t, DW_AT_alignment));
		scan_members(s, &t, off, depth);
		return;
	case DW_TAG_array_type:
		if (dwarf_hasattr(&t, DW_AT_GNU_vector))
			scan_vector(s, &t, off, size);
		else
			scan_array(s, &t, off, depth);
		return;
	case DW_TAG_base_type:
		scan_base(s, &t, off, size);
		return;
	default:
		/* pointers, enums, pointers to members: word-aligned at most */
		scan_leaf(s, off, size, false, false,
			  natural_align(size < 8 ? size : 8));
		return;
	}
}

/* Homogeneous aggregates (AAPCS64). A member's kind is its size, marked
 * for long double and vectors so that neither mixes with another type of
 * the same size. */
#define KIND_LONG_DOUBLE 0x100u
#define KIND_VECTOR      0x200u
#define KIND_SIZE(k)     ((k) & 0xffu)

static long hfa_leaf(unsigned *kind, unsigned k, long count)
{
	if (*kind && *kind != k)
		return -1;
	*kind = k;
	return count;
}

/* How many members of one floating kind (*kind, 0 until the first) make
 * up type; -1 when it is no homogeneous aggregate of at most HFA_MAX.
 * As GCC's aapcs_vfp_sub_candidate: a union counts its largest member,
 * and no level may hold padding. */
static long hfa_members(Dwarf_Die *type, unsigned *kind, int depth)
{
	Dwarf_Die t, m, mtype;
	Dwarf_Attribute a;
	size_t size;
	long n = 0, sub;
	long long count;
	bool is_union;

	if (depth > MAX_DEPTH || dwarf_peel_type(type, &t) != 0)
		return -1;
	size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		switch (dw_udata(&t, DW_AT_encoding)) {
		case DW_ATE_float:
			return hfa_leaf(kind, (unsigned)size |
					(is_long_double(&t, size) ? KIND_LONG_DOUBLE : 0), 1);
		case DW_ATE_complex_float:
			return hfa_leaf(kind, (unsigned)size / 2 |
					(is_long_double(&t, size / 2) ? KIND_LONG_DOUBLE : 0), 2);
		default:
			return -1;
		}
	case DW_TAG_array_type:
		if (dwarf_hasattr(&t, DW_AT_GNU_vector))
			return size == 8 || size == 16 ?
			       hfa_leaf(kind, (unsigned)size | KIND_VECTOR, 1) : -1;
		count = array_count(&t);
		if (count < 0 ||
		    !dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &mtype))
			return -1;
		sub = hfa_members(&mtype, kind, depth + 1);
		if (sub < 0 || (sub > 0 && count > HFA_MAX))
			return -1;
		n = sub * (long)count;
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		is_union = dwarf_tag(&t) == DW_TAG_union_type;
		for (bool more = dw_first_member(&t, &m); more; more = dw_next_member(&m)) {
			if (dwarf_hasattr(&m, DW_AT_bit_size) ||
			    !dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &mtype))
				return -1;
			sub = hfa_members(&mtype, kind, depth + 1);
			if (sub < 0)
				return -1;
			if (is_union)
				n = sub > n ? sub : n;
			else
				n += sub;
		}
		break;
	default:
		return -1;
	}
	if (n > HFA_MAX)
		return -1;
	if (n > 0 && (size_t)n * KIND_SIZE(*kind) != size)
		return -1;
	return n;
}

static void classify_aggregate(Dwarf_Die *t, struct abi_type *out)
{
	struct agg_scan s;
	bool record = dw_is_aggregate(t);
	unsigned kind = 0;
	long n;

	memset(&s, 0, sizeof(s));
	out->cls = ABI_AGGREGATE;
	out->size = dw_type_size(t);
	if (record) {
		/* the aggregate's own aligned attribute is left out */
		scan_members(&s, t, 0, 0);
	} else {
		/* _Complex, __int128 and pointers to member functions behave
		 * like two-member structs */
		scan(&s, t, 0, 0);
	}
	for (int i = 0; i < NCHUNK; i++) {
		out->chunk_is_float[i] = s.seen[i] && !s.nonsse[i];
		out->chunk_empty[i] = 8u * i < out->size && !s.seen[i];
	}
	out->all_float = s.any_leaf && !s.any_nonfloat;
	out->sse_up = s.sse_up && out->chunk_is_float[0] && out->chunk_is_float[1];
	out->has_long_double = s.long_double;
	out->unaligned = s.unaligned;
	/* a packed layout aligns to 1 whatever its members would want */
	out->align = s.align && !s.unaligned ? s.align : 1;
	n = hfa_members(t, &kind, 0);
	if (n >= 1) {
		out->hfa_count = (unsigned)n;
		out->hfa_size = KIND_SIZE(kind);
	}
	if (record && dw_cxx_by_reference(t))
		out->nontrivial = true;
}

static void classify_base(Dwarf_Die *t, struct abi_type *out)
{
	Dwarf_Word enc = dw_udata(t, DW_AT_encoding);

	if (enc == DW_ATE_complex_float) {
		classify_aggregate(t, out);
		out->is_complex = true;
		return;
	}
	if (enc == DW_ATE_float) {
		/* __float128 and _Float16 still travel in one vector register */
		out->cls = is_long_double(t, out->size) ? ABI_LONG_DOUBLE : ABI_FLOAT;
		return;
	}
	if (out->size > 8)
		classify_aggregate(t, out);   /* __int128: two integer words */
}

void dw_abi_classify(Dwarf_Die *type, struct abi_type *out)
{
	Dwarf_Die t;

	memset(out, 0, sizeof(*out));
	out->cls = ABI_INT;
	out->size = sizeof(void *);
	out->align = sizeof(void *);
	if (!type || dwarf_peel_type(type, &t) != 0)
		return;
	if (dw_type_size(&t))
		out->size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		classify_base(&t, out);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		classify_aggregate(&t, out);
		return;
	case DW_TAG_array_type:
		if (dwarf_hasattr(&t, DW_AT_GNU_vector)) {
			/* SIMD vectors (__m128...) take one vector register */
			out->cls = ABI_FLOAT;
			break;
		}
		out->size = sizeof(void *);   /* decays to a pointer */
		break;
	case DW_TAG_ptr_to_member_type:
		if (out->size > 8)
			classify_aggregate(&t, out);   /* {function, adjustment} */
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_subroutine_type:
		out->size = sizeof(void *);
		break;
	default:
		break;
	}
	if (out->cls != ABI_AGGREGATE)
		out->align = natural_align(out->size);
}
