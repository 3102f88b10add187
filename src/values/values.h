/* Values: a call's arguments and return value, found where the ABI and
 * DWARF locations put them and decoded through their DWARF types into
 * core/value.h's trees (decode.c; aggregates in decode_agg.c, text in
 * decode_text.c), within the limits of -s, -A and --depth. */
#ifndef LATCH_VALUES_H
#define LATCH_VALUES_H

#include "arch.h"
#include "symbols/symbols.h"
#include "core/value.h"

/* The name of the symbol addr lies in ("handler", "table+0x10") into buf;
 * 0, or -ENOENT when none does. */
typedef int (*symbolize_fn)(void *ctx, uint64_t addr, char *buf, size_t len);

/* Where one stop's values are read from. */
struct values_src {
	pid_t tid;
	const struct arch_regs *r;
	mem_read_fn rd;
	void *rdctx;
	symbolize_fn sym;        /* may be NULL */
	void *symctx;
	const struct value_limits *lim;
	/* Floating-point registers already at hand, or NULL: fetched from
	 * tid when a value lies in them. */
	const struct arch_fpregs *fp;
	/* A function without DWARF: its argument registers as raw words
	 * (a condition names arg1..argN), or else one "..." (the arguments
	 * are unknown; printing six registers would be noise). */
	bool raw_args;
};

/* Read the arguments at a function's entry trap into vals[0..*nvals)
 * (without DWARF: arch_int_arg_regs raw words, or "...", as src says). *ret_buf receives where an
 * aggregate result will be written (0 if none), for values_read_return.
 * 0 or -errno (only on allocation failure: what cannot be read becomes a
 * value marked unreadable or unavailable). */
int values_read_args(const struct func_info *fn, const struct values_src *src,
		     struct value **vals, unsigned *nvals, uint64_t *ret_buf);
/* The values at a site's trap (fn->desc.site): its parameters and
 * locals, each where its DWARF location puts it there, into
 * vals[0..*nvals). 0 or -ENOMEM. */
int values_read_site(const struct func_info *fn, const struct values_src *src,
		     struct value **vals, unsigned *nvals);
/* The return value at the return-site trap; V_NONE for void. */
int values_read_return(const struct func_info *fn, const struct values_src *src,
		       uint64_t ret_buf, struct value *out);

#endif
