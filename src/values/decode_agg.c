/* Structs, classes, unions and arrays from bytes: members by name,
 * bit-fields, anonymous members and base classes inline, std::string as
 * its text; nesting bounded by --depth, elements by -A. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "values/priv.h"
#include "dwarf/abi.h"
#include "dwarf/attr.h"

#define MAX_DIMS 8

static struct value *add_kid(struct value *v)
{
	if ((v->nkids & (v->nkids - 1)) == 0) {
		/* full at every power of two */
		unsigned cap = v->nkids ? 2 * v->nkids : 1;
		struct value *k = realloc(v->kids, cap * sizeof(*k));

		if (!k)
			return NULL;
		v->kids = k;
	}
	memset(&v->kids[v->nkids], 0, sizeof(v->kids[0]));
	return &v->kids[v->nkids++];
}

static unsigned long long bit_load(const uint8_t *buf, size_t len,
				   uint64_t bitpos, unsigned bits)
{
	unsigned long long w = 0;

	for (unsigned i = 0; i < bits; i++) {
		uint64_t b = bitpos + i;

		if (b / 8 < len && (buf[b / 8] >> (b % 8)) & 1)
			w |= 1ULL << i;
	}
	return w;
}

/* A bit-field: its bits, then decoded as its type would be from a
 * little-endian word holding them. */
static int dec_bitfield(const struct values_src *src, Dwarf_Die *m,
			Dwarf_Die *mtype, const uint8_t *buf, size_t len,
			struct dec_pos pos, struct value *v)
{
	Dwarf_Word bits = 0, off = 0, bitoff, bytesize;
	Dwarf_Die t;
	uint64_t bitpos, w;
	uint8_t word[8];
	size_t size;

	dw_udata_at(m, DW_AT_bit_size, &bits);
	if (dw_udata_at(m, DW_AT_data_bit_offset, &off)) {
		bitpos = off;
	} else {
		/* DWARF 2/3: counted from the most significant bit of the
		 * storage unit at the member's location */
		dw_udata_at(m, DW_AT_data_member_location, &off);
		if (!dw_udata_at(m, DW_AT_byte_size, &bytesize))
			bytesize = dw_type_size(mtype);
		bitoff = 0;
		dw_udata_at(m, DW_AT_bit_offset, &bitoff);
		bitpos = off * 8 + bytesize * 8 - bitoff - bits;
	}
	if (bits == 0 || bits > 64 || (bitpos + bits + 7) / 8 > len) {
		v->kind = V_UNAVAIL;
		v->unreadable = true;
		return 0;
	}
	w = bit_load(buf, len, bitpos, (unsigned)bits);
	if (dwarf_peel_type(mtype, &t) == 0) {
		Dwarf_Word enc;
		Dwarf_Die under;

		/* sign-extend from the field's width for signed types */
		if (dwarf_tag(&t) == DW_TAG_enumeration_type &&
		    dw_type_of(&t, &under) && dwarf_peel_type(&under, &under) == 0)
			enc = dw_udata(&under, DW_AT_encoding);
		else
			enc = dw_udata(&t, DW_AT_encoding);
		if ((enc == DW_ATE_signed || enc == DW_ATE_signed_char) &&
		    bits < 64 && (w >> (bits - 1)) & 1)
			w |= ~0ULL << bits;
	}
	size = dw_type_size(mtype);
	if (size == 0 || size > 8)
		size = 8;
	for (unsigned i = 0; i < 8; i++)
		word[i] = (uint8_t)(w >> (8 * i));
	return dec_value(src, mtype, word, size, pos, v);
}

static int dec_members(const struct values_src *src, Dwarf_Die *agg,
		       const uint8_t *buf, size_t len, struct dec_pos pos,
		       struct value *v);

/* Base classes and anonymous members show their members inline: their
 * kids join v's. */
static int splice(const struct values_src *src, Dwarf_Die *type,
		  const uint8_t *buf, size_t len, struct dec_pos pos,
		  struct value *v)
{
	struct value inner = { .kind = V_STRUCT };
	Dwarf_Die t;
	int rc = 0;

	if (dwarf_peel_type(type, &t) != 0)
		return 0;
	rc = dec_members(src, &t, buf, len, pos, &inner);
	for (unsigned i = 0; !rc && i < inner.nkids; i++) {
		struct value *k = add_kid(v);

		if (!k) {
			rc = -ENOMEM;
			break;
		}
		*k = inner.kids[i];
		memset(&inner.kids[i], 0, sizeof(inner.kids[i]));
	}
	value_free(&inner);
	return rc;
}

static bool anonymous_aggregate(Dwarf_Die *m, Dwarf_Die *mtype)
{
	Dwarf_Die t;

	return !dwarf_diename(m) && dwarf_peel_type(mtype, &t) == 0 &&
	       dw_is_aggregate(&t);
}

/* The members of agg (decoded one level below pos) as v's kids. */
static int dec_members(const struct values_src *src, Dwarf_Die *agg,
		       const uint8_t *buf, size_t len, struct dec_pos pos,
		       struct value *v)
{
	struct dec_pos inner = { pos.level + 1, pos.followed };
	Dwarf_Die m, mtype;
	uint64_t off;
	int rc = 0;

	for (bool more = dw_first_member(agg, &m); more && !rc; more = dw_next_member(&m)) {
		struct value *k;

		/* vtable pointers are noise */
		if (dw_flag(&m, DW_AT_artificial) || !dw_type_of(&m, &mtype))
			continue;
		if (!dw_member_offset(&m, &off) || off > len)
			off = len;
		if (dwarf_tag(&m) == DW_TAG_inheritance || anonymous_aggregate(&m, &mtype)) {
			rc = splice(src, &mtype, buf + off, len - off, pos, v);
		} else if (!(k = add_kid(v))) {
			rc = -ENOMEM;
		} else {
			k->name = dwarf_diename(&m);
			if (dwarf_hasattr(&m, DW_AT_bit_size))
				rc = dec_bitfield(src, &m, &mtype, buf, len, inner, k);
			else
				rc = dec_value(src, &mtype, buf + off, len - off,
					       inner, k);
		}
	}
	return rc;
}

static bool find_member(Dwarf_Die *agg, const char *name, Dwarf_Die *m,
			uint64_t *off)
{
	for (bool more = dw_first_member(agg, m); more; more = dw_next_member(m)) {
		const char *n = dwarf_diename(m);

		if (dwarf_tag(m) == DW_TAG_member && n && !strcmp(n, name))
			return dw_member_offset(m, off);
	}
	return false;
}

/* libstdc++'s std::string: {_M_dataplus {_M_p}, _M_string_length, ...}. */
static bool std_string(const struct values_src *src, Dwarf_Die *t,
		       const uint8_t *buf, size_t len, struct value *v, int *rc)
{
	const char *name = dwarf_diename(t);
	Dwarf_Die m, hider;
	uint64_t data_off, p_off, len_off;

	if (!name || strncmp(name, "basic_string<char,", 18) != 0 ||
	    !find_member(t, "_M_dataplus", &m, &data_off) ||
	    !dw_type_of(&m, &hider) || dwarf_peel_type(&hider, &hider) != 0 ||
	    !find_member(&hider, "_M_p", &m, &p_off) ||
	    !find_member(t, "_M_string_length", &m, &len_off) ||
	    data_off + p_off + 8 > len || len_off + 8 > len)
		return false;
	*rc = dec_read_counted(src, dec_load(buf + data_off + p_off, 8),
			       dec_load(buf + len_off, 8), v);
	return true;
}

int dec_struct(const struct values_src *src, Dwarf_Die *t, const uint8_t *buf,
	       size_t len, struct dec_pos pos, struct value *v)
{
	int rc;

	if (dwarf_hasattr(t, DW_AT_declaration)) {
		v->kind = V_OPAQUE;
		return 0;
	}
	if (std_string(src, t, buf, len, v, &rc))
		return rc;
	if (pos.level >= src->lim->depth) {
		v->kind = V_OPAQUE;
		return 0;
	}
	v->kind = V_STRUCT;
	return dec_members(src, t, buf, len, pos, v);
}

/* Element counts of each dimension; -1 when unknown (flexible arrays). */
static unsigned dims_of(Dwarf_Die *arr, long long *dims)
{
	Dwarf_Die child;
	unsigned n = 0;

	if (dwarf_child(arr, &child) != 0)
		return 0;
	do {
		Dwarf_Word w;
		Dwarf_Attribute a;
		Dwarf_Sword lower = 0;

		if (dwarf_tag(&child) != DW_TAG_subrange_type || n == MAX_DIMS)
			continue;
		if (dw_udata_at(&child, DW_AT_count, &w)) {
			dims[n] = (long long)w;
		} else if (dw_udata_at(&child, DW_AT_upper_bound, &w)) {
			if (dwarf_attr(&child, DW_AT_lower_bound, &a))
				dwarf_formsdata(&a, &lower);
			dims[n] = (long long)w - lower + 1;
		} else {
			dims[n] = -1;
		}
		n++;
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

struct array_shape {
	Dwarf_Die elem;
	size_t esize;
	bool text;               /* char elements: the last dimension is a string */
	long long dims[MAX_DIMS];
	unsigned ndims;
};

static int dec_dims(const struct values_src *src, const struct array_shape *s,
		    unsigned d, const uint8_t *buf, size_t len,
		    struct dec_pos pos, struct value *v)
{
	long long count = s->dims[d];
	size_t stride = s->esize;
	unsigned limit = src->lim->arraylimit;

	for (unsigned i = d + 1; i < s->ndims; i++)
		stride *= s->dims[i] > 0 ? (size_t)s->dims[i] : 0;
	if (s->text && d + 1 == s->ndims && count >= 0)
		return dec_char_array(src, buf, len < (size_t)count ? len : (size_t)count, v);
	if (pos.level >= src->lim->depth) {
		v->kind = V_OPAQUE;
		return 0;
	}
	v->kind = V_ARRAY;
	if (count < 0 || stride == 0) {
		v->truncated = true;   /* a flexible array: length unknown */
		return 0;
	}
	for (long long i = 0; i < count; i++) {
		struct dec_pos inner = { pos.level + 1, pos.followed };
		size_t at = (size_t)i * stride;
		struct value *k;
		int rc;

		if (i == limit || at >= len) {
			v->truncated = true;
			break;
		}
		k = add_kid(v);
		if (!k)
			return -ENOMEM;
		rc = d + 1 < s->ndims
			? dec_dims(src, s, d + 1, buf + at, len - at, inner, k)
			: dec_value(src, (Dwarf_Die *)&s->elem, buf + at, len - at,
				    inner, k);
		if (rc)
			return rc;
	}
	return 0;
}

int dec_array(const struct values_src *src, Dwarf_Die *t, const uint8_t *buf,
	      size_t len, struct dec_pos pos, struct value *v)
{
	struct array_shape s;
	Dwarf_Die peeled;

	memset(&s, 0, sizeof(s));
	s.ndims = dims_of(t, s.dims);
	if (!s.ndims || !dw_type_of(t, &s.elem)) {
		v->kind = V_OPAQUE;
		return 0;
	}
	s.esize = dw_type_size(&s.elem);
	s.text = dwarf_peel_type(&s.elem, &peeled) == 0 && dec_char_like(&peeled);
	return dec_dims(src, &s, 0, buf, len, pos, v);
}
