/* Following a process's modules as its dynamic linker loads and unloads
 * libraries, and keeping the functions of images gone by name. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/func.h"
#include "symbols/symbols.h"
#include "symbols/priv.h"

void symtab_retire(struct symtab *st, struct func_batch **kept)
{
	if (!st)
		return;
	while (st->batches) {
		struct func_batch *b = st->batches;

		st->batches = b->next;
		for (size_t i = 0; i < b->n; i++) {
			dw_func_clear(b->funcs[i]);
			b->funcs[i]->desc.decl_file = NULL;
		}
		b->next = *kept;
		*kept = b;
	}
	symtab_close(st);
}

void symtab_free_retired(struct func_batch *kept)
{
	while (kept) {
		struct func_batch *b = kept;

		kept = b->next;
		sym_free_funcs(b->funcs, b->n);
		free(b);
	}
}

static void module_extent(Dwfl_Module *mod, const char **name, uint64_t *lo,
			  uint64_t *hi)
{
	Dwarf_Addr l = 0, h = 0;

	*name = dwfl_module_info(mod, NULL, &l, &h, NULL, NULL, NULL, NULL);
	*lo = l;
	*hi = h;
}

static bool is_known(const struct symtab *st, const char *name, uint64_t lo,
		     uint64_t hi)
{
	for (size_t i = 0; i < st->nknown; i++)
		if (st->known[i].lo == lo && st->known[i].hi == hi &&
		    !strcmp(st->known[i].name, name))
			return true;
	return false;
}

void sym_mark_fresh(struct symtab *st, struct mod_list *mods)
{
	for (size_t i = 0; i < mods->n; i++) {
		const char *name;
		uint64_t lo, hi;

		module_extent(mods->v[i].mod, &name, &lo, &hi);
		mods->v[i].fresh = !name || !is_known(st, name, lo, hi);
	}
}

int sym_remember(struct symtab *st, const struct mod_list *mods)
{
	for (size_t i = 0; i < mods->n; i++) {
		const char *name;
		uint64_t lo, hi;
		struct known_mod *v;

		if (!mods->v[i].fresh)
			continue;
		module_extent(mods->v[i].mod, &name, &lo, &hi);
		if (!name)
			continue;
		v = realloc(st->known, (st->nknown + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->known = v;
		v[st->nknown].name = strdup(name);
		if (!v[st->nknown].name)
			return -ENOMEM;
		v[st->nknown].lo = lo;
		v[st->nknown++].hi = hi;
	}
	return 0;
}

void sym_forget_known(struct symtab *st)
{
	for (size_t i = 0; i < st->nknown; i++)
		free(st->known[i].name);
	free(st->known);
	st->known = NULL;
	st->nknown = 0;
}

static int still_there(Dwfl_Module *mod, void **ud, const char *name,
		       Dwarf_Addr start, void *arg)
{
	struct known_mod *k = arg;
	uint64_t lo, hi;

	(void)ud;
	(void)start;
	module_extent(mod, &name, &lo, &hi);
	if (name && lo == k->lo && hi == k->hi && !strcmp(name, k->name)) {
		k->name = NULL;   /* found */
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

int symtab_refresh(struct symtab *st,
		   void (*gone)(void *ctx, uint64_t lo, uint64_t hi), void *ctx)
{
	size_t kept = 0;
	int rc = sym_report(st);

	sym_bss_free(&st->bss);
	if (rc)
		return rc;
	for (size_t i = 0; i < st->nknown; i++) {
		struct known_mod k = st->known[i];

		dwfl_getmodules(st->dwfl, still_there, &k, 0);
		if (k.name) {
			gone(ctx, k.lo, k.hi);
			free(st->known[i].name);
			continue;
		}
		st->known[kept++] = st->known[i];
	}
	st->nknown = kept;
	return 0;
}

int symtab_find_symbols(struct symtab *st, const char *const *names, size_t n,
			bool new_only,
			void (*found)(void *ctx, size_t i, uint64_t addr), void *ctx)
{
	struct mod_list mods;

	if (sym_list_modules(st->dwfl, &st->exe, &st->files, &mods) != 0)
		return -ENOMEM;
	sym_mark_fresh(st, &mods);
	for (size_t m = 0; m < mods.n; m++) {
		Dwfl_Module *mod = mods.v[m].mod;
		int nsyms = dwfl_module_getsymtab(mod);

		if (new_only && !mods.v[m].fresh)
			continue;
		for (int k = 1; k < nsyms; k++) {
			GElf_Sym sym;
			GElf_Addr addr;
			GElf_Word shndx;
			const char *name = dwfl_module_getsym_info(mod, k, &sym, &addr,
								   &shndx, NULL, NULL);

			if (!name || shndx == SHN_UNDEF)
				continue;
			for (size_t i = 0; i < n; i++)
				if (!strcmp(name, names[i]))
					found(ctx, i, addr);
		}
	}
	sym_free_modules(&mods);
	return 0;
}
