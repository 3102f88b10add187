/* OTLP spans without the network: protobuf and JSON encodings, values
 * flattened to attributes, ids, traceparent, key=value lists, the
 * resource. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output/otlp/otlp.h"
#include "output/otlp/priv.h"
#include "core/value.h"

#ifndef LATCH_VERSION
#define LATCH_VERSION "unknown"
#endif

static const uint8_t TRACE[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t SPAN[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t PARENT[8] = { 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8 };

static void span_init(struct otlp_span *s, const char *name, bool root)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->trace_id, TRACE, 16);
	memcpy(s->span_id, SPAN, 8);
	if (!root)
		memcpy(s->parent_id, PARENT, 8);
	s->name = name;
}

static void expect_bytes(const struct otlp_buf *b, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n && i < b->len; i++)
		ck_assert_msg(b->data[i] == want[i], "byte %zu: got %02x, want %02x",
			      i, b->data[i], want[i]);
	ck_assert_uint_eq(b->len, n);
}

static char *json_of(const struct otlp_buf *b)
{
	char *s = malloc(b->len + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, b->data, b->len);
	s[b->len] = '\0';
	return s;
}

/* ---- a protobuf reader of the tests' own ------------------------------ */

/* Walks the wire format independently of the writer: a field at a time,
 * each with its number, wire type and value or bytes. */
struct pb_field {
	unsigned num, wire;
	uint64_t v;              /* varint, fixed64 */
	const uint8_t *p;        /* length-delimited */
	size_t len;
};

struct pb_reader {
	const uint8_t *p, *end;
};

static uint64_t rd_varint(struct pb_reader *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		ck_assert_msg(r->p < r->end, "varint runs off the end");
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	ck_abort_msg("varint longer than ten bytes");
	return 0;
}

/* false at the end of the message */
static bool rd_field(struct pb_reader *r, struct pb_field *f)
{
	uint64_t tag;

	if (r->p == r->end)
		return false;
	tag = rd_varint(r);
	f->num = (unsigned)(tag >> 3);
	f->wire = (unsigned)(tag & 7);
	ck_assert_uint_ne(f->num, 0);
	switch (f->wire) {
	case 0:
		f->v = rd_varint(r);
		break;
	case 1:
		ck_assert_int_ge(r->end - r->p, 8);
		f->v = 0;
		for (int i = 0; i < 8; i++)
			f->v |= (uint64_t)r->p[i] << (8 * i);
		r->p += 8;
		break;
	case 2:
		f->len = rd_varint(r);
		ck_assert_uint_le(f->len, (size_t)(r->end - r->p));
		f->p = r->p;
		r->p += f->len;
		break;
	default:
		ck_abort_msg("wire type %u", f->wire);
	}
	return true;
}

static struct pb_reader sub(const struct pb_field *f)
{
	ck_assert_uint_eq(f->wire, 2);
	return (struct pb_reader){ f->p, f->p + f->len };
}

static bool bytes_eq(const struct pb_field *f, const void *p, size_t n)
{
	return f->wire == 2 && f->len == n && !memcmp(f->p, p, n);
}

/* A KeyValue: its key and its AnyValue's one field. */
static void rd_key_value(const struct pb_field *kvf, char *key, size_t keylen,
			 struct pb_field *any)
{
	struct pb_reader kv = sub(kvf), av;
	struct pb_field f;
	int seen = 0;

	while (rd_field(&kv, &f)) {
		if (f.num == 1) {
			ck_assert_uint_lt(f.len, keylen);
			memcpy(key, f.p, f.len);
			key[f.len] = '\0';
			seen |= 1;
		} else {
			ck_assert_uint_eq(f.num, 2);
			av = sub(&f);
			ck_assert(rd_field(&av, any));
			ck_assert(!rd_field(&av, &f));
			seen |= 2;
		}
	}
	ck_assert_int_eq(seen, 3);
}

/* ---- protobuf --------------------------------------------------------- */

START_TEST(pb_span_exact)
{
	struct otlp_span s;
	struct otlp_buf b = { 0 };
	static const uint8_t want[] = {
		0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0x12, 0x08, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
		0x22, 0x08, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
		0x2a, 0x01, 'f',
		0x30, 0x01,
		0x39, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x41, 0x18, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		/* KeyValue{key "n", value AnyValue{int_value 300}} */
		0x4a, 0x08, 0x0a, 0x01, 'n', 0x12, 0x03, 0x18, 0xac, 0x02,
		/* KeyValue{key "s", value AnyValue{string_value "hi"}} */
		0x4a, 0x09, 0x0a, 0x01, 's', 0x12, 0x04, 0x0a, 0x02, 'h', 'i',
		/* Status{message "x", code ERROR} */
		0x7a, 0x05, 0x12, 0x01, 'x', 0x18, 0x02,
	};

	span_init(&s, "f", false);
	s.start_ns = 0x0102030405060708ull;
	s.end_ns = 0x0102030405060718ull;
	s.status = OTLP_STATUS_ERROR;
	s.status_message = "x";
	ck_assert_int_eq(otlp_attrs_int(&s.attrs, "n", 300), 0);
	ck_assert_int_eq(otlp_attrs_str(&s.attrs, "s", "hi", 2), 0);
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_PROTOBUF, &s), 0);
	expect_bytes(&b, want, sizeof(want));
	otlp_attrs_free(&s.attrs);
	otlp_buf_free(&b);
}
END_TEST

/* A root span has no parent_span_id, an UNSET status no status; OK is
 * a status without a message. Negative ints take ten bytes, doubles are
 * fixed64 little-endian, bools varints. */
START_TEST(pb_span_root_kinds)
{
	struct otlp_span s;
	struct otlp_buf b = { 0 };
	static const uint8_t head[] = {
		0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0x12, 0x08, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
		0x2a, 0x00,
		0x30, 0x01,
		0x39, 0, 0, 0, 0, 0, 0, 0, 0,
		0x41, 0, 0, 0, 0, 0, 0, 0, 0,
		0x4a, 0x10, 0x0a, 0x01, 'i', 0x12, 0x0b, 0x18,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
		/* 0.5 is 0x3fe0000000000000 */
		0x4a, 0x0e, 0x0a, 0x01, 'd', 0x12, 0x09, 0x21, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f,
		0x4a, 0x07, 0x0a, 0x01, 'b', 0x12, 0x02, 0x10, 0x01,
		0x7a, 0x02, 0x18, 0x01,
	};

	span_init(&s, NULL, true);
	ck_assert_int_eq(otlp_attrs_int(&s.attrs, "i", -1), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "d", 0.5), 0);
	ck_assert_int_eq(otlp_attrs_bool(&s.attrs, "b", true), 0);
	s.status = OTLP_STATUS_OK;
	s.status_message = "";
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_PROTOBUF, &s), 0);
	expect_bytes(&b, head, sizeof(head));

	/* UNSET: the same bytes without the status. */
	b.len = 0;
	s.status = OTLP_STATUS_UNSET;
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_PROTOBUF, &s), 0);
	expect_bytes(&b, head, sizeof(head) - 4);
	otlp_attrs_free(&s.attrs);
	otlp_buf_free(&b);
}
END_TEST

/* A byte outside valid UTF-8 becomes the code point of its value (two
 * bytes, as JSON's \u00XX), and the lengths count the repaired
 * bytes; a string past 127 bytes needs a two-byte length, at every level
 * it is nested in. */
START_TEST(pb_strings)
{
	struct otlp_span s;
	struct otlp_buf b = { 0 };
	struct pb_reader r;
	struct pb_field f, any;
	char key[64], big[300];
	int attrs = 0;

	memset(big, 'z', sizeof(big));
	span_init(&s, "bad\xff", true);
	ck_assert_int_eq(otlp_attrs_str(&s.attrs, "k\xc3", "a\xff" "b\xe2\x82", 5), 0);
	ck_assert_int_eq(otlp_attrs_str(&s.attrs, "big", big, sizeof(big)), 0);
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_PROTOBUF, &s), 0);

	r = (struct pb_reader){ b.data, b.data + b.len };
	while (rd_field(&r, &f)) {
		if (f.num == 5)
			ck_assert(bytes_eq(&f, "bad\xc3\xbf", 5));
		if (f.num != 9)
			continue;
		rd_key_value(&f, key, sizeof(key), &any);
		ck_assert_uint_eq(any.num, 1);
		if (attrs++ == 0) {
			ck_assert_str_eq(key, "k\xc3\x83");
			ck_assert(bytes_eq(&any, "a\xc3\xbf" "b\xc3\xa2\xc2\x82", 8));
		} else {
			ck_assert_str_eq(key, "big");
			ck_assert(bytes_eq(&any, big, sizeof(big)));
			/* KeyValue 5 + 3 + 3 + 300 = 311 bytes: 0xb7 0x02 */
			ck_assert_uint_eq(f.len, 311);
			ck_assert_uint_eq(f.p[-2], 0xb7);
			ck_assert_uint_eq(f.p[-1], 0x02);
		}
	}
	ck_assert_int_eq(attrs, 2);
	otlp_attrs_free(&s.attrs);
	otlp_buf_free(&b);
}
END_TEST

START_TEST(pb_request_structure)
{
	struct otlp_span s;
	struct otlp_buf sp[2] = { { 0 }, { 0 } }, out = { 0 };
	const struct otlp_buf *spans[2] = { &sp[0], &sp[1] };
	struct otlp_attrs res = { 0 };
	struct pb_reader r, rs, resource, ss, scope;
	struct pb_field f, g, any;
	char key[64];
	int nres = 0, nscope = 0, nspans = 0, nattrs = 0;

	ck_assert_int_eq(otlp_attrs_str(&res, "service.name", "svc", 3), 0);
	ck_assert_int_eq(otlp_attrs_int(&res, "process.pid", 42), 0);
	span_init(&s, "one", true);
	ck_assert_int_eq(otlp_span_encode(&sp[0], OTLP_PROTOBUF, &s), 0);
	span_init(&s, "two", false);
	/* Enough attributes that the enclosing lengths need two bytes. */
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(otlp_attrs_int(&s.attrs, "latch.arg.n", i), 0);
	ck_assert_int_eq(otlp_span_encode(&sp[1], OTLP_PROTOBUF, &s), 0);
	/* Appended after what out holds. */
	ck_assert_int_eq(otlp_buf_put(&out, "\x99", 1), 0);
	ck_assert_int_eq(otlp_request_encode(&out, OTLP_PROTOBUF, &res, spans, 2), 0);
	ck_assert_uint_eq(out.data[0], 0x99);

	r = (struct pb_reader){ out.data + 1, out.data + out.len };
	ck_assert(rd_field(&r, &f));
	ck_assert_uint_eq(f.num, 1);   /* resource_spans */
	ck_assert(!rd_field(&r, &g));
	rs = sub(&f);
	while (rd_field(&rs, &f)) {
		if (f.num == 1) {           /* resource */
			nres++;
			resource = sub(&f);
			while (rd_field(&resource, &g)) {
				ck_assert_uint_eq(g.num, 1);
				rd_key_value(&g, key, sizeof(key), &any);
				if (nattrs++ == 0) {
					ck_assert_str_eq(key, "service.name");
					ck_assert_uint_eq(any.num, 1);
					ck_assert(bytes_eq(&any, "svc", 3));
				} else {
					ck_assert_str_eq(key, "process.pid");
					ck_assert_uint_eq(any.num, 3);
					ck_assert_uint_eq(any.v, 42);
				}
			}
			continue;
		}
		ck_assert_uint_eq(f.num, 2);   /* scope_spans */
		nscope++;
		ss = sub(&f);
		while (rd_field(&ss, &g)) {
			if (g.num == 1) {
				struct pb_field h;

				scope = sub(&g);
				ck_assert(rd_field(&scope, &h));
				ck_assert_uint_eq(h.num, 1);
				ck_assert(bytes_eq(&h, "latch", 5));
				ck_assert(rd_field(&scope, &h));
				ck_assert_uint_eq(h.num, 2);
				ck_assert(bytes_eq(&h, LATCH_VERSION, strlen(LATCH_VERSION)));
				ck_assert(!rd_field(&scope, &h));
				continue;
			}
			ck_assert_uint_eq(g.num, 2);   /* spans */
			ck_assert_int_lt(nspans, 2);
			ck_assert(bytes_eq(&g, sp[nspans].data, sp[nspans].len));
			nspans++;
		}
	}
	ck_assert_int_eq(nres, 1);
	ck_assert_int_eq(nscope, 1);
	ck_assert_int_eq(nspans, 2);
	ck_assert_int_eq(nattrs, 2);
	ck_assert_uint_gt(sp[1].len, 127);

	/* And inside the second span, what was put there. */
	r = (struct pb_reader){ sp[1].data, sp[1].data + sp[1].len };
	nattrs = 0;
	while (rd_field(&r, &f)) {
		if (f.num == 1)
			ck_assert(bytes_eq(&f, TRACE, 16));
		else if (f.num == 4)
			ck_assert(bytes_eq(&f, PARENT, 8));
		else if (f.num == 5)
			ck_assert(bytes_eq(&f, "two", 3));
		else if (f.num == 6)
			ck_assert_uint_eq(f.v, 1);
		else if (f.num == 9) {
			rd_key_value(&f, key, sizeof(key), &any);
			ck_assert_uint_eq(any.v, (uint64_t)nattrs);
			nattrs++;
		}
	}
	ck_assert_int_eq(nattrs, 20);

	otlp_attrs_free(&s.attrs);
	otlp_attrs_free(&res);
	otlp_buf_free(&sp[0]);
	otlp_buf_free(&sp[1]);
	otlp_buf_free(&out);
}
END_TEST

/* ---- JSON ------------------------------------------------------------- */

START_TEST(json_span_exact)
{
	struct otlp_span s;
	struct otlp_buf b = { 0 };
	char *got;

	span_init(&s, "f", true);
	s.start_ns = 1700000000000000000ull;
	s.end_ns = 1700000000000001000ull;
	s.status = OTLP_STATUS_ERROR;
	s.status_message = "boom";
	ck_assert_int_eq(otlp_attrs_int(&s.attrs, "i", -5), 0);
	ck_assert_int_eq(otlp_attrs_int(&s.attrs, "big", INT64_MIN), 0);
	ck_assert_int_eq(otlp_attrs_str(&s.attrs, "s", "a\"b", 3), 0);
	ck_assert_int_eq(otlp_attrs_bool(&s.attrs, "b", true), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "d", 0.1), 0);
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_JSON, &s), 0);
	got = json_of(&b);
	ck_assert_str_eq(got,
		"{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\","
		"\"spanId\":\"a1a2a3a4a5a6a7a8\",\"name\":\"f\",\"kind\":1,"
		"\"startTimeUnixNano\":\"1700000000000000000\","
		"\"endTimeUnixNano\":\"1700000000000001000\","
		"\"attributes\":["
		"{\"key\":\"i\",\"value\":{\"intValue\":\"-5\"}},"
		"{\"key\":\"big\",\"value\":{\"intValue\":\"-9223372036854775808\"}},"
		"{\"key\":\"s\",\"value\":{\"stringValue\":\"a\\\"b\"}},"
		"{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
		"{\"key\":\"d\",\"value\":{\"doubleValue\":0.1}}],"
		"\"status\":{\"message\":\"boom\",\"code\":2}}");
	free(got);

	/* A child with no attributes and status OK. */
	otlp_attrs_free(&s.attrs);
	span_init(&s, "g", false);
	s.status = OTLP_STATUS_OK;
	b.len = 0;
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_JSON, &s), 0);
	got = json_of(&b);
	ck_assert_str_eq(got,
		"{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\","
		"\"spanId\":\"a1a2a3a4a5a6a7a8\",\"parentSpanId\":\"b1b2b3b4b5b6b7b8\","
		"\"name\":\"g\",\"kind\":1,\"startTimeUnixNano\":\"0\","
		"\"endTimeUnixNano\":\"0\",\"status\":{\"code\":1}}");
	free(got);
	otlp_attrs_free(&s.attrs);
	otlp_buf_free(&b);
}
END_TEST

START_TEST(json_request_exact)
{
	struct otlp_span s;
	struct otlp_buf sp[2] = { { 0 }, { 0 } }, out = { 0 };
	const struct otlp_buf *spans[2] = { &sp[0], &sp[1] };
	struct otlp_attrs res = { 0 };
	char *got, want[1024];

	ck_assert_int_eq(otlp_attrs_str(&res, "service.name", "svc", 3), 0);
	span_init(&s, "a", true);
	ck_assert_int_eq(otlp_span_encode(&sp[0], OTLP_JSON, &s), 0);
	span_init(&s, "b", false);
	ck_assert_int_eq(otlp_span_encode(&sp[1], OTLP_JSON, &s), 0);
	ck_assert_int_eq(otlp_request_encode(&out, OTLP_JSON, &res, spans, 2), 0);
	got = json_of(&out);
	snprintf(want, sizeof(want),
		 "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
		 "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc\"}}]},"
		 "\"scopeSpans\":[{\"scope\":{\"name\":\"latch\",\"version\":\"%s\"},"
		 "\"spans\":[%.*s,%.*s]}]}]}", LATCH_VERSION,
		 (int)sp[0].len, (char *)sp[0].data, (int)sp[1].len, (char *)sp[1].data);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_null(strchr(got, '\n'));
	free(got);
	otlp_attrs_free(&res);
	otlp_buf_free(&sp[0]);
	otlp_buf_free(&sp[1]);
	otlp_buf_free(&out);
}
END_TEST

START_TEST(json_escaping)
{
	struct otlp_span s;
	struct otlp_buf b = { 0 };
	char *got;
	const char *attrs;
	static const char raw[] = "q\"\\/\b\f\n\r\t\x01\x1f\x7f\0z\xc3\xa9\xe2\x82\xac"
		"\xf0\x9f\x98\x80\xff\xc0\xaf\xed\xa0\x80\xe2\x82";

	span_init(&s, "n\n\xfe", true);
	ck_assert_int_eq(otlp_attrs_str(&s.attrs, "k\"\x80", raw, sizeof(raw) - 1), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "nan", NAN), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "inf", INFINITY), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "-inf", -INFINITY), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "big", 1e300), 0);
	ck_assert_int_eq(otlp_attrs_double(&s.attrs, "third", 1.0 / 3), 0);
	ck_assert_int_eq(otlp_span_encode(&b, OTLP_JSON, &s), 0);
	got = json_of(&b);
	ck_assert_ptr_nonnull(strstr(got, "\"name\":\"n\\n\\u00fe\""));
	attrs = strstr(got, "\"attributes\":[");
	ck_assert_ptr_nonnull(attrs);
	ck_assert_str_eq(attrs,
		"\"attributes\":["
		"{\"key\":\"k\\\"\\u0080\",\"value\":{\"stringValue\":"
		"\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u0000z\xc3\xa9\xe2\x82\xac"
		"\xf0\x9f\x98\x80\\u00ff\\u00c0\\u00af"
		"\\u00ed\\u00a0\\u0080\\u00e2\\u0082\"}},"
		"{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
		"{\"key\":\"inf\",\"value\":{\"doubleValue\":\"Infinity\"}},"
		"{\"key\":\"-inf\",\"value\":{\"doubleValue\":\"-Infinity\"}},"
		"{\"key\":\"big\",\"value\":{\"doubleValue\":1e+300}},"
		"{\"key\":\"third\",\"value\":{\"doubleValue\":0.3333333333333333}}]}");
	ck_assert_ptr_null(strchr(got, '\n'));
	free(got);
	otlp_attrs_free(&s.attrs);
	otlp_buf_free(&b);
}
END_TEST

/* ---- values as attributes --------------------------------------------- */

#define VAL(k, ...) ((struct value){ .kind = (k), __VA_ARGS__ })
#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

static const struct otlp_attr *get(const struct otlp_attrs *a, const char *key)
{
	const struct otlp_attr *found = NULL;

	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].key, key))
			continue;
		ck_assert_msg(!found, "%s twice", key);
		found = &a->v[i];
	}
	ck_assert_msg(found, "no %s", key);
	return found;
}

static void has_int(const struct otlp_attrs *a, const char *key, int64_t i)
{
	const struct otlp_attr *at = get(a, key);

	ck_assert_int_eq(at->kind, OTLP_INT);
	ck_assert_int_eq(at->i, i);
}

static void has_str(const struct otlp_attrs *a, const char *key, const char *s)
{
	const struct otlp_attr *at = get(a, key);

	ck_assert_int_eq(at->kind, OTLP_STR);
	ck_assert_uint_eq(at->len, strlen(s));
	ck_assert_mem_eq(at->s, s, at->len);
}

static void has_bool(const struct otlp_attrs *a, const char *key, bool b)
{
	const struct otlp_attr *at = get(a, key);

	ck_assert_int_eq(at->kind, OTLP_BOOL);
	ck_assert_int_eq(at->b, b);
}

START_TEST(value_struct_pointer)
{
	struct value inner[] = { VAL(V_UINT, .name = "x", .u = 7) };
	struct value anon[] = { VAL(V_BOOL, .name = "y", .u = 1) };
	struct value members[] = {
		VAL(V_STR, .name = "method", .u = 0x3000, .text = "GET", .len = 3),
		VAL(V_INT, .name = "len", .i = -3),
		VAL(V_STRUCT, .name = "inner", .kids = inner, .nkids = N(inner)),
		VAL(V_STRUCT, .kids = anon, .nkids = N(anon)),
		VAL(V_OPAQUE, .name = "deep"),
		VAL(V_PTR, .name = "next", .u = 0),
		VAL(V_PTR, .name = "cb", .u = 0x401136, .text = "handler"),
		VAL(V_PTR, .name = "bad", .u = 0x10, .unreadable = true),
	};
	struct value pointee[] = { VAL(V_STRUCT, .kids = members, .nkids = N(members)) };
	struct value r = VAL(V_PTR, .name = "r", .u = 0x7ffd1000, .kids = pointee, .nkids = 1);
	struct otlp_attrs a = { 0 };

	ck_assert_int_eq(otlp_attrs_value(&a, "latch.arg.r", &r), 0);
	has_str(&a, "latch.arg.r", "0x7ffd1000");
	has_str(&a, "latch.arg.r.method", "GET");
	has_int(&a, "latch.arg.r.len", -3);
	has_int(&a, "latch.arg.r.inner.x", 7);
	has_bool(&a, "latch.arg.r.y", true);
	has_str(&a, "latch.arg.r.next", "NULL");
	has_str(&a, "latch.arg.r.cb", "0x401136");
	has_str(&a, "latch.arg.r.cb.sym", "handler");
	has_str(&a, "latch.arg.r.bad", "0x10");
	has_bool(&a, "latch.arg.r.bad.unreadable", true);
	ck_assert_uint_eq(a.n, 10);
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(value_scalar_pointee)
{
	struct value target[] = { VAL(V_INT, .i = 5) };
	struct value p = VAL(V_PTR, .u = 0x2000, .kids = target, .nkids = 1);
	struct value pp = VAL(V_PTR, .u = 0x3000, .kids = &p, .nkids = 1);
	struct value elems[] = { VAL(V_CHAR, .i = 'a'), VAL(V_CHAR, .i = 'b') };
	struct value arr = VAL(V_ARRAY, .kids = elems, .nkids = 2);
	struct value pa = VAL(V_PTR, .u = 0x4000, .kids = &arr, .nkids = 1);
	struct otlp_attrs a = { 0 };

	ck_assert_int_eq(otlp_attrs_value(&a, "pp", &pp), 0);
	has_str(&a, "pp", "0x3000");
	has_str(&a, "pp.*", "0x2000");
	has_int(&a, "pp.*.*", 5);
	ck_assert_uint_eq(a.n, 3);
	otlp_attrs_clear(&a);
	ck_assert_int_eq(otlp_attrs_value(&a, "pa", &pa), 0);
	has_str(&a, "pa", "0x4000");
	has_int(&a, "pa.0", 'a');
	has_int(&a, "pa.1", 'b');
	ck_assert_uint_eq(a.n, 3);
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(value_array)
{
	struct value row[] = { VAL(V_INT, .i = 1), VAL(V_INT, .i = 2) };
	struct value elems[12];
	struct value v = VAL(V_ARRAY, .kids = elems, .nkids = N(elems), .truncated = true);
	struct otlp_attrs a = { 0 };

	for (unsigned i = 0; i < N(elems); i++)
		elems[i] = VAL(V_ARRAY, .kids = row, .nkids = 2);
	elems[11] = VAL(V_INT, .i = 99);
	ck_assert_int_eq(otlp_attrs_value(&a, "latch.arg.v", &v), 0);
	has_int(&a, "latch.arg.v.0.0", 1);
	has_int(&a, "latch.arg.v.0.1", 2);
	has_int(&a, "latch.arg.v.10.1", 2);
	has_int(&a, "latch.arg.v.11", 99);
	has_bool(&a, "latch.arg.v.truncated", true);
	ck_assert_uint_eq(a.n, 11 * 2 + 1 + 1);
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(value_strings)
{
	struct value cut = VAL(V_STR, .u = 0x1000, .text = "ab\0\xff", .len = 4, .truncated = true);
	struct value null = VAL(V_STR, .u = 0);
	struct value bad = VAL(V_STR, .u = 0x10, .unreadable = true);
	struct value empty = VAL(V_STR, .u = 0x1000, .text = "", .len = 0);
	struct otlp_attrs a = { 0 };

	ck_assert_int_eq(otlp_attrs_value(&a, "cut", &cut), 0);
	has_bool(&a, "cut.truncated", true);
	/* The bytes exactly, NUL and bad UTF-8 included. */
	ck_assert_uint_eq(get(&a, "cut")->len, 4);
	ck_assert_mem_eq(get(&a, "cut")->s, "ab\0\xff", 4);
	ck_assert_int_eq(otlp_attrs_value(&a, "null", &null), 0);
	ck_assert_int_eq(otlp_attrs_value(&a, "bad", &bad), 0);
	has_str(&a, "bad", "<unreadable>");
	ck_assert_int_eq(otlp_attrs_value(&a, "empty", &empty), 0);
	has_str(&a, "empty", "");
	ck_assert_uint_eq(a.n, 4);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_str_ne(a.v[i].key, "null");
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(value_scalars)
{
	struct value vs[] = {
		VAL(V_ENUM, .i = 2, .text = "RED"),
		VAL(V_ENUM, .i = 77),
		VAL(V_UINT, .u = UINT64_MAX),
		VAL(V_UINT, .u = INT64_MAX),
		VAL(V_INT, .i = INT64_MIN),
		VAL(V_FLOAT, .f = 0.25, .fbits = 64),
		VAL(V_FLOAT, .f = 1.5L, .fbits = 0),
		VAL(V_BOOL, .u = 2),
		VAL(V_BOOL, .u = 0),
		VAL(V_RAW, .u = 0xffffffffffffff00ull),
		VAL(V_UNAVAIL),
		VAL(V_UNAVAIL, .unreadable = true),
		VAL(V_OPAQUE),
		VAL(V_NONE),
		VAL(V_VARARGS),
	};
	const char *keys[] = { "enum", "enum_n", "umax", "u63", "imin", "d", "ld",
			       "t", "f", "raw", "gone", "unread", "opaque", "none", "va" };
	struct otlp_attrs a = { 0 };
	const struct otlp_attr *at;

	for (unsigned i = 0; i < N(vs); i++)
		ck_assert_int_eq(otlp_attrs_value(&a, keys[i], &vs[i]), 0);
	has_str(&a, "enum", "RED");
	has_int(&a, "enum_n", 77);
	has_str(&a, "umax", "18446744073709551615");
	has_int(&a, "u63", INT64_MAX);
	has_int(&a, "imin", INT64_MIN);
	at = get(&a, "d");
	ck_assert_int_eq(at->kind, OTLP_DOUBLE);
	ck_assert(at->d == 0.25);
	at = get(&a, "ld");
	ck_assert_int_eq(at->kind, OTLP_DOUBLE);
	ck_assert(at->d == 1.5);
	has_bool(&a, "t", true);
	has_bool(&a, "f", false);
	has_int(&a, "raw", -256);
	has_str(&a, "gone", "<optimised out>");
	has_str(&a, "unread", "<unreadable>");
	ck_assert_uint_eq(a.n, 12);
	otlp_attrs_free(&a);
}
END_TEST

/* ---- ids and traceparent ---------------------------------------------- */

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int cmp8(const void *a, const void *b)
{
	return memcmp(a, b, 8);
}

START_TEST(ids_unique)
{
	enum { DRAWS = 1000 };
	static uint8_t t[DRAWS][16], s[DRAWS][8];
	static const uint8_t zero[16];

	for (int i = 0; i < DRAWS; i++) {
		otlp_new_trace_id(t[i]);
		otlp_new_span_id(s[i]);
		ck_assert(memcmp(t[i], zero, 16));
		ck_assert(memcmp(s[i], zero, 8));
	}
	qsort(t, DRAWS, 16, cmp16);
	qsort(s, DRAWS, 8, cmp8);
	for (int i = 1; i < DRAWS; i++) {
		ck_assert(memcmp(t[i - 1], t[i], 16));
		ck_assert(memcmp(s[i - 1], s[i], 8));
	}
}
END_TEST

START_TEST(traceparent)
{
	static const uint8_t tid[16] = { 0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
					 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36 };
	static const uint8_t sid[8] = { 0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7 };
	static const char *bad[] = {
		"",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0G",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
		"00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
		" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	};
	uint8_t t[16], s[8];

	ck_assert_int_eq(otlp_traceparent_parse(
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", t, s), 0);
	ck_assert_mem_eq(t, tid, 16);
	ck_assert_mem_eq(s, sid, 8);
	memset(t, 0, 16);
	/* A later version may carry more, after a dash. */
	ck_assert_int_eq(otlp_traceparent_parse(
		"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-ever", t, s), 0);
	ck_assert_mem_eq(t, tid, 16);
	ck_assert_int_eq(otlp_traceparent_parse(
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff", t, s), 0);
	for (unsigned i = 0; i < N(bad); i++) {
		memset(t, 0x55, 16);
		ck_assert_msg(otlp_traceparent_parse(bad[i], t, s) == -EINVAL, "%s", bad[i]);
		/* Nothing written on failure. */
		ck_assert_uint_eq(t[0], 0x55);
	}
}
END_TEST

/* ---- key=value lists ------------------------------------------------- */

/* What the parser handed over, as "key=value|" per member (NULs inside
 * as "\\0") or "!member|" for a bad one; stops when stop_at calls. */
struct kv_log {
	char text[512];
	unsigned calls, stop_at;
};

static void log_bytes(char *out, const char *s, size_t n)
{
	out += strlen(out);
	for (size_t i = 0; i < n; i++)
		out += sprintf(out, s[i] ? "%c" : "\\0", s[i]);
}

static int kv_logged(void *arg, const struct otlp_kv *kv)
{
	struct kv_log *l = arg;

	if (kv->bad) {
		ck_assert_str_eq(kv->key, "");
		ck_assert_str_eq(kv->value, "");
		strcat(l->text, "!");
		strcat(l->text, kv->member);
	} else {
		ck_assert(!kv->key[kv->key_len] && !kv->value[kv->value_len]);
		log_bytes(l->text, kv->key, kv->key_len);
		strcat(l->text, "=");
		log_bytes(l->text, kv->value, kv->value_len);
	}
	strcat(l->text, "|");
	return ++l->calls == l->stop_at ? -EEXIST : 0;
}

static const char *kv_parsed(const char *list, unsigned flags, int want_rc)
{
	static struct kv_log l;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(otlp_kv_parse(list, flags, kv_logged, &l), want_rc);
	return l.text;
}

START_TEST(kv_members)
{
	static const struct { const char *in, *out, *keys_decoded; } cases[] = {
		{ NULL, "", "" },
		{ "", "", "" },
		{ " ,\t, ,", "", "" },
		{ "a=b", "a=b|", "a=b|" },
		{ " a = b%20c ,,\td=e\t,", "a=b c|d=e|", "a=b c|d=e|" },
		{ "k=a=b,e=", "k=a=b|e=|", "k=a=b|e=|" },
		/* Blanks inside stay; escaped ones at the ends too. */
		{ "k=%20a b%09", "k= a b\t|", "k= a b\t|" },
		{ "k=%3d%2C%25%2c", "k==,%,|", "k==,%,|" },
		{ "k=%F0%9f%98%80", "k=\xf0\x9f\x98\x80|", "k=\xf0\x9f\x98\x80|" },
		{ "k=a%00b", "k=a\\0b|", "k=a\\0b|" },
		/* Keys as written unless asked: a bad escape in one is no error. */
		{ "x%41y=1", "x%41y=1|", "xAy=1|" },
		{ "%zz=1", "%zz=1|", "!%zz=1|" },
		{ "%00=1", "%00=1|", "\\0=1|" },
		/* Bad members are handed over, and the ones after them too. */
		{ "a=1,nothing, =x ,k=%zz,k=50%,k=%4,b=2",
		  "a=1|!nothing|!=x|!k=%zz|!k=50%|!k=%4|b=2|",
		  "a=1|!nothing|!=x|!k=%zz|!k=50%|!k=%4|b=2|" },
	};

	for (unsigned i = 0; i < N(cases); i++) {
		ck_assert_str_eq(kv_parsed(cases[i].in, 0, 0), cases[i].out);
		ck_assert_str_eq(kv_parsed(cases[i].in, OTLP_KV_DECODE_KEYS, 0),
				 cases[i].keys_decoded);
	}
}
END_TEST

START_TEST(kv_stop)
{
	struct kv_log l = { .stop_at = 2 };

	/* The function's first refusal ends the walk and is returned. */
	ck_assert_int_eq(otlp_kv_parse("a=1,bad,c=3", 0, kv_logged, &l), -EEXIST);
	ck_assert_str_eq(l.text, "a=1|!bad|");
	ck_assert_uint_eq(l.calls, 2);
}
END_TEST

START_TEST(kv_hex_digit)
{
	static const char digits[] = "0123456789abcdef", upper[] = "ABCDEF";

	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(otlp_hex_digit(digits[i]), i);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(otlp_hex_digit(upper[i]), 10 + i);
	/* The neighbours of each range. */
	for (const char *c = "/:@G`g %"; *c; c++)
		ck_assert_int_eq(otlp_hex_digit(*c), -1);
	ck_assert_int_eq(otlp_hex_digit('\0'), -1);
	ck_assert_int_eq(otlp_hex_digit((char)0xc1), -1);
}
END_TEST

/* ---- the resource ----------------------------------------------------- */

static const struct otlp_process PROC = {
	.pid = 4242, .exe = "/usr/sbin/server", .command_line = "server --port 8080",
	.comm = "srv",
};

static int build(struct otlp_attrs *a, const struct otlp_process *p, const char *name,
		 char *err, size_t errlen)
{
	otlp_attrs_free(a);
	err[0] = '\0';
	return otlp_resource_build(a, p, name, err, errlen);
}

static size_t count(const struct otlp_attrs *a, const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += !strcmp(a->v[i].key, key);
	return n;
}

START_TEST(resource_attributes)
{
	struct otlp_attrs a = { 0 };
	char err[256], host[256] = "";

	unsetenv("OTEL_SERVICE_NAME");
	setenv("OTEL_RESOURCE_ATTRIBUTES",
	       " deployment.environment = prod , team=a%2Cb%3Dc%20d,,emoji=%F0%9F%98%80,"
	       "host.name=fake,process.pid=1,empty=, sp%20ace=x", 1);
	ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	has_str(&a, "deployment.environment", "prod");
	has_str(&a, "team", "a,b=c d");
	has_str(&a, "emoji", "\xf0\x9f\x98\x80");
	has_str(&a, "empty", "");
	has_str(&a, "sp ace", "x");
	has_str(&a, "service.name", "srv");
	has_int(&a, "process.pid", 4242);
	has_str(&a, "process.executable.path", "/usr/sbin/server");
	has_str(&a, "process.command_line", "server --port 8080");
	ck_assert_int_eq(gethostname(host, sizeof(host) - 1), 0);
	has_str(&a, "host.name", host);
	has_str(&a, "telemetry.sdk.name", "latch");
	has_str(&a, "telemetry.sdk.version", LATCH_VERSION);
	ck_assert_uint_eq(a.n, 5 + 7);
	ck_assert_uint_eq(count(&a, "telemetry.sdk.language"), 0);

	/* Without exe and command line: neither attribute, nor a pid of 0. */
	unsetenv("OTEL_RESOURCE_ATTRIBUTES");
	ck_assert_int_eq(build(&a, &(struct otlp_process){ .comm = "x" }, NULL,
			       err, sizeof(err)), 0);
	ck_assert_uint_eq(count(&a, "process.executable.path"), 0);
	ck_assert_uint_eq(count(&a, "process.command_line"), 0);
	ck_assert_uint_eq(count(&a, "process.pid"), 0);
	ck_assert_uint_eq(a.n, 4);
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(resource_malformed)
{
	static const struct { const char *env, *entry; } cases[] = {
		{ "good=1,bad,also=2", "bad" },
		{ "good=1, =x ,also=2", "=x" },
		{ "good=1,k=%zz,also=2", "k=%zz" },
		{ "good=1,k=50%,also=2", "k=50%" },
		{ "good=1,%00=v,also=2", "%00=v" },
	};
	struct otlp_attrs a = { 0 };
	char err[256], want[256];

	unsetenv("OTEL_SERVICE_NAME");
	for (unsigned i = 0; i < N(cases); i++) {
		setenv("OTEL_RESOURCE_ATTRIBUTES", cases[i].env, 1);
		ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want),
			 "OTEL_RESOURCE_ATTRIBUTES: malformed entry '%s'", cases[i].entry);
		ck_assert_str_eq(err, want);
		/* The rest is there all the same. */
		has_str(&a, "good", "1");
		has_str(&a, "also", "2");
		has_str(&a, "service.name", "srv");
		has_str(&a, "telemetry.sdk.name", "latch");
		ck_assert_uint_eq(a.n, 2 + 7);
	}
	/* The first bad entry is the one reported. */
	setenv("OTEL_RESOURCE_ATTRIBUTES", "a,b", 1);
	ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "OTEL_RESOURCE_ATTRIBUTES: malformed entry 'a'");
	unsetenv("OTEL_RESOURCE_ATTRIBUTES");
	otlp_attrs_free(&a);
}
END_TEST

START_TEST(resource_service_name)
{
	struct otlp_attrs a = { 0 };
	char err[64];

	setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from%20attrs", 1);
	setenv("OTEL_SERVICE_NAME", "from-env", 1);
	ck_assert_int_eq(build(&a, &PROC, "from-flag", err, sizeof(err)), 0);
	has_str(&a, "service.name", "from-flag");
	ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), 0);
	has_str(&a, "service.name", "from-env");
	ck_assert_int_eq(build(&a, &PROC, "", err, sizeof(err)), 0);
	has_str(&a, "service.name", "from-env");
	setenv("OTEL_SERVICE_NAME", "", 1);
	ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), 0);
	has_str(&a, "service.name", "from attrs");
	unsetenv("OTEL_SERVICE_NAME");
	unsetenv("OTEL_RESOURCE_ATTRIBUTES");
	ck_assert_int_eq(build(&a, &PROC, NULL, err, sizeof(err)), 0);
	has_str(&a, "service.name", "srv");
	ck_assert_int_eq(build(&a, &(struct otlp_process){ .exe = "/opt/bin/daemon" },
			       NULL, err, sizeof(err)), 0);
	has_str(&a, "service.name", "daemon");
	ck_assert_int_eq(build(&a, &(struct otlp_process){ 0 }, NULL, err, sizeof(err)), 0);
	has_str(&a, "service.name", "unknown_service");
	otlp_attrs_free(&a);
}
END_TEST

static Suite *otlp_suite(void)
{
	Suite *s = suite_create("otlp");
	TCase *tc = tcase_create("protobuf");

	tcase_add_test(tc, pb_span_exact);
	tcase_add_test(tc, pb_span_root_kinds);
	tcase_add_test(tc, pb_strings);
	tcase_add_test(tc, pb_request_structure);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, json_span_exact);
	tcase_add_test(tc, json_request_exact);
	tcase_add_test(tc, json_escaping);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, value_struct_pointer);
	tcase_add_test(tc, value_scalar_pointee);
	tcase_add_test(tc, value_array);
	tcase_add_test(tc, value_strings);
	tcase_add_test(tc, value_scalars);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_test(tc, ids_unique);
	tcase_add_test(tc, traceparent);
	suite_add_tcase(s, tc);

	tc = tcase_create("kv");
	tcase_add_test(tc, kv_members);
	tcase_add_test(tc, kv_stop);
	tcase_add_test(tc, kv_hex_digit);
	suite_add_tcase(s, tc);

	tc = tcase_create("resource");
	tcase_add_test(tc, resource_attributes);
	tcase_add_test(tc, resource_malformed);
	tcase_add_test(tc, resource_service_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(otlp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
