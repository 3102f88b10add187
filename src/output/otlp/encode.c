/* Spans and export requests as OTLP protobuf (opentelemetry-proto v1),
 * written by hand: a few message types need only varints, fixed64s and
 * length-delimited fields, which is less than a protobuf library costs.
 * The JSON encoding is output/otlp/json.c; both are chosen here. */
#include <string.h>
#include "output/otlp/priv.h"

enum wire { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2 };

/* Field numbers, from opentelemetry/proto/{trace,common,resource}/v1 and
 * collector/trace/v1. */
enum {
	REQUEST_RESOURCE_SPANS = 1,
	RESOURCE_SPANS_RESOURCE = 1, RESOURCE_SPANS_SCOPE_SPANS = 2,
	RESOURCE_ATTRIBUTES = 1,
	SCOPE_SPANS_SCOPE = 1, SCOPE_SPANS_SPANS = 2,
	SCOPE_NAME = 1, SCOPE_VERSION = 2,
	SPAN_TRACE_ID = 1, SPAN_SPAN_ID = 2, SPAN_PARENT_SPAN_ID = 4,
	SPAN_NAME = 5, SPAN_KIND = 6, SPAN_START = 7, SPAN_END = 8,
	SPAN_ATTRIBUTES = 9, SPAN_STATUS = 15,
	STATUS_MESSAGE = 2, STATUS_CODE = 3,
	KEY_VALUE_KEY = 1, KEY_VALUE_VALUE = 2,
	ANY_STRING = 1, ANY_BOOL = 2, ANY_INT = 3, ANY_DOUBLE = 4,
};

#define SPAN_KIND_INTERNAL 1

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_varint(struct otlp_writer *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	otlp_put(w, b, n);
}

static void put_tag(struct otlp_writer *w, unsigned field, enum wire t)
{
	put_varint(w, (uint64_t)field << 3 | t);
}

static void put_uint(struct otlp_writer *w, unsigned field, uint64_t v)
{
	put_tag(w, field, WIRE_VARINT);
	put_varint(w, v);
}

static void put_fixed64(struct otlp_writer *w, unsigned field, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_tag(w, field, WIRE_I64);
	otlp_put(w, b, sizeof(b));
}

static void put_bytes(struct otlp_writer *w, unsigned field, const void *p, size_t n)
{
	put_tag(w, field, WIRE_LEN);
	put_varint(w, n);
	otlp_put(w, p, n);
}

static void put_string(struct otlp_writer *w, unsigned field, const char *s, size_t len)
{
	put_tag(w, field, WIRE_LEN);
	put_varint(w, otlp_utf8_fixed_len(s, len));
	otlp_put_utf8(w, s, len);
}

static void put_cstr(struct otlp_writer *w, unsigned field, const char *s)
{
	put_string(w, field, s, strlen(s));
}

/* A nested message: its length goes before it but is known only after,
 * so one byte is kept for it (what most messages need) and the body is
 * moved along when the length takes more. */
static size_t begin(struct otlp_writer *w, unsigned field)
{
	put_tag(w, field, WIRE_LEN);
	otlp_put_byte(w, 0);
	return w->b->len;
}

static void end(struct otlp_writer *w, size_t body)
{
	struct otlp_buf *b = w->b;
	size_t len, extra;

	if (w->err)
		return;
	len = b->len - body;
	extra = varint_size(len) - 1;
	if (extra) {
		otlp_put(w, "\0\0\0\0\0\0\0\0\0", extra);
		if (w->err)
			return;
		memmove(b->data + body + extra, b->data + body, len);
	}
	/* Written in place of the kept byte and the room made after it. */
	b->len = body - 1;
	put_varint(w, len);
	b->len = body + extra + len;
}

static void put_key_value(struct otlp_writer *w, unsigned field, const struct otlp_attr *at)
{
	size_t kv = begin(w, field), any;
	union { double d; uint64_t u; } bits;

	put_cstr(w, KEY_VALUE_KEY, at->key);
	any = begin(w, KEY_VALUE_VALUE);
	switch (at->kind) {
	case OTLP_STR:
		put_string(w, ANY_STRING, at->s, at->len);
		break;
	case OTLP_BOOL:
		put_uint(w, ANY_BOOL, at->b);
		break;
	case OTLP_INT:
		/* int64: negative numbers take all ten bytes, as protobuf says. */
		put_uint(w, ANY_INT, (uint64_t)at->i);
		break;
	case OTLP_DOUBLE:
		bits.d = at->d;
		put_fixed64(w, ANY_DOUBLE, bits.u);
		break;
	}
	end(w, any);
	end(w, kv);
}

static int pb_span(struct otlp_buf *b, const struct otlp_span *s)
{
	struct otlp_writer w;
	size_t status;

	otlp_writer_init(&w, b);
	put_bytes(&w, SPAN_TRACE_ID, s->trace_id, sizeof(s->trace_id));
	put_bytes(&w, SPAN_SPAN_ID, s->span_id, sizeof(s->span_id));
	if (!otlp_id_is_zero(s->parent_id, sizeof(s->parent_id)))
		put_bytes(&w, SPAN_PARENT_SPAN_ID, s->parent_id, sizeof(s->parent_id));
	put_cstr(&w, SPAN_NAME, s->name ? s->name : "");
	put_uint(&w, SPAN_KIND, SPAN_KIND_INTERNAL);
	put_fixed64(&w, SPAN_START, s->start_ns);
	put_fixed64(&w, SPAN_END, s->end_ns);
	for (size_t i = 0; i < s->attrs.n; i++)
		put_key_value(&w, SPAN_ATTRIBUTES, &s->attrs.v[i]);
	if (s->status != OTLP_STATUS_UNSET) {
		status = begin(&w, SPAN_STATUS);
		if (s->status_message && *s->status_message)
			put_cstr(&w, STATUS_MESSAGE, s->status_message);
		put_uint(&w, STATUS_CODE, s->status);
		end(&w, status);
	}
	return otlp_writer_done(&w);
}

static int pb_request(struct otlp_buf *out, const struct otlp_attrs *resource,
		      const struct otlp_buf *const *spans, size_t n)
{
	struct otlp_writer w;
	size_t rs, res, ss, scope;

	otlp_writer_init(&w, out);
	rs = begin(&w, REQUEST_RESOURCE_SPANS);
	res = begin(&w, RESOURCE_SPANS_RESOURCE);
	for (size_t i = 0; resource && i < resource->n; i++)
		put_key_value(&w, RESOURCE_ATTRIBUTES, &resource->v[i]);
	end(&w, res);
	ss = begin(&w, RESOURCE_SPANS_SCOPE_SPANS);
	scope = begin(&w, SCOPE_SPANS_SCOPE);
	put_cstr(&w, SCOPE_NAME, OTLP_SCOPE_NAME);
	put_cstr(&w, SCOPE_VERSION, LATCH_VERSION);
	end(&w, scope);
	for (size_t i = 0; i < n; i++)
		put_bytes(&w, SCOPE_SPANS_SPANS, spans[i]->data, spans[i]->len);
	end(&w, ss);
	end(&w, rs);
	return otlp_writer_done(&w);
}

int otlp_span_encode(struct otlp_buf *b, enum otlp_encoding enc, const struct otlp_span *s)
{
	return enc == OTLP_JSON ? otlp_json_span(b, s) : pb_span(b, s);
}

int otlp_request_encode(struct otlp_buf *out, enum otlp_encoding enc,
			const struct otlp_attrs *resource,
			const struct otlp_buf *const *spans, size_t n)
{
	if (enc == OTLP_JSON)
		return otlp_json_request(out, resource, spans, n);
	return pb_request(out, resource, spans, n);
}
