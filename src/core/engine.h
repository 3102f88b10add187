/* Engines: what catches calls. An engine attaches to a process or starts
 * one, resolves the options' probes there, catches the calls of the
 * functions they select and reports each as event records (core/event.h)
 * to one sink; it leaves the process as it found it. cmd/ drives an
 * engine through these operations only. The ptrace engine (tracer/) is
 * one; a second implements the same operations and feeds the same sinks.
 *
 * Layers, lowest first; a folder includes only from those above it here
 * (tests/layers.py checks it):
 *   core          what every layer shares: events, values, options, sinks
 *   agent         the agent engine's injected agent (built apart, freestanding)
 *                 and the layout of the memory it shares with latch
 *   util          clocks, memory, /proc, files inside a target's root
 *   probe/expr    conditions: parsed, checked, evaluated
 *   probe         what the user asked for: probe specs
 *   dwarf         a function's signature and its types, from DWARF
 *   symbols       the target's modules and functions; stacks
 *   values        arguments and return values, decoded
 *   filter        a probe's conditions bound to one function
 *   output        the sinks (core/event.h is all they see)
 *   output/otlp   OpenTelemetry spans
 *   tracer        the ptrace engine
 *   cmd           the command line */
#ifndef LATCH_ENGINE_H
#define LATCH_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/event.h"

/* Set from signal handlers by cmd/; a running engine looks at them at
 * least whenever a wait for the target is interrupted. */
extern volatile sig_atomic_t engine_stop_requested;   /* SIGINT, SIGTERM, SIGHUP */
extern volatile sig_atomic_t engine_tick;             /* SIGALRM, ten times a second */

/* Why an evaluation of a condition could not decide: counted, and the
 * call not reported. */
struct filter_faults {
	uint64_t unreadable;   /* memory it needed could not be read */
	uint64_t invalid;      /* type mismatch, division by zero */
};

/* The closing line's counts. */
struct engine_counts {
	uint64_t seen;          /* calls caught */
	uint64_t calls;         /* reported: printed, or counted by -c */
	uint64_t filtered;      /* their conditions did not hold */
	uint64_t dropped;       /* past -n or --rate */
	uint64_t returns, unwinds, stops;
	uint64_t hits;          /* of calls: sites reached (line, address) */
	struct filter_faults faults;
};

enum run_end {
	RUN_TARGET_GONE,
	RUN_STOP_REQUESTED,     /* signal, -d, -n or a closed output */
	RUN_ERROR,
};

/* What a run came to, once finished. */
struct engine_result {
	struct engine_counts n;
	bool launched;          /* the process was started by the engine */
	bool exited;            /* the process ended while traced, or was
				 * launched and waited for */
	int exit_status;        /* then its wait status */
	int output_err;         /* the sink's first failure (-errno), or 0 */
};

struct engine;

/* Each returns 0 or a negative errno with the engine's error text set,
 * unless it says otherwise. */
struct engine_ops {
	/* -p: resolve the probes in each of the n processes pids (refused
	 * before touching any if they do not resolve in all), then attach
	 * to each and plant them; with -l, resolve only. */
	int (*attach)(struct engine *e, const pid_t *pids, size_t n);
	/* Start argv under trace, stopped before its first instruction. */
	int (*launch)(struct engine *e, char **argv);
	/* Report the process (EV_PROCESS) and its calls until it is gone,
	 * a stop is requested, or deadline_mono (CLOCK_MONOTONIC seconds;
	 * 0: none) has passed. RUN_ERROR sets the error text. */
	enum run_end (*run)(struct engine *e, double deadline_mono);
	/* The i-th function traced (for -l) and the process it is traced
	 * in, or NULL past the last. */
	const struct func_desc *(*func)(const struct engine *e, size_t i, pid_t *pid);
	/* Let the process go, as it was: detach from one attached to; a
	 * launched one is let run on and waited for, or killed when
	 * kill_launched (it must not run main: -l, or tracing never
	 * started). Fills *r either way; 0 or -errno. */
	int (*finish)(struct engine *e, bool kill_launched, struct engine_result *r);
	/* The last failure's one-line text ("internal error" when none). */
	const char *(*error)(const struct engine *e);
	void (*destroy)(struct engine *e);
};

struct engine {
	const struct engine_ops *ops;
};

#endif
