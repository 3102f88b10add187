/* Scalars and pointers from bytes, by DWARF type; aggregates are in
 * values/decode_agg.c, text in values/decode_text.c. */
#include <dwarf.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "values/priv.h"
#include "dwarf/abi.h"
#include "dwarf/attr.h"

uint64_t dec_load(const uint8_t *buf, size_t size)
{
	uint64_t w = 0;

	if (size > 8)
		size = 8;
	for (size_t i = size; i-- > 0;)
		w = w << 8 | buf[i];
	return w;
}

static uint64_t sign_extend(uint64_t w, size_t size)
{
	unsigned bits = (unsigned)(size * 8);

	if (size == 0 || size >= 8)
		return w;
	w &= (UINT64_C(1) << bits) - 1;
	if ((w >> (bits - 1)) & 1)
		w |= ~UINT64_C(0) << bits;
	return w;
}

static uint64_t zero_extend(uint64_t w, size_t size)
{
	if (size == 0 || size >= 8)
		return w;
	return w & ((UINT64_C(1) << (size * 8)) - 1);
}

/* IEEE half precision, which C compilers offer as _Float16 and __fp16. */
static long double half_value(uint16_t h)
{
	int exp = (h >> 10) & 0x1f;
	long double frac = h & 0x3ff;
	long double m;

	if (exp == 0x1f)
		m = frac ? NAN : INFINITY;
	else if (exp == 0)
		m = ldexpl(frac, -24);
	else
		m = ldexpl(frac + 1024, exp - 25);
	return (h & 0x8000) ? -m : m;
}

/* long double is the host's: latch runs on the architecture it traces,
 * so the bytes are in the host format (x87 extended on x86-64, binary128
 * on aarch64). Other 16-byte floats (__float128 on x86-64) are not. */
static bool host_long_double(Dwarf_Die *t, size_t size)
{
	const char *name = dwarf_diename(t);

	if (LDBL_MANT_DIG == 113)
		return size == 16;
	return name && strstr(name, "long double") && size >= 10 &&
	       size <= sizeof(long double);
}

static void dec_float(Dwarf_Die *t, const uint8_t *buf, size_t size,
		      struct value *v)
{
	v->kind = V_FLOAT;
	if (size == 2) {
		v->f = half_value((uint16_t)dec_load(buf, 2));
		v->fbits = 16;
	} else if (size == 4) {
		float f;

		memcpy(&f, buf, 4);
		v->f = f;
		v->fbits = 32;
	} else if (size == 8) {
		double d;

		memcpy(&d, buf, 8);
		v->f = d;
		v->fbits = 64;
	} else if (host_long_double(t, size)) {
		long double ld = 0;

		memcpy(&ld, buf, LDBL_MANT_DIG == 64 ? 10 : sizeof(ld));
		v->f = ld;
		v->fbits = 0;
	} else {
		v->kind = V_OPAQUE;
	}
}

/* _Complex: a pair, shown as such. */
static int dec_complex(Dwarf_Die *t, const uint8_t *buf, size_t size,
		       struct value *v)
{
	static const char *const part[] = { "real", "imag" };

	v->kind = V_STRUCT;
	v->kids = calloc(2, sizeof(*v->kids));
	if (!v->kids)
		return -ENOMEM;
	v->nkids = 2;
	for (int i = 0; i < 2; i++) {
		v->kids[i].name = part[i];
		dec_float(t, buf + i * size / 2, size / 2, &v->kids[i]);
	}
	return 0;
}

static int dec_base(Dwarf_Die *t, const uint8_t *buf, size_t size,
		    struct value *v)
{
	uint64_t w = dec_load(buf, size);

	switch (dw_udata(t, DW_AT_encoding)) {
	case DW_ATE_boolean:
		v->kind = V_BOOL;
		v->u = zero_extend(w, size) != 0;
		return 0;
	case DW_ATE_signed_char:
		v->kind = V_CHAR;
		v->u = sign_extend(w, size);
		return 0;
	case DW_ATE_unsigned_char:
		v->kind = V_CHAR;
		v->u = zero_extend(w, size);
		return 0;
	case DW_ATE_UTF:
		v->kind = size == 1 ? V_CHAR : V_UINT;
		v->u = zero_extend(w, size);
		return 0;
	case DW_ATE_signed:
		/* __int128 prints when it fits in 64 bits */
		if (size > 8 && dec_load(buf + 8, 8) != ((int64_t)w < 0 ? ~UINT64_C(0) : 0))
			break;
		v->kind = V_INT;
		v->u = sign_extend(w, size);
		return 0;
	case DW_ATE_unsigned:
		if (size > 8 && dec_load(buf + 8, 8) != 0)
			break;
		v->kind = V_UINT;
		v->u = zero_extend(w, size);
		return 0;
	case DW_ATE_float:
		dec_float(t, buf, size, v);
		return 0;
	case DW_ATE_complex_float:
		return dec_complex(t, buf, size, v);
	}
	v->kind = V_OPAQUE;
	return 0;
}

static bool enum_signed(Dwarf_Die *e)
{
	Dwarf_Attribute a;
	Dwarf_Die decl, under, child;

	if (dw_type_of(e, &decl) && dwarf_peel_type(&decl, &under) == 0) {
		Dwarf_Word enc = dw_udata(&under, DW_AT_encoding);

		return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	}
	/* Older producers omit the underlying type: C makes it signed
	 * only when some enumerator is negative. */
	if (dwarf_child(e, &child) != 0)
		return false;
	do {
		Dwarf_Sword s;

		if (dwarf_tag(&child) == DW_TAG_enumerator &&
		    dwarf_attr(&child, DW_AT_const_value, &a) &&
		    dwarf_whatform(&a) == DW_FORM_sdata &&
		    dwarf_formsdata(&a, &s) == 0 && s < 0)
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The enumerators of e, for one pass over them. */
struct enumerators {
	Dwarf_Die die;
	bool more;
};

static bool next_enumerator(struct enumerators *it, size_t size,
			    uint64_t *value, const char **name)
{
	while (it->more) {
		Dwarf_Die cur = it->die;
		Dwarf_Attribute a;
		Dwarf_Word u;

		it->more = dwarf_siblingof(&it->die, &it->die) == 0;
		if (dwarf_tag(&cur) != DW_TAG_enumerator ||
		    !dwarf_attr(&cur, DW_AT_const_value, &a) ||
		    dwarf_formudata(&a, &u) != 0)
			continue;
		/* as size-byte patterns: signedness of the form and of the
		 * register do not matter then */
		*value = zero_extend(u, size);
		*name = dwarf_diename(&cur);
		return *name != NULL;
	}
	return false;
}

static void enumerators_start(struct enumerators *it, Dwarf_Die *e)
{
	it->more = dwarf_child(e, &it->die) == 0;
}

/* Flag enums: every enumerator 0 or a power of two, and not just the
 * 0, 1, 2 that an ordinary enum starts with. */
static bool is_flags(Dwarf_Die *e, size_t size)
{
	struct enumerators it;
	uint64_t val, seen = 0;
	const char *name;
	unsigned n = 0;

	enumerators_start(&it, e);
	while (next_enumerator(&it, size, &val, &name)) {
		if (val & (val - 1))
			return false;
		seen |= val;
		n++;
	}
	return n > 1 && (seen & ~UINT64_C(3)) != 0;
}

static int flags_text(Dwarf_Die *e, uint64_t w, size_t size, struct value *v)
{
	struct enumerators it;
	uint64_t val, left = w;
	const char *name;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	enumerators_start(&it, e);
	while (next_enumerator(&it, size, &val, &name)) {
		if (!val || (w & val) != val || !(left & val))
			continue;
		fprintf(f, "%s%s", left != w ? "|" : "", name);
		left &= ~val;
	}
	if (left == w) {
		/* no flag set that has a name: the number says more */
		fclose(f);
		free(text);
		return 0;
	}
	if (left)
		fprintf(f, "|0x%llx", (unsigned long long)left);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	v->text = text;
	return 0;
}

static int dec_enum(Dwarf_Die *t, const uint8_t *buf, size_t size,
		    struct value *v)
{
	struct enumerators it;
	uint64_t w = zero_extend(dec_load(buf, size), size), val;
	const char *name;

	v->kind = V_ENUM;
	v->u = enum_signed(t) ? sign_extend(w, size) : w;
	enumerators_start(&it, t);
	while (next_enumerator(&it, size, &val, &name)) {
		if (val == w) {
			v->text = strdup(name);
			return v->text ? 0 : -ENOMEM;
		}
	}
	return is_flags(t, size) ? flags_text(t, w, size, v) : 0;
}

static int symbolize(const struct values_src *src, struct value *v)
{
	char buf[256];

	if (!src->sym || src->sym(src->symctx, v->u, buf, sizeof(buf)) != 0)
		return 0;
	v->text = strdup(buf);
	return v->text ? 0 : -ENOMEM;
}

/* Pointers and C++ references. A pointer to a struct, and a reference to
 * anything, is followed once on any path from the argument (more often
 * for conditions that reach further: lim->follow_more). */
static int dec_pointer(const struct values_src *src, Dwarf_Die *t,
		       const uint8_t *buf, size_t size, struct dec_pos pos,
		       struct value *v)
{
	int tag = dwarf_tag(t);
	bool ref = tag == DW_TAG_reference_type ||
		   tag == DW_TAG_rvalue_reference_type;
	Dwarf_Die to, peeled;
	bool follow = false, readable;
	int rc;

	v->kind = V_PTR;
	v->reference = ref;
	v->u = dec_load(buf, size < 8 ? size : 8);
	if (!v->u)
		return 0;
	if (!ref && dec_points_to_text(t))
		return dec_read_string(src, v->u, v);
	if (dw_type_of(t, &to) && dwarf_peel_type(&to, &peeled) == 0 &&
	    !dwarf_hasattr(&peeled, DW_AT_declaration) &&
	    pos.followed <= src->lim->follow_more &&
	    pos.level < src->lim->depth)
		follow = ref || dw_is_aggregate(&peeled) || src->lim->follow_scalars;
	if (!follow)
		return symbolize(src, v);
	v->kids = calloc(1, sizeof(*v->kids));
	if (!v->kids)
		return -ENOMEM;
	pos.followed++;
	rc = dec_at(src, &to, v->u, pos, &v->kids[0], &readable);
	if (rc || !readable) {
		free(v->kids);
		v->kids = NULL;
		v->unreadable = !rc;
		return rc;
	}
	v->nkids = 1;
	return 0;
}

int dec_value(const struct values_src *src, Dwarf_Die *type,
	      const uint8_t *buf, size_t len, struct dec_pos pos,
	      struct value *v)
{
	Dwarf_Die t;
	size_t size;

	if (dwarf_peel_type(type, &t) != 0) {
		v->kind = V_OPAQUE;
		return 0;
	}
	size = dw_type_size(&t);
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		return dec_struct(src, &t, buf, len, pos, v);
	case DW_TAG_array_type:
		return dec_array(src, &t, buf, len, pos, v);
	}
	if (size == 0 || len < size) {
		v->kind = V_UNAVAIL;
		v->unreadable = len < size;
		return 0;
	}
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		return dec_base(&t, buf, size, v);
	case DW_TAG_enumeration_type:
		return dec_enum(&t, buf, size, v);
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return dec_pointer(src, &t, buf, size, pos, v);
	case DW_TAG_unspecified_type:   /* std::nullptr_t */
		v->kind = V_PTR;
		v->u = dec_load(buf, size);
		return 0;
	default:
		v->kind = V_OPAQUE;
		return 0;
	}
}

int dec_at(const struct values_src *src, Dwarf_Die *type, uint64_t addr,
	   struct dec_pos pos, struct value *v, bool *readable)
{
	uint8_t small[64], *buf = small;
	size_t size = dw_type_size(type);
	ssize_t n;
	int rc;

	*readable = size == 0;   /* nothing to read: an empty struct */
	if (size == 0)
		return dec_value(src, type, buf, 0, pos, v);
	if (size > DEC_MAX_OBJECT)
		size = DEC_MAX_OBJECT;
	if (size > sizeof(small)) {
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
	}
	n = src->rd(src->rdctx, addr, buf, size);
	rc = 0;
	if (n <= 0)
		goto free_buf;
	*readable = true;
	rc = dec_value(src, type, buf, (size_t)n, pos, v);
free_buf:
	if (buf != small)
		free(buf);
	return rc;
}
