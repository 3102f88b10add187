/* Checking a condition's names against a function's DWARF types: a
 * member the struct lacks, or an index into a scalar, is a mistake to
 * report before the target is touched, not a condition that is false on
 * every call. Types are Dwarf_Die handles, valid while the symtab is. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/attr.h"
#include "filter/filter.h"

struct types_ctx {
	const struct func_info *fn;
	Dwarf_Die **dies;      /* handles given out, freed at the end */
	size_t n;
};

static const void *keep(struct types_ctx *c, const Dwarf_Die *die)
{
	Dwarf_Die **v = realloc(c->dies, (c->n + 1) * sizeof(*v));
	Dwarf_Die *d = malloc(sizeof(*d));

	if (v)
		c->dies = v;
	if (!v || !d) {
		free(d);
		return NULL;   /* unknown type: nothing further is checked */
	}
	*d = *die;
	c->dies[c->n++] = d;
	return d;
}

static const void *param_type(void *ctx, unsigned idx)
{
	struct types_ctx *c = ctx;
	const struct param_info *p;

	if (!c->fn->has_dwarf || idx >= func_nvalues(c->fn))
		return NULL;
	p = &c->fn->params[idx];
	return p->has_type ? &p->type : NULL;
}

static const void *ret_type(void *ctx)
{
	struct types_ctx *c = ctx;

	return c->fn->ret_has_type ? &c->fn->ret_type : NULL;
}

/* Through typedefs and qualifiers, and from a pointer or reference to
 * what it points to when follow is set. False: unknown (void, opaque). */
static bool peel(const Dwarf_Die *type, bool follow, Dwarf_Die *out)
{
	Dwarf_Die t = *type;
	int tag;

	if (dwarf_peel_type(&t, out) != 0)
		return false;
	tag = dwarf_tag(out);
	if (follow && (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
		       tag == DW_TAG_rvalue_reference_type)) {
		if (!dw_type_of(out, &t) || dwarf_peel_type(&t, out) != 0)
			return false;
	}
	return true;
}

/* name among agg's members, looking into anonymous members and base
 * classes as the decoder shows them inline: 1 found, 0 not, -1 unknown
 * (a declaration without members). */
static int find_member(Dwarf_Die *agg, const char *name, Dwarf_Die *type, int depth)
{
	Dwarf_Die m, sub;
	int rc;

	if (dw_flag(agg, DW_AT_declaration))
		return -1;
	if (depth > 8)
		return 0;
	for (bool more = dw_first_member(agg, &m); more; more = dw_next_member(&m)) {
		const char *mn = dwarf_diename(&m);

		if (dwarf_tag(&m) == DW_TAG_member && mn) {
			if (strcmp(mn, name))
				continue;
			if (!dw_type_of(&m, type))
				return -1;
			return 1;
		}
		if (!dw_type_of(&m, &sub) || !peel(&sub, false, &sub) ||
		    !dw_is_aggregate(&sub))
			continue;
		rc = find_member(&sub, name, type, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static int member(void *ctx, const void *type, const char *name, const void **out)
{
	Dwarf_Die agg, mt;
	int rc;

	*out = NULL;
	if (!peel(type, true, &agg))
		return 0;
	if (!dw_is_aggregate(&agg))
		return -EINVAL;
	rc = find_member(&agg, name, &mt, 0);
	if (rc == 0)
		return -ENOENT;
	if (rc > 0)
		*out = keep(ctx, &mt);
	return 0;
}

static int element(void *ctx, const void *type, const void **out)
{
	Dwarf_Die t, el;
	int tag;

	*out = NULL;
	if (!peel(type, false, &t))
		return 0;
	tag = dwarf_tag(&t);
	if (tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type) {
		/* through the reference to what it refers to */
		if (!peel(&t, true, &t))
			return 0;
		tag = dwarf_tag(&t);
		if (tag != DW_TAG_pointer_type && tag != DW_TAG_array_type)
			return -ENOTDIR;
	}
	if (tag != DW_TAG_pointer_type && tag != DW_TAG_array_type)
		return -EINVAL;
	if (dw_type_of(&t, &el))
		*out = keep(ctx, &el);
	return 0;
}

static bool has_enumerator(Dwarf_Die *die, const char *name, int depth)
{
	Dwarf_Die c;

	if (depth > 32 || dwarf_child(die, &c) != 0)
		return false;
	do {
		int tag = dwarf_tag(&c);
		const char *n = dwarf_diename(&c);

		if (tag == DW_TAG_enumerator && n && !strcmp(n, name))
			return true;
		if ((tag == DW_TAG_enumeration_type || tag == DW_TAG_namespace ||
		     dw_is_aggregate(&c) || tag == DW_TAG_subprogram ||
		     tag == DW_TAG_lexical_block) &&
		    has_enumerator(&c, name, depth + 1))
			return true;
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

/* Any enumerator of the function's compilation unit: an enum type can
 * only come from a declaration the unit saw. */
static bool enumerator(void *ctx, const char *name)
{
	struct types_ctx *c = ctx;
	const struct func_info *fn = c->fn;
	Dwarf_Die any, cu;

	if (fn->has_dwarf && func_nvalues(fn))
		any = fn->params[0].decl;
	else if (fn->ret_has_type)
		any = fn->ret_type;
	else
		return true;   /* no unit to look in: let it through */
	if (!dwarf_diecu(&any, &cu, NULL, NULL))
		return true;
	return has_enumerator(&cu, name, 0);
}

int filter_types_begin(const struct func_info *fn, struct expr_types *ty)
{
	struct types_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	*ty = (struct expr_types){
		.ctx = c,
		.param = param_type,
		.ret = ret_type,
		.member = member,
		.element = element,
		.enumerator = enumerator,
	};
	return 0;
}

void filter_types_end(struct expr_types *ty)
{
	struct types_ctx *c = ty->ctx;

	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->dies[i]);
	free(c->dies);
	free(c);
	ty->ctx = NULL;
}
