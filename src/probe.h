/* Probe specifications: "[LIB:]GLOB". */
#ifndef LATCH_PROBE_H
#define LATCH_PROBE_H

#include <stdbool.h>
#include "glob.h"

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
};

/* Parse one spec; 0, or -EINVAL with a one-line reason in err. */
int probe_parse(const char *text, struct probe_spec *out, char *err, size_t errlen);
void probe_free(struct probe_spec *p);
bool probe_matches_module(const struct probe_spec *p, const char *path, bool is_main);

#endif
