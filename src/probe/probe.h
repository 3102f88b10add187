/* Probes: what the user asked to trace, "[LIB:]GLOB [if EXPR] [ret EXPR]",
 * parsed once from the command line; the conditions are expr/'s. */
#ifndef LATCH_PROBE_H
#define LATCH_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "probe/expr/expr.h"
#include "util/glob.h"

enum probe_scope {
	SCOPE_ANY,    /* every module with symbols, except ld.so and the vdso */
	SCOPE_EXE,    /* the main executable only: spec ":GLOB" */
	SCOPE_LIB,    /* modules whose file name matches lib_glob */
};

/* What a spec names: functions, whose calls are traced, or sites inside
 * them, whose hits are. */
enum probe_kind {
	PROBE_FUNC,   /* [LIB:]GLOB */
	PROBE_LINE,   /* [LIB:]FILE:LINE, FILE a source file's name or the
		       * end of its path */
	PROBE_ADDR,   /* [LIB:]0xADDR (an address of the file, as nm and
		       * objdump print it; the executable's without LIB) or
		       * [LIB:]GLOB+OFFSET (bytes into the function) */
};

struct probe_spec {
	char *text;       /* the spec as given, for messages */
	enum probe_kind kind;
	enum probe_scope scope;
	char *lib_glob;   /* SCOPE_LIB */
	char *func_glob;  /* NULL for PROBE_LINE and for PROBE_ADDR's 0xADDR */
	char *src_file;   /* PROBE_LINE */
	unsigned line;    /* PROBE_LINE */
	uint64_t offset;  /* PROBE_ADDR: the address, or the offset into GLOB */
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
