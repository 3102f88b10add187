/* Symbol resolution on the test's own process: this file is built with
 * -g, so the functions below have DWARF with known signatures. */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "symbols/symbols.h"

#define PROBE __attribute__((noinline, noclone, used))

enum color { RED, GREEN = 5, BLUE = -1 };
struct req { int id; const char *path; };
struct point { double x, y; };
struct mixed { long a; double b; };
struct small { int a; float b; };
struct big { long a, b, c; };

PROBE int tst_parse_request(const char *s, int n) { return s[0] + n; }
PROBE void tst_void(void) { __asm__ volatile(""); }
PROBE char *tst_varargs(struct req *r, ...) { return (char *)r->path; }
PROBE int tst_kinds(char *s, enum color c, bool b, unsigned char uc, short sh,
		    struct req *r, struct point p, double d)
{
	return s[0] + (int)c + b + uc + sh + r->id + (int)(p.x + d);
}
PROBE void tst_fnptr(int (*cmp)(const void *, const void *),
		     char *const names[])
{
	cmp(names[0], names[1]);
}
PROBE unsigned long tst_quals(const volatile int *p, char *const q,
			      long long x, unsigned short y)
{
	return (unsigned long)(*p + q[0] + x + y);
}
PROBE struct point tst_aggr(struct mixed m, struct small s, struct big b,
			    long double ld, int (*grid)[4])
{
	struct point r = { m.b + s.b + (double)ld, (double)(b.a + grid[0][0]) };
	return r;
}

static void handler(int sig) { (void)sig; }
PROBE void (*tst_getfn(int which))(int) { return which ? handler : NULL; }

/* Called with a constant only, so GCC's IPA-CP makes a ".constprop"
 * clone whose registers no longer match the source signature. */
static __attribute__((noinline)) int tst_cp(int a, int mode)
{
	return mode == 3 ? a * 7 : a - 1;
}
PROBE int tst_cp_caller(int x) { return tst_cp(x, 3) + tst_cp(x + 1, 3); }

static struct symtab *st;
/* room for the module list of a process with many libraries */
static char err[8192];
static char notes[4][1024];
static int nnotes;

static void take_note(const char *msg)
{
	if (nnotes < 4)
		snprintf(notes[nnotes], sizeof(notes[0]), "%s", msg);
	nnotes++;
}

static void open_self(void)
{
	ck_assert_int_eq(symtab_open(getpid(), &st), 0);
}

static void close_self(void)
{
	symtab_close(st);
	st = NULL;
}

static int resolve(const char *const *texts, size_t n, struct func_info ***fs,
		   size_t *nf)
{
	struct probe_spec specs[4];
	int rc;

	ck_assert_uint_le(n, 4);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(probe_parse(texts[i], &specs[i], err, sizeof(err)), 0);
	rc = symtab_resolve(st, specs, n, false, fs, nf, err, sizeof(err));
	for (size_t i = 0; i < n; i++)
		probe_free(&specs[i]);
	return rc;
}

static const struct func_info *resolve_one(const char *text)
{
	struct func_info **fs;
	size_t nf;
	const char *t[] = { text };

	ck_assert_msg(resolve(t, 1, &fs, &nf) == 0, "%s: %s", text, err);
	ck_assert_uint_eq(nf, 1);
	return fs[0];
}

START_TEST(finds_function_at_runtime_address)
{
	const struct func_info *f = resolve_one("tst_parse_request");

	ck_assert_str_eq(f->desc.name, "tst_parse_request");
	ck_assert_uint_eq(f->desc.addr, (uint64_t)(uintptr_t)&tst_parse_request);
	ck_assert(f->has_dwarf);
	ck_assert(!f->clone);
	ck_assert_uint_eq(f->nparams, 2);
	ck_assert_str_eq(f->params[0].name, "s");
	ck_assert_str_eq(f->params[1].name, "n");
	ck_assert(f->params[0].has_type);
	ck_assert_int_eq(f->params[0].abi.cls, ABI_INT);
	ck_assert_uint_eq(f->params[1].abi.size, 4);
	ck_assert(f->has_ret && f->ret_has_type);
	ck_assert_int_eq(f->ret_abi.cls, ABI_INT);
	ck_assert_str_eq(f->desc.signature, "int tst_parse_request(const char *s, int n)");
	ck_assert_ptr_nonnull(strstr(f->desc.module, "test_symbols"));
}
END_TEST

START_TEST(exe_scope_and_void)
{
	const struct func_info *f = resolve_one(":tst_void");

	ck_assert_uint_eq(f->desc.addr, (uint64_t)(uintptr_t)&tst_void);
	ck_assert_uint_eq(f->nparams, 0);
	ck_assert(!f->has_ret);
	ck_assert(!f->variadic);
	ck_assert_str_eq(f->desc.signature, "void tst_void(void)");
}
END_TEST

START_TEST(variadic)
{
	const struct func_info *f = resolve_one("tst_varargs");

	ck_assert(f->variadic);
	ck_assert_uint_eq(f->nparams, 1);
	ck_assert_str_eq(f->desc.signature, "char *tst_varargs(struct req *r, ...)");
}
END_TEST

START_TEST(kinds_and_classes)
{
	const struct func_info *f = resolve_one("tst_kinds");
	static const char *names[] = { "s", "c", "b", "uc", "sh", "r", "p", "d" };

	ck_assert_uint_eq(f->nparams, 8);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_str_eq(f->params[i].name, names[i]);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(f->params[i].abi.cls, ABI_INT);
	ck_assert_uint_eq(f->params[2].abi.size, 1);
	ck_assert_uint_eq(f->params[4].abi.size, 2);
	ck_assert_int_eq(f->params[6].abi.cls, ABI_AGGREGATE);
	ck_assert_uint_eq(f->params[6].abi.size, 16);
	ck_assert_uint_eq(f->params[6].abi.align, 8);   /* classes: test_abi.c */
	ck_assert_int_eq(f->params[7].abi.cls, ABI_FLOAT);
	ck_assert_uint_eq(f->params[7].abi.size, 8);
	ck_assert_str_eq(f->desc.signature,
			 "int tst_kinds(char *s, enum color c, _Bool b, "
			 "unsigned char uc, short sh, struct req *r, "
			 "struct point p, double d)");
}
END_TEST

START_TEST(declarators)
{
	const struct func_info *f = resolve_one("tst_fnptr");

	ck_assert_str_eq(f->desc.signature,
			 "void tst_fnptr(int (*cmp)(const void *, const void *), "
			 "char *const *names)");
	f = resolve_one("tst_getfn");
	ck_assert_str_eq(f->desc.signature, "void (*tst_getfn(int which))(int)");
	f = resolve_one("tst_quals");
	ck_assert_str_eq(f->desc.signature,
			 "unsigned long tst_quals(const volatile int *p, "
			 "char *const q, long long x, unsigned short y)");
}
END_TEST

START_TEST(aggregates)
{
	const struct func_info *f = resolve_one("tst_aggr");

	ck_assert_uint_eq(f->nparams, 5);
	/* the conventions' classes are test_abi.c's: here, that each
	 * parameter was classified */
	ck_assert_int_eq(f->params[0].abi.cls, ABI_AGGREGATE);
	ck_assert_uint_eq(f->params[0].abi.align, 8);
	ck_assert_uint_eq(f->params[1].abi.size, 8);
	ck_assert_int_eq(f->params[1].abi.cls, ABI_AGGREGATE);
	ck_assert_uint_eq(f->params[2].abi.size, 24);
	ck_assert_int_eq(f->params[3].abi.cls, ABI_LONG_DOUBLE);
	ck_assert_int_eq(f->params[4].abi.cls, ABI_INT);
	ck_assert_int_eq(f->ret_abi.cls, ABI_AGGREGATE);
	ck_assert_uint_eq(f->ret_abi.size, 16);
	ck_assert_str_eq(f->desc.signature,
			 "struct point tst_aggr(struct mixed m, struct small s, "
			 "struct big b, long double ld, int (*grid)[4])");
}
END_TEST

START_TEST(clones_are_untrusted)
{
	const char *t[] = { ":tst_cp.*" };
	struct func_info **fs;
	size_t nf;

	if (resolve(t, 1, &fs, &nf) != 0)
		return;   /* this compiler made no clone */
	for (size_t i = 0; i < nf; i++) {
		ck_assert(fs[i]->clone);
		/* the source parameters, read only where the clone's own
		 * DWARF locations put them */
		ck_assert_uint_eq(fs[i]->nparams, 2);
		ck_assert(fs[i]->params[0].has_loc_die || fs[i]->params[0].optimised_out);
		/* constant propagation keeps the result */
		if (strstr(fs[i]->desc.name, ".constprop."))
			ck_assert(!fs[i]->ret_untrusted);
		/* the source prototype is still worth showing */
		ck_assert_str_eq(fs[i]->desc.signature, "int tst_cp(int a, int mode)");
	}
}
END_TEST

static void *libc_symbol(const char *name)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *p;

	ck_assert_ptr_nonnull(h);
	/* through libc's own handle: &malloc may be a PLT or a sanitizer's
	 * interposer */
	p = dlsym(h, name);
	dlclose(h);
	return p;
}

START_TEST(libc_malloc_dynsym)
{
	const struct func_info *f = resolve_one("libc.so.6:malloc");

	ck_assert_str_eq(f->desc.name, "malloc");
	ck_assert_uint_eq(f->desc.addr, (uint64_t)(uintptr_t)libc_symbol("malloc"));
	ck_assert_ptr_nonnull(strstr(f->desc.module, "libc.so.6"));
	/* libc6-dbg may or may not be installed */
	if (!f->has_dwarf) {
		ck_assert_uint_eq(f->nparams, 0);
		ck_assert_str_eq(f->desc.signature, "malloc()");
	} else {
		ck_assert_uint_eq(f->nparams, 1);
	}
}
END_TEST

START_TEST(aliases_and_specs_dedupe)
{
	const char *t[] = { "libc.so.6:__libc_malloc", "libc.so.6:malloc",
			    "tst_parse_request", "tst_parse_req*" };
	struct func_info **fs;
	size_t nf;

	ck_assert_msg(resolve(t, 4, &fs, &nf) == 0, "%s", err);
	ck_assert_uint_eq(nf, 2);
	for (size_t i = 0; i < nf; i++) {
		if (fs[i]->desc.addr == (uint64_t)(uintptr_t)&tst_parse_request)
			ck_assert_str_eq(fs[i]->desc.name, "tst_parse_request");
		else
			ck_assert_str_eq(fs[i]->desc.name, "malloc");
	}
}
END_TEST

START_TEST(glob_many)
{
	const char *t[] = { ":tst_*" };
	struct func_info **fs;
	size_t nf;

	ck_assert_msg(resolve(t, 1, &fs, &nf) == 0, "%s", err);
	ck_assert_uint_eq(nf, 10);
}
END_TEST

START_TEST(no_match_suggests)
{
	const char *t[] = { "tst_parse_requst" };
	struct func_info **fs;
	size_t nf;

	ck_assert_int_eq(resolve(t, 1, &fs, &nf), -ENOENT);
	ck_assert_uint_eq(nf, 0);
	ck_assert_ptr_nonnull(strstr(err, "probe 'tst_parse_requst' matches no function"));
	ck_assert_ptr_nonnull(strstr(err, "did you mean: tst_parse_request"));
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(no_match_far_from_everything)
{
	const char *t[] = { ":qqqqqqqqqqzzzzzzzzz" };
	struct func_info **fs;
	size_t nf;

	ck_assert_int_eq(resolve(t, 1, &fs, &nf), -ENOENT);
	ck_assert_str_eq(err, "probe ':qqqqqqqqqqzzzzzzzzz' matches no function");
}
END_TEST

/* A library named but not loaded is waited for (dlopen), with a note
 * that lists what is loaded, for a typo to show. */
START_TEST(no_module)
{
	const char *t[] = { "libnosuch*.so:foo" };
	struct func_info **fs;
	size_t nf;

	nnotes = 0;
	symtab_set_notify(st, take_note);
	ck_assert_int_eq(resolve(t, 1, &fs, &nf), 0);
	ck_assert_uint_eq(nf, 0);
	ck_assert_int_eq(nnotes, 1);
	ck_assert_msg(strstr(notes[0], "probe 'libnosuch*.so:foo': no module matches "
			   "'libnosuch*.so' yet; waiting for it to be loaded, or run by exec (loaded: ") == notes[0],
		      "%s", notes[0]);
	ck_assert_msg(strstr(notes[0], "libc.so.6"), "%s", notes[0]);
	ck_assert_ptr_null(strstr(notes[0], "ld-linux"));
	ck_assert_ptr_null(strstr(notes[0], "vdso"));
	ck_assert_int_eq(notes[0][strlen(notes[0]) - 1], ')');
}
END_TEST

/* The ranges of modules gone; the test's own executable may be among
 * them: libelf maps its file again, which changes its extent in maps. */
struct range { uint64_t lo[8], hi[8]; unsigned n; };

static void note_gone(void *ctx, uint64_t lo, uint64_t hi)
{
	struct range *r = ctx;

	if (r->n < 8) {
		r->lo[r->n] = lo;
		r->hi[r->n] = hi;
	}
	r->n++;
}

static unsigned gone_holding(const struct range *r, uint64_t addr)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->n && i < 8; i++)
		n += addr >= r->lo[i] && addr < r->hi[i];
	return n;
}

/* dlopen: the probes are matched in the new module only, once; dlclose:
 * its range is told to be gone. */
START_TEST(refresh_follows_dlopen)
{
	const char *t[] = { "libthread_db*:td_ta_*" };
	struct probe_spec spec;
	struct func_info **fs;
	struct range gone = { 0 };
	size_t nf;
	void *h;

	ck_assert_int_eq(resolve(t, 1, &fs, &nf), 0);
	ck_assert_uint_eq(nf, 0);
	h = dlopen("libthread_db.so.1", RTLD_LAZY);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(symtab_refresh(st, note_gone, &gone), 0);
	ck_assert_int_eq(probe_parse(t[0], &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(symtab_resolve_new(st, &spec, 1, &fs, &nf), 0);
	ck_assert_uint_gt(nf, 3);
	for (size_t i = 0; i < nf; i++) {
		ck_assert_ptr_nonnull(strstr(fs[i]->desc.module, "libthread_db"));
		ck_assert_ptr_eq(strstr(fs[i]->desc.name, "td_ta_"), fs[i]->desc.name);
	}
	uint64_t addr = fs[0]->desc.addr;

	ck_assert_uint_eq(gone_holding(&gone, addr), 0);
	gone.n = 0;

	ck_assert_int_eq(symtab_resolve_new(st, &spec, 1, &fs, &nf), 0);
	ck_assert_uint_eq(nf, 0);
	ck_assert_int_eq(dlclose(h), 0);
	ck_assert_int_eq(symtab_refresh(st, note_gone, &gone), 0);
	ck_assert_uint_eq(gone_holding(&gone, addr), 1);
	probe_free(&spec);
}
END_TEST

START_TEST(dynamic_linker_hidden)
{
	const char *t[] = { "ld-linux*:_dl_*" };
	struct func_info **fs;
	size_t nf;

	nnotes = 0;
	symtab_set_notify(st, take_note);
	ck_assert_int_eq(resolve(t, 1, &fs, &nf), 0);
	ck_assert_uint_eq(nf, 0);
	ck_assert_int_eq(nnotes, 1);
	ck_assert_ptr_nonnull(strstr(notes[0], "waiting for it to be loaded"));
}
END_TEST

START_TEST(module_without_symbols)
{
	char path[] = "/tmp/latch-test-XXXXXX";
	/* ELF by its magic, nothing libelf can parse */
	char junk[8192] = "\177ELF\377\377\377 but not really";
	char lib[64];
	int fd = mkstemp(path);
	void *map;
	const char *t[] = { "latch-test-*:foo" };
	struct func_info **fs;
	size_t nf;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (int)sizeof(junk));
	map = mmap(NULL, sizeof(junk), PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	unlink(path);
	close(fd);
	/* the module list is taken when the symtab opens */
	close_self();
	open_self();
	ck_assert_int_eq(resolve(t, 1, &fs, &nf), -ENOEXEC);
	snprintf(lib, sizeof(lib), "module '%s", path);
	ck_assert_ptr_nonnull(strstr(err, lib));
	ck_assert_ptr_nonnull(strstr(err, "has no symbols (stripped): its functions cannot be found by name; "
					 "build it without -s or strip"));
	munmap(map, sizeof(junk));
}
END_TEST

START_TEST(data_files_are_not_modules)
{
	char path[] = "/tmp/latch-data-XXXXXX";
	char junk[4096] = "plain data, like a locale archive";
	int fd = mkstemp(path);
	void *map;
	const char *t[] = { "latch-data-*:foo" };
	struct func_info **fs;
	size_t nf;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (int)sizeof(junk));
	map = mmap(NULL, sizeof(junk), PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	close_self();
	open_self();
	nnotes = 0;
	symtab_set_notify(st, take_note);
	ck_assert_int_eq(resolve(t, 1, &fs, &nf), 0);
	ck_assert_int_eq(nnotes, 1);
	ck_assert_ptr_nonnull(strstr(notes[0], "waiting for it to be loaded"));
	ck_assert_ptr_null(strstr(notes[0], path + strlen("/tmp/")));
	munmap(map, sizeof(junk));
	unlink(path);
	close(fd);
}
END_TEST

/* Data symbols, for pointers shown with what they point into: one holds
 * another (a struct's member has no symbol of its own, a global alias
 * names the same bytes as a local one). */
struct tst_table_t { int head[4]; int rows[64]; };
__attribute__((used)) struct tst_table_t tst_table;
extern struct tst_table_t tst_table_alias __attribute__((alias("tst_table")));
__attribute__((used)) static int tst_lonely[8];

START_TEST(describe)
{
	char buf[128];
	uint64_t a = (uint64_t)(uintptr_t)&tst_parse_request;
	uint64_t t = (uint64_t)(uintptr_t)&tst_table;

	ck_assert_int_eq(symtab_describe(st, t + 4 * 4 + 8, buf, sizeof(buf)), 0);
	/* both names are global: the one first in the symbol table */
	ck_assert(!strcmp(buf, "tst_table+0x18") || !strcmp(buf, "tst_table_alias+0x18"));
	ck_assert_int_eq(symtab_describe(st, t + sizeof(tst_table) - 1, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "+0x10f"));
	ck_assert_int_eq(symtab_describe(st, (uint64_t)(uintptr_t)&tst_lonely[7], buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "tst_lonely+0x1c");

	ck_assert_int_eq(symtab_describe(st, a + 4, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "tst_parse_request+0x4");
	ck_assert_int_eq(symtab_describe(st, a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "tst_parse_request");
	ck_assert_int_eq(symtab_describe(st, 16, buf, sizeof(buf)), -ENOENT);
}
END_TEST


START_TEST(note_once_for_module_without_dwarf)
{
	char empty[] = "/tmp/latch-nodebug-XXXXXX";
	const char *t[] = { "libc.so.6:malloc" };
	struct func_info **fs;
	size_t nf;

	/* with nowhere to look for separate debug files, Debian's stripped
	 * libc has none */
	ck_assert_ptr_nonnull(mkdtemp(empty));
	setenv("LATCH_DEBUG_DIRS", empty, 1);
	close_self();
	open_self();
	unsetenv("LATCH_DEBUG_DIRS");
	nnotes = 0;
	symtab_set_notify(st, take_note);
	ck_assert_msg(resolve(t, 1, &fs, &nf) == 0, "%s", err);
	if (fs[0]->has_dwarf) {
		rmdir(empty);
		return;   /* a libc built with its DWARF inside */
	}
	ck_assert_int_eq(nnotes, 1);
	ck_assert_msg(strstr(notes[0], "note: no debug info for ") == notes[0], "%s", notes[0]);
	ck_assert_ptr_nonnull(strstr(notes[0], fs[0]->desc.module));
	ck_assert_ptr_nonnull(strstr(notes[0], "arguments print as raw registers only to conditions, else as (...)"));
	ck_assert_ptr_nonnull(strstr(notes[0], empty));
	ck_assert_ptr_nonnull(strstr(notes[0], "/.build-id/"));
	if (access("/var/lib/dpkg/info/libc6:amd64.list", F_OK) == 0 ||
	    access("/var/lib/dpkg/info/libc6:arm64.list", F_OK) == 0)
		ck_assert_ptr_nonnull(strstr(notes[0], "install libc6-dbg (or libc6-dbgsym)"));
	/* once per module */
	ck_assert_int_eq(resolve(t, 1, &fs, &nf), 0);
	ck_assert_int_eq(nnotes, 1);
	rmdir(empty);
}
END_TEST

START_TEST(no_note_with_dwarf)
{
	nnotes = 0;
	symtab_set_notify(st, take_note);
	resolve_one("tst_parse_request");
	ck_assert_int_eq(nnotes, 0);
}
END_TEST

START_TEST(open_missing_process)
{
	struct symtab *s2 = (struct symtab *)&s2;

	ck_assert_int_lt(symtab_open(0x7ffffff0, &s2), 0);
	ck_assert_ptr_null(s2);
}
END_TEST

static Suite *symbols_suite(void)
{
	Suite *s = suite_create("symbols");
	TCase *tc = tcase_create("self");

	tcase_add_checked_fixture(tc, open_self, close_self);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, finds_function_at_runtime_address);
	tcase_add_test(tc, exe_scope_and_void);
	tcase_add_test(tc, variadic);
	tcase_add_test(tc, kinds_and_classes);
	tcase_add_test(tc, declarators);
	tcase_add_test(tc, aggregates);
	tcase_add_test(tc, clones_are_untrusted);
	tcase_add_test(tc, libc_malloc_dynsym);
	tcase_add_test(tc, aliases_and_specs_dedupe);
	tcase_add_test(tc, glob_many);
	tcase_add_test(tc, no_match_suggests);
	tcase_add_test(tc, no_match_far_from_everything);
	tcase_add_test(tc, no_module);
	tcase_add_test(tc, dynamic_linker_hidden);
	tcase_add_test(tc, refresh_follows_dlopen);
	tcase_add_test(tc, module_without_symbols);
	tcase_add_test(tc, data_files_are_not_modules);
	tcase_add_test(tc, describe);
	tcase_add_test(tc, note_once_for_module_without_dwarf);
	tcase_add_test(tc, no_note_with_dwarf);
	tcase_add_test(tc, open_missing_process);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* hermetic: never ask a debuginfod server about the test's modules */
	unsetenv("DEBUGINFOD_URLS");
	sr = srunner_create(symbols_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
