/* Subprograms by entry pc, one table per compilation unit, built the
 * first time a function of that unit is looked up: asking libdw for the
 * scopes at each pc walks the whole unit every time, which made resolving
 * 10000 functions of one unit (an amalgamated build such as sqlite3.c)
 * take tens of seconds. */
#ifndef LATCH_DWARF_INDEX_H
#define LATCH_DWARF_INDEX_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include "util/hashmap.h"

struct dw_index {
	struct hashmap units;    /* Dwarf_CU pointer -> struct dw_unit_index */
};

/* The out-of-line subprogram entered at pc (as DWARF gives addresses) in
 * unit cu, a full unit (not a skeleton), nested functions before their
 * parents, into *out: 1, 0 if there is none, -ENOMEM. */
int dw_index_lookup(struct dw_index *ix, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out);

/* The address a function is entered at: DW_AT_entry_pc or low_pc, or for
 * one split into hot and cold ranges, the first range. */
bool dw_entry_pc(Dwarf_Die *die, Dwarf_Addr *pc);
/* Forget every unit: their debug information may be gone (modules
 * unloaded). The index stays usable. */
void dw_index_clear(struct dw_index *ix);

#endif
