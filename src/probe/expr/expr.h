/* Conditions on a call ("PROBE if EXPR"): parsed once from the command
 * line, checked against the function's parameters before the target is
 * touched, then evaluated on each call's decoded value tree. */
#ifndef LATCH_EXPR_H
#define LATCH_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/value.h"

struct expr;

#define EXPR_MAX_TEXT 4096

/* Parse text (at most EXPR_MAX_TEXT characters) into *out: 0, -EINVAL with err set to "column N: expected
 * X, found Y" (1-based columns), or -ENOMEM. */
int expr_parse(const char *text, struct expr **out, char *err, size_t errlen);
/* Parse the condition that starts at text + *pos and ends at the end of
 * text or, when stop is not NULL, at the word stop where an operator
 * could come ("x > 1 ret retval < 0"). Columns in err count from text.
 * On success *pos is where it ended: the stop word, or the end. */
int expr_parse_part(const char *text, size_t *pos, const char *stop,
		    struct expr **out, char *err, size_t errlen);
void expr_free(struct expr *e);

/* Optional type information for expr_check. Types are opaque handles
 * (a DWARF DIE in practice); a NULL handle means "unknown, do not
 * check". Every callback may be NULL. */
struct expr_types {
	void *ctx;
	const void *(*param)(void *ctx, unsigned idx);
	const void *(*ret)(void *ctx);
	/* Member name of a struct type, or of the struct a pointer type
	 * points to: 0 with *out set, -ENOENT when there is none, -EINVAL
	 * when the type is no struct. */
	int (*member)(void *ctx, const void *type, const char *name,
		      const void **out);
	/* Element of an array or pointer type (or of one a reference refers
	 * to): 0 with *out, -ENOTDIR for a reference to something else,
	 * or -EINVAL. */
	int (*element)(void *ctx, const void *type, const void **out);
	/* Whether name is an enumerator of some type in scope; NULL: any
	 * unknown name compared with == or != is taken as one. */
	bool (*enumerator)(void *ctx, const char *name);
};

struct expr_scope {
	const char *const *params;   /* parameter names; NULL entries for
				      * unnamed ones (argN still works) */
	unsigned nparams;
	bool allow_ret;              /* retval and dur: return conditions */
	const struct expr_types *types;   /* or NULL */
	bool void_ret;               /* the function returns nothing: no retval */
};

/* Resolve names to parameters (by name, or arg1..argN), retval, dur or
 * enumerators, and check duration literals are compared with dur:
 * 0, or -EINVAL with err naming the column. Records the resolution in
 * e, so a checked expression evaluates without looking names up. */
int expr_check(struct expr *e, const struct expr_scope *scope,
	       char *err, size_t errlen);

/* Evaluate on one call's values (args[i] is parameter i; ret may be NULL
 * at entry). 0 with *result set; otherwise *result is false and:
 * -EFAULT  a value needed was not available (unreadable or unfollowed
 *          pointer, optimised out, truncated string that decides the
 *          answer, index past what was decoded, missing member);
 * -EDOM    division by zero or a shift out of range;
 * -EINVAL  a type mismatch (a string compared with a number...). */
int expr_eval(const struct expr *e, const struct value *args, unsigned nargs,
	      const struct value *ret, uint64_t dur_ns, bool *result);

/* Raise lim to what evaluating e reads: the struct nesting and pointers
 * its member chains go through, constant indexes, and the bytes of the
 * strings it compares with. */
void expr_limits(const struct expr *e, struct value_limits *lim);

/* e fully parenthesised, in prefix form: "(&& (> a 1) (! b))". Returns
 * the length it needed, like snprintf. For tests and --debug output. */
size_t expr_format(const struct expr *e, char *buf, size_t len);

#endif
