/* Probes: what the user asked to trace, "[LIB:]GLOB [if EXPR] [ret EXPR]",
 * parsed once from the command line; the conditions are expr/'s. */
#ifndef LATCH_PROBE_H
#define LATCH_PROBE_H

#include <stdbool.h>
#include "probe/expr/expr.h"
#include "util/glob.h"

enum probe_scope {
	SCOPE_ANY,    /* every module with symbols, except ld.so and the vdso */
	SCOPE_EXE,    /* the main executable only: spec ":GLOB" */
	SCOPE_LIB,    /* modules whose file name matches lib_glob */
};

struct probe_spec {
	char *text;       /* the spec as given, for messages */
	enum probe_scope scope;
	char *lib_glob;   /* SCOPE_LIB */
	char *func_glob;
	/* Offsets in text of the condition checked at entry, and of the one
	 * checked on return (retval, dur); 0 when there is none. */
	size_t if_at, ret_at;
};

/* Parse one spec; 0, or -EINVAL with a one-line reason in err. */
int probe_parse(const char *text, struct probe_spec *out, char *err, size_t errlen);
void probe_free(struct probe_spec *p);
/* Fresh trees of p's conditions (NULL where there is none), for one
 * function to check and keep. 0, or -EINVAL/-ENOMEM with err. */
int probe_conditions(const struct probe_spec *p, struct expr **entry,
		     struct expr **ret, char *err, size_t errlen);
bool probe_matches_module(const struct probe_spec *p, const char *path, bool is_main);

#endif
