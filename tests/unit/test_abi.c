/* Argument passing: the neutral description of the types of
 * tests/unit/fixtures/abi_fixture.c (src/dwarf/abi.c), whose object the
 * Makefile builds with -g -O0 at ABI_FIXTURE, classified by both back
 * ends' host-independent classifiers (arch/x86_64/x86_abi.c,
 * arch/aarch64/a64_abi.c, linked in on every host); and the host back
 * end's cursor on those signatures with fabricated registers, asserted for
 * the back end that was built, picked by arch_name. Every expected
 * location was read off the code GCC generates for a call of that
 * signature. */
#include <check.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../arch/aarch64/a64_abi.h"
#include "../../arch/x86_64/x86_abi.h"
#include "arch.h"
#include "dwarf/abi.h"

#ifndef ABI_FIXTURE
#define ABI_FIXTURE "build/unit/abi_fixture.o"
#endif

#define MAX_PARAMS 12
#define REG_PATTERN 0x5eed000000000000ull

static Dwfl *dwfl;
static Dwarf *dbg;

static const Dwfl_Callbacks offline = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* libdwfl applies the object's relocations, which plain libdw would not:
 * without them every DW_FORM_strp name of a .o reads as offset 0. */
static void open_fixture(void)
{
	Dwfl_Module *m;
	Dwarf_Addr bias;

	dwfl = dwfl_begin(&offline);
	ck_assert_ptr_nonnull(dwfl);
	m = dwfl_report_offline(dwfl, "abi_fixture", ABI_FIXTURE, -1);
	ck_assert_msg(m != NULL, "%s: %s", ABI_FIXTURE, dwfl_errmsg(-1));
	ck_assert_int_eq(dwfl_report_end(dwfl, NULL, NULL), 0);
	dbg = dwfl_module_getdwarf(m, &bias);
	ck_assert_msg(dbg != NULL, "%s: %s", ABI_FIXTURE, dwfl_errmsg(-1));
}

static void close_fixture(void)
{
	dwfl_end(dwfl);
	dwfl = NULL;
	dbg = NULL;
}

static bool find_function(const char *name, Dwarf_Die *out)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, d;

	while (dwarf_get_units(dbg, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		if (dwarf_child(&cudie, &d) != 0)
			continue;
		do {
			const char *n = dwarf_diename(&d);

			if (dwarf_tag(&d) == DW_TAG_subprogram && n &&
			    strcmp(n, name) == 0) {
				*out = d;
				return true;
			}
		} while (dwarf_siblingof(&d, &d) == 0);
	}
	return false;
}

static bool type_of(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &a), type);
}

struct sig {
	bool has_ret;
	struct abi_type ret;
	unsigned n;
	struct abi_type p[MAX_PARAMS];
};

static void load_sig(const char *name, struct sig *s)
{
	Dwarf_Die fn, p, t;

	memset(s, 0, sizeof(*s));
	ck_assert_msg(find_function(name, &fn), "%s is not in the fixture", name);
	s->has_ret = type_of(&fn, &t);
	dw_abi_classify(s->has_ret ? &t : NULL, &s->ret);
	if (dwarf_child(&fn, &p) != 0)
		return;
	do {
		if (dwarf_tag(&p) != DW_TAG_formal_parameter)
			continue;
		ck_assert_uint_lt(s->n, MAX_PARAMS);
		ck_assert(type_of(&p, &t));
		dw_abi_classify(&t, &s->p[s->n++]);
	} while (dwarf_siblingof(&p, &p) == 0);
}

/* Classification ------------------------------------------------------- */

/* A type's description (its neutral part) and both conventions' classes. */
struct classes {
	struct abi_desc t;
	struct x86_abi_class x;
	struct a64_abi_class a;
};

struct class_case {
	const char *fn;
	int arg;                 /* -1: the return type */
	struct classes want;
};

#define AGG .t.cls = ABI_AGGREGATE
#define SSE2 .x.chunk_is_float = { true, true }
#define SSE1 .x.chunk_is_float = { true, false }
#define SSE_HI .x.chunk_is_float = { false, true }
#define HFA(n, s) .a.hfa_count = (n), .a.hfa_size = (s)

static const struct class_case class_cases[] = {
	{ "abi_ints", 0, { .t.cls = ABI_INT, .t.size = 1, .t.align = 1 } },
	{ "abi_ints", 1, { .t.cls = ABI_INT, .t.size = 2, .t.align = 2 } },
	{ "abi_ints", 4, { .t.cls = ABI_INT, .t.size = 8, .t.align = 8 } },
	{ "abi_ints", 5, { .t.cls = ABI_INT, .t.size = 8, .t.align = 8 } },
	{ "abi_mixed", 1, { .t.cls = ABI_FLOAT, .t.size = 8, .t.align = 8 } },
	{ "abi_mixed", 2, { .t.cls = ABI_FLOAT, .t.size = 4, .t.align = 4 } },
	/* {int,int} {double,double} {float x3} {double,long} {long,double} */
	{ "abi_small", 0, { AGG, .t.size = 8, .t.align = 4 } },
	{ "abi_small", 1, { AGG, .t.size = 16, .t.align = 8, SSE2, HFA(2, 8) } },
	{ "abi_small", 2, { AGG, .t.size = 12, .t.align = 4, SSE2, HFA(3, 4) } },
	{ "abi_small", 3, { AGG, .t.size = 16, .t.align = 8, SSE1 } },
	{ "abi_small", 4, { AGG, .t.size = 16, .t.align = 8, SSE_HI } },
	{ "abi_big", -1, { AGG, .t.size = 24, .t.align = 8 } },
	/* {float x4} {double x3} union{float; float[2]} nested, array */
	{ "abi_hfa", 0, { AGG, .t.size = 16, .t.align = 4, SSE2, HFA(4, 4) } },
	{ "abi_hfa", 1, { AGG, .t.size = 24, .t.align = 8, SSE2, HFA(3, 8) } },
	{ "abi_hfa", 2, { AGG, .t.size = 8, .t.align = 4, SSE1, HFA(2, 4) } },
	{ "abi_hfa", 3, { AGG, .t.size = 12, .t.align = 4, SSE2, HFA(3, 4) } },
	{ "abi_hfa", 4, { AGG, .t.size = 12, .t.align = 4, SSE2, HFA(3, 4) } },
	{ "abi_ld", 0, { .t.cls = ABI_LONG_DOUBLE, .t.size = 16, .t.align = 16 } },
	{ "abi_ld", -1, { .t.cls = ABI_LONG_DOUBLE, .t.size = 16, .t.align = 16 } },
	{ "abi_cplx", 0, { AGG, .t.size = 16, .t.align = 8, SSE2, HFA(2, 8),
			   .t.is_complex = true } },
	{ "abi_cplx", 1, { AGG, .t.size = 8, .t.align = 4, SSE1, HFA(2, 4),
			   .t.is_complex = true } },
	{ "abi_cplx", 2, { AGG, .t.size = 12, .t.align = 4, SSE2, HFA(3, 4) } },
	{ "abi_i128", 1, { AGG, .t.size = 16, .t.align = 16 } },
	{ "abi_i128", 3, { AGG, .t.size = 16, .t.align = 16 } },
	{ "abi_i128", -1, { AGG, .t.size = 16, .t.align = 16 } },
	/* bit-fields, packed, {long double}, {float vector} */
	{ "abi_odd", 0, { AGG, .t.size = 8, .t.align = 4 } },
	{ "abi_odd", 1, { AGG, .t.size = 5, .t.align = 1, .t.unaligned = true } },
	{ "abi_odd", 2, { AGG, .t.size = 16, .t.align = 16, HFA(1, 16),
			  .x.has_long_double = true, .x.x87_count = 1 } },
	{ "abi_odd", 3, { AGG, .t.size = 16, .t.align = 16, SSE2, HFA(1, 16),
			  .x.sse_up = true } },
	{ "abi_cld", 0, { AGG, .t.size = 32, .t.align = 16, HFA(2, 16),
			  .x.has_long_double = true, .x.x87_count = 2, .t.is_complex = true } },
	/* empty, {_Float16 x2}, {float x5}, {float, double} */
	{ "abi_misc", 0, { AGG, .t.size = 0, .t.align = 1 } },
	{ "abi_misc", 2, { AGG, .t.size = 4, .t.align = 2, SSE1, HFA(2, 2) } },
	{ "abi_misc", 3, { AGG, .t.size = 20, .t.align = 4, SSE2 } },
	{ "abi_misc", 4, { AGG, .t.size = 16, .t.align = 8, SSE2 } },
};

static void check_classes(const char *what, const struct classes *got,
			  const struct classes *want)
{
#define SAME(f) ck_assert_msg(got->f == want->f, "%s: " #f " is %lld, want %lld", \
			      what, (long long)got->f, (long long)want->f)
	SAME(t.cls);
	SAME(t.size);
	SAME(t.align);
	SAME(t.unaligned);
	SAME(t.is_complex);
	SAME(t.nontrivial);
	SAME(x.chunk_is_float[0]);
	SAME(x.chunk_is_float[1]);
	SAME(x.chunk_empty[0]);
	SAME(x.chunk_empty[1]);
	SAME(x.sse_up);
	SAME(x.has_long_double);
	SAME(x.x87_count);
	SAME(a.hfa_count);
	SAME(a.hfa_size);
#undef SAME
}

/* The type of fn's parameter arg (-1: its return type). */
static bool arg_type(const char *fn, int arg, Dwarf_Die *t)
{
	Dwarf_Die f, p;
	int i = 0;

	ck_assert_msg(find_function(fn, &f), "%s is not in the fixture", fn);
	if (arg < 0)
		return type_of(&f, t);
	if (dwarf_child(&f, &p) != 0)
		return false;
	do {
		if (dwarf_tag(&p) == DW_TAG_formal_parameter && i++ == arg)
			return type_of(&p, t);
	} while (dwarf_siblingof(&p, &p) == 0);
	return false;
}

START_TEST(classifies)
{
	const struct class_case *c = &class_cases[_i];
	struct classes got;
	Dwarf_Die t;
	char what[64];

	snprintf(what, sizeof(what), "%s arg %d", c->fn, c->arg);
	ck_assert_msg(arg_type(c->fn, c->arg, &t), "%s: no such type", what);
	dw_abi_describe(&t, &got.t);
	x86_abi_classify(&got.t, &got.x);
	a64_abi_classify(&got.t, &got.a);
	check_classes(what, &got, &c->want);
	abi_desc_free(&got.t);
}
END_TEST

START_TEST(unknown_type_is_a_word)
{
	struct abi_type t;

	dw_abi_classify(NULL, &t);
	ck_assert_int_eq(t.cls, ABI_INT);
	ck_assert_uint_eq(t.size, 8);
	ck_assert_uint_eq(t.align, 8);
}
END_TEST

/* Locations ------------------------------------------------------------ */

/* Registers at a fabricated entry trap: every 8-byte word of struct
 * arch_regs holds REG_PATTERN plus its index, except the stack pointer,
 * found by its pattern and set to the host's entry sp. */
static struct arch_regs regs;

struct host {
	const char *arch;
	uint64_t sp;             /* 16-byte aligned before the call */
};

static const struct host hosts[] = {
	{ "x86_64", 0x7ffd1008 },
	{ "aarch64", 0x7ffd1000 },
};

static const struct host *host(void)
{
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcmp(hosts[i].arch, arch_name) == 0)
			return &hosts[i];
	return NULL;
}

static void fill_regs(void)
{
	uint64_t w, sp;
	uint8_t *b = (uint8_t *)&regs;

	for (size_t i = 0; i < sizeof(regs) / 8; i++) {
		w = REG_PATTERN + i;
		memcpy(b + 8 * i, &w, 8);
	}
	sp = arch_get_sp(&regs);
	for (size_t i = 0; i < sizeof(regs) / 8; i++) {
		memcpy(&w, b + 8 * i, 8);
		if (w == sp && host())
			memcpy(b + 8 * i, &host()->sp, 8);
	}
}

static uint64_t dwarf_word(unsigned dwreg)
{
	struct abi_piece p;

	ck_assert_msg(arch_dwarf_reg(&regs, dwreg, 8, &p), "DWARF reg %u", dwreg);
	ck_assert_int_eq(p.kind, PIECE_INT);
	return p.word;
}

/* want: "none"; "m+N", memory at the entry sp + N; "m@R", memory at the
 * address in DWARF register R; else the pieces, space-separated: "rR/S"
 * S bytes of DWARF register R, "vN/S" of vector register N, "z/S" zeros
 * for padding. "" is a value in no register at all. */
static void check_loc(const char *what, const struct abi_loc *loc,
		      const char *want)
{
	char buf[128], *tok, *save = NULL;
	unsigned n = 0, num, size;

	if (strcmp(want, "none") == 0) {
		ck_assert_msg(loc->kind == LOC_NONE, "%s: kind %d, want none",
			      what, loc->kind);
		return;
	}
	if (want[0] == 'm') {
		uint64_t at = want[1] == '+' ? host()->sp + strtoull(want + 2, NULL, 0)
					     : dwarf_word((unsigned)atoi(want + 2));

		ck_assert_msg(loc->kind == LOC_MEMORY, "%s: kind %d, want memory",
			      what, loc->kind);
		ck_assert_msg(loc->addr == at, "%s: at %#llx, want %#llx (%s)", what,
			      (unsigned long long)loc->addr,
			      (unsigned long long)at, want);
		return;
	}
	ck_assert_msg(loc->kind == LOC_REGS, "%s: kind %d, want registers %s",
		      what, loc->kind, want);
	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const struct abi_piece *p = &loc->piece[n];

		ck_assert_msg(n < loc->npieces, "%s: %u pieces, want %s", what,
			      loc->npieces, want);
		num = 0;
		if (tok[0] == 'z')
			ck_assert_int_eq(sscanf(tok, "z/%u", &size), 1);
		else
			ck_assert_int_eq(sscanf(tok + 1, "%u/%u", &num, &size), 2);
		ck_assert_msg(p->size == size, "%s: piece %u has %u bytes, want %s",
			      what, n, p->size, want);
		switch (tok[0]) {
		case 'r':
		case 'z':
			ck_assert_msg(p->kind == PIECE_INT, "%s: piece %u is no "
				      "integer register, want %s", what, n, want);
			ck_assert_msg(p->word == (tok[0] == 'z' ? 0 : dwarf_word(num)),
				      "%s: piece %u holds %#llx, want %s", what, n,
				      (unsigned long long)p->word, want);
			break;
		default:
			ck_assert_msg(p->kind == PIECE_FP && p->reg == num,
				      "%s: piece %u is kind %d reg %u, want %s",
				      what, n, p->kind, p->reg, want);
			break;
		}
		n++;
	}
	ck_assert_msg(loc->npieces == n, "%s: %u pieces, want %s", what,
		      loc->npieces, want);
}

struct loc_case {
	const char *arch;
	const char *fn;
	int ret_buf;             /* DWARF register of the hidden result
				  * pointer; -1: none */
	const char *ret;
	const char *args[MAX_PARAMS];
};

/* DWARF numbers. x86-64: rax 0, rdx 1, rcx 2, rsi 4, rdi 5, r8 8, r9 9;
 * vector registers 16 and up are ST(0).. aarch64: xN is N. */
static const struct loc_case loc_cases[] = {
	{ "x86_64", "abi_ints", -1, "r0/8",
	  { "r5/1", "r4/2", "r1/4", "r2/8", "r8/8", "r9/8", "m+8", "m+16" } },
	{ "x86_64", "abi_mixed", -1, "v0/8",
	  { "r5/4", "v0/8", "v1/4", "r4/8", "v2/8" } },
	{ "x86_64", "abi_floats", -1, "v0/4",
	  { "v0/8", "v1/8", "v2/8", "v3/8", "v4/8", "v5/8", "v6/8", "v7/8",
	    "m+8", "m+16", "r5/4" } },
	{ "x86_64", "abi_small", -1, "",
	  { "r5/8", "v0/8 v1/8", "v2/8 v3/4", "v4/8 r4/8", "r1/8 v5/8" } },
	{ "x86_64", "abi_big", 5, "m@0", { "m+8", "r4/4" } },
	{ "x86_64", "abi_hfa", -1, "v0/8 v1/8",
	  { "v0/8 v1/8", "m+8", "v2/8", "v3/8 v4/4", "v5/8 v6/4" } },
	{ "x86_64", "abi_ld", -1, "v16/16", { "m+8", "r5/4", "m+24", "v0/8" } },
	{ "x86_64", "abi_cplx", -1, "v0/8 v1/8",
	  { "v0/8 v1/8", "v2/8", "v3/8 v4/4" } },
	{ "x86_64", "abi_i128", -1, "r0/8 r1/8",
	  { "r5/4", "r4/8 r1/8", "r2/4", "r8/8 r9/8" } },
	/* a pair of words that no longer fits leaves r9 to the next */
	{ "x86_64", "abi_nofit", -1, "v0/8 r0/8",
	  { "r5/8", "r4/8", "r1/8", "r2/8", "r8/8", "m+8", "r9/8" } },
	{ "x86_64", "abi_nofit7", -1, "",
	  { "r5/8", "r4/8", "r1/8", "r2/8", "r8/8", "r9/8", "m+8", "m+16",
	    "m+32" } },
	{ "x86_64", "abi_sse_full", -1, "r0/8 v0/8",
	  { "v0/8", "v1/8", "v2/8", "v3/8", "v4/8", "v5/8", "v6/8", "v7/8",
	    "m+8", "r5/8" } },
	{ "x86_64", "abi_odd", -1, "v16/16",
	  { "r5/8", "m+8", "m+24", "v0/16" } },
	{ "x86_64", "abi_cld", -1, "v16/16 v17/16", { "m+8", "r5/4" } },
	{ "x86_64", "abi_misc", -1, "v0/8 v1/8",
	  { "", "r5/4", "v0/4", "m+8", "v1/8 v2/8" } },
	{ "x86_64", "abi_ret_ii", -1, "r0/8", { NULL } },
	{ "x86_64", "abi_ret_fff", -1, "v0/8 v1/4", { NULL } },
	{ "x86_64", "abi_ret_dd", -1, "v0/8 v1/8", { NULL } },
	{ "x86_64", "abi_ret_vec", -1, "v0/16", { NULL } },

	{ "aarch64", "abi_ints", -1, "r0/8",
	  { "r0/1", "r1/2", "r2/4", "r3/8", "r4/8", "r5/8", "r6/4", "r7/8" } },
	{ "aarch64", "abi_mixed", -1, "v0/8",
	  { "r0/4", "v0/8", "v1/4", "r1/8", "v2/8" } },
	{ "aarch64", "abi_floats", -1, "v0/4",
	  { "v0/8", "v1/8", "v2/8", "v3/8", "v4/8", "v5/8", "v6/8", "v7/8",
	    "m+0", "m+8", "r0/4" } },
	{ "aarch64", "abi_small", -1, "",
	  { "r0/8", "v0/8 v1/8", "v2/4 v3/4 v4/4", "r1/8 r2/8", "r3/8 r4/8" } },
	{ "aarch64", "abi_big", 8, "m@8", { "m@0", "r1/4" } },
	/* the union needs v7 and v8: it and all later floats go on the stack */
	{ "aarch64", "abi_hfa", -1, "v0/4 v1/4 v2/4 v3/4",
	  { "v0/4 v1/4 v2/4 v3/4", "v4/8 v5/8 v6/8", "m+0", "m+8", "m+24" } },
	{ "aarch64", "abi_ld", -1, "v0/16",
	  { "v0/16", "r0/4", "v1/16", "v2/8" } },
	{ "aarch64", "abi_cplx", -1, "v0/8 v1/8",
	  { "v0/8 v1/8", "v2/4 v3/4", "v4/4 v5/4 v6/4" } },
	/* 16-byte alignment: even register pairs */
	{ "aarch64", "abi_i128", -1, "r0/8 r1/8",
	  { "r0/4", "r2/8 r3/8", "r4/4", "r6/8 r7/8" } },
	{ "aarch64", "abi_nofit", -1, "r0/8 r1/8",
	  { "r0/8", "r1/8", "r2/8", "r3/8", "r4/8", "r5/8 r6/8", "r7/8" } },
	/* no register split: the pair and everything after it on the stack */
	{ "aarch64", "abi_nofit7", -1, "",
	  { "r0/8", "r1/8", "r2/8", "r3/8", "r4/8", "r5/8", "r6/8", "m+0",
	    "m+16" } },
	{ "aarch64", "abi_sse_full", -1, "r0/8 r1/8",
	  { "v0/8", "v1/8", "v2/8", "v3/8", "v4/8", "v5/8", "v6/8", "v7/8",
	    "r0/8 r1/8", "r2/8" } },
	{ "aarch64", "abi_odd", -1, "v0/16",
	  { "r0/8", "r1/5", "v0/16", "v1/16" } },
	{ "aarch64", "abi_cld", -1, "v0/16 v1/16", { "v0/16 v1/16", "r0/4" } },
	{ "aarch64", "abi_misc", -1, "r0/8 r1/8",
	  { "", "r0/4", "v0/2 v1/2", "m@1", "r2/8 r3/8" } },
	{ "aarch64", "abi_ret_ii", -1, "r0/8", { NULL } },
	{ "aarch64", "abi_ret_fff", -1, "v0/4 v1/4 v2/4", { NULL } },
	{ "aarch64", "abi_ret_dd", -1, "v0/8 v1/8", { NULL } },
	{ "aarch64", "abi_ret_vec", -1, "v0/16", { NULL } },
};

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* The rows for the host, as indices into loc_cases. */
static unsigned host_rows[NCASES(loc_cases)];
static unsigned n_host_rows;

START_TEST(locates)
{
	const struct loc_case *c = &loc_cases[host_rows[_i]];
	struct abi_cursor cur;
	struct abi_loc loc;
	struct sig s;
	char what[64];
	unsigned i;

	load_sig(c->fn, &s);
	fill_regs();
	arch_abi_start(&cur, &regs, s.has_ret ? &s.ret : NULL);
	if (c->ret_buf < 0)
		ck_assert_msg(cur.ret_buf == 0, "%s: ret_buf set", c->fn);
	else
		ck_assert_msg(cur.ret_buf == dwarf_word((unsigned)c->ret_buf),
			      "%s: ret_buf %#llx", c->fn,
			      (unsigned long long)cur.ret_buf);
	for (i = 0; i < s.n; i++) {
		ck_assert_msg(c->args[i] != NULL, "%s: no expectation for arg %u",
			      c->fn, i);
		snprintf(what, sizeof(what), "%s arg %u", c->fn, i);
		arch_abi_next(&cur, &regs, &s.p[i], &loc);
		check_loc(what, &loc, c->args[i]);
	}
	ck_assert_msg(i == MAX_PARAMS || c->args[i] == NULL,
		      "%s: fewer parameters than expected", c->fn);
	if (s.has_ret) {
		snprintf(what, sizeof(what), "%s return", c->fn);
		arch_abi_return(&regs, &s.ret, cur.ret_buf, &loc);
		check_loc(what, &loc, c->ret);
	}
}
END_TEST

static bool on(const char *arch) { return strcmp(arch_name, arch) == 0; }

static void next_loc(struct abi_cursor *c, const struct abi_type *t,
		     const char *what, const char *want)
{
	struct abi_loc loc;

	arch_abi_next(c, &regs, t, &loc);
	check_loc(what, &loc, want);
}

static const struct abi_type word_type = { .cls = ABI_INT, .size = 8, .align = 8 };

/* An aggregate of size bytes made of nodes (nodes[0] the whole), as the
 * host back end classifies it. */
static struct abi_type host_aggregate(size_t size, unsigned align,
				      struct abi_node *nodes, unsigned n)
{
	struct abi_desc d = { .cls = ABI_AGGREGATE, .size = size, .align = align,
			      .node = nodes, .nnodes = n };
	struct abi_type t = { .cls = ABI_AGGREGATE, .size = size, .align = align };

	arch_abi_classify(&d, &t.arch);
	return t;
}
static const struct abi_type double_type = { .cls = ABI_FLOAT, .size = 8, .align = 8 };

/* C++ classes that must not be copied bitwise travel by reference. */
START_TEST(nontrivial_by_reference)
{
	struct abi_type t = { .cls = ABI_AGGREGATE, .size = 8, .align = 8, .nontrivial = true };
	struct abi_cursor c;
	struct abi_loc loc;

	if (!host())
		return;
	fill_regs();
	arch_abi_start(&c, &regs, &t);
	if (on("x86_64")) {
		ck_assert_uint_eq(c.ret_buf, dwarf_word(5));
		next_loc(&c, &t, "object", "m@4");
		next_loc(&c, &word_type, "after it", "r1/8");
		arch_abi_return(&regs, &t, c.ret_buf, &loc);
		check_loc("return", &loc, "m@0");
	} else {
		ck_assert_uint_eq(c.ret_buf, dwarf_word(8));
		next_loc(&c, &t, "object", "m@0");
		next_loc(&c, &word_type, "after it", "r1/8");
		arch_abi_return(&regs, &t, c.ret_buf, &loc);
		check_loc("return", &loc, "m@8");
		/* x8 is gone by the return: without the entry's copy, nothing */
		arch_abi_return(&regs, &t, 0, &loc);
		check_loc("return without ret_buf", &loc, "none");
	}
}
END_TEST

/* With the integer registers used up, the reference itself is on the
 * stack, which the cursor does not read: it says where, and moves on. */
START_TEST(reference_on_stack)
{
	struct abi_type t = { .cls = ABI_AGGREGATE, .size = 8, .align = 8, .nontrivial = true };
	struct abi_cursor c;
	struct abi_loc loc;
	unsigned first = on("x86_64") ? 8 : 0;   /* past the return address */
	char want[16];

	if (!host())
		return;
	fill_regs();
	arch_abi_start(&c, &regs, NULL);
	for (unsigned i = 0; i < arch_int_arg_regs; i++) {
		arch_abi_next(&c, &regs, &word_type, &loc);
		ck_assert_int_eq(loc.kind, LOC_REGS);
	}
	arch_abi_next(&c, &regs, &t, &loc);
	ck_assert_int_eq(loc.kind, LOC_NONE);
	ck_assert_uint_eq(loc.addr, host()->sp + first);
	snprintf(want, sizeof(want), "m+%u", first + 8);
	next_loc(&c, &word_type, "word after it", want);
}
END_TEST

/* An aggregate short of vector registers goes to the stack. SysV leaves
 * the last one to a later double; AAPCS64 closes them all. */
START_TEST(vector_registers_run_out)
{
	/* struct { double a, b; } */
	struct abi_node nodes[] = {
		{ .kind = ABI_NODE_RECORD, .size = 16, .nkids = 2, .span = 3 },
		{ .kind = ABI_NODE_FLOAT, .off = 0, .size = 8, .align = 8, .span = 1 },
		{ .kind = ABI_NODE_FLOAT, .off = 8, .size = 8, .align = 8, .span = 1 },
	};
	struct abi_type dd = host_aggregate(16, 8, nodes, 3);
	struct abi_cursor c;
	char want[8];

	if (!host())
		return;
	fill_regs();
	arch_abi_start(&c, &regs, NULL);
	for (unsigned i = 0; i < 7; i++) {
		snprintf(want, sizeof(want), "v%u/8", i);
		next_loc(&c, &double_type, "double", want);
	}
	if (on("x86_64")) {
		next_loc(&c, &dd, "pair", "m+8");
		next_loc(&c, &double_type, "last double", "v7/8");
	} else {
		next_loc(&c, &dd, "pair", "m+0");
		next_loc(&c, &double_type, "last double", "m+16");
	}
}
END_TEST

/* A C++ empty class: SysV passes nothing at all, AAPCS64 a register. */
START_TEST(empty_class)
{
	struct abi_node node = { .kind = ABI_NODE_RECORD, .size = 1, .span = 1 };
	struct abi_type e = host_aggregate(1, 1, &node, 1);
	struct abi_cursor c;

	if (!host())
		return;
	fill_regs();
	arch_abi_start(&c, &regs, NULL);
	if (on("x86_64")) {
		next_loc(&c, &e, "empty", "z/1");
		next_loc(&c, &word_type, "word", "r5/8");
	} else {
		next_loc(&c, &e, "empty", "r0/1");
		next_loc(&c, &word_type, "word", "r1/8");
	}
}
END_TEST

START_TEST(dwarf_registers)
{
	/* x86-64 DWARF 0-15 against struct user_regs_struct's order */
	static const unsigned x86_word[16] = {
		10, 12, 11, 5, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0,
	};
	struct abi_piece p;

	if (!host())
		return;
	fill_regs();
	if (on("x86_64")) {
		for (unsigned r = 0; r < 16; r++) {
			uint64_t want = r == 7 ? host()->sp : REG_PATTERN + x86_word[r];

			ck_assert_uint_eq(dwarf_word(r), want);
		}
		ck_assert(arch_dwarf_reg(&regs, 17, 8, &p));
		ck_assert_int_eq(p.kind, PIECE_FP);
		ck_assert_uint_eq(p.reg, 0);
		ck_assert_uint_eq(p.size, 8);
		ck_assert(arch_dwarf_reg(&regs, 32, 16, &p));
		ck_assert_uint_eq(p.reg, 15);
		ck_assert(arch_dwarf_reg(&regs, 33, 10, &p));
		ck_assert_uint_eq(p.reg, 16);
		ck_assert(!arch_dwarf_reg(&regs, 16, 8, &p));   /* return address */
		ck_assert(!arch_dwarf_reg(&regs, 49, 8, &p));   /* rflags */
	} else {
		for (unsigned r = 0; r < 31; r++)
			ck_assert_uint_eq(dwarf_word(r), REG_PATTERN + r);
		ck_assert_uint_eq(dwarf_word(31), host()->sp);
		ck_assert(arch_dwarf_reg(&regs, 64, 4, &p));
		ck_assert_int_eq(p.kind, PIECE_FP);
		ck_assert_uint_eq(p.reg, 0);
		ck_assert_uint_eq(p.size, 4);
		ck_assert(arch_dwarf_reg(&regs, 95, 16, &p));
		ck_assert_uint_eq(p.reg, 31);
		ck_assert(!arch_dwarf_reg(&regs, 32, 8, &p));   /* pc */
		ck_assert(!arch_dwarf_reg(&regs, 96, 8, &p));
	}
	/* a word's low bytes: sizes clamp to the register */
	ck_assert(arch_dwarf_reg(&regs, 0, 4, &p));
	ck_assert_uint_eq(p.size, 4);
	ck_assert(arch_dwarf_reg(&regs, 0, 32, &p));
	ck_assert_uint_eq(p.size, 8);
}
END_TEST

/* Where arch_fp_reg finds each register in the kernel's layout. */
struct fp_slot {
	const char *arch;
	unsigned reg;
	unsigned offset;         /* into struct arch_fpregs */
	unsigned len;            /* bytes copied; the rest of 16 is zero */
};

static const struct fp_slot fp_slots[] = {
	/* FXSAVE: 32-byte header, st_space, then xmm_space */
	{ "x86_64", 0, 160, 16 },
	{ "x86_64", 15, 400, 16 },
	{ "x86_64", 16, 32, 10 },
	{ "x86_64", 17, 48, 10 },
	{ "x86_64", 23, 144, 10 },
	{ "x86_64", 24, 0, 0 },
	{ "aarch64", 0, 0, 16 },
	{ "aarch64", 31, 496, 16 },
	{ "aarch64", 32, 0, 0 },
};

START_TEST(fp_register_layout)
{
	struct arch_fpregs fp;
	uint8_t *b = (uint8_t *)&fp, out[16], want[16];

	for (size_t i = 0; i < sizeof(fp); i++)
		b[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < NCASES(fp_slots); i++) {
		const struct fp_slot *s = &fp_slots[i];

		if (!on(s->arch))
			continue;
		ck_assert_uint_le(s->offset + s->len, sizeof(fp));
		memset(want, 0, sizeof(want));
		memcpy(want, b + s->offset, s->len);
		memset(out, 0xee, sizeof(out));
		arch_fp_reg(&fp, s->reg, out);
		ck_assert_msg(memcmp(out, want, 16) == 0, "%s register %u",
			      s->arch, s->reg);
	}
}
END_TEST

START_TEST(fpregs_of_a_stopped_child)
{
	struct arch_fpregs fp;
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0)
			raise(SIGSTOP);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSTOPPED(status), "child was not stopped: %#x", status);
	ck_assert_int_eq(arch_get_fpregs(pid, &fp), 0);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* gone, and not ours: ptrace's ESRCH comes through */
	ck_assert_int_eq(arch_get_fpregs(pid, &fp), -ESRCH);
	ck_assert_int_eq(arch_get_fpregs(getppid(), &fp), -ESRCH);
}
END_TEST

static Suite *abi_suite(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("classify");
	const struct host *h = host();

	tcase_add_unchecked_fixture(tc, open_fixture, close_fixture);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, classifies, 0, NCASES(class_cases));
	tcase_add_test(tc, unknown_type_is_a_word);
	suite_add_tcase(s, tc);

	tc = tcase_create(h ? h->arch : "unknown arch");
	tcase_add_unchecked_fixture(tc, open_fixture, close_fixture);
	tcase_set_timeout(tc, 30);
	for (unsigned i = 0; i < NCASES(loc_cases); i++)
		if (on(loc_cases[i].arch))
			host_rows[n_host_rows++] = i;
	tcase_add_loop_test(tc, locates, 0, (int)n_host_rows);
	tcase_add_test(tc, nontrivial_by_reference);
	tcase_add_test(tc, reference_on_stack);
	tcase_add_test(tc, vector_registers_run_out);
	tcase_add_test(tc, empty_class);
	tcase_add_test(tc, dwarf_registers);
	tcase_add_test(tc, fp_register_layout);
	tcase_add_test(tc, fpregs_of_a_stopped_child);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	unsetenv("DEBUGINFOD_URLS");
	sr = srunner_create(abi_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
