/* Argument and return values, read through DWARF types and the ABI. */
#ifndef LATCH_VALUES_H
#define LATCH_VALUES_H

#include "arch.h"
#include "symbols.h"
#include "value.h"

/* Read the arguments at a function's entry trap into vals[0..fn->nparams)
 * (or arch_int_arg_regs raw words without DWARF): *nvals is set. Strings
 * are read up to strlimit bytes. 0 or -errno (only on allocation failure:
 * unreadable memory becomes a value marked unreadable). */
int values_read_args(const struct func_info *fn, const struct arch_regs *r,
		     mem_read_fn rd, void *ctx, size_t strlimit,
		     struct value **vals, unsigned *nvals);
/* The return value at the return-site trap; V_NONE for void. */
int values_read_return(const struct func_info *fn, const struct arch_regs *r,
		       mem_read_fn rd, void *ctx, size_t strlimit,
		       struct value *out);

#endif
