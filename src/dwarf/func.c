/* Finding a function's DW_TAG_subprogram and reading its parameters. */
#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/abi.h"
#include "dwarf/attr.h"
#include "dwarf/func.h"
#include "dwarf/index.h"
#include "dwarf/typename.h"

static const char *const clone_marks[] = { ".isra.", ".constprop.", ".part." };

/* The out-of-line subprogram entered at pc (module-relative) in cu, from
 * the unit's index; without memory for it, from libdw's scopes at pc. */
static bool subprogram_in_cu(struct dw_index *ix, Dwarf_Die *cu, Dwarf_Addr pc,
			     Dwarf_Die *out)
{
	Dwarf_Die *scopes = NULL;
	Dwarf_Addr entry;
	bool found = false;
	int n = dw_index_lookup(ix, cu, pc, out);

	if (n >= 0)
		return n == 1;
	/* Innermost first: inlined instances at the same pc come before
	 * the out-of-line subprogram, nested functions before their
	 * parents. */
	n = dwarf_getscopes(cu, pc, &scopes);
	for (int i = 0; i < n && !found; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram &&
		    dw_entry_pc(&scopes[i], &entry) && entry == pc) {
			*out = scopes[i];
			found = true;
		}
	}
	free(scopes);
	return found;
}

/* An assembler unit names its functions but says nothing of their
 * parameters: what registers hold is better shown raw. */
static bool describes_params(Dwarf_Die *cu)
{
	return dwarf_srclang(cu) != DW_LANG_Mips_Assembler;
}

/* The unit that holds cu's DIEs. With split DWARF (-gsplit-dwarf) the
 * unit in the binary is a skeleton with address ranges only; its
 * functions, parameters and types are in the split unit, which libdw
 * reads from the .dwo file (named by the skeleton, found next to the
 * binary or in DW_AT_comp_dir) and keeps open with the module. */
static Dwarf_Die *full_unit(Dwarf_Die *cu, Dwarf_Die *split)
{
	uint8_t type;

	if (dwarf_cu_info(cu->cu, NULL, &type, NULL, split, NULL, NULL,
			  NULL) == 0 && type == DW_UT_skeleton && split->cu)
		return split;
	return cu;
}

bool dw_func_split_missing(Dwfl_Module *mod, uint64_t addr)
{
	Dwarf_Addr bias;
	Dwarf_Die split, *cu = dwfl_module_addrdie(mod, addr, &bias);
	uint8_t type;

	return cu && dwarf_cu_info(cu->cu, NULL, &type, NULL, &split, NULL,
				   NULL, NULL) == 0 &&
	       type == DW_UT_skeleton && !split.cu;
}

/* The subprogram entered at addr, and addr as DWARF gives it. */
static bool find_subprogram(struct dw_index *ix, Dwfl_Module *mod, uint64_t addr,
			    Dwarf_Die *out, uint64_t *pc)
{
	Dwarf_Addr bias;
	Dwarf_Die split, *unit, *cu = dwfl_module_addrdie(mod, addr, &bias);

	if (cu) {
		unit = full_unit(cu, &split);
		if (!describes_params(unit))
			return false;
		if (subprogram_in_cu(ix, unit, addr - bias, out)) {
			*pc = addr - bias;
			return true;
		}
	}
	/* libdw finds CUs through .debug_aranges, which clang does not
	 * emit, or emits for some CUs only: ask every CU instead. */
	cu = NULL;
	while ((cu = dwfl_module_nextcu(mod, cu, &bias))) {
		if (dwarf_haspc(cu, addr - bias) != 1)
			continue;
		unit = full_unit(cu, &split);
		if (describes_params(unit) &&
		    subprogram_in_cu(ix, unit, addr - bias, out)) {
			*pc = addr - bias;
			return true;
		}
	}
	return false;
}

/* The DIE whose children list the source-level parameters: a concrete
 * out-of-line instance may omit unused ones, its abstract origin cannot. */
static Dwarf_Die params_owner(Dwarf_Die *sub)
{
	Dwarf_Attribute a;
	Dwarf_Die origin;

	if (dwarf_formref_die(dwarf_attr(sub, DW_AT_abstract_origin, &a),
			      &origin))
		return origin;
	return *sub;
}

static unsigned count_params(Dwarf_Die *owner, bool *variadic)
{
	Dwarf_Die child;
	unsigned n = 0;

	*variadic = false;
	if (dwarf_child(owner, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_formal_parameter)
			n++;
		else if (tag == DW_TAG_unspecified_parameters)
			*variadic = true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

static int read_params(Dwarf_Die *owner, struct func_info *fn)
{
	Dwarf_Die child;
	unsigned n = count_params(owner, &fn->variadic), i = 0;

	if (!n || dwarf_child(owner, &child) != 0)
		return 0;
	fn->params = calloc(n, sizeof(*fn->params));
	if (!fn->params)
		return -ENOMEM;
	do {
		struct param_info *p;
		const char *name;
		char argn[16];

		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		p = &fn->params[i++];
		fn->nparams = i;
		name = dwarf_diename(&child);
		if (!name) {
			snprintf(argn, sizeof(argn), "arg%u", i);
			name = argn;
		}
		p->name = strdup(name);
		if (!p->name)
			return -ENOMEM;
		p->decl = child;
		p->has_type = dw_type_of(&child, &p->type);
		dw_abi_classify(p->has_type ? &p->type : NULL, &p->abi);
	} while (i < n && dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static bool has_location(Dwarf_Die *param)
{
	return dwarf_hasattr(param, DW_AT_location) ||
	       dwarf_hasattr(param, DW_AT_const_value);
}

/* Which source parameters the concrete out-of-line instance gives a
 * location: when the parameters come from an abstract origin, the
 * concrete ones point back at them, and unused ones may be missing. */
static void read_locations(Dwarf_Die *sub, Dwarf_Die *owner,
			   struct func_info *fn)
{
	bool own = dwarf_dieoffset(sub) == dwarf_dieoffset(owner);
	Dwarf_Die child, origin;
	Dwarf_Attribute a;
	unsigned i = 0;

	for (unsigned k = 0; k < fn->nparams; k++)
		fn->params[k].optimised_out = true;
	if (dwarf_child(sub, &child) != 0)
		return;
	do {
		struct param_info *p = NULL;

		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		if (own) {
			p = i < fn->nparams ? &fn->params[i] : NULL;
			i++;
		} else if (dwarf_formref_die(dwarf_attr(&child, DW_AT_abstract_origin, &a),
					     &origin)) {
			for (unsigned k = 0; k < fn->nparams && !p; k++)
				if (dwarf_dieoffset(&fn->params[k].decl) ==
				    dwarf_dieoffset(&origin))
					p = &fn->params[k];
		}
		if (!p)
			continue;
		p->optimised_out = !has_location(&child);
		p->has_loc_die = true;
		p->loc_die = child;
	} while (dwarf_siblingof(&child, &child) == 0);
}

static bool is_cxx(Dwarf_Die *die)
{
	Dwarf_Die cu;
	int lang;

	if (!dwarf_diecu(die, &cu, NULL, NULL))
		return false;
	lang = dwarf_srclang(&cu);
	return lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_03 ||
	       lang == DW_LANG_C_plus_plus_11 || lang == DW_LANG_C_plus_plus_14 ||
	       lang == DW_LANG_ObjC_plus_plus;
}

/* The source function's name: a clone's symbol minus its suffix. */
static char *source_name(const struct func_info *fn)
{
	size_t len = strlen(fn->desc.name);

	for (size_t i = 0; i < sizeof(clone_marks) / sizeof(clone_marks[0]); i++) {
		const char *m = strstr(fn->desc.name, clone_marks[i]);

		if (m && (size_t)(m - fn->desc.name) < len)
			len = (size_t)(m - fn->desc.name);
	}
	return strndup(fn->desc.name, len);
}

bool dw_func_is_clone(const char *name)
{
	for (size_t i = 0; i < sizeof(clone_marks) / sizeof(clone_marks[0]); i++)
		if (strstr(name, clone_marks[i]))
			return true;
	return false;
}

void dw_params_free(struct param_info *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void dw_func_forget_params(struct func_info *fn)
{
	dw_params_free(fn->params, func_nvalues(fn));
	fn->params = NULL;
	fn->nparams = fn->nlocals = 0;
	fn->variadic = false;
	fn->has_ret = fn->ret_has_type = false;
	fn->has_dwarf = false;
}

/* Where fn is defined. dwarf_decl_file asserts on a split unit (libdw
 * 0.188), whose file table dwarf_getsrcfiles finds in the skeleton; and
 * decl_file indexes the table of the unit of the DIE that has it, which
 * may be an abstract origin's or a declaration's. */
static void read_decl(Dwarf_Die *sub, struct func_info *fn)
{
	Dwarf_Die die = *sub, cu, origin;
	Dwarf_Attribute a;
	Dwarf_Files *files;
	Dwarf_Word idx;
	size_t n;
	int line;

	for (int hops = 0; !dwarf_hasattr(&die, DW_AT_decl_file); hops++) {
		if (hops == 4 ||
		    (!dwarf_formref_die(dwarf_attr(&die, DW_AT_abstract_origin, &a), &origin) &&
		     !dwarf_formref_die(dwarf_attr(&die, DW_AT_specification, &a), &origin)))
			return;
		die = origin;
	}
	if (dwarf_formudata(dwarf_attr(&die, DW_AT_decl_file, &a), &idx) ||
	    !dwarf_diecu(&die, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &n) ||
	    idx >= n)
		return;
	fn->desc.decl_file = dwarf_filesrc(files, idx, NULL, NULL);
	if (fn->desc.decl_file && dwarf_decl_line(&die, &line) == 0 && line > 0)
		fn->desc.decl_line = (unsigned)line;
}

int dw_func_fill(struct dw_index *ix, Dwfl_Module *mod, struct func_info *fn)
{
	Dwarf_Die sub, owner;
	Dwarf_Attribute a;
	bool prototyped = false, cxx;
	char *name = NULL;
	int rc;

	if (!find_subprogram(ix, mod, fn->desc.addr, &sub, &fn->dwarf_pc)) {
		/* Without DWARF the parameters are unknown: "f()" says
		 * exactly that in C. */
		if (asprintf(&fn->desc.signature, "%s()", fn->desc.name) < 0) {
			fn->desc.signature = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	fn->has_dwarf = true;
	owner = params_owner(&sub);
	rc = read_params(&owner, fn);
	if (rc)
		goto fail_params;
	fn->has_ret = fn->ret_has_type = dw_type_of(&sub, &fn->ret_type);
	dw_abi_classify(fn->has_ret ? &fn->ret_type : NULL, &fn->ret_abi);
	dwarf_formflag(dwarf_attr_integrate(&sub, DW_AT_prototyped, &a),
		       &prototyped);
	cxx = is_cxx(&sub);
	name = source_name(fn);
	if (!name)
		goto fail_params;
	fn->desc.signature = typename_signature(fn, name, prototyped, cxx);
	free(name);
	if (!fn->desc.signature)
		goto fail_params;
	read_locations(&sub, &owner, fn);
	read_decl(&sub, fn);
	/* IPA-SRA may turn a clone's result into void, and a split-off part
	 * returns what its caller needs; constant propagation keeps it */
	fn->ret_untrusted = strstr(fn->desc.name, ".isra.") || strstr(fn->desc.name, ".part.");
	return 0;

fail_params:
	dw_func_forget_params(fn);
	return -ENOMEM;
}

/* fn's parameters, result and signature from proto: a subroutine type,
 * or a subprogram's declaration, whose parameters have no locations (at
 * the entry they are where the ABI puts them). */
static int fill_from_prototype(Dwarf_Die *proto, struct func_info *fn)
{
	Dwarf_Attribute a;
	bool prototyped = false;
	char *sig;

	if (read_params(proto, fn))
		goto fail_params;
	fn->has_dwarf = true;
	fn->has_ret = fn->ret_has_type = dw_type_of(proto, &fn->ret_type);
	dw_abi_classify(fn->has_ret ? &fn->ret_type : NULL, &fn->ret_abi);
	dwarf_formflag(dwarf_attr_integrate(proto, DW_AT_prototyped, &a), &prototyped);
	sig = typename_signature(fn, fn->desc.name, prototyped, false);
	if (!sig)
		goto fail_params;
	free(fn->desc.signature);
	fn->desc.signature = sig;
	return 0;

fail_params:
	dw_func_forget_params(fn);
	fn->has_dwarf = false;
	return -ENOMEM;
}

int dw_func_fill_ifunc(struct dw_index *ix, Dwfl_Module *mod, uint64_t resolver,
		       struct func_info *fn)
{
	Dwarf_Die sub, t, proto;
	uint64_t pc;

	/* the resolver returns a pointer to the implementations' type */
	if (!find_subprogram(ix, mod, resolver, &sub, &pc) || !dw_type_of(&sub, &t) ||
	    dwarf_peel_type(&t, &t) != 0 || dwarf_tag(&t) != DW_TAG_pointer_type ||
	    !dw_type_of(&t, &proto) || dwarf_peel_type(&proto, &proto) != 0 ||
	    dwarf_tag(&proto) != DW_TAG_subroutine_type)
		return 0;
	return fill_from_prototype(&proto, fn);
}

/* A prototyped declaration or definition of a C function, at a unit's
 * top level, named one of names[0..n). */
static bool declares(Dwarf_Die *die, const char *const *names, size_t n)
{
	Dwarf_Attribute a;
	bool prototyped = false;
	const char *name;

	if (dwarf_tag(die) != DW_TAG_subprogram || !(name = dwarf_diename(die)) ||
	    dwarf_formflag(dwarf_attr_integrate(die, DW_AT_prototyped, &a), &prototyped) ||
	    !prototyped)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int dw_funcs_fill_declared(Dwfl_Module *mod, struct dw_named *fns, size_t n)
{
	Dwarf_Die *cu = NULL, die;
	Dwarf_Addr bias;
	size_t left = n;

	while (left && (cu = dwfl_module_nextcu(mod, cu, &bias))) {
		if (dwarf_child(cu, &die) != 0)
			continue;
		do {
			for (size_t i = 0; i < n; i++) {
				if (fns[i].fn->has_dwarf || !declares(&die, fns[i].names, fns[i].nnames))
					continue;
				if (fill_from_prototype(&die, fns[i].fn))
					return -ENOMEM;
				left--;
			}
		} while (left && dwarf_siblingof(&die, &die) == 0);
	}
	return 0;
}

void dw_func_clear(struct func_info *fn)
{
	dw_func_forget_params(fn);
	free(fn->desc.signature);
	fn->desc.signature = NULL;
}
