/* How the calling convention sees a DWARF type (private to symbols). */
#ifndef LATCH_DWARF_ABI_H
#define LATCH_DWARF_ABI_H

#include <elfutils/libdw.h>
#include "arch.h"

/* Classify type (NULL: unknown, treated as a pointer-sized integer). */
void dw_abi_classify(Dwarf_Die *type, struct abi_type *out);

/* Size in bytes of a type, or 0 when DWARF does not say. */
size_t dw_type_size(Dwarf_Die *type);

/* A C++ class that must be passed by invisible reference (dwarf/cxx.c). */
bool dw_cxx_by_reference(Dwarf_Die *cls);

#endif
