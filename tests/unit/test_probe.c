/* Probe specs "[LIB:]GLOB" and the glob matcher. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "probe/probe.h"

struct parsed {
	struct probe_spec p;
	char err[256];
	int rc;
};

static struct parsed parse(const char *text)
{
	struct parsed r;

	memset(&r, 0, sizeof(r));
	r.rc = probe_parse(text, &r.p, r.err, sizeof(r.err));
	return r;
}

static void expect_ok(const char *text, enum probe_scope scope,
		      const char *lib, const char *func)
{
	struct parsed r = parse(text);

	ck_assert_msg(r.rc == 0, "'%s' failed: %s", text, r.err);
	ck_assert_int_eq(r.p.scope, scope);
	ck_assert_str_eq(r.p.text, text);
	ck_assert_str_eq(r.p.func_glob, func);
	if (lib)
		ck_assert_str_eq(r.p.lib_glob, lib);
	else
		ck_assert_ptr_null(r.p.lib_glob);
	probe_free(&r.p);
}

/* Fails with -EINVAL, leaves nothing to free, and err contains want. */
static void expect_err(const char *text, const char *want)
{
	struct parsed r = parse(text);

	ck_assert_msg(r.rc == -EINVAL, "'%s': rc %d", text, r.rc);
	ck_assert_msg(strstr(r.err, want), "'%s': message '%s' lacks '%s'",
		      text, r.err, want);
	ck_assert_msg(!strchr(r.err, '\n'), "message is one line");
	ck_assert_ptr_null(r.p.text);
	ck_assert_ptr_null(r.p.lib_glob);
	ck_assert_ptr_null(r.p.func_glob);
}

START_TEST(spec_forms)
{
	expect_ok("parse_request", SCOPE_ANY, NULL, "parse_request");
	expect_ok("handle_*", SCOPE_ANY, NULL, "handle_*");
	expect_ok("libc.so.6:malloc", SCOPE_LIB, "libc.so.6", "malloc");
	expect_ok("libc*:mem[cs]?[!a-z]", SCOPE_LIB, "libc*",
		  "mem[cs]?[!a-z]");
	expect_ok(":main", SCOPE_EXE, NULL, "main");
	expect_ok(":*", SCOPE_EXE, NULL, "*");
	expect_ok("/usr/lib/*/libz.so*:inflate", SCOPE_LIB,
		  "/usr/lib/*/libz.so*", "inflate");
	expect_ok("malloc@GLIBC_2.2.5", SCOPE_ANY, NULL, "malloc@GLIBC_2.2.5");
	expect_ok("f\\*", SCOPE_ANY, NULL, "f\\*");
}
END_TEST

START_TEST(spec_cxx)
{
	expect_ok("Parser::parse", SCOPE_ANY, NULL, "Parser::parse");
	expect_ok("ns::Parser::*", SCOPE_ANY, NULL, "ns::Parser::*");
	expect_ok("::f", SCOPE_ANY, NULL, "::f");
	expect_ok("libfoo.so:ns::f", SCOPE_LIB, "libfoo.so", "ns::f");
	expect_ok("libfoo.so:::f", SCOPE_LIB, "libfoo.so", "::f");
	expect_ok(":ns::f", SCOPE_EXE, NULL, "ns::f");
	expect_ok(":::f", SCOPE_EXE, NULL, "::f");
	expect_ok("operator<<", SCOPE_ANY, NULL, "operator<<");
	expect_ok("std::vector<int,std::allocator<int>>::push_back(int&&)",
		  SCOPE_ANY, NULL,
		  "std::vector<int,std::allocator<int>>::push_back(int&&)");
	expect_ok("(anonymous*)::{lambda(int)#1}::operator()", SCOPE_ANY,
		  NULL, "(anonymous*)::{lambda(int)#1}::operator()");
	expect_ok("ns::operator\\[\\]", SCOPE_ANY, NULL, "ns::operator\\[\\]");
	expect_ok("Foo::~Foo", SCOPE_ANY, NULL, "Foo::~Foo");
}
END_TEST

static struct parsed expect_site(const char *text, enum probe_kind kind,
				  enum probe_scope scope)
{
	struct parsed r = parse(text);

	ck_assert_msg(r.rc == 0, "'%s' failed: %s", text, r.err);
	ck_assert_int_eq(r.p.kind, kind);
	ck_assert_int_eq(r.p.scope, scope);
	ck_assert_str_eq(r.p.text, text);
	return r;
}

START_TEST(spec_sites)
{
	struct parsed r = expect_site("app.c:30", PROBE_LINE, SCOPE_ANY);

	ck_assert_str_eq(r.p.src_file, "app.c");
	ck_assert_uint_eq(r.p.line, 30);
	ck_assert_ptr_null(r.p.func_glob);
	probe_free(&r.p);
	r = expect_site("libfoo.so:src/foo.c:7 if n > 2", PROBE_LINE, SCOPE_LIB);
	ck_assert_str_eq(r.p.lib_glob, "libfoo.so");
	ck_assert_str_eq(r.p.src_file, "src/foo.c");
	ck_assert_uint_eq(r.p.line, 7);
	ck_assert_uint_ne(r.p.if_at, 0);
	probe_free(&r.p);
	/* a bare address is the executable's */
	r = expect_site("0x1249", PROBE_ADDR, SCOPE_EXE);
	ck_assert_uint_eq(r.p.offset, 0x1249);
	ck_assert_ptr_null(r.p.func_glob);
	probe_free(&r.p);
	r = expect_site("libc.so*:0x9a0f0", PROBE_ADDR, SCOPE_LIB);
	ck_assert_uint_eq(r.p.offset, 0x9a0f0);
	ck_assert_str_eq(r.p.lib_glob, "libc.so*");
	probe_free(&r.p);
	r = expect_site("parse+0x1c", PROBE_ADDR, SCOPE_ANY);
	ck_assert_str_eq(r.p.func_glob, "parse");
	ck_assert_uint_eq(r.p.offset, 0x1c);
	probe_free(&r.p);
	r = expect_site(":ns::f+12", PROBE_ADDR, SCOPE_EXE);
	ck_assert_str_eq(r.p.func_glob, "ns::f");
	ck_assert_uint_eq(r.p.offset, 12);
	probe_free(&r.p);
	/* not sites: a C++ scope, an operator, a name that is not a number */
	expect_ok("ns::f", SCOPE_ANY, NULL, "ns::f");
	expect_ok("operator+", SCOPE_ANY, NULL, "operator+");
	expect_ok("0xfeed_beef", SCOPE_ANY, NULL, "0xfeed_beef");
	expect_ok("tree:top", SCOPE_LIB, "tree", "top");
	expect_err("app.c:0", "no such line number");
	expect_err(":12", "no source file before the line number");
	expect_err("app.c:30 ret retval > 0", "no return");
	expect_err("f+4 if x ret retval", "no return");
}
END_TEST

START_TEST(spec_errors)
{
	struct parsed r = parse("");

	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_str_eq(r.err, "empty probe spec");
	expect_err("libc.so.6:", "empty function glob");
	expect_err(":", "empty function glob");
	expect_err(" foo", "whitespace before the function glob");
	expect_err("foo bar", "column 5: expected 'if' or 'ret' after the function glob");
	expect_err("foo iff x", "column 5: expected 'if' or 'ret'");
	expect_err("lib.so:foo\tif", "column 14: expected a condition");
	expect_err("foo if x >", "probe 'foo if x >': column 11: expected an operand");
	expect_err("foo if x > 1 ret", "column 17: expected a condition");
	expect_err("foo if x > 1 y", "column 14: expected an operator, the end of the condition or 'ret'");
	expect_err("foo ret retval < 0 ret 1", "column 20: expected an operator or the end");
	expect_err("f[ if x", "unbalanced '['");
	expect_err("foo[ab", "unbalanced '['");
	expect_err("lib[.so:foo", "unbalanced '['");
	expect_err("operator[]", "unbalanced '['");
	expect_err("foo\\", "trailing '\\'");
	expect_err("a:b:c", "stray ':'");
	expect_err("lib:ns::f:g", "stray ':'");
	expect_err("\"foo\"", "character '\"'");
	expect_err("'foo'", "character '''");
	expect_err("foo;bar", "character ';'");
	expect_err("foo`id`", "character '`'");
	expect_err("foo\x01", "character 0x01");
	expect_err("lib\x7f:foo", "character 0x7f");
	expect_err("a\nb", "probe 'a?b'");
}
END_TEST

/* The conditions as the filter gets them, in prefix form. */
static void expect_conds(const char *text, const char *entry, const char *ret)
{
	struct parsed r = parse(text);
	struct expr *e, *x;
	char buf[256], err[256];

	ck_assert_msg(r.rc == 0, "'%s' failed: %s", text, r.err);
	ck_assert_str_eq(r.p.text, text);
	ck_assert_int_eq(probe_conditions(&r.p, &e, &x, err, sizeof(err)), 0);
	if (entry) {
		expr_format(e, buf, sizeof(buf));
		ck_assert_str_eq(buf, entry);
	} else {
		ck_assert_ptr_null(e);
	}
	if (ret) {
		expr_format(x, buf, sizeof(buf));
		ck_assert_str_eq(buf, ret);
	} else {
		ck_assert_ptr_null(x);
	}
	expr_free(e);
	expr_free(x);
	probe_free(&r.p);
}

START_TEST(spec_conditions)
{
	expect_ok("parse if req->len > 100", SCOPE_ANY, NULL, "parse");
	expect_ok("libc.so.6:malloc if size > 65536", SCOPE_LIB, "libc.so.6", "malloc");
	expect_ok("foo ", SCOPE_ANY, NULL, "foo");
	expect_conds("f if a > 1", "(> a 1)", NULL);
	expect_conds("f\tif\ta>1\n", "(> a 1)", NULL);
	expect_conds("f if(a)", "a", NULL);
	expect_conds("f ret retval < 0", NULL, "(< retval 0)");
	expect_conds("f if a == 2 ret retval < 0 && dur > 5ms",
		     "(== a 2)", "(&& (< retval 0) (> dur 5000000ns))");
	/* "ret" as a parameter: a name never follows a complete operand. */
	expect_conds("f if ret > 1 ret ret != retval", "(> ret 1)", "(!= ret retval)");
	expect_conds("f if s ~ \"/etc/*\" ret(retval)", "(~ s \"/etc/*\")", "retval");
	expect_conds("f", NULL, NULL);
}
END_TEST

START_TEST(spec_err_buffer)
{
	struct probe_spec p;
	char small[8];

	/* err may be absent or short: the code still comes back. */
	ck_assert_int_eq(probe_parse("a b", &p, NULL, 0), -EINVAL);
	ck_assert_int_eq(probe_parse("a b", &p, small, sizeof(small)),
			 -EINVAL);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	probe_free(&p);
	probe_free(NULL);
}
END_TEST

START_TEST(glob_literal_star_question)
{
	ck_assert(glob_match("malloc", "malloc"));
	ck_assert(!glob_match("malloc", "malloc2"));
	ck_assert(!glob_match("malloc", "mallo"));
	ck_assert(glob_match("", ""));
	ck_assert(!glob_match("", "a"));
	ck_assert(glob_match("*", ""));
	ck_assert(glob_match("*", "anything"));
	ck_assert(glob_match("handle_*", "handle_"));
	ck_assert(glob_match("handle_*", "handle_request"));
	ck_assert(!glob_match("handle_*", "handle"));
	ck_assert(glob_match("*_cb", "on_read_cb"));
	ck_assert(!glob_match("*_cb", "on_read_cb2"));
	ck_assert(glob_match("a*b*c", "aXbYc"));
	ck_assert(glob_match("a*b*c", "abcbc"));
	ck_assert(!glob_match("a*b*c", "acb"));
	ck_assert(glob_match("**x**", "x"));
	ck_assert(glob_match("f?o", "foo"));
	ck_assert(!glob_match("f?o", "fo"));
	ck_assert(glob_match("???", "abc"));
	ck_assert(!glob_match("???", "abcd"));
	ck_assert(glob_match("*?", "a"));
	ck_assert(!glob_match("*?", ""));
	ck_assert(glob_match("libc.so*", "libc.so.6"));
}
END_TEST

START_TEST(glob_classes)
{
	ck_assert(glob_match("mem[cs]py", "memcpy"));
	ck_assert(glob_match("mem[cs]py", "memspy"));
	ck_assert(!glob_match("mem[cs]py", "memmpy"));
	ck_assert(glob_match("v[0-9]", "v7"));
	ck_assert(!glob_match("v[0-9]", "va"));
	ck_assert(glob_match("[a-cx-z]", "y"));
	ck_assert(!glob_match("[a-cx-z]", "d"));
	ck_assert(glob_match("[!a-z]", "_"));
	ck_assert(!glob_match("[!a-z]", "q"));
	ck_assert(glob_match("[^0]", "1"));
	ck_assert(!glob_match("[^0]", "0"));
	/* ']' first is a member; '-' first or last is literal. */
	ck_assert(glob_match("[]a]", "]"));
	ck_assert(glob_match("[!]a]", "b"));
	ck_assert(!glob_match("[!]a]", "]"));
	ck_assert(glob_match("[a-]", "-"));
	ck_assert(glob_match("[-a]", "-"));
	ck_assert(glob_match("x[*?]", "x*"));
	ck_assert(!glob_match("x[*?]", "xy"));
	ck_assert(!glob_match("[ab]", ""));
	/* An unbalanced '[' matches itself, as in fnmatch. */
	ck_assert(glob_match("a[b", "a[b"));
	ck_assert(glob_match("*[", "x["));
	/* Bytes above 0x7f compare unsigned. */
	ck_assert(glob_match("[\x80-\xff]", "\xc3"));
	ck_assert(!glob_match("[\x01-\x7f]", "\xc3"));
}
END_TEST

START_TEST(glob_escapes)
{
	ck_assert(glob_match("a\\*b", "a*b"));
	ck_assert(!glob_match("a\\*b", "axb"));
	ck_assert(glob_match("\\?", "?"));
	ck_assert(!glob_match("\\?", "x"));
	ck_assert(glob_match("operator\\[\\]", "operator[]"));
	ck_assert(glob_match("\\\\", "\\"));
	ck_assert(glob_match("\\a", "a"));
	ck_assert(glob_match("[\\]]", "]"));
	ck_assert(glob_match("[a\\-z]", "-"));
	ck_assert(!glob_match("[a\\-z]", "m"));
	ck_assert(glob_match("x\\", "x\\"));
	ck_assert(glob_match("*\\*", "ab*"));
	ck_assert(!glob_match("*\\*", "ab"));
}
END_TEST

START_TEST(glob_pathological)
{
	size_t n = 200000;
	char *s = malloc(n + 1);
	struct timespec t0, t1;
	double secs;

	ck_assert_ptr_nonnull(s);
	memset(s, 'a', n);
	s[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!glob_match("a*a*a*a*a*a*a*a*a*a*b", s));
	ck_assert(!glob_match("*a*a*a*a*?*[ab]*a*c", s));
	s[n - 1] = 'b';
	ck_assert(glob_match("a*a*a*a*a*a*a*a*a*a*b", s));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(secs < 1.0, "took %.3fs", secs);
	free(s);
}
END_TEST

static bool matches(const char *spec, const char *path, bool is_main)
{
	struct probe_spec p;
	char err[128];
	bool hit;

	ck_assert_int_eq(probe_parse(spec, &p, err, sizeof(err)), 0);
	hit = probe_matches_module(&p, path, is_main);
	probe_free(&p);
	return hit;
}

START_TEST(module_scope)
{
	ck_assert(matches("f", "/usr/lib/libc.so.6", false));
	ck_assert(matches("f", "/bin/app", true));
	ck_assert(matches(":f", "/bin/app", true));
	ck_assert(!matches(":f", "/usr/lib/libc.so.6", false));
	ck_assert(matches("libc.so.6:f", "/usr/lib/x86_64-linux-gnu/libc.so.6",
			  false));
	ck_assert(matches("libc.so*:f", "/lib/libc.so.6", false));
	ck_assert(!matches("libc.so*:f", "/lib/libcrypt.so.1", false));
	/* The main executable is a module too when named. */
	ck_assert(matches("app:f", "/bin/app", true));
	/* Only the file name is globbed unless the glob has a '/'. */
	ck_assert(!matches("lib:f", "/usr/lib/libc.so.6", false));
	ck_assert(matches("/usr/lib/*:f", "/usr/lib/libz.so.1", false));
	ck_assert(matches("*/x86_64-linux-gnu/libz*:f",
			  "/usr/lib/x86_64-linux-gnu/libz.so.1", false));
	ck_assert(!matches("/opt/*:f", "/usr/lib/libz.so.1", false));
	ck_assert(matches("libz.so.1:f", "libz.so.1", false));
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("spec");

	tcase_add_test(tc, spec_forms);
	tcase_add_test(tc, spec_cxx);
	tcase_add_test(tc, spec_sites);
	tcase_add_test(tc, spec_errors);
	tcase_add_test(tc, spec_conditions);
	tcase_add_test(tc, spec_err_buffer);
	suite_add_tcase(s, tc);
	tc = tcase_create("glob");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, glob_literal_star_question);
	tcase_add_test(tc, glob_classes);
	tcase_add_test(tc, glob_escapes);
	tcase_add_test(tc, glob_pathological);
	suite_add_tcase(s, tc);
	tc = tcase_create("module");
	tcase_add_test(tc, module_scope);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
