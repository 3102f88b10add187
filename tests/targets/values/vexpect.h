/* Helpers for the value targets of tests/targets/values/ (issue 4): each
 * target calls its traced functions and, after every call, prints one line
 * that states exactly what it passed and what it got back:
 *
 *     expect FUNC {"arg":VALUE,...} -> VALUE
 *     expect FUNC {"arg":VALUE,...} -> void
 *
 * VALUE is JSON, built by hand below, in which the leaves that latch cannot
 * print as plain JSON (or that depend on latch's options) are tagged
 * objects, all keyed by a name that starts with "$":
 *
 *   42, -1, true, null          an integer, a bool, a NULL pointer
 *   "a", "\u0080"               a char (one byte as a latin-1 code point)
 *   "GREEN", "P_READ|0x40"      an enum as latch must name it
 *   {"x":1,...}  [1,2]          a struct/union/class, an array (the whole
 *                               array: tests/e2e/values.py cuts it at -A
 *                               and at --depth, like latch must)
 *   {"$addr":"0x.."}            a pointer printed as an address only
 *   {"$sym":"0x..","name":"f"}  a pointer into the symbol f (f+0x10 too)
 *   {"$to":"0x..","val":V}      a pointer (or C++ reference) latch follows
 *   {"$bad":"0x.."}             a pointer whose pointee cannot be read
 *   {"$str":"HEX"}              a string's bytes (no NUL), in hex: the test
 *                               applies -s and the UTF-8 rule itself
 *   {"$chars":"HEX"}            all N bytes of a char[N] member
 *   {"$fp":"HEXFLOAT","mant":M,"emin":E,"emax":X}
 *                               a float, double or long double: its exact
 *                               value (C99 %a / %La, or nan, inf, -inf)
 *                               and its type's format (<float.h> MANT_DIG,
 *                               MIN_EXP, MAX_EXP), so the test rounds
 *                               latch's decimal text to that very format
 *
 * The emitters handle commas themselves: K("x") before an object member,
 * nothing before an array element.  Works as C (gnu11) and as C++.
 */
#ifndef LATCH_VEXPECT_H
#define LATCH_VEXPECT_H

#ifdef __cplusplus
/* common.h is C only: what the C++ target needs from it */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#define TRACED __attribute__((noinline, noipa, used))
static void t_print_pid(FILE *out)
{
	fprintf(out, "pid %d\n", (int)getpid());
	fflush(out);
}
#else
#include "../common.h"
#endif
#include <float.h>
#include <math.h>

static int vx_comma;

static void vx_sep(void)
{
	if (vx_comma)
		putchar(',');
	vx_comma = 1;
}

/* expect FUNC { ... } -> ... */
static __attribute__((unused)) void X(const char *func)
{
	printf("expect %s {", func);
	vx_comma = 0;
}

static __attribute__((unused)) void XR(void)
{
	printf("} -> ");
	vx_comma = 0;
}

static __attribute__((unused)) void XV(void)
{
	printf("} -> void\n");
	vx_comma = 0;
}

static __attribute__((unused)) void XE(void)
{
	putchar('\n');
	vx_comma = 0;
}

/* object key */
static __attribute__((unused)) void K(const char *k)
{
	vx_sep();
	printf("\"%s\":", k);
	vx_comma = 0;
}

static __attribute__((unused)) void O(void) { vx_sep(); putchar('{'); vx_comma = 0; }
static __attribute__((unused)) void OE(void) { putchar('}'); vx_comma = 1; }
static __attribute__((unused)) void L(void) { vx_sep(); putchar('['); vx_comma = 0; }
static __attribute__((unused)) void LE(void) { putchar(']'); vx_comma = 1; }

static __attribute__((unused)) void I(long long v) { vx_sep(); printf("%lld", v); }
static __attribute__((unused)) void U(unsigned long long v) { vx_sep(); printf("%llu", v); }
static __attribute__((unused)) void B(int v) { vx_sep(); fputs(v ? "true" : "false", stdout); }
static __attribute__((unused)) void NUL(void) { vx_sep(); printf("null"); }

static void vx_jchar(unsigned char c)
{
	if (c == '"' || c == '\\')
		printf("\\%c", c);
	else if (c < 0x20 || c >= 0x7f)
		printf("\\u%04x", c);
	else
		putchar(c);
}

/* a JSON string, given as ASCII text (enumerator names and the like) */
static __attribute__((unused)) void JS(const char *s)
{
	vx_sep();
	putchar('"');
	for (; *s; s++)
		vx_jchar((unsigned char)*s);
	putchar('"');
}

/* a char, signed char or unsigned char value: one latin-1 code point */
static __attribute__((unused)) void CH(int c)
{
	vx_sep();
	putchar('"');
	vx_jchar((unsigned char)c);
	putchar('"');
}

static void vx_hex(const void *p, size_t n)
{
	const unsigned char *b = (const unsigned char *)p;
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

/* a string latch must render from n known bytes (std::string) */
static __attribute__((unused)) void SN(const void *s, size_t n)
{
	vx_sep();
	printf("{\"$str\":\"");
	vx_hex(s, n);
	printf("\"}");
}

/* char * (any signedness): its bytes up to the NUL, or null */
static __attribute__((unused)) void S(const void *s)
{
	if (!s)
		NUL();
	else
		SN(s, strlen((const char *)s));
}

/* a char[N] member: all its N bytes */
static __attribute__((unused)) void CHARS(const void *a, size_t n)
{
	vx_sep();
	printf("{\"$chars\":\"");
	vx_hex(a, n);
	printf("\"}");
}

static void vx_addr(const void *p) { printf("\"0x%lx\"", (unsigned long)(uintptr_t)p); }

/* a pointer latch prints as an address: null or {"$addr"} */
static __attribute__((unused)) void P(const void *p)
{
	if (!p) {
		NUL();
		return;
	}
	vx_sep();
	printf("{\"$addr\":");
	vx_addr(p);
	printf("}");
}

/* a pointer into a symbol: name is "sym" or "sym+0xN" */
static __attribute__((unused)) void SYM(const void *p, const char *name)
{
	vx_sep();
	printf("{\"$sym\":");
	vx_addr(p);
	printf(",\"name\":\"%s\"}", name);
}

/* a pointer whose pointee latch cannot read */
static __attribute__((unused)) void BAD(const void *p)
{
	vx_sep();
	printf("{\"$bad\":");
	vx_addr(p);
	printf("}");
}

/* a followed pointer or reference: TO(p), the pointee's value, TOE() */
static __attribute__((unused)) void TO(const void *p)
{
	vx_sep();
	printf("{\"$to\":");
	vx_addr(p);
	printf(",\"val\":");
	vx_comma = 0;
}

static __attribute__((unused)) void TOE(void) { putchar('}'); vx_comma = 1; }

static void vx_fp_open(void) { vx_sep(); printf("{\"$fp\":\""); }

static __attribute__((unused)) void F32(float f)
{
	vx_fp_open();
	if (isnan(f))
		printf("nan");
	else if (isinf(f))
		printf(f < 0 ? "-inf" : "inf");
	else
		printf("%a", (double)f);
	printf("\",\"mant\":%d,\"emin\":%d,\"emax\":%d}", FLT_MANT_DIG, FLT_MIN_EXP, FLT_MAX_EXP);
}

static __attribute__((unused)) void F64(double f)
{
	vx_fp_open();
	if (isnan(f))
		printf("nan");
	else if (isinf(f))
		printf(f < 0 ? "-inf" : "inf");
	else
		printf("%a", f);
	printf("\",\"mant\":%d,\"emin\":%d,\"emax\":%d}", DBL_MANT_DIG, DBL_MIN_EXP, DBL_MAX_EXP);
}

static __attribute__((unused)) void FLD(long double f)
{
	vx_fp_open();
	if (isnan(f))
		printf("nan");
	else if (isinf(f))
		printf(f < 0 ? "-inf" : "inf");
	else
		printf("%La", f);
	printf("\",\"mant\":%d,\"emin\":%d,\"emax\":%d}", LDBL_MANT_DIG, LDBL_MIN_EXP, LDBL_MAX_EXP);
}

#ifndef __cplusplus
/* "pid N", then with -w wait until every traced function is patched */
static __attribute__((unused)) void vx_start(int argc, char **argv, const void *const *fns, int n)
{
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w"))
		t_wait_traps(fns, n, T_ATTACH_TIMEOUT_MS);
}

#define VX_FNS(...) static const void *const vx_fns[] = { __VA_ARGS__ }
#define VX_START() vx_start(argc, argv, vx_fns, (int)(sizeof vx_fns / sizeof vx_fns[0]))
#endif

#endif
