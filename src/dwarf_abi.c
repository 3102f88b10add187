/* ABI classification of DWARF types: what an argument's type means for
 * where the calling convention puts it. */
#include <dwarf.h>
#include <string.h>
#include "dwarf_abi.h"

#define MAX_DEPTH 16
#define NCHUNK 2          /* only the first 16 bytes can travel in registers */

/* What the leaves (scalars) of an aggregate look like, per 8-byte chunk. */
struct agg_scan {
	bool seen[NCHUNK];
	bool nonfloat[NCHUNK];
	bool any_leaf;
	bool any_nonfloat;
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

static void scan_leaf(struct agg_scan *s, uint64_t off, uint64_t size,
		      bool is_float)
{
	uint64_t last = off + (size ? size - 1 : 0);

	s->any_leaf = true;
	if (!is_float)
		s->any_nonfloat = true;
	for (uint64_t c = off / 8; c <= last / 8 && c < NCHUNK; c++) {
		s->seen[c] = true;
		if (!is_float)
			s->nonfloat[c] = true;
	}
}

static bool member_offset(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	*off = 0;
	if (dwarf_attr(m, DW_AT_data_member_location, &a)) {
		if (dwarf_formudata(&a, &w) != 0)
			return false;   /* a location expression: pre-DWARF3 */
		*off = w;
	} else if (dwarf_attr(m, DW_AT_data_bit_offset, &a)) {
		if (dwarf_formudata(&a, &w) != 0)
			return false;
		*off = w / 8;
	}
	return true;
}

static bool is_static_member(Dwarf_Die *m)
{
	return dwarf_hasattr(m, DW_AT_declaration) ||
	       dwarf_hasattr(m, DW_AT_external);
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

static void scan_members(struct agg_scan *s, Dwarf_Die *agg, uint64_t off,
			 int depth)
{
	Dwarf_Die m, mtype;
	Dwarf_Attribute a;
	uint64_t moff;

	if (dwarf_child(agg, &m) != 0)
		return;
	do {
		int tag = dwarf_tag(&m);

		if (tag != DW_TAG_member && tag != DW_TAG_inheritance)
			continue;
		if (tag == DW_TAG_member && is_static_member(&m))
			continue;
		if (!member_offset(&m, &moff) ||
		    !dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &mtype)) {
			/* Unknown layout: never claim floats we can't see. */
			scan_leaf(s, off, 16, false);
			continue;
		}
		if (dwarf_hasattr(&m, DW_AT_bit_size)) {
			scan_leaf(s, off + moff, 1, false);
			continue;
		}
		scan(s, &mtype, off + moff, depth + 1);
	} while (dwarf_siblingof(&m, &m) == 0);
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
	/* Elements past the register chunks only matter for all_float,
	 * which the first element already decides. */
	for (long long i = 0; i < n; i++) {
		uint64_t at = off + (uint64_t)i * esize;

		if (i > 0 && (esize == 0 || at >= 8 * NCHUNK))
			break;
		scan(s, &elem, at, depth + 1);
	}
}

static void scan(struct agg_scan *s, Dwarf_Die *type, uint64_t off, int depth)
{
	Dwarf_Die t;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	size_t size;

	if (depth > MAX_DEPTH || dwarf_peel_type(type, &t) != 0) {
		scan_leaf(s, off, 8, false);
		return;
	}
	size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		scan_members(s, &t, off, depth);
		return;
	case DW_TAG_array_type:
		scan_array(s, &t, off, depth);
		return;
	case DW_TAG_base_type:
		dwarf_formudata(dwarf_attr(&t, DW_AT_encoding, &a), &enc);
		if (enc == DW_ATE_float && size <= 8) {
			scan_leaf(s, off, size, true);
		} else if (enc == DW_ATE_complex_float && size <= 16) {
			scan_leaf(s, off, size / 2, true);
			scan_leaf(s, off + size / 2, size / 2, true);
		} else {
			scan_leaf(s, off, size, false);
		}
		return;
	default:
		scan_leaf(s, off, size, false);
		return;
	}
}

static void classify_aggregate(Dwarf_Die *t, struct abi_type *out)
{
	struct agg_scan s;

	memset(&s, 0, sizeof(s));
	out->cls = ABI_AGGREGATE;
	out->size = dw_type_size(t);
	if (dwarf_tag(t) == DW_TAG_base_type) {
		/* complex types and __int128 behave like two-member structs */
		scan(&s, t, 0, 0);
	} else {
		scan_members(&s, t, 0, 0);
	}
	for (int i = 0; i < NCHUNK; i++)
		out->chunk_is_float[i] = s.seen[i] && !s.nonfloat[i];
	out->all_float = s.any_leaf && !s.any_nonfloat;
	if (dwarf_tag(t) != DW_TAG_base_type && dw_cxx_by_reference(t))
		out->nontrivial = true;
}

static void classify_base(Dwarf_Die *t, struct abi_type *out)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	const char *name = dwarf_diename(t);

	dwarf_formudata(dwarf_attr(t, DW_AT_encoding, &a), &enc);
	if (enc == DW_ATE_complex_float) {
		classify_aggregate(t, out);
		return;
	}
	if (enc == DW_ATE_float) {
		bool x87 = out->size == 10 || out->size == 12 ||
			   (name && strstr(name, "long double"));

		/* __float128 and _Float16 still travel in one vector register */
		out->cls = x87 ? ABI_LONG_DOUBLE : ABI_FLOAT;
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
	if (!type || dwarf_peel_type(type, &t) != 0)
		return;
	if (dw_type_size(&t))
		out->size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		classify_base(&t, out);
		return;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		classify_aggregate(&t, out);
		return;
	case DW_TAG_array_type:
		if (dwarf_hasattr(&t, DW_AT_GNU_vector)) {
			/* SIMD vectors (__m128...) take one vector register */
			out->cls = ABI_FLOAT;
			return;
		}
		out->size = sizeof(void *);   /* decays to a pointer */
		return;
	case DW_TAG_ptr_to_member_type:
		if (out->size > 8)
			classify_aggregate(&t, out);   /* {function, adjustment} */
		return;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_subroutine_type:
		out->size = sizeof(void *);
		return;
	default:
		return;
	}
}
