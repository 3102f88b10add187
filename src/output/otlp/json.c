/* Spans and export requests as OTLP/JSON: the protobuf JSON mapping with
 * OTLP's exceptions. Field names in lowerCamelCase, trace and span ids in
 * lowercase hex (not base64), 64-bit integers as decimal strings, enums
 * as numbers. A request is one line: the file exporter writes one a line. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"

static void put_hex(struct otlp_writer *w, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char s[2];

	otlp_put_byte(w, '"');
	for (size_t i = 0; i < n; i++) {
		s[0] = digits[p[i] >> 4];
		s[1] = digits[p[i] & 15];
		otlp_put(w, s, 2);
	}
	otlp_put_byte(w, '"');
}

static void put_piece(void *ctx, const char *p, size_t n)
{
	otlp_put(ctx, p, n);
}

static void put_string(struct otlp_writer *w, const char *str, size_t len)
{
	json_quote(str, len, put_piece, w);
}

static void put_cstr(struct otlp_writer *w, const char *s)
{
	put_string(w, s, strlen(s));
}

/* 64-bit integers are strings: JavaScript's numbers would round them. */
static void put_u64_string(struct otlp_writer *w, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "\"%" PRIu64 "\"", v);
	otlp_put_str(w, num);
}

static void put_i64_string(struct otlp_writer *w, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "\"%" PRId64 "\"", v);
	otlp_put_str(w, num);
}

/* The shortest decimal that reads back as d; JSON has no NaN or
 * infinities, which the mapping spells as strings. */
static void put_double(struct otlp_writer *w, double d)
{
	char num[32];

	if (isnan(d)) {
		otlp_put_str(w, "\"NaN\"");
		return;
	}
	if (isinf(d)) {
		otlp_put_str(w, d < 0 ? "\"-Infinity\"" : "\"Infinity\"");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
	otlp_put_str(w, num);
}

static void put_key_value(struct otlp_writer *w, const struct otlp_attr *at)
{
	otlp_put_str(w, "{\"key\":");
	put_cstr(w, at->key);
	otlp_put_str(w, ",\"value\":{");
	switch (at->kind) {
	case OTLP_STR:
		otlp_put_str(w, "\"stringValue\":");
		put_string(w, at->s, at->len);
		break;
	case OTLP_BOOL:
		otlp_put_str(w, at->b ? "\"boolValue\":true" : "\"boolValue\":false");
		break;
	case OTLP_INT:
		otlp_put_str(w, "\"intValue\":");
		put_i64_string(w, at->i);
		break;
	case OTLP_DOUBLE:
		otlp_put_str(w, "\"doubleValue\":");
		put_double(w, at->d);
		break;
	}
	otlp_put_str(w, "}}");
}

static void put_attributes(struct otlp_writer *w, const struct otlp_attrs *a)
{
	otlp_put_str(w, "\"attributes\":[");
	for (size_t i = 0; a && i < a->n; i++) {
		if (i)
			otlp_put_byte(w, ',');
		put_key_value(w, &a->v[i]);
	}
	otlp_put_byte(w, ']');
}

int otlp_json_span(struct otlp_buf *b, const struct otlp_span *s)
{
	struct otlp_writer w;
	char code[32];

	otlp_writer_init(&w, b);
	otlp_put_str(&w, "{\"traceId\":");
	put_hex(&w, s->trace_id, sizeof(s->trace_id));
	otlp_put_str(&w, ",\"spanId\":");
	put_hex(&w, s->span_id, sizeof(s->span_id));
	if (!otlp_id_is_zero(s->parent_id, sizeof(s->parent_id))) {
		otlp_put_str(&w, ",\"parentSpanId\":");
		put_hex(&w, s->parent_id, sizeof(s->parent_id));
	}
	otlp_put_str(&w, ",\"name\":");
	put_cstr(&w, s->name ? s->name : "");
	otlp_put_str(&w, ",\"kind\":1,\"startTimeUnixNano\":");
	put_u64_string(&w, s->start_ns);
	otlp_put_str(&w, ",\"endTimeUnixNano\":");
	put_u64_string(&w, s->end_ns);
	if (s->attrs.n) {
		otlp_put_byte(&w, ',');
		put_attributes(&w, &s->attrs);
	}
	if (s->status != OTLP_STATUS_UNSET) {
		otlp_put_str(&w, ",\"status\":{");
		if (s->status_message && *s->status_message) {
			otlp_put_str(&w, "\"message\":");
			put_cstr(&w, s->status_message);
			otlp_put_byte(&w, ',');
		}
		snprintf(code, sizeof(code), "\"code\":%d}", (int)s->status);
		otlp_put_str(&w, code);
	}
	otlp_put_byte(&w, '}');
	return otlp_writer_done(&w);
}

int otlp_json_request(struct otlp_buf *out, const struct otlp_attrs *resource,
		      const struct otlp_buf *const *spans, size_t n)
{
	struct otlp_writer w;

	otlp_writer_init(&w, out);
	otlp_put_str(&w, "{\"resourceSpans\":[{\"resource\":{");
	put_attributes(&w, resource);
	otlp_put_str(&w, "},\"scopeSpans\":[{\"scope\":{\"name\":");
	put_cstr(&w, OTLP_SCOPE_NAME);
	otlp_put_str(&w, ",\"version\":");
	put_cstr(&w, LATCH_VERSION);
	otlp_put_str(&w, "},\"spans\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			otlp_put_byte(&w, ',');
		otlp_put(&w, spans[i]->data, spans[i]->len);
	}
	otlp_put_str(&w, "]}]}]}");
	return otlp_writer_done(&w);
}
