/* OpenTelemetry spans (OTLP) from call events: the span model and its two
 * encodings (encode.c, attrs.c, ids.c, resource.c), and the exporter that
 * batches encoded spans to an HTTP receiver or a file from its own thread
 * (export.c, http.c). The sink that turns events into spans is sink.c. */
#ifndef LATCH_OTLP_H
#define LATCH_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/value.h"

enum otlp_encoding { OTLP_PROTOBUF, OTLP_JSON };

/* A growable byte buffer. */
struct otlp_buf {
	uint8_t *data;
	size_t len, cap;
};

int otlp_buf_put(struct otlp_buf *b, const void *p, size_t n);   /* 0 or -ENOMEM */
void otlp_buf_free(struct otlp_buf *b);

/* Attributes: the AnyValue kinds latch produces. */
enum otlp_kind { OTLP_STR, OTLP_INT, OTLP_DOUBLE, OTLP_BOOL };

struct otlp_attr {
	char *key;                 /* owned */
	enum otlp_kind kind;
	union {
		struct { char *s; size_t len; };   /* owned; may hold any bytes */
		int64_t i;
		double d;
		bool b;
	};
};

struct otlp_attrs {
	struct otlp_attr *v;
	size_t n, cap;
};

/* Each 0 or -ENOMEM; the key and string are copied. */
int otlp_attrs_str(struct otlp_attrs *a, const char *key, const char *s, size_t len);
int otlp_attrs_int(struct otlp_attrs *a, const char *key, int64_t i);
int otlp_attrs_double(struct otlp_attrs *a, const char *key, double d);
int otlp_attrs_bool(struct otlp_attrs *a, const char *key, bool b);
/* A decoded value as attributes named key: a scalar as its OTLP type
 * (strings as strings, integers as ints, an enum as its name), a struct
 * flattened to "key.member", an array to "key.0", "key.1", ..., as deep
 * as the value was decoded; the full rules are in output/otlp/attrs.c.
 * 0 or -ENOMEM. */
int otlp_attrs_value(struct otlp_attrs *a, const char *key, const struct value *v);
void otlp_attrs_clear(struct otlp_attrs *a);   /* frees the entries, keeps v */
void otlp_attrs_free(struct otlp_attrs *a);

enum otlp_status { OTLP_STATUS_UNSET = 0, OTLP_STATUS_OK = 1, OTLP_STATUS_ERROR = 2 };

struct otlp_span {
	uint8_t trace_id[16];
	uint8_t span_id[8];
	uint8_t parent_id[8];      /* all zero: a root span */
	const char *name;
	uint64_t start_ns, end_ns; /* CLOCK_REALTIME */
	enum otlp_status status;
	const char *status_message; /* NULL or "" for none */
	struct otlp_attrs attrs;
};

/* Appends one opentelemetry.proto.trace.v1.Span, kind INTERNAL: in
 * protobuf the message's bytes (no field tag or length), in JSON one
 * object per the OTLP/JSON mapping (hex ids, int64 as strings). 0 or
 * -ENOMEM. */
int otlp_span_encode(struct otlp_buf *b, enum otlp_encoding enc, const struct otlp_span *s);

/* One ExportTraceServiceRequest: one ResourceSpans with the resource
 * attributes, one ScopeSpans with scope {name "latch", version}, and the
 * n spans, each of spans[i] encoded by otlp_span_encode in the same
 * encoding. Appended to out. 0 or -ENOMEM. */
int otlp_request_encode(struct otlp_buf *out, enum otlp_encoding enc,
			const struct otlp_attrs *resource,
			const struct otlp_buf *const *spans, size_t n);

/* Random, well-formed ids (never all zero) from a generator seeded once
 * from getrandom. Not thread-safe: the tracing thread makes them all. */
void otlp_new_trace_id(uint8_t id[16]);
void otlp_new_span_id(uint8_t id[8]);
/* W3C traceparent "00-<32 hex>-<16 hex>-<2 hex>": 0 or -EINVAL (also
 * for all-zero ids and version ff). */
int otlp_traceparent_parse(const char *s, uint8_t trace_id[16], uint8_t span_id[8]);

/* What the resource says about the traced process. */
struct otlp_process {
	int pid;
	const char *exe;          /* /proc/PID/exe target, or NULL */
	const char *command_line; /* argv joined by spaces, or NULL */
	const char *comm;         /* process name, or NULL */
};

/* The resource attributes: OTEL_RESOURCE_ATTRIBUTES (k=v,... percent-
 * decoded) first, then latch's own, which win: service.name from
 * service_name (--service-name), else OTEL_SERVICE_NAME, else a
 * service.name from OTEL_RESOURCE_ATTRIBUTES, else the process name;
 * process.pid, process.executable.path, process.command_line,
 * host.name, telemetry.sdk.name "latch", telemetry.sdk.version. 0,
 * -ENOMEM, or -EINVAL with err set for a malformed entry of
 * OTEL_RESOURCE_ATTRIBUTES: that entry is left out, the attributes are
 * otherwise complete. */
int otlp_resource_build(struct otlp_attrs *a, const struct otlp_process *p,
			const char *service_name, char *err, size_t errlen);

/* The exporter: a bounded queue of encoded spans and a thread that sends
 * them in batches. */
struct otlp_exporter_config {
	const char *url;          /* http:// or https:// endpoint; NULL with file */
	FILE *file;               /* --otlp-file: one JSON request per line */
	enum otlp_encoding enc;   /* of the pushed spans; file needs OTLP_JSON */
	const char *headers;      /* OTEL_EXPORTER_OTLP_HEADERS form "k=v,k2=v2"
				   * (percent-encoded values), or NULL */
	size_t max_queue;         /* spans; OTEL_BSP_MAX_QUEUE_SIZE, 2048 */
	size_t max_batch;         /* spans per request; OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512 */
	uint64_t delay_ns;        /* send at least this often; OTEL_BSP_SCHEDULE_DELAY, 5 s */
	uint64_t timeout_ns;      /* one request, and the final flush; OTEL_EXPORTER_OTLP_TIMEOUT, 10 s */
	const struct otlp_attrs *resource;   /* borrowed until stop */
	/* Once per kind of trouble; may be NULL. Called from the sender
	 * thread, and from push when the queue is first full: must be
	 * thread-safe (one fprintf to stderr is). */
	void (*warn)(const char *msg);
};

struct otlp_export_stats {
	uint64_t queued;      /* spans accepted by push */
	uint64_t sent;        /* spans the receiver accepted (2xx) or written to the file */
	uint64_t dropped;     /* spans refused by push: queue full */
	uint64_t failed;      /* spans given up on: rejected, retries exhausted, or left at stop */
	uint64_t retries;     /* requests sent again */
};

struct otlp_exporter;

/* Starts the thread. 0 or -errno; -EINVAL with a bad url or headers. */
int otlp_exporter_start(const struct otlp_exporter_config *c, struct otlp_exporter **x);
/* Queues one encoded span and takes its buffer (b is left empty). Never
 * blocks on the network: a full queue drops the span and counts it. */
void otlp_exporter_push(struct otlp_exporter *x, struct otlp_buf *b);
/* Sends what is queued, waiting at most timeout_ns, then stops the thread
 * and frees x. *st gets the counts (may be NULL). */
void otlp_exporter_stop(struct otlp_exporter *x, struct otlp_export_stats *st);

#endif
