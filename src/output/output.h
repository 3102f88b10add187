/* Output formats: the sinks (core/sink.h) that render event records,
 * and nothing else. */
#ifndef LATCH_OUTPUT_H
#define LATCH_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "core/event.h"
#include "core/opts.h"
#include "core/sink.h"

/* 0 or -errno; *out is freed with sink->ops->destroy. style: the text
 * format's line starts (NULL: the default). */
int sink_open(enum output_format fmt, const struct text_style *style, FILE *out,
	      struct sink **s);
int output_format_parse(const char *name, enum output_format *fmt);
/* -c: a table of calls and durations per function, in fmt, at flush, and
 * every interval_ns (0: never) of the ticks' clock. 0 or -errno. */
int summary_sink_open(enum output_format fmt, FILE *out, uint64_t interval_ns,
		      struct sink **s);
/* Both sinks see every tick and flush (calls first) and every event,
 * except that calls does not see dropped ones. Destroying *s destroys
 * both. 0 or -errno. */
int tee_sink_open(struct sink *calls, struct sink *summary, struct sink **s);

/* --otlp, --otlp-file: OpenTelemetry spans of the calls. */
struct otlp_sink_config {
	const char *url;          /* NULL: none; "": from the environment */
	const char *protocol;     /* "http/protobuf", "http/json", or NULL:
				   * from the environment */
	FILE *file;               /* OTLP/JSON lines, or NULL */
	const char *service_name; /* or NULL */
	const char *trace_parent; /* W3C traceparent of the top-level calls, or NULL */
	const char *error_if;     /* its text, for the spans' status message */
	bool no_returns;          /* a call's span ends where it starts */
	void (*warn)(const char *msg);   /* export trouble; thread-safe; may be NULL */
	void (*report)(const char *msg); /* the closing counts, at destroy; may be NULL */
};

/* Starts the export; 0, or -errno with err set (-EINVAL: a bad URL,
 * protocol or header in the environment). */
int otlp_sink_open(const struct otlp_sink_config *c, struct sink **s,
		   char *err, size_t errlen);
/* "http/protobuf" or "http/json": 0, -ENOTSUP for "grpc", else -EINVAL. */
int otlp_protocol_parse(const char *name, bool *json);
/* A W3C traceparent: 0 or -EINVAL. */
int otlp_traceparent_check(const char *s);
/* NULL when --otlp can export over HTTP, else why not, for the user:
 * the Makefile links latch-static without libcurl (output/otlp/http_none.c). */
const char *otlp_http_unavailable(void);

/* "SIGKILL", or "signal 77" for one without a name (the text sink's
 * process lines, and cmd's line on how a traced process ended). */
void render_signal(char *buf, size_t len, int sig);

#endif
