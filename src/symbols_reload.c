/* Following a process's modules as its dynamic linker loads and unloads
 * libraries, and keeping the functions of images gone by name. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf_func.h"
#include "symbols.h"
#include "symbols_priv.h"

void symtab_retire(struct symtab *st, struct func_batch **kept)
{
	if (!st)
		return;
	while (st->batches) {
		struct func_batch *b = st->batches;

		st->batches = b->next;
		for (size_t i = 0; i < b->n; i++) {
			dw_func_clear(b->funcs[i]);
			b->funcs[i]->decl_file = NULL;
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

/* A module resolved before, by its id. */
struct span {
	uintptr_t id;
	Dwarf_Addr lo, hi;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static int collect_span(Dwfl_Module *mod, void **ud, const char *name,
			Dwarf_Addr start, void *arg)
{
	struct spans *l = arg;
	Dwarf_Addr lo, hi;

	(void)name;
	(void)start;
	if (!*ud)
		return DWARF_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct span *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return DWARF_CB_ABORT;
		l->v = v;
		l->cap = cap;
	}
	dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
	l->v[l->n++] = (struct span){ (uintptr_t)*ud, lo, hi };
	return DWARF_CB_OK;
}

static int list_spans(Dwfl *dwfl, struct spans *l)
{
	memset(l, 0, sizeof(*l));
	if (dwfl_getmodules(dwfl, collect_span, l, 0) != 0) {
		free(l->v);
		return -ENOMEM;
	}
	return 0;
}

static bool has_id(const struct spans *l, uintptr_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return true;
	return false;
}

int symtab_refresh(struct symtab *st, pid_t pid,
		   void (*gone)(void *ctx, uint64_t lo, uint64_t hi), void *ctx)
{
	struct spans before, after;
	int rc = list_spans(st->dwfl, &before);

	if (rc)
		return rc;
	/* libdwfl keeps a module reported again unchanged (and its user
	 * data), adds the new ones, and drops those not reported again. */
	dwfl_report_begin(st->dwfl);
	rc = dwfl_linux_proc_report(st->dwfl, pid);
	if (rc != 0) {
		rc = rc > 0 ? -rc : -EIO;
		if (rc == -ENOENT)
			rc = -ESRCH;
	}
	/* Ended even after a failure, which then keeps what was there. */
	if (dwfl_report_end(st->dwfl, NULL, NULL) != 0 && !rc)
		rc = -EIO;
	sym_bss_free(&st->bss);
	if (!rc)
		rc = list_spans(st->dwfl, &after);
	if (rc)
		goto free_before;
	for (size_t i = 0; i < before.n; i++)
		if (!has_id(&after, before.v[i].id))
			gone(ctx, before.v[i].lo, before.v[i].hi);
	free(after.v);
free_before:
	free(before.v);
	return rc;
}

int symtab_find_symbols(struct symtab *st, const char *const *names, size_t n,
			bool new_only,
			void (*found)(void *ctx, size_t i, uint64_t addr), void *ctx)
{
	struct mod_list mods;

	if (sym_list_modules(st->dwfl, &st->exe, &mods) != 0)
		return -ENOMEM;
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
