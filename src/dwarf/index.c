/* One pass over a unit's DIEs finds every subprogram it defines. */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include "dwarf/index.h"

struct dw_unit_index {
	struct hashmap by_pc;    /* entry pc -> struct entry */
	struct entry *v;
	size_t n, cap;
	bool failed;             /* out of memory while building */
};

struct entry {
	Dwarf_Die die;
	unsigned depth;
};

bool dw_entry_pc(Dwarf_Die *die, Dwarf_Addr *pc)
{
	Dwarf_Addr base, start, end;

	if (dwarf_entrypc(die, pc) == 0)
		return true;
	if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
		*pc = start;
		return true;
	}
	return false;
}

static void add(struct dw_unit_index *u, Dwarf_Die *die, unsigned depth)
{
	Dwarf_Addr pc;

	if (dwarf_hasattr(die, DW_AT_declaration) || !dw_entry_pc(die, &pc))
		return;
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 64;
		struct entry *v = realloc(u->v, cap * sizeof(*v));

		if (!v) {
			u->failed = true;
			return;
		}
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n++] = (struct entry){ *die, depth };
}

/* Units imported into another (dwz's partial units) are followed this
 * deep, as libdw's scopes follow them. */
#define IMPORTS_MAX 8

/* Every subprogram below die, depth first; inlined instances are not
 * functions of their own. */
static void walk(struct dw_unit_index *u, Dwarf_Die *die, unsigned depth, unsigned imports)
{
	Dwarf_Attribute a;
	Dwarf_Die child, unit;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_subprogram)
			add(u, &child, depth);
		if (tag == DW_TAG_imported_unit && imports < IMPORTS_MAX &&
		    dwarf_formref_die(dwarf_attr(&child, DW_AT_import, &a), &unit))
			walk(u, &unit, depth, imports + 1);
		else if (tag != DW_TAG_inlined_subroutine && dwarf_haschildren(&child))
			walk(u, &child, depth + 1, imports);
	} while (!u->failed && dwarf_siblingof(&child, &child) == 0);
}

static struct dw_unit_index *build(Dwarf_Die *cu)
{
	struct dw_unit_index *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	walk(u, cu, 0, 0);
	/* keys point into v, which no longer grows */
	for (size_t i = 0; i < u->n && !u->failed; i++) {
		Dwarf_Addr pc;
		struct entry *old;

		dw_entry_pc(&u->v[i].die, &pc);
		old = hashmap_get(&u->by_pc, pc);
		if ((!old || old->depth < u->v[i].depth) && hashmap_put(&u->by_pc, pc, &u->v[i]))
			u->failed = true;
	}
	return u;
}

static void unit_free(struct dw_unit_index *u)
{
	hashmap_free(&u->by_pc);
	free(u->v);
	free(u);
}

int dw_index_lookup(struct dw_index *ix, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out)
{
	uint64_t key = (uint64_t)(uintptr_t)cu->cu;
	struct dw_unit_index *u = hashmap_get(&ix->units, key);
	struct entry *e;

	if (!u) {
		u = build(cu);
		if (!u)
			return -ENOMEM;
		if (u->failed || hashmap_put(&ix->units, key, u)) {
			unit_free(u);
			return -ENOMEM;
		}
	}
	e = hashmap_get(&u->by_pc, pc);
	if (!e)
		return 0;
	*out = e->die;
	return 1;
}

void dw_index_clear(struct dw_index *ix)
{
	size_t pos = 0;
	struct dw_unit_index *u;

	while ((u = hashmap_next(&ix->units, &pos, NULL)))
		unit_free(u);
	hashmap_free(&ix->units);
}
