/* Argument and return values from hand-made registers and this process's
 * own memory, typed by the DWARF of the functions below (the test is built
 * with -g).
 *
 * x86-64 specific: the registers are laid out per the System V ABI by the
 * helpers right below; on other architectures the suite has no tests. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "output/priv.h"
#include "symbols/symbols.h"
#include "values/values.h"

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

/* xmm i holds bytes v[0..n); the rest of it is whatever the caller left
 * there. */
static void set_xmm(struct arch_fpregs *fp, unsigned i, const void *v, size_t n)
{
	unsigned char *x = (unsigned char *)fp->f.xmm_space + 16 * i;

	memset(x, 0xa5, 16);
	memcpy(x, v, n);
}

static void set_xmm_float(struct arch_fpregs *fp, unsigned i, float f)
{
	set_xmm(fp, i, &f, sizeof(f));
}

static void set_xmm_double(struct arch_fpregs *fp, unsigned i, double d)
{
	set_xmm(fp, i, &d, sizeof(d));
}
#else
#define HAVE_REGS 0
#endif

/* Probes are built unoptimised: at -O1 and up GCC may give a parameter
 * no DWARF location (even a by-value struct still live in rdi:rsi), and
 * latch then shows it as optimised out, which is not what these tests
 * are about. */
#if defined(__clang__)
#define UNOPTIMISED __attribute__((optnone))
#else
#define UNOPTIMISED __attribute__((optimize("O0")))
#endif
#define PROBE __attribute__((noinline, noclone, used)) UNOPTIMISED

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
{ sink = (long)(d + f + p.x + p.y) + after + after2; }
PROBE void tv_stack(long a1, long a2, long a3, long a4, long a5, long a6,
		    short a7, const char *a8)
{ sink = a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8[0]; }
PROBE int tv_varargs(const char *fmt, ...) { return fmt[0]; }
PROBE void tv_aggr(struct req r, int x, struct big b, int y)
{ sink = r.id + r.path[0] + x + b.a + b.b + b.c + y; }
PROBE struct big tv_sret(int x) { struct big b = { x, x, x }; return b; }
PROBE const char *tv_ret_str(int x) { return x ? "yes" : "no"; }
PROBE short tv_ret_short(void) { return (short)sink; }
PROBE enum color tv_ret_enum(void) { return (enum color)sink; }
PROBE void tv_void(void) { sink = 0; }

/* Floating point and structs by value: where the ABI puts them. */
struct ii { int a, b; };
struct dl { double d; long l; };
struct fff { float a, b, c; };

PROBE void tv_fp(float f, double d, long double ld, int i, double d2)
{ sink = (long)(f + d + ld + d2) + i; }
PROBE float tv_ret_float(void) { return (float)sink; }
PROBE struct dl tv_ret_dl(void) { struct dl r = { 1.5, sink }; return r; }
PROBE struct ii tv_ret_ii(void) { struct ii r = { (int)sink, 2 }; return r; }
PROBE void tv_sregs(struct ii a, struct point b, struct dl c, struct fff d,
		    struct big e, int after)
{
	sink = a.a + a.b + (long)(b.x + b.y + c.d + d.a + d.b + d.c) + c.l +
	       e.a + e.b + e.c + after;
}

/* What the decoder makes of a type, whatever the ABI. */
enum flags { F_A = 1, F_B = 2, F_C = 4, F_D = 8 };
struct node {
	int len;
	const char *name;
	struct node *next;
	void *data;
	bool ok;
};
struct l3 { int v; };
struct l2 { int w; struct l3 c; };
struct l1 { int u; struct l2 b; };
struct arrs { int a[4]; int big[40]; char name[8]; int m[2][3]; };
struct flex { int n; int data[]; };
struct bits { int s : 3; unsigned u : 5; enum color c : 4; bool on : 1; };
struct anon {
	int tag;
	union { int i; float f; };
	struct { short lo, hi; };
};
union un { int i; unsigned short h[2]; float f; };

struct holder { struct node *n; int k; };

int tv_table[8];
/* Zero-filled, 64 KiB: its end lies past the data segment's last page
 * from the file, in memory that /proc/self/maps shows as anonymous. */
char tv_bss[65536];

PROBE void tv_deref(struct node *n, struct node *null, struct node *bad,
		    const struct l1 *deep, struct flex *fl, union un *u)
{ sink = n->len + (long)null + bad->len + deep->u + fl->n + u->i; }
PROBE void tv_holder(struct holder h) { sink = h.n->len + h.k; }
PROBE void tv_agg(const struct arrs *a, struct bits b, const struct anon *an,
		  struct l1 l)
{ sink = a->a[0] + b.s + b.u + b.c + b.on + an->tag + l.u + l.b.w + l.b.c.v; }
PROBE void tv_enums(enum flags a, enum flags b, enum flags c, enum color d,
		    bool e)
{ sink = a + b + c + d + e; }
PROBE void tv_syms(void (*cb)(void), const int *data, void *plain,
		   int (*none)(int))
{ sink = (long)cb + data[0] + (long)plain + (long)none; }

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
	ck_assert_msg(symtab_resolve(st, &spec, 1, false, &fs, &nf, err, sizeof(err)) == 0,
		      "%s", err);
	probe_free(&spec);
	ck_assert_uint_eq(nf, 1);
	ck_assert(fs[0]->has_dwarf);
	return fs[0];
}

static struct value_limits limits;

static struct values_src source(const struct arch_regs *r, size_t strlimit)
{
	limits = (struct value_limits){ strlimit, 16, 2, 0, false };
	return (struct values_src){ .r = r, .rd = self_read, .lim = &limits };
}

static struct value *args(const struct func_info *f, const struct arch_regs *r,
			  size_t strlimit, unsigned expect)
{
	struct values_src src = source(r, strlimit);
	struct value *v;
	uint64_t ret_buf;
	unsigned n;

	ck_assert_int_eq(values_read_args(f, &src, &v, &n, &ret_buf), 0);
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

/* Arguments read through a source the test has set up itself (limits,
 * symbols, floating-point registers). */
static struct value *read_args(const struct func_info *f,
			       const struct values_src *src, unsigned expect,
			       uint64_t *ret_buf)
{
	struct value *v;
	uint64_t rb;
	unsigned n;

	ck_assert_int_eq(values_read_args(f, src, &v, &n, ret_buf ? ret_buf : &rb), 0);
	ck_assert_uint_eq(n, expect);
	return v;
}

static int self_sym(void *ctx, uint64_t addr, char *buf, size_t len)
{
	(void)ctx;
	return symtab_describe(st, addr, buf, len);
}

/* The kid of v called name (inlined members included). */
static const struct value *kid(const struct value *v, const char *name)
{
	for (unsigned i = 0; i < v->nkids; i++)
		if (v->kids[i].name && !strcmp(v->kids[i].name, name))
			return &v->kids[i];
	ck_abort_msg("no member %s", name);
	return NULL;
}

static void assert_text(const struct value *v, const char *s)
{
	ck_assert_int_eq(v->kind, V_STR);
	ck_assert_uint_eq(v->len, strlen(s));
	ck_assert(!memcmp(v->text, s, v->len));
}

static char *render(void (*fn)(FILE *, const struct value *),
		    const struct value *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, v);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void expect_render(void (*fn)(FILE *, const struct value *),
			  const struct value *v, const char *want)
{
	char *got = render(fn, v);

	ck_assert_str_eq(got, want);
	free(got);
}

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
	ck_assert_str_eq(v[2].text, "GREEN");
	ck_assert_int_eq(v[3].kind, V_ENUM);
	ck_assert_int_eq(v[3].i, -1);
	ck_assert_str_eq(v[3].text, "BLUE");
	ck_assert_int_eq(v[4].kind, V_PTR);
	ck_assert_uint_eq(v[4].u, 0);
	ck_assert_int_eq(v[5].kind, V_PTR);
	ck_assert_uint_eq(v[5].u, (uintptr_t)&rq);
	ck_assert_ptr_null(v[5].text);
	free_args(v, 6);

	/* a value no enumerator has */
	set_int_arg(&r, 2, 4);
	v = args(fn("tv_misc"), &r, 64, 6);
	ck_assert_int_eq(v[2].kind, V_ENUM);
	ck_assert_int_eq(v[2].i, 4);
	ck_assert_ptr_null(v[2].text);
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
	ck_assert(!memcmp(v[0].text, "hello", 5));
	ck_assert(v[0].truncated);
	ck_assert(!v[0].unreadable);
	ck_assert_int_eq(v[2].kind, V_STR);
	ck_assert_uint_eq(v[2].len, 2);
	ck_assert(!v[2].truncated);
	/* NULL stays a pointer, even for char * */
	ck_assert_int_eq(v[3].kind, V_PTR);
	ck_assert_uint_eq(v[3].u, 0);
	ck_assert_ptr_null(v[3].text);
	/* into the unmapped page */
	ck_assert_int_eq(v[4].kind, V_STR);
	ck_assert(v[4].unreadable);
	ck_assert_ptr_null(v[4].text);
	ck_assert_uint_eq(v[4].u, (uintptr_t)page + PAGE + 16);
	/* uint8_t * holds bytes, not text */
	ck_assert_int_eq(v[5].kind, V_PTR);
	free_args(v, 6);

	v = args(fn("tv_strings"), &r, 64, 6);
	ck_assert_uint_eq(v[1].len, strlen(hello));
	ck_assert(!memcmp(v[1].text, hello, strlen(hello)));
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
	ck_assert(!memcmp(v[0].text, "abc", 3));
	ck_assert(!v[0].truncated && !v[0].unreadable);
	ck_assert_uint_eq(v[1].len, 4);
	ck_assert(!memcmp(v[1].text, "wxyz", 4));
	ck_assert(v[1].truncated);
	ck_assert(!v[1].unreadable);
	free_args(v, 6);
}
END_TEST

START_TEST(float_args_keep_int_positions)
{
	struct arch_regs r = { 0 };
	struct arch_fpregs fp;
	struct values_src src = source(&r, 64);
	struct value *v;

	/* d, f and p travel in xmm0-3: after and after2 are rdi and rsi */
	memset(&fp, 0, sizeof(fp));
	set_xmm_double(&fp, 0, 2.5);
	set_xmm_float(&fp, 1, 0.1f);
	set_xmm_double(&fp, 2, 1.5);
	set_xmm_double(&fp, 3, -0.0);
	set_int_arg(&r, 0, 11);
	set_int_arg(&r, 1, 22);
	src.fp = &fp;
	v = read_args(fn("tv_float"), &src, 5, NULL);
	ck_assert_int_eq(v[0].kind, V_FLOAT);
	ck_assert_uint_eq(v[0].fbits, 64);
	ck_assert(v[0].f == 2.5);
	ck_assert_str_eq(v[1].name, "after");
	ck_assert_int_eq(v[1].kind, V_INT);
	ck_assert_int_eq(v[1].i, 11);
	ck_assert_int_eq(v[2].kind, V_FLOAT);
	ck_assert_uint_eq(v[2].fbits, 32);
	ck_assert((float)v[2].f == 0.1f);
	ck_assert_int_eq(v[3].kind, V_STRUCT);
	ck_assert_uint_eq(v[3].nkids, 2);
	ck_assert(kid(&v[3], "x")->f == 1.5);
	ck_assert(kid(&v[3], "y")->f == 0 && signbit(kid(&v[3], "y")->f));
	ck_assert_int_eq(v[4].kind, V_INT);
	ck_assert_int_eq(v[4].i, 22);
	free_args(v, 5);
}
END_TEST

START_TEST(aggregates_keep_positions)
{
	struct arch_regs r = { 0 };
	uint64_t stack[8] = { 0 };
	struct big sret = { 7, 8, 9 };
	struct value *v;
	uint64_t ret_buf;

	/* struct req takes rdi and rsi, x is rdx; struct big goes on the
	 * stack, y is rcx */
	stack[0] = 0x401000;
	stack[1] = (uint64_t)-1;
	stack[2] = 2;
	stack[3] = 3;
	set_sp(&r, stack);
	set_int_arg(&r, 0, junk | 3);   /* id, then padding */
	set_int_arg(&r, 1, (uintptr_t)"/a");
	set_int_arg(&r, 2, 33);
	set_int_arg(&r, 3, 44);
	v = args(fn("tv_aggr"), &r, 64, 4);
	ck_assert_int_eq(v[0].kind, V_STRUCT);
	ck_assert_uint_eq(v[0].nkids, 2);
	ck_assert_int_eq(kid(&v[0], "id")->i, 3);
	assert_text(kid(&v[0], "path"), "/a");
	ck_assert_int_eq(v[1].i, 33);
	ck_assert_int_eq(v[2].kind, V_STRUCT);
	ck_assert_int_eq(kid(&v[2], "a")->i, -1);
	ck_assert_int_eq(kid(&v[2], "b")->i, 2);
	ck_assert_int_eq(kid(&v[2], "c")->i, 3);
	ck_assert_int_eq(v[3].i, 44);
	free_args(v, 4);

	/* a struct returned in memory takes rdi for its address */
	set_int_arg(&r, 0, (uintptr_t)&sret);
	set_int_arg(&r, 1, 55);
	struct values_src src = source(&r, 64);
	v = read_args(fn("tv_sret"), &src, 1, &ret_buf);
	ck_assert_int_eq(v[0].i, 55);
	ck_assert_uint_eq(ret_buf, (uintptr_t)&sret);
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
	ck_assert(!memcmp(v[7].text, "on stack", 8));
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
	struct func_info f = { .desc.name = "stripped", .desc.signature = "stripped()" };
	struct arch_regs r = { 0 };
	struct value *v, ret;
	unsigned n;

	for (unsigned i = 0; i < 6; i++)
		set_int_arg(&r, i, 100 + i);
	set_ret(&r, junk);
	struct values_src src = source(&r, 64);
	uint64_t ret_buf;

	/* unknown arguments, for printing: one "..." */
	ck_assert_int_eq(values_read_args(&f, &src, &v, &n, &ret_buf), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].kind, V_VARARGS);
	ck_assert_str_eq(v[0].name, "...");
	free_args(v, n);
	/* for a condition on arg1..argN: the raw registers */
	src.raw_args = true;
	ck_assert_int_eq(values_read_args(&f, &src, &v, &n, &ret_buf), 0);
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
	ck_assert_int_eq(values_read_return(&f, &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_RAW);
	ck_assert_uint_eq(ret.u, junk);
}
END_TEST

START_TEST(return_values)
{
	struct arch_regs r = { 0 };
	struct values_src src = source(&r, 64);
	struct value ret;

	set_ret(&r, (uintptr_t)"yes");
	ck_assert_int_eq(values_read_return(fn("tv_ret_str"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_STR);
	ck_assert_uint_eq(ret.len, 3);
	ck_assert(!memcmp(ret.text, "yes", 3));
	value_free(&ret);

	set_ret(&r, junk | 0xfffd);
	ck_assert_int_eq(values_read_return(fn("tv_ret_short"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_INT);
	ck_assert_int_eq(ret.i, -3);

	set_ret(&r, 0);
	ck_assert_int_eq(values_read_return(fn("tv_ret_enum"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_ENUM);
	ck_assert_str_eq(ret.text, "RED");
	value_free(&ret);

	ck_assert_int_eq(values_read_return(fn("tv_void"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_NONE);

	/* a struct returned in memory: rax holds the buffer the caller
	 * passed in rdi, which the entry trap kept */
	struct big b = { -1, 2, 3 };

	set_ret(&r, (uintptr_t)&b);
	ck_assert_int_eq(values_read_return(fn("tv_sret"), &src,
					    (uintptr_t)&b, &ret), 0);
	ck_assert_int_eq(ret.kind, V_STRUCT);
	ck_assert_uint_eq(ret.nkids, 3);
	ck_assert_str_eq(ret.kids[0].name, "a");
	ck_assert_int_eq(ret.kids[0].i, -1);
	ck_assert_int_eq(ret.kids[1].i, 2);
	ck_assert_int_eq(ret.kids[2].i, 3);
	value_free(&ret);

	/* an unreadable result buffer */
	set_ret(&r, (uintptr_t)page + PAGE);
	ck_assert_int_eq(values_read_return(fn("tv_sret"), &src,
					    (uintptr_t)page + PAGE, &ret), 0);
	ck_assert_int_eq(ret.kind, V_UNAVAIL);
	ck_assert(ret.unreadable);
	value_free(&ret);
}
END_TEST

START_TEST(floats_from_fp_registers)
{
	struct arch_regs r = { 0 };
	struct arch_fpregs fp;
	struct values_src src = source(&r, 64);
	_Alignas(16) unsigned char stack[64];
	long double ld = -1.25L;
	struct value *v, ret;

	/* f, d, d2 in xmm0-2; i in rdi; long double in memory, at the first
	 * 16-aligned slot past the return address */
	memset(&fp, 0, sizeof(fp));
	set_xmm_float(&fp, 0, 0.1f);
	set_xmm_double(&fp, 1, 1e+30);
	set_xmm_double(&fp, 2, -INFINITY);
	memset(stack, 0xa5, sizeof(stack));
	memcpy(stack + 16, &ld, 10);
	set_sp(&r, stack + 8);
	set_int_arg(&r, 0, junk | 7);
	src.fp = &fp;
	v = read_args(fn("tv_fp"), &src, 5, NULL);
	ck_assert_str_eq(v[0].name, "f");
	ck_assert_int_eq(v[0].kind, V_FLOAT);
	ck_assert_uint_eq(v[0].fbits, 32);
	ck_assert((float)v[0].f == 0.1f);
	ck_assert_int_eq(v[1].kind, V_FLOAT);
	ck_assert_uint_eq(v[1].fbits, 64);
	ck_assert((double)v[1].f == 1e+30);
	ck_assert_int_eq(v[2].kind, V_FLOAT);
	ck_assert_uint_eq(v[2].fbits, 0);
	ck_assert(v[2].f == -1.25L);
	ck_assert_int_eq(v[3].kind, V_INT);
	ck_assert_int_eq(v[3].i, 7);
	ck_assert_int_eq(v[4].kind, V_FLOAT);
	ck_assert(isinf(v[4].f) && v[4].f < 0);
	expect_render(render_text_value, &v[0], "0.1");
	expect_render(render_json_value, &v[0], "0.1");
	expect_render(render_text_value, &v[1], "1e+30");
	expect_render(render_text_value, &v[2], "-1.25");
	expect_render(render_text_value, &v[4], "-inf");
	expect_render(render_json_value, &v[4], "\"-inf\"");
	free_args(v, 5);

	/* a float result is in xmm0 */
	set_xmm_float(&fp, 0, 1.5f);
	ck_assert_int_eq(values_read_return(fn("tv_ret_float"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_FLOAT);
	ck_assert_uint_eq(ret.fbits, 32);
	ck_assert(ret.f == 1.5);
	value_free(&ret);
}
END_TEST

START_TEST(structs_in_registers)
{
	struct arch_regs r = { 0 };
	struct arch_fpregs fp;
	struct values_src src = source(&r, 64);
	uint64_t stack[8];
	struct big e = { 100, -200, 300 };
	float ab[2] = { 1.5f, -2.0f };
	struct value *v, ret;

	/* a {int,int} in rdi; {double,double} in xmm0 and xmm1; {double,long}
	 * in xmm2 and rsi; {float,float,float} in xmm3 (a, b) and xmm4 (c);
	 * the 24-byte struct on the stack; after in rdx */
	memset(&fp, 0, sizeof(fp));
	set_int_arg(&r, 0, (uint64_t)(uint32_t)-4 << 32 | 3);
	set_xmm_double(&fp, 0, 0.5);
	set_xmm_double(&fp, 1, 0.25);
	set_xmm_double(&fp, 2, 3.0);
	set_int_arg(&r, 1, (uint64_t)-9);
	set_xmm(&fp, 3, ab, sizeof(ab));
	set_xmm_float(&fp, 4, 8.0f);
	set_int_arg(&r, 2, 77);
	stack[0] = 0x401000;
	memcpy(&stack[1], &e, sizeof(e));
	set_sp(&r, stack);
	src.fp = &fp;
	v = read_args(fn("tv_sregs"), &src, 6, NULL);
	ck_assert_int_eq(v[0].kind, V_STRUCT);
	ck_assert_int_eq(kid(&v[0], "a")->i, 3);
	ck_assert_int_eq(kid(&v[0], "b")->i, -4);
	ck_assert_int_eq(v[1].kind, V_STRUCT);
	ck_assert(kid(&v[1], "x")->f == 0.5);
	ck_assert(kid(&v[1], "y")->f == 0.25);
	ck_assert_int_eq(v[2].kind, V_STRUCT);
	ck_assert(kid(&v[2], "d")->f == 3.0);
	ck_assert_int_eq(kid(&v[2], "l")->kind, V_INT);
	ck_assert_int_eq(kid(&v[2], "l")->i, -9);
	ck_assert_int_eq(v[3].kind, V_STRUCT);
	ck_assert_uint_eq(v[3].nkids, 3);
	ck_assert(kid(&v[3], "a")->f == 1.5);
	ck_assert(kid(&v[3], "b")->f == -2.0);
	ck_assert(kid(&v[3], "c")->f == 8.0);
	ck_assert_int_eq(v[4].kind, V_STRUCT);
	ck_assert_int_eq(kid(&v[4], "a")->i, 100);
	ck_assert_int_eq(kid(&v[4], "b")->i, -200);
	ck_assert_int_eq(kid(&v[4], "c")->i, 300);
	ck_assert_int_eq(v[5].kind, V_INT);
	ck_assert_int_eq(v[5].i, 77);
	expect_render(render_text_value, &v[3], "{a=1.5, b=-2, c=8}");
	expect_render(render_json_value, &v[2], "{\"d\":3,\"l\":-9}");
	free_args(v, 6);

	/* results: {double,long} in xmm0 and rax, {int,int} in rax */
	set_xmm_double(&fp, 0, 1.5);
	set_ret(&r, 12);
	ck_assert_int_eq(values_read_return(fn("tv_ret_dl"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_STRUCT);
	ck_assert(kid(&ret, "d")->f == 1.5);
	ck_assert_int_eq(kid(&ret, "l")->i, 12);
	value_free(&ret);
	set_ret(&r, (uint64_t)2 << 32 | 5);
	ck_assert_int_eq(values_read_return(fn("tv_ret_ii"), &src, 0, &ret), 0);
	ck_assert_int_eq(ret.kind, V_STRUCT);
	ck_assert_int_eq(kid(&ret, "a")->i, 5);
	ck_assert_int_eq(kid(&ret, "b")->i, 2);
	value_free(&ret);
}
END_TEST

START_TEST(pointers_followed_once)
{
	struct arch_regs r = { 0 };
	struct node other = { 9, "other", NULL, NULL, false };
	struct node n = { 3, "x", &other, NULL, true };
	struct l1 deep = { 1, { 2, { 3 } } };
	struct flex *fl = calloc(1, sizeof(*fl) + 2 * sizeof(int));
	union un u = { .i = 0x3f800000 };   /* 1.0f */
	struct values_src src = source(&r, 64);
	const struct value *k;
	struct value *v;
	char want[256];

	ck_assert_ptr_nonnull(fl);
	fl->n = 2;
	set_int_arg(&r, 0, (uintptr_t)&n);
	set_int_arg(&r, 1, 0);
	set_int_arg(&r, 2, (uintptr_t)page + PAGE);
	set_int_arg(&r, 3, (uintptr_t)&deep);
	set_int_arg(&r, 4, (uintptr_t)fl);
	set_int_arg(&r, 5, (uintptr_t)&u);
	v = read_args(fn("tv_deref"), &src, 6, NULL);

	/* the struct a pointer argument points to */
	ck_assert_int_eq(v[0].kind, V_PTR);
	ck_assert_uint_eq(v[0].u, (uintptr_t)&n);
	ck_assert_uint_eq(v[0].nkids, 1);
	ck_assert(!v[0].unreadable);
	k = &v[0].kids[0];
	ck_assert_int_eq(k->kind, V_STRUCT);
	ck_assert_uint_eq(k->nkids, 5);
	ck_assert_int_eq(kid(k, "len")->i, 3);
	assert_text(kid(k, "name"), "x");
	/* a pointer inside a followed struct is an address */
	ck_assert_int_eq(kid(k, "next")->kind, V_PTR);
	ck_assert_uint_eq(kid(k, "next")->u, (uintptr_t)&other);
	ck_assert_uint_eq(kid(k, "next")->nkids, 0);
	ck_assert_int_eq(kid(k, "data")->kind, V_PTR);
	ck_assert_uint_eq(kid(k, "data")->u, 0);
	ck_assert_int_eq(kid(k, "ok")->kind, V_BOOL);
	ck_assert_uint_eq(kid(k, "ok")->u, 1);
	snprintf(want, sizeof(want),
		 "%p -> {len=3, name=\"x\", next=%p, data=NULL, ok=true}",
		 (void *)&n, (void *)&other);
	expect_render(render_text_value, &v[0], want);
	snprintf(want, sizeof(want),
		 "{\"ptr\":\"%p\",\"to\":{\"len\":3,\"name\":\"x\","
		 "\"next\":\"%p\",\"data\":null,\"ok\":true}}",
		 (void *)&n, (void *)&other);
	expect_render(render_json_value, &v[0], want);

	/* NULL */
	ck_assert_int_eq(v[1].kind, V_PTR);
	ck_assert_uint_eq(v[1].u, 0);
	ck_assert_uint_eq(v[1].nkids, 0);
	expect_render(render_text_value, &v[1], "NULL");
	expect_render(render_json_value, &v[1], "null");

	/* into the unmapped page */
	ck_assert_int_eq(v[2].kind, V_PTR);
	ck_assert(v[2].unreadable);
	ck_assert_uint_eq(v[2].nkids, 0);
	ck_assert_ptr_null(v[2].kids);
	snprintf(want, sizeof(want), "%p <unreadable>", (void *)(page + PAGE));
	expect_render(render_text_value, &v[2], want);
	snprintf(want, sizeof(want), "{\"ptr\":\"%p\",\"unreadable\":true}",
		 (void *)(page + PAGE));
	expect_render(render_json_value, &v[2], want);

	/* the pointee is at the pointer's level: two levels of members
	 * show with --depth 2, the third is cut */
	k = &v[3].kids[0];
	ck_assert_int_eq(k->kind, V_STRUCT);
	ck_assert_int_eq(kid(k, "u")->i, 1);
	ck_assert_int_eq(kid(k, "b")->kind, V_STRUCT);
	ck_assert_int_eq(kid(kid(k, "b"), "w")->i, 2);
	ck_assert_int_eq(kid(kid(k, "b"), "c")->kind, V_OPAQUE);
	snprintf(want, sizeof(want), "%p -> {u=1, b={w=2, c={...}}}",
		 (void *)&deep);
	expect_render(render_text_value, &v[3], want);
	snprintf(want, sizeof(want),
		 "{\"ptr\":\"%p\",\"to\":{\"u\":1,\"b\":{\"w\":2,\"c\":\"{...}\"}}}",
		 (void *)&deep);
	expect_render(render_json_value, &v[3], want);

	/* a flexible array member: its length is unknown */
	k = &v[4].kids[0];
	ck_assert_int_eq(kid(k, "n")->i, 2);
	ck_assert_int_eq(kid(k, "data")->kind, V_ARRAY);
	ck_assert(kid(k, "data")->truncated);
	ck_assert_uint_eq(kid(k, "data")->nkids, 0);
	snprintf(want, sizeof(want), "%p -> {n=2, data=[...]}", (void *)fl);
	expect_render(render_text_value, &v[4], want);
	snprintf(want, sizeof(want),
		 "{\"ptr\":\"%p\",\"to\":{\"n\":2,\"data\":[\"...\"]}}", (void *)fl);
	expect_render(render_json_value, &v[4], want);

	/* a union shows every member */
	k = &v[5].kids[0];
	ck_assert_int_eq(k->kind, V_STRUCT);
	ck_assert_uint_eq(k->nkids, 3);
	ck_assert_int_eq(kid(k, "i")->i, 0x3f800000);
	ck_assert_int_eq(kid(k, "h")->kind, V_ARRAY);
	ck_assert_uint_eq(kid(k, "h")->nkids, 2);
	ck_assert_uint_eq(kid(k, "h")->kids[1].u, 0x3f80);
	ck_assert(kid(k, "f")->f == 1.0);
	free_args(v, 6);

	/* with --depth 3 the innermost struct shows too */
	limits.depth = 3;
	v = read_args(fn("tv_deref"), &src, 6, NULL);
	k = kid(kid(&v[3].kids[0], "b"), "c");
	ck_assert_int_eq(k->kind, V_STRUCT);
	ck_assert_int_eq(kid(k, "v")->i, 3);
	free_args(v, 6);

	/* a pointer in a struct argument is followed, its pointee at the
	 * pointer's level (1): the pointee's members are level 2 */
	limits.depth = 2;
	struct holder h = { &n, 6 };
	struct value *hv;

	set_int_arg(&r, 0, (uintptr_t)&n);
	set_int_arg(&r, 1, junk | 6);
	hv = read_args(fn("tv_holder"), &src, 1, NULL);
	ck_assert_uint_eq(kid(&hv[0], "n")->nkids, 1);
	ck_assert_int_eq(kid(&kid(&hv[0], "n")->kids[0], "len")->i, 3);
	snprintf(want, sizeof(want),
		 "{n=%p -> {len=3, name=\"x\", next=%p, data=NULL, ok=true}, k=6}",
		 (void *)h.n, (void *)&other);
	expect_render(render_text_value, &hv[0], want);
	free_args(hv, 1);
	set_int_arg(&r, 1, 0);

	/* --depth 0: not even the pointee */
	limits.depth = 0;
	v = read_args(fn("tv_deref"), &src, 6, NULL);
	ck_assert_int_eq(v[0].kind, V_PTR);
	ck_assert_uint_eq(v[0].nkids, 0);
	ck_assert(!v[2].unreadable);
	free_args(v, 6);
	free(fl);
}
END_TEST

START_TEST(struct_cut_by_unmapped_page)
{
	struct arch_regs r = { 0 };
	struct values_src src = source(&r, 64);
	struct node *n = (struct node *)(page + PAGE) - 1;
	struct node *half = (struct node *)(page + PAGE - 8);
	struct value *v;

	/* a struct that ends on the hole reads whole; one that runs into it
	 * shows what could be read */
	memset(n, 0, sizeof(*n));
	n->len = 4;
	set_int_arg(&r, 0, (uintptr_t)n);
	set_int_arg(&r, 2, (uintptr_t)half);
	memcpy(page + PAGE - 8, "\x05\0\0\0\0\0\0\0", 8);
	v = read_args(fn("tv_deref"), &src, 6, NULL);
	ck_assert_uint_eq(v[0].nkids, 1);
	ck_assert_int_eq(kid(&v[0].kids[0], "len")->i, 4);
	ck_assert_uint_eq(v[2].nkids, 1);
	ck_assert_int_eq(kid(&v[2].kids[0], "len")->i, 5);
	ck_assert_int_eq(kid(&v[2].kids[0], "name")->kind, V_UNAVAIL);
	ck_assert(kid(&v[2].kids[0], "name")->unreadable);
	ck_assert_int_eq(kid(&v[2].kids[0], "ok")->kind, V_UNAVAIL);
	free_args(v, 6);
}
END_TEST

START_TEST(arrays_bitfields_anonymous)
{
	struct arch_regs r = { 0 };
	struct values_src src = source(&r, 64);
	struct arrs a;
	struct bits b = { -3, 17, BLUE, true };
	struct anon an = { .tag = 1, .i = 2, .lo = -1, .hi = 300 };
	struct l1 l = { 1, { 2, { 3 } } };
	uint64_t bword = 0, lw[2] = { 0 };
	const struct value *k;
	struct value *v;
	char want[512];

	memset(&a, 0, sizeof(a));
	for (int i = 0; i < 4; i++)
		a.a[i] = i + 1;
	for (int i = 0; i < 40; i++)
		a.big[i] = i;
	memcpy(a.name, "abc", 4);
	for (int i = 0; i < 6; i++)
		a.m[i / 3][i % 3] = i + 1;
	memcpy(&bword, &b, sizeof(b));
	memcpy(lw, &l, sizeof(l));
	set_int_arg(&r, 0, (uintptr_t)&a);
	set_int_arg(&r, 1, junk | bword);
	set_int_arg(&r, 2, (uintptr_t)&an);
	/* struct l1 by value: rcx and r8 */
	set_int_arg(&r, 3, lw[0]);
	set_int_arg(&r, 4, lw[1]);
	v = read_args(fn("tv_agg"), &src, 4, NULL);

	k = &v[0].kids[0];
	ck_assert_int_eq(kid(k, "a")->kind, V_ARRAY);
	ck_assert_uint_eq(kid(k, "a")->nkids, 4);
	ck_assert(!kid(k, "a")->truncated);
	ck_assert_int_eq(kid(k, "a")->kids[3].i, 4);
	ck_assert_ptr_null(kid(k, "a")->kids[3].name);
	/* cut at -A 16 */
	ck_assert_uint_eq(kid(k, "big")->nkids, 16);
	ck_assert(kid(k, "big")->truncated);
	ck_assert_int_eq(kid(k, "big")->kids[15].i, 15);
	/* char[8] is text, up to its NUL */
	assert_text(kid(k, "name"), "abc");
	ck_assert(!kid(k, "name")->truncated);
	/* rows of a 2-D array are one level deeper: cut at --depth 2 */
	ck_assert_int_eq(kid(k, "m")->kind, V_ARRAY);
	ck_assert_uint_eq(kid(k, "m")->nkids, 2);
	ck_assert_int_eq(kid(k, "m")->kids[0].kind, V_OPAQUE);

	/* bit-fields, sign-extended by their type */
	ck_assert_int_eq(v[1].kind, V_STRUCT);
	ck_assert_int_eq(kid(&v[1], "s")->kind, V_INT);
	ck_assert_int_eq(kid(&v[1], "s")->i, -3);
	ck_assert_int_eq(kid(&v[1], "u")->kind, V_UINT);
	ck_assert_uint_eq(kid(&v[1], "u")->u, 17);
	ck_assert_int_eq(kid(&v[1], "c")->kind, V_ENUM);
	ck_assert_str_eq(kid(&v[1], "c")->text, "BLUE");
	ck_assert_int_eq(kid(&v[1], "on")->kind, V_BOOL);
	ck_assert_uint_eq(kid(&v[1], "on")->u, 1);
	expect_render(render_text_value, &v[1], "{s=-3, u=17, c=BLUE, on=true}");
	expect_render(render_json_value, &v[1],
		      "{\"s\":-3,\"u\":17,\"c\":\"BLUE\",\"on\":true}");

	/* anonymous members inline in their parent */
	k = &v[2].kids[0];
	ck_assert_uint_eq(k->nkids, 5);
	ck_assert_str_eq(k->kids[0].name, "tag");
	ck_assert_str_eq(k->kids[1].name, "i");
	ck_assert_int_eq(k->kids[1].i, 2);
	ck_assert_str_eq(k->kids[2].name, "f");
	ck_assert_int_eq(k->kids[2].kind, V_FLOAT);
	ck_assert_str_eq(k->kids[3].name, "lo");
	ck_assert_int_eq(k->kids[3].i, -1);
	ck_assert_str_eq(k->kids[4].name, "hi");
	ck_assert_int_eq(k->kids[4].i, 300);

	/* a struct argument: its members are level 1 */
	ck_assert_int_eq(v[3].kind, V_STRUCT);
	expect_render(render_text_value, &v[3], "{u=1, b={w=2, c={...}}}");
	free_args(v, 4);

	/* -A 3, --depth 3, -s 2 */
	limits = (struct value_limits){ 2, 3, 3, 0, false };
	v = read_args(fn("tv_agg"), &src, 4, NULL);
	k = &v[0].kids[0];
	ck_assert_uint_eq(kid(k, "a")->nkids, 3);
	ck_assert(kid(k, "a")->truncated);
	ck_assert_int_eq(kid(k, "m")->kids[1].kind, V_ARRAY);
	ck_assert_int_eq(kid(k, "m")->kids[1].kids[2].i, 6);
	assert_text(kid(k, "name"), "ab");
	ck_assert(kid(k, "name")->truncated);
	snprintf(want, sizeof(want),
		 "%p -> {a=[1, 2, 3, ...], big=[0, 1, 2, ...], name=\"ab\"..., "
		 "m=[[1, 2, 3], [4, 5, 6]]}", (void *)&a);
	expect_render(render_text_value, &v[0], want);
	snprintf(want, sizeof(want),
		 "{\"ptr\":\"%p\",\"to\":{\"a\":[1,2,3,\"...\"],"
		 "\"big\":[0,1,2,\"...\"],"
		 "\"name\":{\"str\":\"ab\",\"truncated\":true},"
		 "\"m\":[[1,2,3],[4,5,6]]}}", (void *)&a);
	expect_render(render_json_value, &v[0], want);
	expect_render(render_text_value, &v[3], "{u=1, b={w=2, c={v=3}}}");
	free_args(v, 4);
}
END_TEST

START_TEST(enums_flags_bool)
{
	struct arch_regs r = { 0 };
	struct value *v;

	set_int_arg(&r, 0, F_A | F_B);
	set_int_arg(&r, 1, junk | F_A | 0x40);
	set_int_arg(&r, 2, 0x40);
	set_int_arg(&r, 3, 7);
	set_int_arg(&r, 4, junk | 0x100);   /* only the low byte is a bool */
	v = args(fn("tv_enums"), &r, 64, 5);
	ck_assert_int_eq(v[0].kind, V_ENUM);
	ck_assert_str_eq(v[0].text, "F_A|F_B");
	ck_assert_str_eq(v[1].text, "F_A|0x40");
	ck_assert_int_eq(v[1].i, F_A | 0x40);
	/* no named bit set: the number says more */
	ck_assert_ptr_null(v[2].text);
	ck_assert_int_eq(v[2].i, 0x40);
	/* not a flags enum: an unknown value stays a number */
	ck_assert_int_eq(v[3].kind, V_ENUM);
	ck_assert_ptr_null(v[3].text);
	ck_assert_int_eq(v[3].i, 7);
	ck_assert_int_eq(v[4].kind, V_BOOL);
	ck_assert_uint_eq(v[4].u, 0);
	expect_render(render_text_value, &v[0], "F_A|F_B");
	expect_render(render_json_value, &v[1], "\"F_A|0x40\"");
	expect_render(render_text_value, &v[3], "7");
	expect_render(render_json_value, &v[3], "7");
	expect_render(render_text_value, &v[4], "false");
	free_args(v, 5);
}
END_TEST

START_TEST(pointers_symbolized)
{
	struct arch_regs r = { 0 };
	struct values_src src = source(&r, 64);
	int local = 0;
	struct value *v;
	char want[256];

	set_int_arg(&r, 0, (uintptr_t)tv_void);
	set_int_arg(&r, 1, (uintptr_t)&tv_table[4]);
	set_int_arg(&r, 2, (uintptr_t)&local);
	set_int_arg(&r, 3, 0);
	src.sym = self_sym;
	v = read_args(fn("tv_syms"), &src, 4, NULL);
	ck_assert_int_eq(v[0].kind, V_PTR);
	ck_assert_uint_eq(v[0].u, (uintptr_t)tv_void);
	ck_assert_str_eq(v[0].text, "tv_void");
	ck_assert_str_eq(v[1].text, "tv_table+0x10");
	/* the stack is in no module */
	ck_assert_int_eq(v[2].kind, V_PTR);
	ck_assert_ptr_null(v[2].text);
	ck_assert_uint_eq(v[3].u, 0);
	ck_assert_ptr_null(v[3].text);
	snprintf(want, sizeof(want), "%p <tv_void>", (void *)tv_void);
	expect_render(render_text_value, &v[0], want);
	snprintf(want, sizeof(want), "{\"ptr\":\"%p\",\"sym\":\"tv_table+0x10\"}",
		 (void *)&tv_table[4]);
	expect_render(render_json_value, &v[1], want);
	snprintf(want, sizeof(want), "\"%p\"", (void *)&local);
	expect_render(render_json_value, &v[2], want);
	expect_render(render_text_value, &v[3], "NULL");
	free_args(v, 4);

	/* a global in .bss past the file's pages still has its name */
	set_int_arg(&r, 1, (uintptr_t)&tv_bss[60000]);
	v = read_args(fn("tv_syms"), &src, 4, NULL);
	ck_assert_str_eq(v[1].text, "tv_bss+0xea60");
	free_args(v, 4);

	/* without a symbolizer: plain addresses */
	v = args(fn("tv_syms"), &r, 64, 4);
	ck_assert_ptr_null(v[0].text);
	free_args(v, 4);
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
	tcase_add_test(tc, floats_from_fp_registers);
	tcase_add_test(tc, structs_in_registers);
	tcase_add_test(tc, pointers_followed_once);
	tcase_add_test(tc, struct_cut_by_unmapped_page);
	tcase_add_test(tc, arrays_bitfields_anonymous);
	tcase_add_test(tc, enums_flags_bool);
	tcase_add_test(tc, pointers_symbolized);
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
