/* Argument and return values at a trap: the ABI says where each value
 * lies, DWARF says what it is. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "values.h"

static const char *const raw_names[] = {
	"arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7", "arg8",
	"arg9", "arg10", "arg11", "arg12", "arg13", "arg14", "arg15", "arg16",
};

static const struct abi_type word_type = { .cls = ABI_INT, .size = 8 };

static uint64_t truncate_to(uint64_t w, size_t size, bool is_signed)
{
	unsigned bits = (unsigned)(size * 8);

	if (size == 0 || size >= 8)
		return w;
	w &= (UINT64_C(1) << bits) - 1;
	if (is_signed && (w >> (bits - 1)) & 1)
		w |= ~UINT64_C(0) << bits;
	return w;
}

/* The integer word of an ABI_INT-class value. Only the low size bytes of a
 * register are defined: callers leave garbage above a char or short. The
 * targets are little-endian, so a value in memory starts with its low
 * bytes. */
static bool fetch_word(const struct abi_loc *loc, size_t size, mem_read_fn rd,
		       void *ctx, uint64_t *w)
{
	*w = 0;
	switch (loc->kind) {
	case LOC_INT_REG:
		*w = loc->words[0];
		return true;
	case LOC_MEMORY:
		if (size == 0 || size > 8)
			size = 8;
		return rd(ctx, loc->addr, w, size) == (ssize_t)size;
	default:
		return false;
	}
}

static bool char_like(Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	if (dwarf_tag(t) != DW_TAG_base_type || dwarf_bytesize(t) != 1)
		return false;
	dwarf_formudata(dwarf_attr(t, DW_AT_encoding, &a), &enc);
	return enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
}

/* char *, const unsigned char *... but not uint8_t *, which holds bytes,
 * not text. */
static bool points_to_text(Dwarf_Die *ptr)
{
	Dwarf_Attribute a;
	Dwarf_Die t, next;

	if (!dwarf_formref_die(dwarf_attr(ptr, DW_AT_type, &a), &t))
		return false;   /* void * */
	for (int depth = 0; depth < 16; depth++) {
		int tag = dwarf_tag(&t);

		if (tag == DW_TAG_typedef) {
			const char *n = dwarf_diename(&t);

			if (n && strstr(n, "int8_t"))
				return false;
		} else if (tag != DW_TAG_const_type &&
			   tag != DW_TAG_volatile_type &&
			   tag != DW_TAG_restrict_type &&
			   tag != DW_TAG_atomic_type) {
			return char_like(&t);
		}
		if (!dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &next))
			return false;
		t = next;
	}
	return false;
}

static int read_string(uint64_t addr, mem_read_fn rd, void *ctx,
		       size_t limit, struct value *v)
{
	char *buf = malloc(limit ? limit : 1);
	ssize_t n = 0;
	char *nul;

	if (!buf)
		return -ENOMEM;
	v->kind = V_STR;
	v->u = addr;
	if (limit) {
		n = rd(ctx, addr, buf, limit);
		if (n <= 0) {
			free(buf);
			v->unreadable = true;
			return 0;
		}
	}
	nul = memchr(buf, '\0', (size_t)n);
	v->len = nul ? (size_t)(nul - buf) : (size_t)n;
	/* No NUL in what could be read: at the limit, or at the end of the
	 * mapping, the string goes on beyond what is shown. */
	v->truncated = !nul;
	/* values may be kept until their call returns: give back the
	 * unused part of the limit */
	v->str = realloc(buf, v->len ? v->len : 1);
	if (!v->str)
		v->str = buf;
	return 0;
}

static bool enum_signed(Dwarf_Die *e)
{
	Dwarf_Attribute a;
	Dwarf_Die decl, under, child;

	if (dwarf_formref_die(dwarf_attr(e, DW_AT_type, &a), &decl) &&
	    dwarf_peel_type(&decl, &under) == 0) {
		Dwarf_Word enc = 0;

		dwarf_formudata(dwarf_attr(&under, DW_AT_encoding, &a), &enc);
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

static const char *enumerator_name(Dwarf_Die *e, uint64_t w, size_t size)
{
	Dwarf_Die child;

	if (dwarf_child(e, &child) != 0)
		return NULL;
	do {
		Dwarf_Attribute a;
		Dwarf_Word u;

		if (dwarf_tag(&child) != DW_TAG_enumerator ||
		    !dwarf_attr(&child, DW_AT_const_value, &a) ||
		    dwarf_formudata(&a, &u) != 0)
			continue;
		/* compare as size-byte patterns: signedness of the form and
		 * of the register do not matter then */
		if (truncate_to(u, size, false) == truncate_to(w, size, false))
			return dwarf_diename(&child);
	} while (dwarf_siblingof(&child, &child) == 0);
	return NULL;
}

static void decode_base(Dwarf_Die *t, uint64_t w, size_t size, struct value *v)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	dwarf_formudata(dwarf_attr(t, DW_AT_encoding, &a), &enc);
	switch (enc) {
	case DW_ATE_boolean:
		v->kind = V_BOOL;
		v->u = truncate_to(w, size, false) != 0;
		return;
	case DW_ATE_signed_char:
		v->kind = V_CHAR;
		v->u = truncate_to(w, size, true);
		return;
	case DW_ATE_unsigned_char:
		v->kind = V_CHAR;
		v->u = truncate_to(w, size, false);
		return;
	case DW_ATE_UTF:
		v->kind = size == 1 ? V_CHAR : V_UINT;
		v->u = truncate_to(w, size, false);
		return;
	case DW_ATE_signed:
		v->kind = V_INT;
		v->u = truncate_to(w, size, true);
		return;
	case DW_ATE_unsigned:
		v->kind = V_UINT;
		v->u = truncate_to(w, size, false);
		return;
	default:
		v->kind = V_OPAQUE;
		return;
	}
}

/* Fill v (kind and payload) from a value of DWARF type `type` (NULL:
 * unknown) at loc. */
static int decode(Dwarf_Die *type, const struct abi_type *abi,
		  const struct abi_loc *loc, mem_read_fn rd, void *ctx,
		  size_t strlimit, struct value *v)
{
	Dwarf_Die t;
	uint64_t w;
	size_t size = abi->size;

	if (!type || dwarf_peel_type(type, &t) != 0) {
		v->kind = V_RAW;
		if (!fetch_word(loc, 8, rd, ctx, &v->u))
			v->kind = V_UNAVAIL;
		return 0;
	}
	/* Floating point, aggregates and 128-bit integers are not
	 * decoded yet. */
	if (abi->cls != ABI_INT || size > 8) {
		v->kind = V_OPAQUE;
		return 0;
	}
	if (!fetch_word(loc, size, rd, ctx, &w)) {
		v->kind = V_UNAVAIL;
		return 0;
	}
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		decode_base(&t, w, size, v);
		return 0;
	case DW_TAG_enumeration_type:
		v->kind = V_ENUM;
		v->u = truncate_to(w, size, enum_signed(&t));
		v->enumerator = enumerator_name(&t, w, size);
		return 0;
	case DW_TAG_pointer_type:
		if (w && points_to_text(&t))
			return read_string(w, rd, ctx, strlimit, v);
		v->kind = V_PTR;
		v->u = w;
		return 0;
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_unspecified_type:
		v->kind = V_PTR;
		v->u = w;
		return 0;
	default:
		v->kind = V_OPAQUE;
		return 0;
	}
}

static void free_values(struct value *vals, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		value_free(&vals[i]);
	free(vals);
}

static int read_raw_args(const struct arch_regs *r, struct value **vals,
			 unsigned *nvals)
{
	unsigned n = arch_int_arg_regs;
	struct abi_cursor c;
	struct value *v;

	if (n > sizeof(raw_names) / sizeof(raw_names[0]))
		n = sizeof(raw_names) / sizeof(raw_names[0]);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	arch_abi_start(&c, r, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct abi_loc loc;

		arch_abi_next(&c, r, &word_type, &loc);
		v[i].name = raw_names[i];
		v[i].kind = loc.kind == LOC_INT_REG ? V_RAW : V_UNAVAIL;
		v[i].u = loc.words[0];
	}
	*vals = v;
	*nvals = n;
	return 0;
}

int values_read_args(const struct func_info *fn, const struct arch_regs *r,
		     mem_read_fn rd, void *ctx, size_t strlimit,
		     struct value **vals, unsigned *nvals)
{
	unsigned n;
	struct abi_cursor c;
	struct value *v;
	int rc;

	*vals = NULL;
	*nvals = 0;
	if (!fn->has_dwarf)
		return read_raw_args(r, vals, nvals);
	n = fn->nparams + (fn->variadic ? 1 : 0);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	arch_abi_start(&c, r, fn->has_ret ? &fn->ret_abi : NULL);
	for (unsigned i = 0; i < fn->nparams; i++) {
		const struct param_info *p = &fn->params[i];
		Dwarf_Die t = p->type;
		struct abi_loc loc;

		/* every argument moves the cursor, decoded or not */
		arch_abi_next(&c, r, &p->abi, &loc);
		v[i].name = p->name;
		rc = decode(p->has_type ? &t : NULL, &p->abi, &loc, rd, ctx,
			    strlimit, &v[i]);
		if (rc)
			goto free_vals;
	}
	if (fn->variadic) {
		v[n - 1].kind = V_VARARGS;
		v[n - 1].name = "...";
	}
	*vals = v;
	*nvals = n;
	return 0;

free_vals:
	free_values(v, n);
	return rc;
}

int values_read_return(const struct func_info *fn, const struct arch_regs *r,
		       mem_read_fn rd, void *ctx, size_t strlimit,
		       struct value *out)
{
	struct abi_loc loc;
	Dwarf_Die t = fn->ret_type;

	memset(out, 0, sizeof(*out));
	if (!fn->has_dwarf) {
		arch_abi_return(r, &word_type, &loc);
		out->kind = V_RAW;
		out->u = loc.words[0];
		return 0;
	}
	if (!fn->has_ret) {
		out->kind = V_NONE;
		return 0;
	}
	arch_abi_return(r, &fn->ret_abi, &loc);
	return decode(fn->ret_has_type ? &t : NULL, &fn->ret_abi, &loc, rd, ctx,
		      strlimit, out);
}
