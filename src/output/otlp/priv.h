/* Private to src/output/otlp: what its files share. The encoders' byte
 * buffers, attribute key-value sets, the tree of open spans and the
 * configuration from the environment; the HTTP transport's seam is
 * export_priv.h, the one header with libcurl's types. */
#ifndef LATCH_OTLP_PRIV_H
#define LATCH_OTLP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "output/otlp/otlp.h"
#include "output/output.h"
#include "output/priv.h"
#include "util/hashmap.h"

/* The encoders: buffer writers with a sticky error, and
 * the UTF-8 repair both encodings apply to every string they write. */
#ifndef LATCH_VERSION
#define LATCH_VERSION "unknown"
#endif

#define OTLP_SCOPE_NAME "latch"

/* A writer appends to b until its first failure, which it keeps in err:
 * encoders check once at the end instead of after every field. */
struct otlp_writer {
	struct otlp_buf *b;
	int err;
	size_t start;   /* b->len when the writer began: undone on failure */
};

void otlp_writer_init(struct otlp_writer *w, struct otlp_buf *b);
/* w->err; on failure also drops what the writer had appended. */
int otlp_writer_done(struct otlp_writer *w);
void otlp_put(struct otlp_writer *w, const void *p, size_t n);
void otlp_put_byte(struct otlp_writer *w, uint8_t c);
void otlp_put_str(struct otlp_writer *w, const char *s);

/* The length of s once each byte outside a valid sequence is replaced
 * by the code point of its value (two bytes; output/render.h's rule);
 * len itself when s is valid UTF-8. */
size_t otlp_utf8_fixed_len(const char *s, size_t len);
/* Appends s with that replacement. */
void otlp_put_utf8(struct otlp_writer *w, const char *s, size_t len);

/* No byte set: an id that means "none" (output/otlp/ids.c). */
bool otlp_id_is_zero(const uint8_t *id, size_t n);

/* The JSON encoder's halves (output/otlp/json.c), called by output/otlp/encode.c. */
int otlp_json_span(struct otlp_buf *b, const struct otlp_span *s);
int otlp_json_request(struct otlp_buf *out, const struct otlp_attrs *resource,
		      const struct otlp_buf *const *spans, size_t n);

/* The "key=value,key=value" lists of the OTel environment variables
 * (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS): W3C Baggage
 * without properties, blanks around members, keys and values trimmed,
 * values percent-decoded. What counts as an error is each caller's. */
/* One non-empty member of a list, as handed to the caller's function. */
struct otlp_kv {
	const char *member;   /* trimmed, as written: for messages */
	/* NUL-terminated; decoding may put other NULs inside, which the
	 * lengths count. "" when bad. */
	const char *key, *value;
	size_t key_len, value_len;
	/* No '=', nothing before it, or a '%' without two hex digits. */
	bool bad;
};

enum {
	/* Keys are percent-decoded too (Baggage keys are plain tokens). */
	OTLP_KV_DECODE_KEYS = 1,
};

/* fn(arg, kv) for each non-empty member of list, in order, until fn
 * returns other than 0; bad members are handed over too, to be skipped
 * or refused. 0, -ENOMEM, or what fn returned. NULL is an empty list. */
int otlp_kv_parse(const char *list, unsigned flags,
		  int (*fn)(void *arg, const struct otlp_kv *kv), void *arg);

/* 0 to 15 for a hex digit of either case, else -1. */
int otlp_hex_digit(char c);

/* Who is whose parent: the spans of each thread's open calls, and the
 * finished spans whose parent is not known yet.
 *
 * A call whose report waits for its return condition ("f ret retval <
 * 0") arrives after the calls it made, with its entry time, just before
 * its return; one that fails the condition never arrives. The depth of
 * each event (open traced calls below it) shows such a hole below a call:
 * then its span, and the spans under it, wait. The late call adopts the
 * spans that started inside it at the depth above it; when the thread
 * goes below the hole without one, the waiting spans take the nearest
 * open call as their parent, as they would have without the hole. */
struct otlp_tree {
	struct hashmap threads;       /* tid -> struct tree_thread */
	const uint8_t *root_trace;    /* --trace-parent's trace and span, or NULL */
	const uint8_t *root_parent;
	/* A span is finished and its parent known: send it and free its
	 * attributes (also on error). 0 or -errno. */
	int (*emit)(void *ctx, struct otlp_span *s);
	void *ctx;
};

/* A call at depth: s has its name, start and attributes; its ids are
 * set here and the tree owns it. 0 or -ENOMEM (s is freed). */
int otlp_tree_call(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		   struct otlp_span *s);
/* The end of a call at depth: complete (status, end, result) is called
 * on its span when it was seen, which is then sent or left to wait.
 * 0 or -errno. */
int otlp_tree_end(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		  int (*complete)(void *arg, struct otlp_span *s), void *arg);
/* Tracing stopped: calls still open end at end_ns with mark (an
 * attribute set to true), and every waiting span is sent. */
void otlp_tree_flush(struct otlp_tree *t, uint64_t end_ns, const char *mark);
void otlp_tree_free(struct otlp_tree *t);

/* The OTLP exporter's settings: the command line's, else the OTEL_*
 * environment variables', else OpenTelemetry's defaults. */
struct otlp_settings {
	char url[2048];              /* "" when there is no HTTP export */
	enum otlp_encoding enc;
	const char *headers;         /* from the environment, or NULL */
	size_t max_queue, max_batch;
	uint64_t delay_ns, timeout_ns;
};

/* 0, or -EINVAL with err set. A malformed number in the environment is
 * a warning (through warn), and the default is used. */
int otlp_settings_read(const struct otlp_sink_config *c, struct otlp_settings *s,
		       char *err, size_t errlen);

#endif
