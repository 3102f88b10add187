/* The values in scope at a site inside a function: what a line or
 * address probe shows, as a debugger would at a breakpoint there. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/abi.h"
#include "dwarf/attr.h"
#include "dwarf/func.h"

struct vars {
	struct param_info *v;
	unsigned n, cap;
};

static bool is_function(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

static int add_var(struct vars *vs, Dwarf_Die *die)
{
	struct param_info *p;
	const char *name = dwarf_diename(die);

	if (!name)
		return 0;   /* compiler temporaries */
	if (vs->n == vs->cap) {
		unsigned cap = vs->cap ? 2 * vs->cap : 16;
		struct param_info *v = realloc(vs->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vs->v = v;
		vs->cap = cap;
	}
	p = &vs->v[vs->n];
	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;
	vs->n++;
	p->decl = *die;
	p->has_type = dw_type_of(die, &p->type);
	dw_abi_classify(p->has_type ? &p->type : NULL, &p->abi);
	p->has_loc_die = true;
	p->loc_die = *die;
	p->optimised_out = !dwarf_hasattr(die, DW_AT_location) &&
			   !dwarf_hasattr(die, DW_AT_const_value);
	return 0;
}

/* A local declared after the site's line is not in scope there yet. */
static bool declared_by(Dwarf_Die *die, unsigned line)
{
	int decl;

	return !line || dwarf_decl_line(die, &decl) != 0 || decl <= 0 ||
	       (unsigned)decl <= line;
}

/* The children of scope with tag (formal parameters, or variables). */
static int add_children(struct vars *vs, Dwarf_Die *scope, int tag, unsigned line)
{
	Dwarf_Die child;
	int rc = 0;

	if (dwarf_child(scope, &child) != 0)
		return 0;
	do {
		if (dwarf_tag(&child) == tag && (tag != DW_TAG_variable || declared_by(&child, line)))
			rc = add_var(vs, &child);
	} while (!rc && dwarf_siblingof(&child, &child) == 0);
	return rc;
}

int dw_site_fill(Dwfl_Module *mod, uint64_t addr, unsigned line, struct func_info *fn)
{
	struct vars params = { 0 }, locals = { 0 };
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Addr bias;
	int n, fnscope = -1, rc = 0;

	cu = dwfl_module_addrdie(mod, addr, &bias);
	n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	for (int i = 0; i < n && fnscope < 0; i++)
		if (is_function(dwarf_tag(&scopes[i])))
			fnscope = i;
	dw_func_forget_params(fn);   /* a site has no return either */
	fn->mod = mod;
	fn->has_dwarf = fnscope >= 0;
	if (fnscope < 0)
		goto free_scopes;
	/* outer blocks first, as the source declares them */
	rc = add_children(&params, &scopes[fnscope], DW_TAG_formal_parameter, 0);
	for (int i = fnscope; i >= 0 && !rc; i--)
		rc = add_children(&locals, &scopes[i], DW_TAG_variable, line);
	/* an inlined call's frame base is its caller's */
	for (int i = fnscope; i < n && !fn->has_frame; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			fn->frame = scopes[i];
			fn->has_frame = true;
		}
	if (rc)
		goto free_vars;
	if (locals.n) {
		struct param_info *v = realloc(params.v, (params.n + locals.n) * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			goto free_vars;
		}
		memcpy(v + params.n, locals.v, locals.n * sizeof(*v));
		free(locals.v);
		params.v = v;
	}
	fn->params = params.v;
	fn->nparams = params.n;
	fn->nlocals = locals.n;
	goto free_scopes;

free_vars:
	dw_params_free(params.v, params.n);
	dw_params_free(locals.v, locals.n);
free_scopes:
	free(scopes);
	return rc;
}
