/* A function's signature from DWARF (private to symbols). */
#ifndef LATCH_DWARF_FUNC_H
#define LATCH_DWARF_FUNC_H

#include <elfutils/libdwfl.h>
#include "symbols/symbols.h"

/* Fill fn's DWARF side (has_dwarf, params, variadic, return type) and its
 * signature from the subprogram at fn->addr in mod; fn->name, addr and
 * clone must be set. A function without DWARF is not an error. 0 or
 * -ENOMEM. */
int dw_func_fill(Dwfl_Module *mod, struct func_info *fn);

/* Is the function at addr in a split-DWARF skeleton unit whose .dwo
 * file was not found? */
bool dw_func_split_missing(Dwfl_Module *mod, uint64_t addr);

/* Does a symbol name mark a compiler clone (.isra/.constprop/.part)? */
bool dw_func_is_clone(const char *name);

/* Release what dw_func_fill allocated. */
void dw_func_clear(struct func_info *fn);

#endif
