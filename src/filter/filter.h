/* Which calls of a function to report: the conditions of the probes that
 * selected it ("f if EXPR ret EXPR"), checked against its parameters and
 * types once, then evaluated on each call's values. */
#ifndef LATCH_FILTER_H
#define LATCH_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/engine.h"
#include "probe/probe.h"
#include "symbols/symbols.h"
#include "core/value.h"

struct filter;

/* A probe's condition names what the function lacks (a parameter, a
 * member): why is "FUNCTION: column N: ...". */
typedef void (*filter_misfit_fn)(void *ctx, unsigned spec, const char *why);

/* misfit's spec for --error-if's condition. */
#define FILTER_ERROR_IF ((unsigned)-1)

/* The conditions of the specs that selected fn (fn->specs), and error_if
 * (--error-if, or NULL): a return condition that marks a call's return as
 * an error. *out is NULL when there is nothing to evaluate: every call is
 * reported. A condition that does not fit fn is left out after a call to
 * misfit (error_if's with spec FILTER_ERROR_IF). 0, -ENOENT when no
 * probe's condition fits (do not trace fn), or -ENOMEM. At most 64
 * conditions. */
int filter_build(const struct func_info *fn, const struct probe_spec *specs,
		 const char *error_if, const struct value_limits *shown,
		 filter_misfit_fn misfit, void *ctx, struct filter **out);
/* Whether f carries an --error-if condition; its returns then need the
 * call's arguments. */
bool filter_has_error(const struct filter *f);
/* Whether a call's return is an error (f may be NULL); undecidable is
 * not an error. */
bool filter_error(const struct filter *f, const struct value *args, unsigned nargs,
		  const struct value *ret, uint64_t dur_ns);
/* How deep to decode a call's values (f may be NULL): what is shown, or
 * more where a condition reads more ("r->h->flags"); then the values
 * shown are the deeper ones too. */
const struct value_limits *filter_limits(const struct filter *f,
					 const struct value_limits *shown);
void filter_free(struct filter *f);

enum filter_verdict {
	FILTER_REPORT,   /* report the call now */
	FILTER_REJECT,   /* skip it: no event, no return trap */
	FILTER_DEFER,    /* it depends on the return: *pending says which */
};

/* At entry (f may be NULL). */
enum filter_verdict filter_entry(const struct filter *f, const struct value *args,
				 unsigned nargs, uint64_t *pending,
				 struct filter_faults *faults);
/* On return of a deferred call: whether one of the pending return
 * conditions holds. */
bool filter_return(const struct filter *f, uint64_t pending,
		   const struct value *args, unsigned nargs,
		   const struct value *ret, uint64_t dur_ns,
		   struct filter_faults *faults);

/* The type callbacks expr_check uses to check names against fn's DWARF
 * (filter/types.c). *ctx is freed with filter_types_end. */
int filter_types_begin(const struct func_info *fn, struct expr_types *ty);
void filter_types_end(struct expr_types *ty);

#endif
