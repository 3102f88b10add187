/* Functions that have no DWARF at their address (glibc's system call
 * stubs, assembly) often have a prototype elsewhere in the module's
 * DWARF: the declaration that its callers were compiled with, under the
 * symbol's name or one of its aliases (getpid, __getpid). */
#include <errno.h>
#include <stdlib.h>
#include "dwarf/func.h"
#include "symbols/priv.h"

/* The names of m's function symbols at addr, into *names (malloc'd). */
static int aliases(struct mod_entry *m, uint64_t addr, const char ***names, size_t *n)
{
	const char **v = NULL;
	size_t count = 0;
	struct sym_fn f;

	for (int i = 0; i < m->nsyms; i++) {
		if (!sym_function(m->mod, i, &f) || f.addr != addr)
			continue;
		const char **more = realloc(v, (count + 1) * sizeof(*v));

		if (!more) {
			free(v);
			return -ENOMEM;
		}
		v = more;
		v[count++] = f.name;
	}
	*names = v;
	*n = count;
	return 0;
}

/* The functions of module m among funcs[from..n) still without DWARF,
 * filled in one pass over m's units. */
static int fill_module(struct mod_entry **mods, struct func_info **funcs, size_t from,
		       size_t n)
{
	struct dw_named *named = calloc(n - from, sizeof(*named));
	struct mod_entry *m = mods[from];
	size_t k = 0;
	int rc = 0;

	if (!named)
		return -ENOMEM;
	for (size_t i = from; i < n && !rc; i++) {
		if (mods[i] != m || funcs[i]->has_dwarf || funcs[i]->desc.site)
			continue;
		named[k].fn = funcs[i];
		rc = aliases(m, funcs[i]->desc.addr, (const char ***)&named[k].names,
			     &named[k].nnames);
		k += !rc;
	}
	if (!rc)
		rc = dw_funcs_fill_declared(m->mod, named, k);
	for (size_t i = 0; i < k; i++)
		free((void *)named[i].names);
	free(named);
	return rc;
}

int sym_fill_declared(struct mod_entry **mods, struct func_info **funcs, size_t n)
{
	const struct mod_entry *done = NULL;

	/* one pass per module, from its first function without DWARF on:
	 * funcs come sorted by address, so a module's are together */
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (funcs[i]->has_dwarf || funcs[i]->desc.site || mods[i] == done)
			continue;
		done = mods[i];
		rc = fill_module(mods, funcs, i, n);
		if (rc)
			return rc;
	}
	return 0;
}
