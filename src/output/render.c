/* Value rendering shared by the text and JSON sinks. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output/priv.h"

void render_duration(char *buf, size_t len, uint64_t ns)
{
	uint64_t tenth_us, hundredth_ms, milli_s;

	/* Round first, then pick the unit, so 999.96us becomes 1.00ms rather
	 * than "1000.0us". Integer arithmetic keeps the tests exact. */
	if (ns < 1000) {
		snprintf(buf, len, "%" PRIu64 "ns", ns);
		return;
	}
	tenth_us = ns / 100 + (ns % 100 >= 50);
	if (tenth_us < 10000) {
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "us",
			 tenth_us / 10, tenth_us % 10);
		return;
	}
	hundredth_ms = ns / 10000 + (ns % 10000 >= 5000);
	if (hundredth_ms < 100000) {
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 "ms",
			 hundredth_ms / 100, hundredth_ms % 100);
		return;
	}
	milli_s = ns / 1000000 + (ns % 1000000 >= 500000);
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "s",
		 milli_s / 1000, milli_s % 1000);
}

void render_clock(char *buf, size_t len, uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
	char hms[16] = "??:??:??";
	struct tm tm;

	if (localtime_r(&sec, &tm))
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06u", hms, usec);
}

/* The escape for c inside a C literal, or NULL if it stands for itself.
 * quote is the delimiter that needs a backslash. */
static const char *c_escape(unsigned char c, char quote, char *buf)
{
	switch (c) {
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	case '\\': return "\\\\";
	}
	if (c == (unsigned char)quote) {
		buf[0] = '\\';
		buf[1] = quote;
		buf[2] = '\0';
		return buf;
	}
	if (c >= 0x20 && c < 0x7f)
		return NULL;
	snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

void render_c_escaped(FILE *f, const char *s, size_t len)
{
	char buf[8];
	size_t i;

	for (i = 0; i < len; i++) {
		const char *esc = c_escape((unsigned char)s[i], '"', buf);

		if (esc)
			fputs(esc, f);
		else
			putc(s[i], f);
	}
}

void render_char_literal(FILE *f, int64_t i)
{
	char buf[8];
	const char *esc;
	uint64_t c;

	/* A plain char is signed on x86-64: '\xff' arrives as -1. */
	if (i < -128) {
		fprintf(f, "%" PRId64, i);
		return;
	}
	c = i < 0 ? (uint64_t)(i & 0xff) : (uint64_t)i;
	if (c > 0xff) {
		fprintf(f, "'\\x%" PRIx64 "'", c);
		return;
	}
	if (c == 0) {
		fputs("'\\0'", f);
		return;
	}
	esc = c_escape((unsigned char)c, '\'', buf);
	if (esc)
		fprintf(f, "'%s'", esc);
	else
		fprintf(f, "'%c'", (int)c);
}

static bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if the
 * first byte does not start one. The second-byte ranges exclude
 * overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4). */
size_t render_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (!cont(s[i]))
			return 0;
	return need;
}

void json_quote(const char *str, size_t len,
		void (*put)(void *ctx, const char *p, size_t n), void *ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, n;
	char esc[8];
	const char *e;

	put(ctx, "\"", 1);
	while (i < len) {
		unsigned char c = s[i];

		switch (c) {
		case '"':  e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b";  break;
		case '\f': e = "\\f";  break;
		case '\n': e = "\\n";  break;
		case '\r': e = "\\r";  break;
		case '\t': e = "\\t";  break;
		default:
			n = render_utf8_len(s + i, len - i);
			if (n && c >= 0x20 && c != 0x7f) {
				i += n;        /* valid runs go out in one piece */
				continue;
			}
			/* Control characters; DEL, legal JSON but escaped so
			 * that it cannot reach a terminal; a stray byte, as
			 * the code point of its value (Latin-1). */
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
		}
		put(ctx, (const char *)s + run, i - run);
		put(ctx, e, strlen(e));
		run = ++i;
	}
	put(ctx, (const char *)s + run, i - run);
	put(ctx, "\"", 1);
}

static void put_file(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
}

void render_json_string(FILE *f, const char *str, size_t len)
{
	json_quote(str, len, put_file, f);
}

void render_json_cstr(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		render_json_string(f, s, strlen(s));
}

void render_json_char(FILE *f, int64_t i)
{
	char byte;

	if (i >= -128 && i <= 0x7f) {
		byte = (char)i;
		if (i >= 0) {
			render_json_string(f, &byte, 1);
			return;
		}
		i &= 0xff;
	}
	if (i >= 0x80 && i <= 0xffff && (i < 0xd800 || i > 0xdfff)) {
		fprintf(f, "\"\\u%04" PRIx64 "\"", (uint64_t)i);
	} else if (i > 0xffff && i <= 0x10ffff) {
		i -= 0x10000;
		fprintf(f, "\"\\u%04" PRIx64 "\\u%04" PRIx64 "\"",
			(uint64_t)(0xd800 + (i >> 10)),
			(uint64_t)(0xdc00 + (i & 0x3ff)));
	} else {
		/* Not a character any string could hold: keep the number. */
		fprintf(f, "%" PRId64, i);
	}
}

/* The shortest text that reads back as the same value of the value's own
 * type: 0.1 for 0.1f, not 0.100000001. Doubles and floats are formatted
 * as double, which is several times cheaper than long double. */
void render_float(char *buf, size_t len, const struct value *v)
{
	double d = (double)v->f;

	if (isnan(v->f)) {
		snprintf(buf, len, "nan");
		return;
	}
	if (isinf(v->f)) {
		snprintf(buf, len, v->f < 0 ? "-inf" : "inf");
		return;
	}
	if (v->fbits == 0) {
		for (int prec = 1; prec <= LDBL_DECIMAL_DIG; prec++) {
			snprintf(buf, len, "%.*Lg", prec, v->f);
			if (strtold(buf, NULL) == v->f)
				return;
		}
		return;
	}
	for (int prec = 1; prec <= (v->fbits == 64 ? DBL_DECIMAL_DIG : FLT_DECIMAL_DIG); prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (v->fbits == 64 ? strtod(buf, NULL) == d
		    : strtof(buf, NULL) == (float)d)
			return;
	}
}

int render_status(FILE *f, int *err, bool flush)
{
	if (*err)
		return *err;
	if ((flush && fflush(f) == EOF) || ferror(f))
		*err = errno ? -errno : -EIO;
	return *err;
}

void render_signal(char *buf, size_t len, int sig)
{
	const char *name = sigabbrev_np(sig);

	if (name)
		snprintf(buf, len, "SIG%s", name);
	else
		snprintf(buf, len, "signal %d", sig);
}
