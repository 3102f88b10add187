/* The ptrace engine: latch stops the target at a trap on each traced
 * function's entry and return site and reads the call there. The
 * operations of core/engine.h; everything else is private (priv.h). */
#ifndef LATCH_TRACER_H
#define LATCH_TRACER_H

#include "core/engine.h"
#include "core/opts.h"
#include "core/sink.h"

/* An engine for the options o, reporting to s; warn (NULL: none) takes
 * one-line warnings for the user. o and s outlive it. 0 or -ENOMEM. */
int ptrace_engine_new(const struct latch_opts *o, struct sink *s,
		      void (*warn)(const char *msg), struct engine **out);

#endif
