/* Output formats. Each sink renders event records; nothing else. */
#ifndef LATCH_OUTPUT_H
#define LATCH_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include "event.h"

enum output_format { FMT_TEXT, FMT_JSON, FMT_CHROME, FMT_FOLDED };

struct sink;

struct sink_ops {
	/* 0, or -errno when the output failed (-EPIPE: reader went away). */
	int (*event)(struct sink *s, const struct event *e);
	/* Called about ten times a second while tracing (now_ns: CLOCK_REALTIME):
	 * flush the stream, and print what has been held back for long, so
	 * that a call that blocks still shows. 0 or -errno. */
	int (*tick)(struct sink *s, uint64_t now_ns);
	/* Called before detaching and before destroy: print anything held
	 * back and flush the stream. 0 or -errno. */
	int (*flush)(struct sink *s);
	void (*destroy)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
};

/* 0 or -errno; *out is freed with sink->ops->destroy. */
int sink_open(enum output_format fmt, FILE *out, struct sink **s);
int output_format_parse(const char *name, enum output_format *fmt);
/* -c: a table of calls and durations per function, in fmt, at flush, and
 * every interval_ns (0: never) of the ticks' clock. 0 or -errno. */
int summary_sink_open(enum output_format fmt, FILE *out, uint64_t interval_ns,
		      struct sink **s);
/* Both sinks see every tick and flush (calls first) and every event,
 * except that calls does not see dropped ones. Destroying *s destroys
 * both. 0 or -errno. */
int tee_sink_open(struct sink *calls, struct sink *summary, struct sink **s);

#endif
