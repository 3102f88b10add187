/* Output sinks: value rendering, JSON escaping, the text and JSON formats,
 * write errors. */
#include <check.h>
#include "capture.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/event.h"
#include "output/output.h"
#include "output/priv.h"
#include "core/value.h"

/* 2024-11-23 22:13:20.123456789 UTC */
#define T0 1732400000123456789ull
#define US(n) (T0 + (uint64_t)(n) * 1000u)

static char *render(void (*fn)(FILE *, const struct value *),
		    const struct value *v)
{
	struct capture c;

	fn(cap_open(&c), v);
	return cap_close(&c);
}

#define EXPECT_RENDER(fn, v, want) do {					\
		struct value v_ = (v);					\
		char *got_ = render(fn, &v_);				\
		ck_assert_str_eq(got_, want);				\
		free(got_);						\
	} while (0)
#define EXPECT_TEXT(v, want) EXPECT_RENDER(render_text_value, v, want)
#define EXPECT_JSON(v, want) EXPECT_RENDER(render_json_value, v, want)

#define VAL(k, ...) ((struct value){ .kind = (k), __VA_ARGS__ })
static struct value vint(int64_t i) { return VAL(V_INT, .i = i); }
static struct value vuint(uint64_t u) { return VAL(V_UINT, .u = u); }
static struct value vbool(uint64_t u) { return VAL(V_BOOL, .u = u); }
static struct value vchar(int64_t i) { return VAL(V_CHAR, .i = i); }
static struct value vptr(uint64_t u) { return VAL(V_PTR, .u = u); }
static struct value vraw(uint64_t u) { return VAL(V_RAW, .u = u); }
static struct value vkind(enum value_kind k) { return VAL(k, .u = 0); }

static struct value venum(int64_t i, const char *name)
{
	return (struct value){ .kind = V_ENUM, .i = i, .text = (char *)name };
}

/* The bytes are borrowed: fine for rendering, never freed here. */
static struct value vstr(const char *s, size_t len, bool truncated)
{
	return (struct value){ .kind = V_STR, .u = 0x5000, .text = (char *)s,
			       .len = len, .truncated = truncated };
}

static struct value unreadable(struct value v)
{
	v.unreadable = true;
	return v;
}

static struct value named(const char *name, struct value v)
{
	v.name = name;
	return v;
}

/* ---- values ---------------------------------------------------------- */

START_TEST(text_values)
{
	EXPECT_TEXT(vint(0), "0");
	EXPECT_TEXT(vint(-5), "-5");
	EXPECT_TEXT(vint(INT64_MIN), "-9223372036854775808");
	EXPECT_TEXT(vuint(UINT64_MAX), "18446744073709551615");
	EXPECT_TEXT(vbool(0), "false");
	EXPECT_TEXT(vbool(2), "true");
	EXPECT_TEXT(vchar('a'), "'a'");
	EXPECT_TEXT(vchar('\n'), "'\\n'");
	EXPECT_TEXT(vchar('\t'), "'\\t'");
	EXPECT_TEXT(vchar('\r'), "'\\r'");
	EXPECT_TEXT(vchar(0), "'\\0'");
	EXPECT_TEXT(vchar(0x7f), "'\\x7f'");
	EXPECT_TEXT(vchar(1), "'\\x01'");
	EXPECT_TEXT(vchar('\''), "'\\''");
	EXPECT_TEXT(vchar('"'), "'\"'");
	EXPECT_TEXT(vchar('\\'), "'\\\\'");
	EXPECT_TEXT(vchar(-1), "'\\xff'");
	EXPECT_TEXT(vchar(0xe9), "'\\xe9'");
	EXPECT_TEXT(venum(1, "RED"), "RED");
	EXPECT_TEXT(venum(42, NULL), "42");
	EXPECT_TEXT(venum(-3, NULL), "-3");
	EXPECT_TEXT(vptr(0x7ffd1234), "0x7ffd1234");
	EXPECT_TEXT(vptr(0), "NULL");
	EXPECT_TEXT(unreadable(vptr(0xdead)), "0xdead <unreadable>");
	EXPECT_TEXT(vstr("abc", 3, false), "\"abc\"");
	EXPECT_TEXT(vstr("abcd", 4, true), "\"abcd\"...");
	EXPECT_TEXT(vstr("", 0, false), "\"\"");
	EXPECT_TEXT(vstr("a\n\t\r\\\"\x01\x7f\xc3\xa9\0z", 12, false),
		    "\"a\\n\\t\\r\\\\\\\"\\x01\\x7f\\xc3\\xa9\\x00z\"");
	EXPECT_TEXT(((struct value){ .kind = V_STR, .u = 0 }), "NULL");
	EXPECT_TEXT(unreadable(((struct value){ .kind = V_STR, .u = 0x1234 })),
		    "0x1234 <unreadable>");
	EXPECT_TEXT(vkind(V_OPAQUE), "{...}");
	EXPECT_TEXT(vraw(0x1f), "0x1f");
	EXPECT_TEXT(vkind(V_UNAVAIL), "<optimised out>");
	EXPECT_TEXT(vkind(V_VARARGS), "...");
}
END_TEST

START_TEST(text_args)
{
	struct value args[] = {
		named("a", vint(1)),
		named("s", vstr("abc", 3, false)),
		named("p", vptr(0)),
		named("rest", vkind(V_VARARGS)),
	};
	struct capture c;
	char *got;

	render_text_args(cap_open(&c), args, 4);
	got = cap_close(&c);
	ck_assert_str_eq(got, "a=1, s=\"abc\", p=NULL, ...");
	free(got);
	render_text_args(cap_open(&c), args, 0);
	got = cap_close(&c);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

START_TEST(json_values)
{
	EXPECT_JSON(vint(-5), "-5");
	EXPECT_JSON(vint(INT64_MIN), "-9223372036854775808");
	EXPECT_JSON(vint(INT64_MAX), "9223372036854775807");
	EXPECT_JSON(vuint(UINT64_MAX), "18446744073709551615");
	EXPECT_JSON(vbool(0), "false");
	EXPECT_JSON(vbool(1), "true");
	EXPECT_JSON(vchar('a'), "\"a\"");
	EXPECT_JSON(vchar('"'), "\"\\\"\"");
	EXPECT_JSON(vchar('\n'), "\"\\n\"");
	EXPECT_JSON(vchar(0), "\"\\u0000\"");
	EXPECT_JSON(vchar(-1), "\"\\u00ff\"");
	EXPECT_JSON(vchar(0xe9), "\"\\u00e9\"");
	EXPECT_JSON(vchar(0x263a), "\"\\u263a\"");
	EXPECT_JSON(vchar(0x1f600), "\"\\ud83d\\ude00\"");
	EXPECT_JSON(venum(1, "RED"), "\"RED\"");
	EXPECT_JSON(venum(42, NULL), "42");
	EXPECT_JSON(vptr(0x7ffd1234), "\"0x7ffd1234\"");
	EXPECT_JSON(vptr(0), "null");
	EXPECT_JSON(unreadable(vptr(0xdead)), "{\"ptr\":\"0xdead\",\"unreadable\":true}");
	EXPECT_JSON(vstr("abc", 3, false), "\"abc\"");
	EXPECT_JSON(vstr("abcd", 4, true), "{\"str\":\"abcd\",\"truncated\":true}");
	EXPECT_JSON(vstr("", 0, false), "\"\"");
	EXPECT_JSON(((struct value){ .kind = V_STR, .u = 0 }), "null");
	EXPECT_JSON(unreadable(((struct value){ .kind = V_STR, .u = 0x1234 })),
		    "{\"ptr\":\"0x1234\",\"unreadable\":true}");
	EXPECT_JSON(vkind(V_OPAQUE), "\"{...}\"");
	EXPECT_JSON(vraw(0x1f), "\"0x1f\"");
	EXPECT_JSON(vraw(0), "\"0x0\"");
	EXPECT_JSON(vkind(V_UNAVAIL), "\"<optimised out>\"");
	EXPECT_JSON(vkind(V_VARARGS), "\"...\"");
	EXPECT_JSON(vkind(V_NONE), "null");
}
END_TEST

/* ---- value trees and floats ------------------------------------------ */

static struct value vfloat(long double f, unsigned bits)
{
	return (struct value){ .kind = V_FLOAT, .f = f, .fbits = bits };
}

START_TEST(floats)
{
	EXPECT_TEXT(vfloat(0.1f, 32), "0.1");
	EXPECT_TEXT(vfloat(0.1, 64), "0.1");
	EXPECT_TEXT(vfloat(1.0 / 3, 64), "0.3333333333333333");
	EXPECT_TEXT(vfloat(1.0f / 3, 32), "0.33333334");
	EXPECT_TEXT(vfloat(1.5, 64), "1.5");
	EXPECT_TEXT(vfloat(-0.0, 64), "-0");
	EXPECT_TEXT(vfloat(1e30, 64), "1e+30");
	EXPECT_TEXT(vfloat(16777216.0f, 32), "16777216");
	EXPECT_TEXT(vfloat(0.1L, 0), "0.1");
	EXPECT_TEXT(vfloat(__builtin_nanl(""), 64), "nan");
	EXPECT_TEXT(vfloat(-__builtin_infl(), 32), "-inf");
	EXPECT_JSON(vfloat(2.25, 64), "2.25");
	EXPECT_JSON(vfloat(__builtin_nanl(""), 64), "\"nan\"");
	EXPECT_JSON(vfloat(__builtin_infl(), 64), "\"inf\"");
	EXPECT_JSON(vfloat(-__builtin_infl(), 64), "\"-inf\"");
	EXPECT_JSON(vfloat(-1e-300, 64), "-1e-300");
}
END_TEST

START_TEST(trees)
{
	struct value inner[] = { named("x", vint(1)), named("y", vint(-2)) };
	struct value pt = { .kind = V_STRUCT, .kids = inner, .nkids = 2 };
	struct value fields[] = {
		named("id", vint(7)),
		named("path", vstr("/a", 2, false)),
		named("at", pt),
		named("deep", vkind(V_OPAQUE)),
	};
	struct value req = { .kind = V_STRUCT, .kids = fields, .nkids = 4 };
	struct value followed = { .kind = V_PTR, .u = 0x5000, .kids = &req, .nkids = 1 };
	struct value elems[] = { vint(1), vint(2) };
	struct value arr = { .kind = V_ARRAY, .kids = elems, .nkids = 2 };
	struct value cut = { .kind = V_ARRAY, .kids = elems, .nkids = 2, .truncated = true };
	struct value fam = { .kind = V_ARRAY, .truncated = true };
	struct value sym = { .kind = V_PTR, .u = 0x401136, .text = (char *)"handler" };
	struct value flags = { .kind = V_ENUM, .i = 0x43, .text = (char *)"A|B|0x40" };
	struct value inplace = { .kind = V_STR, .text = (char *)"ab", .len = 2 };

	EXPECT_TEXT(pt, "{x=1, y=-2}");
	EXPECT_JSON(pt, "{\"x\":1,\"y\":-2}");
	EXPECT_TEXT(followed, "0x5000 -> {id=7, path=\"/a\", at={x=1, y=-2}, deep={...}}");
	EXPECT_JSON(followed, "{\"ptr\":\"0x5000\",\"to\":{\"id\":7,\"path\":\"/a\","
		    "\"at\":{\"x\":1,\"y\":-2},\"deep\":\"{...}\"}}");
	EXPECT_TEXT(arr, "[1, 2]");
	EXPECT_JSON(arr, "[1,2]");
	EXPECT_TEXT(cut, "[1, 2, ...]");
	EXPECT_JSON(cut, "[1,2,\"...\"]");
	EXPECT_TEXT(fam, "[...]");
	EXPECT_JSON(fam, "[\"...\"]");
	EXPECT_TEXT(sym, "0x401136 <handler>");
	EXPECT_JSON(sym, "{\"ptr\":\"0x401136\",\"sym\":\"handler\"}");
	EXPECT_TEXT(flags, "A|B|0x40");
	EXPECT_JSON(flags, "\"A|B|0x40\"");
	EXPECT_TEXT(inplace, "\"ab\"");
	EXPECT_JSON(inplace, "\"ab\"");
	EXPECT_TEXT(unreadable(vkind(V_UNAVAIL)), "<unreadable>");
	EXPECT_JSON(unreadable(vkind(V_UNAVAIL)), "\"<unreadable>\"");
}
END_TEST

START_TEST(tree_deep_copy)
{
	struct value inner[] = { named("s", vstr("abc", 3, false)) };
	struct value st = { .kind = V_STRUCT, .kids = inner, .nkids = 1 };
	struct value p = { .kind = V_PTR, .u = 0x10, .kids = &st, .nkids = 1 };
	struct value sym = { .kind = V_PTR, .u = 0x20, .text = (char *)"main+0x4" };
	struct value dst;

	ck_assert_int_eq(value_copy(&dst, &p), 0);
	ck_assert_ptr_ne(dst.kids, p.kids);
	ck_assert_ptr_ne(dst.kids[0].kids, st.kids);
	ck_assert_ptr_ne(dst.kids[0].kids[0].text, inner[0].text);
	ck_assert_int_eq(memcmp(dst.kids[0].kids[0].text, "abc", 3), 0);
	ck_assert_str_eq(dst.kids[0].kids[0].name, "s");
	value_free(&dst);
	ck_assert_ptr_null(dst.kids);
	ck_assert_int_eq(value_copy(&dst, &sym), 0);
	ck_assert_ptr_ne(dst.text, sym.text);
	ck_assert_str_eq(dst.text, "main+0x4");
	value_free(&dst);
}
END_TEST

START_TEST(durations)
{
	static const struct { uint64_t ns; const char *want; } cases[] = {
		{ 0, "0ns" }, { 850, "850ns" }, { 999, "999ns" },
		{ 1000, "1.0us" }, { 12345, "12.3us" }, { 12350, "12.4us" },
		{ 999949, "999.9us" }, { 999950, "1.00ms" },
		{ 1250000, "1.25ms" }, { 1200000, "1.20ms" },
		{ 999994999, "999.99ms" }, { 999995000, "1.000s" },
		{ 2500000000u, "2.500s" }, { 3600000000000u, "3600.000s" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		render_duration(buf, sizeof(buf), cases[i].ns);
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

/* ---- JSON escaping --------------------------------------------------- */

/* Reference UTF-8 decoder, written differently from the one under test:
 * length from the lead byte's high bits, then range checks on the value.
 * Returns the sequence length and sets *cp, or 0 if invalid. */
static size_t ref_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* The code points the rules promise for arbitrary bytes. */
static size_t expected_cps(const unsigned char *s, size_t n, uint32_t *out)
{
	size_t i = 0, k = 0, len;

	while (i < n) {
		len = ref_utf8(s + i, n - i, &out[k]);
		if (!len) {
			out[k] = s[i];
			len = 1;
		}
		i += len;
		k++;
	}
	return k;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const unsigned char *s)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Strictly parse one JSON string literal filling all of s[0..n): the raw
 * bytes must be valid UTF-8 with no control characters. Returns the
 * number of code points, or -1 with a reason in *why. */
static long json_parse_string(const unsigned char *s, size_t n, uint32_t *out,
			      const char **why)
{
	size_t i = 1, k = 0, len;
	long hi, lo;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return *why = "not quoted", -1;
	while (i < n - 1) {
		if (s[i] < 0x20)
			return *why = "raw control character", -1;
		if (s[i] == '"')
			return *why = "unescaped quote", -1;
		if (s[i] != '\\') {
			len = ref_utf8(s + i, n - 1 - i, &out[k]);
			if (!len)
				return *why = "invalid UTF-8", -1;
			i += len;
			k++;
			continue;
		}
		if (i + 1 >= n - 1)
			return *why = "dangling backslash", -1;
		switch (s[i + 1]) {
		case '"': out[k] = '"'; break;
		case '\\': out[k] = '\\'; break;
		case '/': out[k] = '/'; break;
		case 'b': out[k] = '\b'; break;
		case 'f': out[k] = '\f'; break;
		case 'n': out[k] = '\n'; break;
		case 'r': out[k] = '\r'; break;
		case 't': out[k] = '\t'; break;
		case 'u':
			if (i + 6 > n - 1 || (hi = hex4(s + i + 2)) < 0)
				return *why = "bad \\u", -1;
			i += 6;
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return *why = "lone low surrogate", -1;
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (i + 6 > n - 1 || s[i] != '\\' ||
				    s[i + 1] != 'u' ||
				    (lo = hex4(s + i + 2)) < 0xdc00 ||
				    lo > 0xdfff)
					return *why = "lone high surrogate", -1;
				i += 6;
				hi = 0x10000 + ((hi - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			out[k++] = (uint32_t)hi;
			continue;
		default:
			return *why = "unknown escape", -1;
		}
		i += 2;
		k++;
	}
	return (long)k;
}

/* Render bytes, parse the result back, compare with the promised code
 * points. Hot loops call this by the hundred thousand: one reused stream,
 * and no ck_assert unless something is wrong (each one costs a write to
 * Check's pipe in fork mode). */
static void check_roundtrip(const unsigned char *in, size_t n)
{
	static char *out;
	static size_t len;
	static FILE *f;
	uint32_t want[16], got[16];
	const char *why = "";
	size_t nwant, i;
	long ngot;

	if (!f) {
		f = open_memstream(&out, &len);
		ck_assert_ptr_nonnull(f);
	}
	rewind(f);
	render_json_string(f, (const char *)in, n);
	if (fflush(f) || n > 16)
		ck_abort_msg("render failed");
	nwant = expected_cps(in, n, want);
	ngot = json_parse_string((unsigned char *)out, len, got, &why);
	if (ngot < 0)
		ck_abort_msg("bytes %02x.. (%zu): %s in %.*s", in[0], n, why,
			     (int)len, out);
	if ((size_t)ngot != nwant)
		ck_abort_msg("%.*s: %ld code points, want %zu", (int)len, out,
			     ngot, nwant);
	for (i = 0; i < nwant; i++)
		if (got[i] != want[i])
			ck_abort_msg("%.*s: cp %zu is %x, want %x", (int)len,
				     out, i, got[i], want[i]);
}

static char *json_str(const char *s, size_t n)
{
	struct capture c;

	render_json_string(cap_open(&c), s, n);
	return cap_close(&c);
}

#define EXPECT_JSTR(in, want) do {					\
		char *got_ = json_str(in, sizeof(in) - 1);		\
		ck_assert_str_eq(got_, want);				\
		free(got_);						\
	} while (0)

START_TEST(json_escape_single_bytes)
{
	unsigned char b;
	char want[16], *got;
	unsigned i;

	for (i = 0; i < 256; i++) {
		b = (unsigned char)i;
		check_roundtrip(&b, 1);
		got = json_str((char *)&b, 1);
		switch (i) {
		case '"': strcpy(want, "\"\\\"\""); break;
		case '\\': strcpy(want, "\"\\\\\""); break;
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		default:
			if (i < 0x20 || i >= 0x7f)
				snprintf(want, sizeof(want), "\"\\u%04x\"", i);
			else
				snprintf(want, sizeof(want), "\"%c\"", i);
		}
		ck_assert_str_eq(got, want);
		free(got);
	}
}
END_TEST

START_TEST(json_escape_utf8)
{
	/* Valid sequences pass through byte for byte. */
	EXPECT_JSTR("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	EXPECT_JSTR("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	EXPECT_JSTR("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	EXPECT_JSTR("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
	EXPECT_JSTR("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");
	EXPECT_JSTR("\xc2\x80", "\"\xc2\x80\"");
	/* Overlong encodings. */
	EXPECT_JSTR("\xc0\x80", "\"\\u00c0\\u0080\"");
	EXPECT_JSTR("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	EXPECT_JSTR("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	EXPECT_JSTR("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"");
	/* Surrogates. */
	EXPECT_JSTR("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	EXPECT_JSTR("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");
	/* Past U+10FFFF, and lead bytes that are never valid. */
	EXPECT_JSTR("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	EXPECT_JSTR("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
	EXPECT_JSTR("\xf8\x88\x80\x80\x80",
		    "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");
	EXPECT_JSTR("\xff\xfe", "\"\\u00ff\\u00fe\"");
	/* Truncated sequences, at the end and before other characters; the
	 * byte after a broken sequence is not swallowed. */
	EXPECT_JSTR("\xe2\x82", "\"\\u00e2\\u0082\"");
	EXPECT_JSTR("a\xe2\x82" "b", "\"a\\u00e2\\u0082b\"");
	EXPECT_JSTR("\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"");
	EXPECT_JSTR("\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\"");
	EXPECT_JSTR("\xe2\x82\"", "\"\\u00e2\\u0082\\\"\"");
	/* A lone continuation byte. */
	EXPECT_JSTR("\x80", "\"\\u0080\"");
	/* NUL inside the bytes is data, not an end. */
	EXPECT_JSTR("a\0b", "\"a\\u0000b\"");
}
END_TEST

START_TEST(json_escape_exhaustive_pairs)
{
	unsigned char in[2];
	unsigned i;

	for (i = 0; i < 65536; i++) {
		in[0] = (unsigned char)(i >> 8);
		in[1] = (unsigned char)i;
		check_roundtrip(in, 2);
	}
}
END_TEST

START_TEST(json_escape_random)
{
	/* Bytes near the UTF-8 boundaries, where validators go wrong. */
	static const unsigned char pool[] = {
		0x00, 0x01, 0x1f, 0x20, '"', '\\', 'a', 0x7e, 0x7f,
		0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4,
		0xf5, 0xf7, 0xf8, 0xfb, 0xfc, 0xfe, 0xff,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned char in[16];
	unsigned iter, i, n;

	for (iter = 0; iter < 200000; iter++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		n = 1 + (unsigned)(seed >> 60) % 8;
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ull +
			       1442695040888963407ull;
			in[i] = (seed >> 63) ? (unsigned char)(seed >> 40)
					     : pool[(seed >> 33) % sizeof(pool)];
		}
		check_roundtrip(in, n);
	}
}
END_TEST

/* ---- sinks ----------------------------------------------------------- */

#define FN(n, m) { .name = (char *)(n), .module = (char *)(m) }
static struct func_desc fn_a = FN("A", "/bin/app");
static struct func_desc fn_b = FN("B", "/bin/app");
static struct func_desc fn_c = FN("C", "/bin/app");
static struct func_desc fn_d = FN("D", "/lib/libd.so");
static struct func_desc fn_parse = FN("parse", "/path/to/bin");

static struct event call(const struct func_desc *fn, pid_t tid, unsigned depth,
			 uint64_t id, uint64_t ts, struct value *args,
			 unsigned nargs)
{
	return (struct event){ .type = EV_CALL, .ts_ns = ts, .pid = 100,
			       .tid = tid, .depth = depth, .call_id = id,
			       .fn = fn, .nargs = nargs, .args = args,
			       .ret = { .kind = V_NONE } };
}

static struct event ret(const struct func_desc *fn, pid_t tid, unsigned depth,
			uint64_t id, uint64_t ts, struct value r, uint64_t dur)
{
	return (struct event){ .type = EV_RETURN, .ts_ns = ts, .pid = 100,
			       .tid = tid, .depth = depth, .call_id = id,
			       .fn = fn, .ret = r, .dur_ns = dur };
}

static struct event unwind(const struct func_desc *fn, pid_t tid,
			   unsigned depth, uint64_t id, uint64_t ts,
			   uint64_t dur)
{
	struct event e = ret(fn, tid, depth, id, ts, vkind(V_NONE), dur);

	e.type = EV_UNWIND;
	return e;
}

static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Feed events to a fresh sink, flushing after event flush_at too (-1:
 * only at the end). Returns everything written. */
static char *run_sink(enum output_format fmt, const struct event *ev,
		      size_t n, long flush_at)
{
	struct capture c;
	struct sink *s;
	size_t i;

	utc();
	ck_assert_int_eq(sink_open(fmt, NULL, cap_open(&c), &s), 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(s->ops->event(s, &ev[i]), 0);
		if ((long)i == flush_at)
			ck_assert_int_eq(s->ops->flush(s), 0);
	}
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	return cap_close(&c);
}

START_TEST(text_one_line_and_braces)
{
	struct value a_args[] = { named("n", vint(3)) };
	struct value b_args[] = { named("s", vstr("abc", 3, false)),
				  named("c", vchar('x')) };
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), a_args, 1),
		call(&fn_b, 100, 1, 2, US(10), b_args, 2),
		ret(&fn_b, 100, 1, 2, US(11), vint(0), 850),
		ret(&fn_a, 100, 0, 1, US(1250), vint(-1), 1250000),
	};
	char *got = run_sink(FMT_TEXT, ev, 4, -1);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A(n=3) {\n"
		"22:13:20.123466 [100]   B(s=\"abc\", c='x') = 0 <850ns>\n"
		"22:13:20.124706 [100] } A = -1 <1.25ms>\n");
	free(got);
}
END_TEST

/* A site's hit inside a held call: the call opens with "{", the hit is
 * one line with the parameters, then the locals after the colon. */
static struct func_desc site_scale = { .name = (char *)"scale", .module = (char *)"/bin/app",
				       .addr = 0x1249, .site = true, .site_off = 9,
				       .decl_file = "/src/app.c", .decl_line = 30,
				       .where = (char *)"app.c:30",
				       .label = (char *)"scale at app.c:30" };

static struct event hit(pid_t tid, unsigned depth, uint64_t id, uint64_t ts,
			struct value *vals, unsigned n, unsigned nlocals)
{
	struct event e = call(&site_scale, tid, depth, id, ts, vals, n);

	e.type = EV_HIT;
	e.nlocals = nlocals;
	return e;
}

START_TEST(text_hits)
{
	struct value a_args[] = { named("n", vint(3)) };
	struct value vals[] = { named("k", vint(2)), named("y", vint(20)), named("z", vint(-1)) };
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), a_args, 1),
		hit(100, 1, 2, US(5), vals, 3, 2),
		ret(&fn_a, 100, 0, 1, US(9), vint(0), 9000),
		hit(100, 0, 3, US(12), vals, 1, 0),
	};
	char *got = run_sink(FMT_TEXT, ev, 4, -1);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A(n=3) {\n"
		"22:13:20.123461 [100]   scale(k=2) at app.c:30: y=20, z=-1\n"
		"22:13:20.123465 [100] } A = 0 <9.0us>\n"
		"22:13:20.123468 [100] scale(k=2) at app.c:30\n");
	free(got);
}
END_TEST

START_TEST(json_hits)
{
	struct value vals[] = { named("k", vint(2)), named("y", vint(20)) };
	struct event ev[] = { hit(7, 1, 4, T0, vals, 2, 1) };
	char *got = run_sink(FMT_JSON, ev, 1, -1);

	ck_assert_str_eq(got,
		"{\"type\":\"hit\",\"ts\":1732400000123456789,\"pid\":100,\"tid\":7,"
		"\"depth\":1,\"call_id\":4,\"func\":\"scale\",\"module\":\"/bin/app\","
		"\"addr\":\"0x1249\",\"where\":\"app.c:30\",\"file\":\"/src/app.c\",\"line\":30,"
		"\"args\":{\"k\":2},\"locals\":{\"y\":20}}\n");
	free(got);
}
END_TEST

START_TEST(text_two_threads)
{
	struct value a_args[] = { named("n", vint(1)) };
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), a_args, 1),
		call(&fn_c, 200, 0, 2, US(5), NULL, 0),
		call(&fn_d, 100, 1, 3, US(7), NULL, 0),
		ret(&fn_c, 200, 0, 2, US(20), vkind(V_NONE), 12345),
		ret(&fn_d, 100, 1, 3, US(30), vint(7), 2000),
		call(&fn_b, 200, 0, 4, US(35), NULL, 0),
		ret(&fn_b, 200, 0, 4, US(36), vbool(1), 1000),
		ret(&fn_a, 100, 0, 1, US(40), vint(0), 40000),
	};
	char *got = run_sink(FMT_TEXT, ev, 8, -1);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A(n=1) ...\n"
		"22:13:20.123461 [200] C() ...\n"
		"22:13:20.123463 [100]   D() ...\n"
		"22:13:20.123476 [200] ... C <12.3us>\n"
		"22:13:20.123486 [100]   ... D = 7 <2.0us>\n"
		"22:13:20.123491 [200] B() = true <1.0us>\n"
		"22:13:20.123496 [100] ... A = 0 <40.0us>\n");
	free(got);
}
END_TEST

START_TEST(text_void_and_unwind)
{
	struct value f_args[] = { named("a", vint(1)) };
	struct value e_args[] = { named("x", vint(1)) };
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), f_args, 1),
		ret(&fn_a, 100, 0, 1, US(12), vkind(V_NONE), 12345),
		call(&fn_b, 100, 0, 2, US(20), e_args, 1),
		unwind(&fn_b, 100, 0, 2, US(25), 5000),
		call(&fn_c, 100, 0, 3, US(30), NULL, 0),
		call(&fn_d, 100, 1, 4, US(31), NULL, 0),
		unwind(&fn_d, 100, 1, 4, US(32), 300),
		unwind(&fn_c, 100, 0, 3, US(1230), 1200000),
	};
	char *got = run_sink(FMT_TEXT, ev, 8, -1);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A(a=1) <12.3us>\n"
		"22:13:20.123476 [100] B(x=1) <unwound> <5.0us>\n"
		"22:13:20.123486 [100] C() {\n"
		"22:13:20.123487 [100]   D() <unwound> <300ns>\n"
		"22:13:20.124686 [100] } C <unwound> <1.20ms>\n");
	free(got);
}
END_TEST

START_TEST(text_flush)
{
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), NULL, 0),
		ret(&fn_a, 100, 0, 1, US(1), vint(1), 999),
		call(&fn_b, 200, 2, 2, US(2), NULL, 0),
	};
	/* Flushed while A is held: A is printed unfinished, its return
	 * later as "..."; B never returns and shows at the final flush. */
	char *got = run_sink(FMT_TEXT, ev, 3, 0);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A() ...\n"
		"22:13:20.123457 [100] ... A = 1 <999ns>\n"
		"22:13:20.123458 [200]     B() ...\n");
	free(got);
	got = run_sink(FMT_TEXT, NULL, 0, -1);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

/* A tick keeps a fresh call held (so that it can still become one line)
 * and shows one held for a second as unfinished. */
START_TEST(text_tick_holds_then_releases)
{
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), NULL, 0),
		ret(&fn_a, 100, 0, 1, US(1), vint(1), 999),
		call(&fn_b, 100, 0, 2, US(2), NULL, 0),
		ret(&fn_b, 100, 0, 2, US(3), vint(2), 1000),
	};
	struct capture c;
	struct sink *s;
	char *got;

	utc();
	ck_assert_int_eq(sink_open(FMT_TEXT, NULL, cap_open(&c), &s), 0);
	ck_assert_int_eq(s->ops->event(s, &ev[0]), 0);
	ck_assert_int_eq(s->ops->tick(s, ev[0].ts_ns + 999999999ull), 0);
	ck_assert_int_eq(s->ops->event(s, &ev[1]), 0);
	ck_assert_int_eq(s->ops->event(s, &ev[2]), 0);
	ck_assert_int_eq(s->ops->tick(s, ev[2].ts_ns + 1000000000ull), 0);
	ck_assert_int_eq(s->ops->event(s, &ev[3]), 0);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A() = 1 <999ns>\n"
		"22:13:20.123458 [100] B() ...\n"
		"22:13:20.123459 [100] ... B = 2 <1.0us>\n");
	free(got);
}
END_TEST

START_TEST(text_lost_frames)
{
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), NULL, 0),
		call(&fn_b, 100, 1, 2, US(1), NULL, 0),
		/* The thread's frames were dropped: a new call at depth 0
		 * is not nested in B, and A's brace is stale. */
		call(&fn_c, 100, 0, 3, US(2), NULL, 0),
		ret(&fn_c, 100, 0, 3, US(3), vint(0), 1000),
		ret(&fn_a, 100, 0, 1, US(4), vint(0), 4000),
	};
	char *got = run_sink(FMT_TEXT, ev, 5, -1);

	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A() {\n"
		"22:13:20.123457 [100]   B() ...\n"
		"22:13:20.123458 [100] C() = 0 <1.0us>\n"
		"22:13:20.123460 [100] ... A = 0 <4.0us>\n");
	free(got);
}
END_TEST

START_TEST(text_holds_a_copy)
{
	char *bytes = strdup("abc");
	struct value *args = calloc(1, sizeof(*args));
	struct capture c;
	struct sink *s;
	struct event e;
	char *got;

	utc();
	args[0] = named("s", vstr(bytes, 3, false));
	e = call(&fn_a, 100, 0, 1, US(0), args, 1);
	ck_assert_int_eq(sink_open(FMT_TEXT, NULL, cap_open(&c), &s), 0);
	ck_assert_int_eq(s->ops->event(s, &e), 0);
	/* The caller's event dies right after the call. */
	memset(bytes, 'X', 3);
	event_free(&e);   /* frees args and bytes too */
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	got = cap_close(&c);
	ck_assert_str_eq(got, "22:13:20.123456 [100] A(s=\"abc\") ...\n");
	free(got);
}
END_TEST

/* Callers (-S): a symbol with a line, a symbol only, a bare address. */
static struct stack_frame frames[] = {
	{ 0x401136, (char *)"middle+0x1c", (char *)"/src/app/stack.c", 21 },
	{ 0x401180, (char *)"outer+0x10", NULL, 0 },
	{ 0x7f0012345678, NULL, NULL, 0 },
	{ 0x401200, (char *)"main+0x2a", (char *)"stack.c", 0 },
};

START_TEST(text_stack)
{
	struct value args[] = { named("n", vint(3)) };
	struct event ev[] = {
		call(&fn_a, 100, 0, 1, US(0), args, 1),
		call(&fn_b, 100, 1, 2, US(10), NULL, 0),
		ret(&fn_b, 100, 1, 2, US(11), vint(0), 850),
		ret(&fn_a, 100, 0, 1, US(1250), vkind(V_NONE), 1250000),
		call(&fn_c, 200, 2, 3, US(1300), NULL, 0),
	};
	char *got;

	ev[0].stack = &frames[3];
	ev[0].nstack = 1;
	ev[1].stack = frames;
	ev[1].nstack = 3;
	ev[4].stack = &frames[1];
	ev[4].nstack = 1;
	got = run_sink(FMT_TEXT, ev, 5, -1);
	ck_assert_str_eq(got,
		"22:13:20.123456 [100] A(n=3) {\n"
		"                        <- main+0x2a (stack.c)\n"
		"22:13:20.123466 [100]   B() = 0 <850ns>\n"
		"                          <- middle+0x1c (stack.c:21)\n"
		"                          <- outer+0x10\n"
		"                          <- 0x7f0012345678\n"
		"22:13:20.124706 [100] } A <1.25ms>\n"
		"22:13:20.124756 [200]     C() ...\n"
		"                            <- outer+0x10\n");
	free(got);
}
END_TEST

START_TEST(json_stack)
{
	struct event ev[] = {
		call(&fn_parse, 1, 0, 1, T0, NULL, 0),
		ret(&fn_parse, 1, 0, 1, T0 + 1234, vint(0), 1234),
		call(&fn_parse, 1, 0, 2, T0, NULL, 0),
	};
	char *got;

	ev[0].stack = frames;
	ev[0].nstack = 4;
	/* frames on a return are not the sink's business */
	ev[1].stack = frames;
	ev[1].nstack = 4;
	got = run_sink(FMT_JSON, ev, 3, -1);
	ck_assert_str_eq(got,
		"{\"type\":\"call\",\"ts\":1732400000123456789,\"pid\":100,"
		"\"tid\":1,\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"args\":{},\"stack\":["
		"{\"pc\":\"0x401136\",\"func\":\"middle+0x1c\","
		"\"file\":\"/src/app/stack.c\",\"line\":21},"
		"{\"pc\":\"0x401180\",\"func\":\"outer+0x10\"},"
		"{\"pc\":\"0x7f0012345678\"},"
		"{\"pc\":\"0x401200\",\"func\":\"main+0x2a\","
		"\"file\":\"stack.c\"}]}\n"
		"{\"type\":\"return\",\"ts\":1732400000123458023,\"pid\":100,"
		"\"tid\":1,\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"ret\":0,\"dur_ns\":1234}\n"
		"{\"type\":\"call\",\"ts\":1732400000123456789,\"pid\":100,"
		"\"tid\":1,\"depth\":0,\"call_id\":2,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"args\":{}}\n");
	free(got);
}
END_TEST

/* What latch says of processes that fork, exec and end (-F). */
static const struct event_process announce_f = { .several = true };
static const struct event_process forked = { .ppid = 100 };
static const struct event_process execd = { .exe = "/usr/bin/b",
					    .command_line = "b -x \"q\"" };
static const struct event_process exited = { .status = 3 << 8 };
static const struct event_process killed = { .status = SIGSEGV };

static struct event process(enum event_type type, pid_t pid, uint64_t ts,
			    const struct event_process *p)
{
	return (struct event){ .type = type, .ts_ns = ts, .pid = pid, .tid = pid,
			       .proc = p };
}

START_TEST(text_processes)
{
	struct event ev[] = {
		process(EV_PROCESS, 100, US(0), &announce_f),
		call(&fn_a, 100, 0, 1, US(1), NULL, 0),
		process(EV_FORK, 101, US(2), &forked),
		ret(&fn_a, 100, 0, 1, US(3), vint(1), 2000),
		process(EV_EXEC, 101, US(4), &execd),
		process(EV_EXIT, 101, US(5), &killed),
		process(EV_EXIT, 100, US(6), &exited),
	};
	char *got;

	ev[2].pid = ev[2].tid = 101;
	got = run_sink(FMT_TEXT, ev, 7, -1);
	ck_assert_str_eq(got,
		"22:13:20.123457 [100/100] A() ...\n"
		"22:13:20.123458 [101/101] +++ forked from 100 +++\n"
		"22:13:20.123459 [100/100] ... A = 1 <2.0us>\n"
		"22:13:20.123460 [101/101] +++ exec /usr/bin/b: b -x \"q\" +++\n"
		"22:13:20.123461 [101/101] +++ killed by SIGSEGV +++\n"
		"22:13:20.123462 [100/100] +++ exited with 3 +++\n");
	free(got);
	/* without -F only an exec is ever reported, with the usual prefix */
	got = run_sink(FMT_TEXT, &ev[4], 1, -1);
	ck_assert_str_eq(got, "22:13:20.123460 [101] +++ exec /usr/bin/b: b -x \"q\" +++\n");
	free(got);
}
END_TEST

START_TEST(json_processes)
{
	struct event ev[] = {
		process(EV_PROCESS, 1, T0, &announce_f),
		process(EV_FORK, 2, T0 + 1, &forked),
		process(EV_EXEC, 2, T0 + 2, &execd),
		process(EV_EXIT, 2, T0 + 3, &killed),
		process(EV_EXIT, 1, T0 + 4, &exited),
	};
	char *got = run_sink(FMT_JSON, ev, 5, -1);

	ck_assert_str_eq(got,
		"{\"type\":\"fork\",\"ts\":1732400000123456790,\"pid\":2,\"tid\":2,\"ppid\":100}\n"
		"{\"type\":\"exec\",\"ts\":1732400000123456791,\"pid\":2,\"tid\":2,"
		"\"exe\":\"/usr/bin/b\",\"command_line\":\"b -x \\\"q\\\"\"}\n"
		"{\"type\":\"exit\",\"ts\":1732400000123456792,\"pid\":2,\"tid\":2,"
		"\"signal\":\"SIGSEGV\"}\n"
		"{\"type\":\"exit\",\"ts\":1732400000123456793,\"pid\":1,\"tid\":1,"
		"\"status\":3}\n");
	free(got);
}
END_TEST

START_TEST(json_lines)
{
	struct value args[] = {
		named("s", vstr("abc", 3, false)),
		named("n", vint(3)),
		named("we\"ird\n", vuint(UINT64_MAX)),
		vptr(0),
		vkind(V_VARARGS),
	};
	struct event ev[] = {
		call(&fn_parse, 1, 0, 1, T0, args, 2),
		ret(&fn_parse, 1, 0, 1, T0 + 1234, vint(0), 1234),
		ret(&fn_parse, 1, 0, 1, T0 + 1234, vkind(V_NONE), 1234),
		unwind(&fn_parse, 1, 0, 1, T0 + 1234, 1234),
		call(&fn_parse, 1, 2, 7, T0, args, 5),
		call(&fn_parse, 1, 0, 8, T0, NULL, 0),
	};
	char *got;

	ev[0].pid = ev[1].pid = ev[2].pid = ev[3].pid = 1;
	got = run_sink(FMT_JSON, ev, 6, -1);
	ck_assert_str_eq(got,
		"{\"type\":\"call\",\"ts\":1732400000123456789,\"pid\":1,\"tid\":1,"
		"\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":\"/path/to/bin\","
		"\"args\":{\"s\":\"abc\",\"n\":3}}\n"
		"{\"type\":\"return\",\"ts\":1732400000123458023,\"pid\":1,"
		"\"tid\":1,\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"ret\":0,\"dur_ns\":1234}\n"
		"{\"type\":\"return\",\"ts\":1732400000123458023,\"pid\":1,"
		"\"tid\":1,\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"dur_ns\":1234}\n"
		"{\"type\":\"unwind\",\"ts\":1732400000123458023,\"pid\":1,"
		"\"tid\":1,\"depth\":0,\"call_id\":1,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"dur_ns\":1234}\n"
		"{\"type\":\"call\",\"ts\":1732400000123456789,\"pid\":100,"
		"\"tid\":1,\"depth\":2,\"call_id\":7,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"args\":{\"s\":\"abc\",\"n\":3,"
		"\"we\\\"ird\\n\":18446744073709551615,\"arg4\":null,"
		"\"...\":\"...\"}}\n"
		"{\"type\":\"call\",\"ts\":1732400000123456789,\"pid\":100,"
		"\"tid\":1,\"depth\":0,\"call_id\":8,\"func\":\"parse\",\"module\":"
		"\"/path/to/bin\",\"args\":{}}\n");
	free(got);
}
END_TEST

/* A JSON line reaches the reader before the next event is written. */
START_TEST(json_flushes_each_line)
{
	struct event e = call(&fn_a, 1, 0, 1, T0, NULL, 0);
	char buf[4096];
	struct sink *s;
	FILE *f;
	int fds[2];
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	f = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	ck_assert_int_eq(sink_open(FMT_JSON, NULL, f, &s), 0);
	ck_assert_int_eq(s->ops->event(s, &e), 0);
	n = read(fds[0], buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(buf[n - 1], '\n');
	s->ops->destroy(s);
	fclose(f);
	close(fds[0]);
}
END_TEST

static FILE *closed_pipe(void)
{
	int fds[2];
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(f);
	return f;
}

START_TEST(epipe)
{
	struct event c = call(&fn_a, 1, 0, 1, T0, NULL, 0);
	struct event r = ret(&fn_a, 1, 0, 1, T0, vint(0), 10);
	enum output_format fmt = _i ? FMT_JSON : FMT_TEXT;
	struct sink *s;
	FILE *f = closed_pipe();
	int rc;

	ck_assert_int_eq(sink_open(fmt, NULL, f, &s), 0);
	rc = s->ops->event(s, &c);
	if (fmt == FMT_JSON)
		ck_assert_int_eq(rc, -EPIPE);
	rc = s->ops->flush(s);
	ck_assert_int_eq(rc, -EPIPE);
	/* The error stays: later events report it too. */
	ck_assert_int_eq(s->ops->event(s, &r), -EPIPE);
	ck_assert_int_eq(s->ops->flush(s), -EPIPE);
	s->ops->destroy(s);
	fclose(f);
}
END_TEST

START_TEST(format_names)
{
	enum output_format fmt = FMT_JSON;
	struct sink *s = NULL;

	ck_assert_int_eq(output_format_parse("text", &fmt), 0);
	ck_assert_int_eq(fmt, FMT_TEXT);
	ck_assert_int_eq(output_format_parse("json", &fmt), 0);
	ck_assert_int_eq(fmt, FMT_JSON);
	ck_assert_int_eq(output_format_parse("xml", &fmt), -EINVAL);
	ck_assert_int_eq(output_format_parse("", &fmt), -EINVAL);
	ck_assert_int_eq(output_format_parse(NULL, &fmt), -EINVAL);
	ck_assert_int_eq(sink_open((enum output_format)99, NULL, stdout, &s),
			 -EINVAL);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(event_deep_copy)
{
	struct value args[] = {
		named("s", vstr("hello", 5, true)),
		named("e", vstr("", 0, false)),
		named("n", vint(-2)),
	};
	struct event src = call(&fn_a, 5, 1, 9, T0, args, 3), dst;

	src.ret = vstr("ret", 3, false);
	ck_assert_int_eq(event_copy(&dst, &src), 0);
	ck_assert_ptr_ne(dst.args, src.args);
	ck_assert_uint_eq(dst.nargs, 3);
	ck_assert_ptr_ne(dst.args[0].text, args[0].text);
	ck_assert_int_eq(memcmp(dst.args[0].text, "hello", 5), 0);
	ck_assert(dst.args[0].truncated);
	ck_assert_ptr_nonnull(dst.args[1].text);
	ck_assert_uint_eq(dst.args[1].len, 0);
	ck_assert_str_eq(dst.args[2].name, "n");
	ck_assert_int_eq(dst.args[2].i, -2);
	ck_assert_ptr_ne(dst.ret.text, src.ret.text);
	ck_assert_int_eq(memcmp(dst.ret.text, "ret", 3), 0);
	ck_assert_ptr_eq(dst.fn, &fn_a);
	event_free(&dst);
	ck_assert_ptr_null(dst.args);
	ck_assert_ptr_null(dst.ret.text);
	event_free(&dst);
}
END_TEST

START_TEST(stack_deep_copy)
{
	struct event src = call(&fn_a, 5, 1, 9, T0, NULL, 0), dst;

	src.stack = frames;
	src.nstack = 4;
	ck_assert_int_eq(event_copy(&dst, &src), 0);
	ck_assert_ptr_ne(dst.stack, src.stack);
	ck_assert_uint_eq(dst.nstack, 4);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(dst.stack[i].pc, frames[i].pc);
		ck_assert_uint_eq(dst.stack[i].line, frames[i].line);
		if (frames[i].func) {
			ck_assert_ptr_ne(dst.stack[i].func, frames[i].func);
			ck_assert_str_eq(dst.stack[i].func, frames[i].func);
		} else {
			ck_assert_ptr_null(dst.stack[i].func);
		}
		if (frames[i].file)
			ck_assert_str_eq(dst.stack[i].file, frames[i].file);
		else
			ck_assert_ptr_null(dst.stack[i].file);
	}
	event_free(&dst);
	ck_assert_ptr_null(dst.stack);
	ck_assert_uint_eq(dst.nstack, 0);
	stack_free(NULL, 0);
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, text_values);
	tcase_add_test(tc, text_args);
	tcase_add_test(tc, json_values);
	tcase_add_test(tc, durations);
	tcase_add_test(tc, floats);
	tcase_add_test(tc, trees);
	tcase_add_test(tc, tree_deep_copy);
	tcase_add_test(tc, event_deep_copy);
	tcase_add_test(tc, stack_deep_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("json_escape");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, json_escape_single_bytes);
	tcase_add_test(tc, json_escape_utf8);
	tcase_add_test(tc, json_escape_exhaustive_pairs);
	tcase_add_test(tc, json_escape_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("sinks");
	tcase_add_test(tc, text_one_line_and_braces);
	tcase_add_test(tc, text_hits);
	tcase_add_test(tc, json_hits);
	tcase_add_test(tc, text_two_threads);
	tcase_add_test(tc, text_void_and_unwind);
	tcase_add_test(tc, text_flush);
	tcase_add_test(tc, text_tick_holds_then_releases);
	tcase_add_test(tc, text_lost_frames);
	tcase_add_test(tc, text_holds_a_copy);
	tcase_add_test(tc, text_stack);
	tcase_add_test(tc, json_stack);
	tcase_add_test(tc, json_lines);
	tcase_add_test(tc, text_processes);
	tcase_add_test(tc, json_processes);
	tcase_add_test(tc, json_flushes_each_line);
	tcase_add_loop_test(tc, epipe, 0, 2);
	tcase_add_test(tc, format_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(output_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
