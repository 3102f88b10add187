/* Symbols by address: one table per module, sorted by start, built on
 * the first lookup in it. libdwfl's dwfl_module_addrinfo reads the whole
 * symbol table on every call, so a pointer shown with the symbol it
 * points into cost as much as the module has symbols (with 20000 of them,
 * 50 times the call's own cost). */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include "symbols/priv.h"

struct entry {
	uint64_t lo, hi;
	const char *name;       /* libdwfl's */
	unsigned rank;          /* global 0, weak 1, local 2 */
	unsigned order;         /* in the symbol table */
};

struct mod_addrs {
	struct entry *v;
	uint64_t *reach;        /* the highest hi of v[0..i] */
	size_t n;
};

static unsigned rank_of(const GElf_Sym *sym)
{
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

static int by_start(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void addrs_free(struct mod_addrs *t)
{
	free(t->v);
	free(t->reach);
	free(t);
}

/* The module's symbols that cover bytes: code and data with a size. */
static struct mod_addrs *build(Dwfl_Module *mod)
{
	struct mod_addrs *t = calloc(1, sizeof(*t));
	int nsyms = dwfl_module_getsymtab(mod);

	if (!t)
		return NULL;
	if (nsyms > 1) {
		t->v = malloc((size_t)nsyms * sizeof(*t->v));
		t->reach = malloc((size_t)nsyms * sizeof(*t->reach));
		if (!t->v || !t->reach) {
			addrs_free(t);
			return NULL;
		}
	}
	for (int i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);

		if (!name || !*name || !sym.st_size || shndx == SHN_UNDEF || shndx == SHN_ABS ||
		    type == STT_SECTION || type == STT_FILE || type == STT_TLS)
			continue;
		t->v[t->n++] = (struct entry){ addr, addr + sym.st_size, name, rank_of(&sym),
					       (unsigned)i };
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_start);
	for (size_t i = 0; i < t->n; i++)
		t->reach[i] = i && t->reach[i - 1] > t->v[i].hi ? t->reach[i - 1] : t->v[i].hi;
	return t;
}

/* Among the symbols holding addr, the innermost (the latest start), a
 * global one before a weak or local alias. */
static const struct entry *holder(const struct mod_addrs *t, uint64_t addr)
{
	const struct entry *best = NULL;
	size_t lo = 0, hi = t->n;

	while (lo < hi) {   /* the first entry starting after addr */
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && t->reach[i] > addr;) {
		const struct entry *e = &t->v[i];

		if (addr >= e->hi)
			continue;
		if (best && e->lo < best->lo)
			break;
		if (!best || e->rank < best->rank ||
		    (e->rank == best->rank && e->order < best->order))
			best = e;
	}
	return best;
}

int sym_addr_name(struct sym_addrs *ix, Dwfl_Module *mod, uint64_t addr,
		  const char **name, uint64_t *off)
{
	uint64_t key = (uint64_t)(uintptr_t)mod;
	struct mod_addrs *t = hashmap_get(&ix->mods, key);
	const struct entry *e;

	if (!t) {
		t = build(mod);
		if (!t)
			return -ENOMEM;
		if (hashmap_put(&ix->mods, key, t)) {
			addrs_free(t);
			return -ENOMEM;
		}
	}
	e = holder(t, addr);
	if (!e)
		return -ENOENT;
	*name = e->name;
	*off = addr - e->lo;
	return 0;
}

void sym_addrs_clear(struct sym_addrs *ix)
{
	size_t pos = 0;
	struct mod_addrs *t;

	while ((t = hashmap_next(&ix->mods, &pos, NULL)))
		addrs_free(t);
	hashmap_free(&ix->mods);
}
