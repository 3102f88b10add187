/* Argument and return values from hand-made registers and this process's
 * own memory, typed by the DWARF of the functions below (the test is built
 * with -g).
 *
 * x86-64 specific: the registers are laid out per the System V ABI by the
 * helpers right below; on other architectures the suite has no tests. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "symbols.h"
#include "values.h"

#if defined(__x86_64__)
#define HAVE_REGS 1
/* rdi, rsi, rdx, rcx, r8, r9: the integer argument registers in order. */
static void set_int_arg(struct arch_regs *r, unsigned i, uint64_t v)
{
	unsigned long long *regs[] = { &r->g.rdi, &r->g.rsi, &r->g.rdx,
				       &r->g.rcx, &r->g.r8, &r->g.r9 };

	*regs[i] = v;
}

/* At the entry trap rsp points at the return address; stack arguments
 * follow it. */
static void set_sp(struct arch_regs *r, const void *sp)
{
	r->g.rsp = (uintptr_t)sp;
}

static void set_ret(struct arch_regs *r, uint64_t v)
{
	r->g.rax = v;
}
#else
#define HAVE_REGS 0
#endif

#define PROBE __attribute__((noinline, noclone, used))

enum color { RED, GREEN = 5, BLUE = -1 };
struct req { int id; const char *path; };
struct point { double x, y; };
struct big { long a, b, c; };

static volatile long sink;

PROBE void tv_ints(short sh, unsigned short us, int i, unsigned char uc,
		   long long ll, unsigned u)
{ sink = sh + us + i + uc + ll + u; }
PROBE void tv_misc(bool b, char ch, enum color c, enum color c2, void *p,
		   struct req *r)
{ sink = b + ch + c + c2 + (long)p + r->id; }
PROBE void tv_strings(const char *s, char *t, const unsigned char *u,
		      char *null, char *bad, uint8_t *bytes)
{ sink = s[0] + t[0] + u[0] + (long)null + bad[0] + bytes[0]; }
PROBE void tv_float(double d, int after, float f, struct point p, int after2)
{ sink = (long)(d + f + p.x) + after + after2; }
PROBE void tv_stack(long a1, long a2, long a3, long a4, long a5, long a6,
		    short a7, const char *a8)
{ sink = a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8[0]; }
PROBE int tv_varargs(const char *fmt, ...) { return fmt[0]; }
PROBE void tv_aggr(struct req r, int x, struct big b, int y)
{ sink = r.id + x + b.a + y; }
PROBE struct big tv_sret(int x) { struct big b = { x, x, x }; return b; }
PROBE const char *tv_ret_str(int x) { return x ? "yes" : "no"; }
PROBE short tv_ret_short(void) { return (short)sink; }
PROBE enum color tv_ret_enum(void) { return (enum color)sink; }
PROBE void tv_void(void) { sink = 0; }

#define PAGE 4096

static struct symtab *st;
/* A readable page followed by an unmapped one. */
static char *page;

/* A reader over our own memory that fails like process_vm_readv at the
 * unmapped page (and in the first page of the address space). Like any
 * tracer's read it runs past the end of the string it was pointed at,
 * into neighbouring objects: that is not an error here, so ASan must not
 * watch it (and a volatile byte loop keeps the compiler from calling the
 * intercepted memcpy). */
__attribute__((no_sanitize_address))
static ssize_t self_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	uint64_t hole = (uintptr_t)page + PAGE;
	const volatile unsigned char *src;
	unsigned char *dst = buf;

	(void)ctx;
	if (addr < PAGE || (addr >= hole && addr < hole + PAGE))
		return -14;   /* EFAULT */
	if (addr < hole && addr + len > hole)
		len = hole - addr;
	src = (const volatile unsigned char *)(uintptr_t)addr;
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
	return (ssize_t)len;
}

static void setup(void)
{
	page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(page, MAP_FAILED);
	ck_assert_int_eq(munmap(page + PAGE, PAGE), 0);
	ck_assert_int_eq(symtab_open(getpid(), &st), 0);
}

static void teardown(void)
{
	symtab_close(st);
	munmap(page, PAGE);
}

static const struct func_info *fn(const char *name)
{
	struct probe_spec spec;
	struct func_info **fs;
	size_t nf;
	char err[256];
	char text[128];

	snprintf(text, sizeof(text), ":%s", name);
	ck_assert_int_eq(probe_parse(text, &spec, err, sizeof(err)), 0);
	ck_assert_msg(symtab_resolve(st, &spec, 1, &fs, &nf, err, sizeof(err)) == 0,
		      "%s", err);
	probe_free(&spec);
	ck_assert_uint_eq(nf, 1);
	ck_assert(fs[0]->has_dwarf);
	return fs[0];
}

static struct value *args(const struct func_info *f, const struct arch_regs *r,
			  size_t strlimit, unsigned expect)
{
	struct value *v;
	unsigned n;

	ck_assert_int_eq(values_read_args(f, r, self_read, NULL, strlimit, &v, &n), 0);
	ck_assert_uint_eq(n, expect);
	return v;
}

static void free_args(struct value *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		value_free(&v[i]);
	free(v);
}

static const uint64_t junk = 0xdead000000000000ULL;

#if HAVE_REGS
START_TEST(integers_sized_by_dwarf)
{
	struct arch_regs r = { 0 };
	struct value *v;

	/* callers leave garbage above narrow arguments */
	set_int_arg(&r, 0, junk | 0xfffe);
	set_int_arg(&r, 1, junk | 0xfffe);
	set_int_arg(&r, 2, junk | 0x80000000u);
	set_int_arg(&r, 3, junk | 0x1ff);
	set_int_arg(&r, 4, (uint64_t)-5);
	set_int_arg(&r, 5, junk | 7);
	v = args(fn("tv_ints"), &r, 64, 6);
	ck_assert_str_eq(v[0].name, "sh");
	ck_assert_int_eq(v[0].kind, V_INT);
	ck_assert_int_eq(v[0].i, -2);
	ck_assert_int_eq(v[1].kind, V_UINT);
	ck_assert_uint_eq(v[1].u, 0xfffe);
	ck_assert_int_eq(v[2].kind, V_INT);
	ck_assert_int_eq(v[2].i, INT32_MIN);
	ck_assert_int_eq(v[3].kind, V_CHAR);
	ck_assert_uint_eq(v[3].u, 0xff);
	ck_assert_int_eq(v[4].kind, V_INT);
	ck_assert_int_eq(v[4].i, -5);
	ck_assert_int_eq(v[5].kind, V_UINT);
	ck_assert_uint_eq(v[5].u, 7);
	free_args(v, 6);
}
END_TEST

START_TEST(bool_char_enum_pointer)
{
	struct arch_regs r = { 0 };
	struct req rq = { 3, "x" };
	struct value *v;

	set_int_arg(&r, 0, junk | 0x101);
	set_int_arg(&r, 1, junk | 'A');
	set_int_arg(&r, 2, junk | 5);
	set_int_arg(&r, 3, junk | 0xffffffffu);
	set_int_arg(&r, 4, 0);
	set_int_arg(&r, 5, (uintptr_t)&rq);
	v = args(fn("tv_misc"), &r, 64, 6);
	ck_assert_int_eq(v[0].kind, V_BOOL);
	ck_assert_uint_eq(v[0].u, 1);
	ck_assert_int_eq(v[1].kind, V_CHAR);
	ck_assert_int_eq(v[1].i, 'A');
	ck_assert_int_eq(v[2].kind, V_ENUM);
	ck_assert_int_eq(v[2].i, 5);
	ck_assert_str_eq(v[2].enumerator, "GREEN");
	ck_assert_int_eq(v[3].kind, V_ENUM);
	ck_assert_int_eq(v[3].i, -1);
	ck_assert_str_eq(v[3].enumerator, "BLUE");
	ck_assert_int_eq(v[4].kind, V_PTR);
	ck_assert_uint_eq(v[4].u, 0);
	ck_assert_int_eq(v[5].kind, V_PTR);
	ck_assert_uint_eq(v[5].u, (uintptr_t)&rq);
	ck_assert_ptr_null(v[5].str);
	free_args(v, 6);

	/* a value no enumerator has */
	set_int_arg(&r, 2, 4);
	v = args(fn("tv_misc"), &r, 64, 6);
	ck_assert_int_eq(v[2].kind, V_ENUM);
	ck_assert_int_eq(v[2].i, 4);
	ck_assert_ptr_null(v[2].enumerator);
	free_args(v, 6);
}
END_TEST

START_TEST(strings)
{
	struct arch_regs r = { 0 };
	static const char hello[] = "hello, world";
	static const unsigned char bin[] = { 'o', 'k', 0 };
	static uint8_t bytes[] = { 1, 2, 3 };
	struct value *v;

	set_int_arg(&r, 0, (uintptr_t)hello);
	set_int_arg(&r, 1, (uintptr_t)hello);
	set_int_arg(&r, 2, (uintptr_t)bin);
	set_int_arg(&r, 3, 0);
	set_int_arg(&r, 4, (uintptr_t)page + PAGE + 16);
	set_int_arg(&r, 5, (uintptr_t)bytes);
	v = args(fn("tv_strings"), &r, 5, 6);
	/* const char *: cut at the limit */
	ck_assert_int_eq(v[0].kind, V_STR);
	ck_assert_uint_eq(v[0].u, (uintptr_t)hello);
	ck_assert_uint_eq(v[0].len, 5);
	ck_assert(!memcmp(v[0].str, "hello", 5));
	ck_assert(v[0].truncated);
	ck_assert(!v[0].unreadable);
	ck_assert_int_eq(v[2].kind, V_STR);
	ck_assert_uint_eq(v[2].len, 2);
	ck_assert(!v[2].truncated);
	/* NULL stays a pointer, even for char * */
	ck_assert_int_eq(v[3].kind, V_PTR);
	ck_assert_uint_eq(v[3].u, 0);
	ck_assert_ptr_null(v[3].str);
	/* into the unmapped page */
	ck_assert_int_eq(v[4].kind, V_STR);
	ck_assert(v[4].unreadable);
	ck_assert_ptr_null(v[4].str);
	ck_assert_uint_eq(v[4].u, (uintptr_t)page + PAGE + 16);
	/* uint8_t * holds bytes, not text */
	ck_assert_int_eq(v[5].kind, V_PTR);
	free_args(v, 6);

	v = args(fn("tv_strings"), &r, 64, 6);
	ck_assert_uint_eq(v[1].len, strlen(hello));
	ck_assert(!memcmp(v[1].str, hello, strlen(hello)));
	ck_assert(!v[1].truncated);
	free_args(v, 6);
}
END_TEST

START_TEST(string_at_end_of_mapping)
{
	struct arch_regs r = { 0 };
	char *end = page + PAGE;
	struct value *v;

	/* reading 64 bytes from either crosses into the hole */
	memcpy(end - 12, "abc", 4);
	memcpy(end - 4, "wxyz", 4);   /* no NUL before the hole */
	set_int_arg(&r, 0, (uintptr_t)(end - 12));
	set_int_arg(&r, 1, (uintptr_t)(end - 4));
	set_int_arg(&r, 2, (uintptr_t)(end - 4));
	v = args(fn("tv_strings"), &r, 64, 6);
	ck_assert_int_eq(v[0].kind, V_STR);
	ck_assert_uint_eq(v[0].len, 3);
	ck_assert(!memcmp(v[0].str, "abc", 3));
	ck_assert(!v[0].truncated && !v[0].unreadable);
	ck_assert_uint_eq(v[1].len, 4);
	ck_assert(!memcmp(v[1].str, "wxyz", 4));
	ck_assert(v[1].truncated);
	ck_assert(!v[1].unreadable);
	free_args(v, 6);
}
END_TEST

START_TEST(float_args_keep_int_positions)
{
	struct arch_regs r = { 0 };
	struct value *v;

	/* d, f and p travel in xmm0-3: after and after2 are rdi and rsi */
	set_int_arg(&r, 0, 11);
	set_int_arg(&r, 1, 22);
	v = args(fn("tv_float"), &r, 64, 5);
	ck_assert_int_eq(v[0].kind, V_OPAQUE);
	ck_assert_str_eq(v[1].name, "after");
	ck_assert_int_eq(v[1].kind, V_INT);
	ck_assert_int_eq(v[1].i, 11);
	ck_assert_int_eq(v[2].kind, V_OPAQUE);
	ck_assert_int_eq(v[3].kind, V_OPAQUE);
	ck_assert_int_eq(v[4].kind, V_INT);
	ck_assert_int_eq(v[4].i, 22);
	free_args(v, 5);
}
END_TEST

START_TEST(aggregates_keep_positions)
{
	struct arch_regs r = { 0 };
	uint64_t stack[8] = { 0 };
	struct value *v;

	/* struct req takes rdi and rsi, x is rdx; struct big goes on the
	 * stack, y is rcx */
	set_sp(&r, stack);
	set_int_arg(&r, 2, 33);
	set_int_arg(&r, 3, 44);
	v = args(fn("tv_aggr"), &r, 64, 4);
	ck_assert_int_eq(v[0].kind, V_OPAQUE);
	ck_assert_int_eq(v[1].i, 33);
	ck_assert_int_eq(v[2].kind, V_OPAQUE);
	ck_assert_int_eq(v[3].i, 44);
	free_args(v, 4);

	/* a struct returned in memory takes rdi for its address */
	set_int_arg(&r, 0, 0x1000);
	set_int_arg(&r, 1, 55);
	v = args(fn("tv_sret"), &r, 64, 1);
	ck_assert_int_eq(v[0].i, 55);
	free_args(v, 1);
}
END_TEST

START_TEST(seventh_argument_from_stack)
{
	struct arch_regs r = { 0 };
	uint64_t stack[4];
	struct value *v;

	stack[0] = 0x401000;                 /* return address */
	stack[1] = junk | 0xfff9;            /* a7: (short)-7 */
	stack[2] = (uintptr_t)"on stack";    /* a8 */
	stack[3] = 0;
	set_sp(&r, stack);
	for (unsigned i = 0; i < 6; i++)
		set_int_arg(&r, i, i + 1);
	v = args(fn("tv_stack"), &r, 64, 8);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(v[i].i, i + 1);
	ck_assert_str_eq(v[6].name, "a7");
	ck_assert_int_eq(v[6].kind, V_INT);
	ck_assert_int_eq(v[6].i, -7);
	ck_assert_int_eq(v[7].kind, V_STR);
	ck_assert_uint_eq(v[7].len, 8);
	ck_assert(!memcmp(v[7].str, "on stack", 8));
	free_args(v, 8);

	/* a stack that cannot be read */
	set_sp(&r, page + PAGE);
	v = args(fn("tv_stack"), &r, 64, 8);
	ck_assert_int_eq(v[6].kind, V_UNAVAIL);
	ck_assert_int_eq(v[7].kind, V_UNAVAIL);
	free_args(v, 8);
}
END_TEST

START_TEST(variadic)
{
	struct arch_regs r = { 0 };
	struct value *v;

	set_int_arg(&r, 0, (uintptr_t)"%d");
	set_int_arg(&r, 1, 42);
	v = args(fn("tv_varargs"), &r, 64, 2);
	ck_assert_int_eq(v[0].kind, V_STR);
	ck_assert_uint_eq(v[0].len, 2);
	ck_assert_int_eq(v[1].kind, V_VARARGS);
	ck_assert_str_eq(v[1].name, "...");
	free_args(v, 2);
}
END_TEST

START_TEST(raw_without_dwarf)
{
	struct func_info f = { .name = "stripped", .signature = "stripped()" };
	struct arch_regs r = { 0 };
	struct value *v, ret;
	unsigned n;

	for (unsigned i = 0; i < 6; i++)
		set_int_arg(&r, i, 100 + i);
	set_ret(&r, junk);
	ck_assert_int_eq(values_read_args(&f, &r, self_read, NULL, 64, &v, &n), 0);
	ck_assert_uint_eq(n, arch_int_arg_regs);
	ck_assert_uint_eq(n, 6);
	for (unsigned i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "arg%u", i + 1);
		ck_assert_str_eq(v[i].name, name);
		ck_assert_int_eq(v[i].kind, V_RAW);
		ck_assert_uint_eq(v[i].u, 100 + i);
	}
	free_args(v, n);
	ck_assert_int_eq(values_read_return(&f, &r, self_read, NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_RAW);
	ck_assert_uint_eq(ret.u, junk);
}
END_TEST

START_TEST(return_values)
{
	struct arch_regs r = { 0 };
	struct value ret;

	set_ret(&r, (uintptr_t)"yes");
	ck_assert_int_eq(values_read_return(fn("tv_ret_str"), &r, self_read,
					    NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_STR);
	ck_assert_uint_eq(ret.len, 3);
	ck_assert(!memcmp(ret.str, "yes", 3));
	value_free(&ret);

	set_ret(&r, junk | 0xfffd);
	ck_assert_int_eq(values_read_return(fn("tv_ret_short"), &r, self_read,
					    NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_INT);
	ck_assert_int_eq(ret.i, -3);

	set_ret(&r, 0);
	ck_assert_int_eq(values_read_return(fn("tv_ret_enum"), &r, self_read,
					    NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_ENUM);
	ck_assert_str_eq(ret.enumerator, "RED");

	ck_assert_int_eq(values_read_return(fn("tv_void"), &r, self_read,
					    NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_NONE);

	ck_assert_int_eq(values_read_return(fn("tv_sret"), &r, self_read,
					    NULL, 64, &ret), 0);
	ck_assert_int_eq(ret.kind, V_OPAQUE);
}
END_TEST
#endif

static Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc = tcase_create("x86_64");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
#if HAVE_REGS
	tcase_add_test(tc, integers_sized_by_dwarf);
	tcase_add_test(tc, bool_char_enum_pointer);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, string_at_end_of_mapping);
	tcase_add_test(tc, float_args_keep_int_positions);
	tcase_add_test(tc, aggregates_keep_positions);
	tcase_add_test(tc, seventh_argument_from_stack);
	tcase_add_test(tc, variadic);
	tcase_add_test(tc, raw_without_dwarf);
	tcase_add_test(tc, return_values);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* hermetic: never ask a debuginfod server about the test's modules */
	unsetenv("DEBUGINFOD_URLS");
	sr = srunner_create(values_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
