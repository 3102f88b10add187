/* DWARF: what latch reads of a program's debug information. A traced
 * function (struct func_info, which the symbols layer finds and owns) and
 * its signature, parameters and their types; the types' names (typename.h),
 * attributes (attr.h) and their ABI classes (abi.h). */
#ifndef LATCH_DWARF_FUNC_H
#define LATCH_DWARF_FUNC_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "core/event.h"

struct param_info {
	char *name;              /* DWARF name, or "argN" (1-based) */
	Dwarf_Die decl;          /* the source-level DW_TAG_formal_parameter */
	bool has_type;
	Dwarf_Die type;          /* valid while the symtab is open */
	struct abi_type abi;
	/* DWARF gives no location for it: unused, or a clone dropped it */
	bool optimised_out;
	/* Clones: the concrete parameter, whose location at the entry pc
	 * is the only trustworthy place of the value. */
	bool has_loc_die;
	Dwarf_Die loc_die;
};

struct func_info {
	struct func_desc desc;   /* what events say of it */
	bool has_dwarf;          /* params/ret come from DWARF */
	bool variadic;
	bool clone;              /* .isra/.constprop/.part: real signature
				  * differs from the source: arguments only
				  * from DWARF locations, see param_info */
	bool local;              /* not exported: callers may all be known to
				  * the compiler, which may then skip unused
				  * arguments */
	bool ret_untrusted;      /* .isra/.part may drop the return value */
	uint64_t dwarf_pc;       /* the entry address as DWARF gives it */
	unsigned nparams;
	struct param_info *params;
	bool has_ret;            /* false for void */
	bool ret_has_type;
	Dwarf_Die ret_type;
	struct abi_type ret_abi;
	unsigned *specs;         /* indices of the specs that selected it */
	unsigned nspecs;
	/* A site (desc.site): params[nparams..nparams + nlocals) are the
	 * locals in scope there; all of params are read through the DWARF
	 * locations of their loc_die at the site, in frame's frame (the
	 * subprogram with the frame base), with mod's CFI. */
	unsigned nlocals;
	Dwfl_Module *mod;
	bool has_frame;
	Dwarf_Die frame;
};

/* The values a condition can name: parameters, and at a site locals. */
static inline unsigned func_nvalues(const struct func_info *fn)
{
	return fn->nparams + fn->nlocals;
}

/* What events say of fn (NULL: none). */
static inline const struct func_desc *func_desc_of(const struct func_info *fn)
{
	return fn ? &fn->desc : NULL;
}


struct dw_index;

/* Fill fn's DWARF side (has_dwarf, params, variadic, return type) and its
 * signature from the subprogram at fn->addr in mod, found through ix
 * (dwarf/index.h); fn->name, addr and clone must be set. A function
 * without DWARF is not an error. 0 or -ENOMEM. */
int dw_func_fill(struct dw_index *ix, Dwfl_Module *mod, struct func_info *fn);

/* fn (filled by dw_func_fill, without DWARF) implements the IFUNC whose
 * resolver is at resolver: take the parameters and result of the type
 * the resolver returns a pointer to. Without those, fn stays as it is.
 * 0 or -ENOMEM. */
int dw_func_fill_ifunc(struct dw_index *ix, Dwfl_Module *mod, uint64_t resolver,
		       struct func_info *fn);

/* A function without DWARF at its address and the names its symbol has
 * there (aliases: getpid, __getpid). */
struct dw_named {
	struct func_info *fn;
	const char *const *names;
	size_t nnames;
};

/* Fill each fns[i].fn still without DWARF from a prototyped declaration
 * (or definition elsewhere) of one of its names in mod's units: the
 * prototype callers were compiled with. One pass over the units' top
 * levels for all of them. 0 or -ENOMEM. */
int dw_funcs_fill_declared(Dwfl_Module *mod, struct dw_named *fns, size_t n);

/* Make fn (filled by dw_func_fill for the function it lies in) the site
 * at addr in mod, at source line (0: unknown): its values become the
 * parameters of the function or inlined call the site is in, and the
 * locals of the blocks around it declared by then. Without DWARF there,
 * it has none. 0 or -ENOMEM. */
int dw_site_fill(Dwfl_Module *mod, uint64_t addr, unsigned line, struct func_info *fn);

/* Is the function at addr in a split-DWARF skeleton unit whose .dwo
 * file was not found? */
bool dw_func_split_missing(Dwfl_Module *mod, uint64_t addr);

/* Does a symbol name mark a compiler clone (.isra/.constprop/.part)? */
bool dw_func_is_clone(const char *name);

/* Drop fn's parameters, locals and result: no DWARF side. */
void dw_func_forget_params(struct func_info *fn);

/* Free n parameters and their array. */
void dw_params_free(struct param_info *v, unsigned n);

/* Release what dw_func_fill allocated. */
void dw_func_clear(struct func_info *fn);

#endif
