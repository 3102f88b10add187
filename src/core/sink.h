/* A sink: where an engine sends its event records (output/ has them). */
#ifndef LATCH_SINK_H
#define LATCH_SINK_H

#include <stdint.h>
#include <stdio.h>
#include "core/event.h"

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

#endif
