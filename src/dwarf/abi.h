/* How the calling conventions see a DWARF type: described neutrally
 * (core/abi_desc.h), then classified by the back end. */
#ifndef LATCH_DWARF_ABI_H
#define LATCH_DWARF_ABI_H

#include <elfutils/libdw.h>
#include "arch.h"
#include "core/abi_desc.h"

/* The description of type (NULL: unknown, a pointer-sized integer),
 * freed with abi_desc_free. Out of memory, an aggregate's members are
 * left out (integer registers or memory). */
void dw_abi_describe(Dwarf_Die *type, struct abi_desc *d);
void abi_desc_free(struct abi_desc *d);

/* Describe type and classify it for this back end (arch_abi_classify). */
void dw_abi_classify(Dwarf_Die *type, struct abi_type *out);

/* Size in bytes of a type, or 0 when DWARF does not say. */
size_t dw_type_size(Dwarf_Die *type);

/* A C++ class that must be passed by invisible reference (dwarf/cxx.c). */
bool dw_cxx_by_reference(Dwarf_Die *cls);

#endif
