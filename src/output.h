/* Output formats. Each sink renders event records; nothing else. */
#ifndef LATCH_OUTPUT_H
#define LATCH_OUTPUT_H

#include <stdio.h>
#include "event.h"

enum output_format { FMT_TEXT, FMT_JSON };

struct sink;

struct sink_ops {
	/* 0, or -errno when the output failed (-EPIPE: reader went away). */
	int (*event)(struct sink *s, const struct event *e);
	/* Called when the tracer is idle or about to detach: print anything
	 * held back and flush the stream. 0 or -errno. */
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

#endif
