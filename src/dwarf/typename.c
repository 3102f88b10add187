/* C declarations from DWARF types. A declaration is built inside out:
 * each pointer, array or function layer wraps the declarator built so far
 * ("s" -> "*s" -> "(*s)[4]"), and the innermost named type is written in
 * front of it, as C's declarator syntax requires. */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/typename.h"

#define MAX_DEPTH 24

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* Hands the string over to the caller (NULL after an allocation failure). */
static char *sb_take(struct sbuf *b)
{
	if (b->oom || !b->p) {
		free(b->p);
		return b->oom ? NULL : strdup("");
	}
	return b->p;
}

static bool die_type(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &a), out);
}

/* GCC names base types "long unsigned int"; show what people write. */
static const char *base_name(const char *n)
{
	static const char *const map[][2] = {
		{ "long int", "long" },
		{ "long unsigned int", "unsigned long" },
		{ "short int", "short" },
		{ "short unsigned int", "unsigned short" },
		{ "long long int", "long long" },
		{ "long long unsigned int", "unsigned long long" },
		{ "sizetype", "size_t" },
		{ "complex float", "float _Complex" },
		{ "complex double", "double _Complex" },
		{ "complex long double", "long double _Complex" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(n, map[i][0]))
			return map[i][1];
	return n;
}

static void leaf_name(struct sbuf *b, Dwarf_Die *t, bool cxx)
{
	const char *name = dwarf_diename(t);
	const char *kw = NULL;

	switch (dwarf_tag(t)) {
	case DW_TAG_structure_type: kw = "struct"; break;
	case DW_TAG_union_type: kw = "union"; break;
	case DW_TAG_enumeration_type: kw = "enum"; break;
	case DW_TAG_class_type: kw = "class"; break;
	case DW_TAG_base_type:
		sb_add(b, name ? base_name(name) : "?");
		return;
	default:
		sb_add(b, name ? name : "?");
		return;
	}
	if (name && cxx) {
		sb_add(b, name);
		return;
	}
	sb_add(b, kw);
	sb_add(b, name ? " " : " {...}");
	if (name)
		sb_add(b, name);
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
	       tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

static void declare(struct sbuf *out, Dwarf_Die *type, const char *inner,
		    bool cxx, int depth);

/* "inner" wrapped by prefix/suffix: the declarator one layer out. */
static char *wrap(const char *prefix, const char *inner, const char *suffix)
{
	struct sbuf b = { 0 };

	sb_add(&b, prefix);
	sb_add(&b, inner);
	sb_add(&b, suffix);
	return sb_take(&b);
}

static void declare_wrapped(struct sbuf *out, Dwarf_Die *type,
			    const char *prefix, const char *inner,
			    const char *suffix, bool cxx, int depth)
{
	char *d = wrap(prefix, inner, suffix);

	if (!d) {
		out->oom = true;
		return;
	}
	declare(out, type, d, cxx, depth + 1);
	free(d);
}

/* Qualifiers of a pointer belong to the declarator ("char *const p"),
 * those of anything else in front of the type name ("const char"). DWARF
 * chains them in any order; print them in the usual one. */
static void declare_qualified(struct sbuf *out, Dwarf_Die *type,
			      const char *inner, bool cxx, int depth)
{
	static const struct { int tag; const char *word; } order[] = {
		{ DW_TAG_const_type, "const" },
		{ DW_TAG_volatile_type, "volatile" },
		{ DW_TAG_restrict_type, "restrict" },
		{ DW_TAG_atomic_type, "_Atomic" },
	};
	bool has[4] = { false };
	struct sbuf quals = { 0 };
	Dwarf_Die t = *type, next;
	bool has_next = true;
	int tag, n = 0;

	/* bounded: malformed DWARF could chain qualifiers in a cycle */
	while (has_next && is_qualifier(dwarf_tag(&t)) && n++ < MAX_DEPTH) {
		for (int i = 0; i < 4; i++)
			if (order[i].tag == dwarf_tag(&t))
				has[i] = true;
		has_next = die_type(&t, &next);
		if (has_next)
			t = next;
	}
	for (int i = 0; i < 4; i++) {
		if (!has[i])
			continue;
		if (quals.len)
			sb_add(&quals, " ");
		sb_add(&quals, order[i].word);
	}
	if (quals.oom) {
		out->oom = true;
		free(quals.p);
		return;
	}
	tag = has_next ? dwarf_tag(&t) : 0;
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
	    tag == DW_TAG_rvalue_reference_type ||
	    tag == DW_TAG_ptr_to_member_type) {
		declare_wrapped(out, &t, quals.p, *inner ? " " : "", inner, cxx,
				depth);
	} else {
		sb_add(out, quals.p);
		sb_add(out, " ");
		declare(out, has_next ? &t : NULL, inner, cxx, depth + 1);
	}
	free(quals.p);
}

static void array_dims(struct sbuf *b, Dwarf_Die *arr)
{
	Dwarf_Die sub;

	if (dwarf_child(arr, &sub) != 0) {
		sb_add(b, "[]");
		return;
	}
	do {
		Dwarf_Attribute a;
		Dwarf_Word w;
		char num[32] = "";

		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) &&
		    dwarf_formudata(&a, &w) == 0)
			snprintf(num, sizeof(num), "%llu", (unsigned long long)w);
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &a) &&
			 dwarf_formudata(&a, &w) == 0)
			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)w + 1);
		sb_add(b, "[");
		sb_add(b, num);
		sb_add(b, "]");
	} while (dwarf_siblingof(&sub, &sub) == 0);
}

/* "(int, char *)" of a function type's parameters. */
static void param_list(struct sbuf *b, Dwarf_Die *fn, bool cxx, int depth)
{
	Dwarf_Die child, t;
	Dwarf_Attribute a;
	bool first = true, prototyped = false;

	sb_add(b, "(");
	if (dwarf_child(fn, &child) == 0) {
		do {
			int tag = dwarf_tag(&child);

			if (tag != DW_TAG_formal_parameter &&
			    tag != DW_TAG_unspecified_parameters)
				continue;
			if (!first)
				sb_add(b, ", ");
			first = false;
			if (tag == DW_TAG_unspecified_parameters)
				sb_add(b, "...");
			else
				declare(b, die_type(&child, &t) ? &t : NULL,
					"", cxx, depth + 1);
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	dwarf_formflag(dwarf_attr_integrate(fn, DW_AT_prototyped, &a),
		       &prototyped);
	if (first && prototyped && !cxx)
		sb_add(b, "void");
	sb_add(b, ")");
}

static void declare_pointer(struct sbuf *out, Dwarf_Die *type,
			    const char *inner, bool cxx, int depth)
{
	Dwarf_Die target;
	bool has = die_type(type, &target);
	int ttag = has ? dwarf_tag(&target) : 0;
	bool paren = ttag == DW_TAG_array_type || ttag == DW_TAG_subroutine_type;
	const char *sigil = "*";
	struct sbuf pre = { 0 };

	if (dwarf_tag(type) == DW_TAG_reference_type)
		sigil = "&";
	else if (dwarf_tag(type) == DW_TAG_rvalue_reference_type)
		sigil = "&&";
	if (paren)
		sb_add(&pre, "(");
	if (dwarf_tag(type) == DW_TAG_ptr_to_member_type) {
		Dwarf_Attribute a;
		Dwarf_Die cls;

		if (dwarf_formref_die(dwarf_attr(type, DW_AT_containing_type, &a),
				      &cls) && dwarf_diename(&cls)) {
			sb_add(&pre, dwarf_diename(&cls));
			sb_add(&pre, "::");
		}
	}
	sb_add(&pre, sigil);
	if (pre.oom) {
		out->oom = true;
		free(pre.p);
		return;
	}
	declare_wrapped(out, has ? &target : NULL, pre.p, inner, paren ? ")" : "", cxx,
			depth);
	free(pre.p);
}

static void declare(struct sbuf *out, Dwarf_Die *type, const char *inner,
		    bool cxx, int depth)
{
	Dwarf_Die t;
	struct sbuf suffix = { 0 };

	if (depth > MAX_DEPTH) {
		sb_add(out, "?");
		return;
	}
	if (!type) {
		sb_add(out, "void");
		goto name;
	}
	switch (dwarf_tag(type)) {
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		declare_qualified(out, type, inner, cxx, depth);
		return;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		declare_pointer(out, type, inner, cxx, depth);
		return;
	case DW_TAG_array_type:
		array_dims(&suffix, type);
		break;
	case DW_TAG_subroutine_type:
		param_list(&suffix, type, cxx, depth);
		break;
	default:
		leaf_name(out, type, cxx);
		goto name;
	}
	/* arrays and function types: the declarator gets the suffix and
	 * the element or return type goes in front */
	if (suffix.oom) {
		out->oom = true;
		free(suffix.p);
		return;
	}
	declare_wrapped(out, die_type(type, &t) ? &t : NULL, "", inner,
			suffix.p, cxx, depth);
	free(suffix.p);
	return;
name:
	if (*inner) {
		/* "char *s", but "char*" never: the space always goes before
		 * the declarator */
		sb_add(out, " ");
		sb_add(out, inner);
	}
}

char *typename_signature(const struct func_info *fn, const char *name,
			 bool prototyped, bool cxx)
{
	struct sbuf inner = { 0 }, out = { 0 };
	Dwarf_Die ret = fn->ret_type;
	const char *quals = "";
	unsigned shown = 0;

	sb_add(&inner, name);
	sb_add(&inner, "(");
	for (unsigned i = 0; i < fn->nparams; i++) {
		const struct param_info *p = &fn->params[i];
		Dwarf_Die t = p->type;

		/* C++ writes `this` as the method's qualifiers */
		if (cxx && typename_is_artificial(p)) {
			if (!strcmp(p->name, "this"))
				quals = typename_this_quals(p);
			continue;
		}
		if (shown++)
			sb_add(&inner, ", ");
		declare(&inner, p->has_type ? &t : NULL, p->name, cxx, 0);
	}
	if (fn->variadic)
		sb_add(&inner, shown ? ", ..." : "...");
	else if (!shown && prototyped && !cxx)
		sb_add(&inner, "void");
	sb_add(&inner, ")");
	sb_add(&inner, quals);
	if (inner.oom) {
		free(inner.p);
		return NULL;
	}
	if (cxx && !fn->has_ret && typename_is_structor(name))
		return inner.p;
	declare(&out, fn->has_ret && fn->ret_has_type ? &ret : NULL, inner.p,
		cxx, 0);
	free(inner.p);
	return sb_take(&out);
}
