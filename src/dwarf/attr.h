/* Reading DWARF attributes the way every latch module needs them. */
#ifndef LATCH_DWARF_ATTR_H
#define LATCH_DWARF_ATTR_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>

/* An unsigned constant attribute into *w; false when absent. */
bool dw_udata_at(Dwarf_Die *die, unsigned name, Dwarf_Word *w);
/* The same, 0 when absent. */
Dwarf_Word dw_udata(Dwarf_Die *die, unsigned name);
/* A flag attribute that is present and set. */
bool dw_flag(Dwarf_Die *die, unsigned name);
/* DW_AT_type of die, through abstract origins; false for void. */
bool dw_type_of(Dwarf_Die *die, Dwarf_Die *out);
/* A data member's byte offset in its struct (0 for union members);
 * false for a pre-DWARF 3 location expression. */
bool dw_member_offset(Dwarf_Die *m, uint64_t *off);
/* A struct, class or union type. */
bool dw_is_aggregate(Dwarf_Die *type);
/* The data members and base classes of an aggregate, in order, without
 * its static members (declared in the class, stored elsewhere): *m is
 * the first with dw_first_member, the next with dw_next_member; false
 * when there is none. */
bool dw_first_member(Dwarf_Die *agg, Dwarf_Die *m);
bool dw_next_member(Dwarf_Die *m);

#endif
