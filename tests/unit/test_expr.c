/* Conditions: lexer, parser, checker and evaluator, on value trees built
 * by hand. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/expr/expr.h"
#include "probe/expr/priv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char errbuf[256];

/* text parsed and printed back fully parenthesised. */
static const char *fmt(const char *text)
{
	static char buf[512];
	struct expr *e;
	int rc = expr_parse(text, &e, errbuf, sizeof(errbuf));

	ck_assert_msg(rc == 0, "%s: %s", text, errbuf);
	expr_format(e, buf, sizeof(buf));
	expr_free(e);
	return buf;
}

/* The message for text, which must not parse. */
static const char *perr(const char *text)
{
	struct expr *e = (struct expr *)1;

	ck_assert_msg(expr_parse(text, &e, errbuf, sizeof(errbuf)) == -EINVAL,
		      "%s parsed", text);
	ck_assert_ptr_null(e);
	return errbuf;
}

/* ---- values ---- */

static struct value vint(const char *name, int64_t i)
{
	return (struct value){ .kind = V_INT, .name = name, .i = i };
}

static struct value vuint(const char *name, uint64_t u)
{
	return (struct value){ .kind = V_UINT, .name = name, .u = u };
}

static struct value vstr(const char *name, const char *s, bool truncated)
{
	return (struct value){ .kind = V_STR, .name = name, .u = s ? 0x5000 : 0,
			       .text = (char *)s, .len = s ? strlen(s) : 0,
			       .truncated = truncated };
}

static struct value vagg(enum value_kind k, const char *name,
			 struct value *kids, unsigned n)
{
	return (struct value){ .kind = k, .name = name, .u = 0x1000,
			       .kids = kids, .nkids = n };
}

/* Parse text (unchecked: names resolve at run time) and evaluate it. */
static int ev(const char *text, const struct value *args, unsigned n,
	      const struct value *ret, uint64_t dur, bool *res)
{
	struct expr *e;
	int rc = expr_parse(text, &e, errbuf, sizeof(errbuf));

	ck_assert_msg(rc == 0, "%s: %s", text, errbuf);
	*res = true;
	rc = expr_eval(e, args, n, ret, dur, res);
	expr_free(e);
	if (rc)
		ck_assert_msg(!*res, "%s: true with error %d", text, rc);
	return rc;
}

struct ecase {
	const char *text;
	int rc;
	bool res;
};

static void run_cases(const struct ecase *c, size_t n, const struct value *args,
		      unsigned nargs, const struct value *ret, uint64_t dur)
{
	for (size_t i = 0; i < n; i++) {
		bool res;
		int rc = ev(c[i].text, args, nargs, ret, dur, &res);

		ck_assert_msg(rc == c[i].rc && res == c[i].res,
			      "%s: rc %d result %d, wanted rc %d result %d",
			      c[i].text, rc, res, c[i].rc, c[i].res);
	}
}

/* ---- lexer ---- */

START_TEST(lex_every_kind)
{
	const char *text = "a_1 12 0x1F 017 5u 7ul 18446744073709551615 1.5 1e3 .5 "
			   "'a' '\\n' '\\x41' '\\0' \"s\\t\\\"x\\101\" 5ms 10us 2s 100ns 1.5ms "
			   "( ) [ ] . -> * / % + - ! ~ & | ^ << >> == != < <= > >= && ||";
	static const enum tok_kind kinds[] = {
		T_NAME, T_INT, T_INT, T_INT, T_UINT, T_UINT, T_UINT, T_FLOAT, T_FLOAT,
		T_FLOAT, T_CHAR, T_CHAR, T_CHAR, T_CHAR, T_STR, T_DUR, T_DUR, T_DUR,
		T_DUR, T_DUR, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_DOT, T_ARROW,
		T_STAR, T_SLASH, T_PERCENT, T_PLUS, T_MINUS, T_BANG, T_TILDE, T_AMP,
		T_PIPE, T_CARET, T_SHL, T_SHR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
		T_ANDAND, T_OROR, T_END,
	};
	struct token t[N(kinds)];
	size_t pos = 0;

	for (size_t i = 0; i < N(kinds); i++) {
		ck_assert_int_eq(expr_lex(text, &pos, &t[i], errbuf, sizeof(errbuf)), 0);
		ck_assert_msg(t[i].kind == kinds[i], "token %zu: kind %d", i, t[i].kind);
	}
	ck_assert_str_eq(t[0].str, "a_1");
	ck_assert_uint_eq(t[0].col, 1);
	ck_assert_uint_eq(t[1].col, 5);
	ck_assert_int_eq(t[1].i, 12);
	ck_assert_int_eq(t[2].i, 31);
	ck_assert_int_eq(t[3].i, 15);
	ck_assert_uint_eq(t[4].u, 5);
	ck_assert_uint_eq(t[5].u, 7);
	ck_assert_uint_eq(t[6].u, UINT64_MAX);
	ck_assert(t[7].f == 1.5L && t[8].f == 1000 && t[9].f == 0.5L);
	ck_assert_int_eq(t[10].i, 'a');
	ck_assert_int_eq(t[11].i, '\n');
	ck_assert_int_eq(t[12].i, 'A');
	ck_assert_int_eq(t[13].i, 0);
	ck_assert_uint_eq(t[14].len, 5);
	ck_assert_mem_eq(t[14].str, "s\t\"xA", 5);
	ck_assert_uint_eq(t[15].u, 5000000);
	ck_assert_uint_eq(t[16].u, 10000);
	ck_assert_uint_eq(t[17].u, 2000000000);
	ck_assert_uint_eq(t[18].u, 100);
	ck_assert_uint_eq(t[19].u, 1500000);
	for (size_t i = 0; i < N(kinds); i++)
		free(t[i].str);
}
END_TEST

static void lex_fails(const char *text, const char *msg)
{
	struct token t;
	size_t pos = 0;
	int rc;

	do {
		memset(&t, 0, sizeof(t));
		rc = expr_lex(text, &pos, &t, errbuf, sizeof(errbuf));
		free(t.str);
	} while (!rc && t.kind != T_END);
	ck_assert_msg(rc == -EINVAL, "%s lexed", text);
	ck_assert_str_eq(errbuf, msg);
}

START_TEST(lex_errors)
{
	lex_fails("a @ b", "column 3: expected an operand or operator, found '@'");
	lex_fails("a = b", "column 3: expected '==', found '='");
	lex_fails("x\x01", "column 2: expected an operand or operator, found byte 0x01");
	lex_fails("a > 09", "column 6: expected an octal digit, found '9'");
	lex_fails("5kb", "column 2: expected a suffix u, l, ns, us, ms or s, found 'kb'");
	lex_fails("1.5u", "column 4: expected a suffix u, l, ns, us, ms or s, found 'u'");
	lex_fails("5uu", "column 2: expected a suffix u, l, ns, us, ms or s, found 'uu'");
	lex_fails("0x", "column 3: expected hex digits after '0x'");
	lex_fails("99999999999999999999", "column 1: expected a number that fits in 64 bits");
	lex_fails("s == \"abc", "column 10: expected '\"' to close the string at column 6");
	lex_fails("c == 'a", "column 8: expected \"'\" to close the character at column 6");
	lex_fails("c == 'ab'", "column 6: expected one character between quotes");
	lex_fails("c == ''", "column 6: expected one character between quotes");
	lex_fails("c == '\\q'", "column 8: expected an escape (\\n, \\x41, \\0...) after '\\'");
	lex_fails("c == '\\xg'", "column 9: expected hex digits after '\\x'");
}
END_TEST

/* ---- parser ---- */

START_TEST(parse_precedence)
{
	ck_assert_str_eq(fmt("a + b * c == 7 && !d || e"),
			 "(|| (&& (== (+ a (* b c)) 7) (! d)) e)");
	ck_assert_str_eq(fmt("a || b && c"), "(|| a (&& b c))");
	ck_assert_str_eq(fmt("a - b - c"), "(- (- a b) c)");
	ck_assert_str_eq(fmt("a / b % c * d"), "(* (% (/ a b) c) d)");
	ck_assert_str_eq(fmt("a | b ^ c & d"), "(| a (^ b (& c d)))");
	ck_assert_str_eq(fmt("a & 1 == 1"), "(& a (== 1 1))");
	ck_assert_str_eq(fmt("a << 1 + 2 < b"), "(< (<< a (+ 1 2)) b)");
	ck_assert_str_eq(fmt("1 < 2 == 3 >= 4"), "(== (< 1 2) (>= 3 4))");
	ck_assert_str_eq(fmt("(a + b) * c"), "(* (+ a b) c)");
	ck_assert_str_eq(fmt("((a))"), "a");
	ck_assert_str_eq(fmt("path ~ \"/etc/*\" && n"), "(&& (~ path \"/etc/*\") n)");
	ck_assert_str_eq(fmt("~a ~ \"x\""), "(~ (~ a) \"x\")");
	ck_assert_str_eq(fmt("a != b <= c"), "(!= a (<= b c))");
	ck_assert_str_eq(fmt("a >> 2 > b"), "(> (>> a 2) b)");
}
END_TEST

START_TEST(parse_unary_postfix_literals)
{
	ck_assert_str_eq(fmt("-*p"), "(- (* p))");
	ck_assert_str_eq(fmt("!!x"), "(! (! x))");
	ck_assert_str_eq(fmt("+a"), "a");
	ck_assert_str_eq(fmt("- a * b"), "(* (- a) b)");
	ck_assert_str_eq(fmt("!a.b"), "(! (. a b))");
	ck_assert_str_eq(fmt("*p->q"), "(* (-> p q))");
	ck_assert_str_eq(fmt("r->hdr.len[2]"), "([] (. (-> r hdr) len) 2)");
	ck_assert_str_eq(fmt("a[i + 1][0].x"), "(. ([] ([] a (+ i 1)) 0) x)");
	ck_assert_str_eq(fmt("(*p).x"), "(. (* p) x)");
	ck_assert_str_eq(fmt("s == NULL"), "(== s NULL)");
	ck_assert_str_eq(fmt("true || false"), "(|| 1 0)");
	ck_assert_str_eq(fmt("dur > 5ms"), "(> dur 5000000ns)");
	ck_assert_str_eq(fmt("x == 0x10u"), "(== x 16u)");
	ck_assert_str_eq(fmt("c == '\\x41'"), "(== c 65)");
	ck_assert_str_eq(fmt("f > 2.5"), "(> f 2.5)");
	ck_assert_str_eq(fmt("s == \"a\\n\\\"\""), "(== s \"a\\x0a\\x22\")");
	ck_assert_str_eq(fmt("  a\t==\n1 "), "(== a 1)");
}
END_TEST

START_TEST(parse_errors)
{
	static const char *const c[][2] = {
		{ "", "column 1: expected a condition, found end of input" },
		{ "   ", "column 4: expected a condition, found end of input" },
		{ "a +", "column 4: expected an operand (a name, literal or '('), found end of input" },
		{ "(a + b", "column 7: expected ')' to match '(' at column 1, found end of input" },
		{ "a && (b || c", "column 13: expected ')' to match '(' at column 6, found end of input" },
		{ "(a]", "column 3: expected ')' to match '(' at column 1, found ']'" },
		{ "a[1", "column 4: expected ']' to match '[' at column 2, found end of input" },
		{ "a[1)", "column 4: expected ']' to match '[' at column 2, found ')'" },
		{ "a.", "column 3: expected a member name after '.', found end of input" },
		{ "a->1", "column 4: expected a member name after '->', found literal 1" },
		{ "a. *", "column 4: expected a member name after '.', found '*'" },
		{ "a b", "column 3: expected an operator or the end of the condition, found name 'b'" },
		{ "a == == b", "column 6: expected an operand (a name, literal or '('), found '=='" },
		{ "f(x)", "column 2: expected an operator or the end of the condition, found '('" },
		{ ")", "column 1: expected an operand (a name, literal or '('), found ')'" },
		{ "a ==", "column 5: expected an operand (a name, literal or '('), found end of input" },
		{ "a > 1 2", "column 7: expected an operator or the end of the condition, found literal 2" },
		{ "s ~ \"x\" \"y\"", "column 9: expected an operator or the end of the condition, found string \"y\"" },
		{ "()", "column 2: expected an operand (a name, literal or '('), found ')'" },
		{ "!", "column 2: expected an operand (a name, literal or '('), found end of input" },
		{ "a = 1", "column 3: expected '==', found '='" },
		{ "a && $", "column 6: expected an operand or operator, found '$'" },
	};

	for (size_t i = 0; i < N(c); i++)
		ck_assert_str_eq(perr(c[i][0]), c[i][1]);
}
END_TEST

/* ---- checker ---- */

static const char *const params[] = { "len", "buf", "state", NULL };

static int chk(const char *text, bool allow_ret, const struct expr_types *ty)
{
	struct expr_scope sc = { .params = params, .nparams = 4, .allow_ret = allow_ret,
				 .types = ty };
	struct expr *e;
	int rc = expr_parse(text, &e, errbuf, sizeof(errbuf));

	ck_assert_msg(rc == 0, "%s: %s", text, errbuf);
	rc = expr_check(e, &sc, errbuf, sizeof(errbuf));
	expr_free(e);
	return rc;
}

#define CHECK_OK(text, ret) ck_assert_msg(chk(text, ret, NULL) == 0, "%s: %s", text, errbuf)
#define CHECK_ERR(text, ret, msg) do { \
	ck_assert_int_eq(chk(text, ret, NULL), -EINVAL); \
	ck_assert_str_eq(errbuf, msg); \
} while (0)

START_TEST(check_void_retval)
{
	struct expr_scope sc = { .params = params, .nparams = 4, .allow_ret = true,
				 .void_ret = true };
	struct expr *e;

	ck_assert_int_eq(expr_parse("dur > 1ms && len > 0", &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_check(e, &sc, errbuf, sizeof(errbuf)), 0);
	expr_free(e);
	ck_assert_int_eq(expr_parse("retval != 0", &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_check(e, &sc, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_str_eq(errbuf, "column 1: found 'retval', but the function returns void");
	expr_free(e);
}
END_TEST

START_TEST(check_names)
{
	CHECK_OK("len > 1 && buf != NULL", false);
	CHECK_OK("arg1 > 1 && arg4 == 0", false);
	CHECK_OK("retval < 0 && dur > 5ms", true);
	CHECK_OK("5ms < dur", true);
	CHECK_OK("dur - 1 >= 1s", true);
	CHECK_OK("state == RUNNING", false);
	CHECK_OK("RUNNING != state", false);
	CHECK_OK("buf->kind == K_FILE", false);
	CHECK_ERR("size > 1", false,
		  "column 1: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'size'");
	CHECK_ERR("len > 1 && sise", true,
		  "column 12: expected a parameter (len, buf, state, arg1..arg4, retval, dur), found unknown name 'sise'");
	CHECK_ERR("arg5 == 0", false,
		  "column 1: expected arg1..arg4, found 'arg5': the function has 4 parameters");
	CHECK_ERR("len > 0 || retval == 0", false,
		  "column 12: expected a parameter, found 'retval', which only a return condition knows (write it after 'ret')");
	CHECK_ERR("dur > 1", false,
		  "column 1: expected a parameter, found 'dur', which only a return condition knows (write it after 'ret')");
	CHECK_ERR("len > 5ms", false,
		  "column 7: expected a duration to be compared with dur, found it compared with something else");
	CHECK_ERR("dur + 5ms > 1", true,
		  "column 7: expected a duration to be compared with dur, found it used in arithmetic");
	CHECK_ERR("len + RUNNING > 1", false,
		  "column 7: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'RUNNING'");
	CHECK_ERR("RUNNING == 1", false,
		  "column 1: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'RUNNING'");
	CHECK_ERR("A == B", false,
		  "column 1: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'A'");
	CHECK_ERR("arg1x > 0", false,
		  "column 1: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'arg1x'");
	CHECK_ERR("buf ~ len", false, "column 7: expected a string pattern after '~' at column 5");
}
END_TEST

static bool only_running(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "RUNNING");
}

/* A fake type system: parameter 1 is a pointer to struct { len; hdr }. */
static const void *fake_param(void *ctx, unsigned idx)
{
	(void)ctx;
	return idx == 1 ? "req*" : NULL;
}

static int fake_member(void *ctx, const void *type, const char *name,
		       const void **out)
{
	(void)ctx;
	if (!strcmp(type, "req*") && (!strcmp(name, "len") || !strcmp(name, "hdr"))) {
		*out = !strcmp(name, "hdr") ? "hdr" : "int";
		return 0;
	}
	if (!strcmp(type, "hdr") && !strcmp(name, "lens")) {
		*out = "int[]";
		return 0;
	}
	return strcmp(type, "int") ? -ENOENT : -EINVAL;
}

static int fake_element(void *ctx, const void *type, const void **out)
{
	(void)ctx;
	if (strcmp(type, "int[]") && strcmp(type, "req*"))
		return -EINVAL;
	/* Fake handles: "req*" stands for the pointer and its struct. */
	*out = strcmp(type, "req*") ? "int" : "req*";
	return 0;
}

START_TEST(check_types_hook)
{
	struct expr_types ty = { .param = fake_param, .member = fake_member,
				 .element = fake_element, .enumerator = only_running };

	ck_assert_int_eq(chk("buf->len > 1 && buf->hdr.lens[3] == 2", false, &ty), 0);
	ck_assert_int_eq(chk("(*buf).len > 1", false, &ty), 0);
	ck_assert_int_eq(chk("len.anything > 1", false, &ty), 0);   /* unknown type */
	ck_assert_int_eq(chk("buf->nope > 0", false, &ty), -EINVAL);
	ck_assert_str_eq(errbuf, "column 4: expected a member of the struct it points to, found 'nope'");
	ck_assert_int_eq(chk("buf->hdr.x > 0", false, &ty), -EINVAL);
	ck_assert_str_eq(errbuf, "column 9: expected a member of the struct, found 'x'");
	ck_assert_int_eq(chk("buf->len[0] > 0", false, &ty), -EINVAL);
	ck_assert_str_eq(errbuf, "column 9: expected an array or pointer before '['");
	ck_assert_int_eq(chk("buf->len.x > 0", false, &ty), -EINVAL);
	ck_assert_str_eq(errbuf, "column 9: expected a struct or a pointer to one before '.'");
	ck_assert_int_eq(chk("state == RUNNING", false, &ty), 0);
	ck_assert_int_eq(chk("state == RUNNIN", false, &ty), -EINVAL);
	ck_assert_str_eq(errbuf,
			 "column 10: expected a parameter (len, buf, state, arg1..arg4), found unknown name 'RUNNIN'");
}
END_TEST

START_TEST(check_empty_scope)
{
	struct expr_scope none = { .params = NULL }, ret = { .allow_ret = true };
	struct expr *e;

	ck_assert_int_eq(expr_parse("arg1 > 0", &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_check(e, &none, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_str_eq(errbuf, "column 1: expected no argN, found 'arg1': the function has no parameters");
	expr_free(e);
	ck_assert_int_eq(expr_parse("x > 0", &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_check(e, &none, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_str_eq(errbuf, "column 1: expected a parameter (this function has none), found unknown name 'x'");
	ck_assert_int_eq(expr_check(e, &ret, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_str_eq(errbuf, "column 1: expected a parameter (retval, dur), found unknown name 'x'");
	expr_free(e);
}
END_TEST

/* A checked expression evaluates by slot, not by the values' names. */
START_TEST(check_then_eval)
{
	struct value args[4] = { vint(NULL, 10), vstr(NULL, "x", false),
				 { .kind = V_ENUM, .i = 1, .text = (char *)"RUNNING" },
				 vint(NULL, 0) };
	struct value ret = vint(NULL, -2);
	struct expr_scope sc = { .params = params, .nparams = 4, .allow_ret = true };
	struct expr *e;
	bool res = false;

	ck_assert_int_eq(expr_parse("len == 10 && buf == \"x\" && state == RUNNING && "
				    "arg4 == 0 && retval < 0 && dur > 1us", &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_check(e, &sc, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_eval(e, args, 4, &ret, 1001, &res), 0);
	ck_assert(res);
	ck_assert_int_eq(expr_eval(e, args, 4, &ret, 1000, &res), 0);
	ck_assert(!res);
	/* A condition on the return, evaluated at entry, has no retval. */
	ck_assert_int_eq(expr_eval(e, args, 4, NULL, 5000, &res), -EINVAL);
	ck_assert(!res);
	expr_free(e);
}
END_TEST

/* ---- evaluator ---- */

START_TEST(eval_integers)
{
	struct value args[] = {
		vint("a", 7), vint("b", -3), vuint("u", 5),
		{ .kind = V_CHAR, .name = "c", .i = 'x' },
		{ .kind = V_BOOL, .name = "flag", .u = 1 },
		vint("big", INT64_MIN), vuint("umax", UINT64_MAX),
		{ .kind = V_RAW, .name = "raw", .u = 0xff },
	};
	static const struct ecase c[] = {
		{ "a + b == 4", 0, true }, { "a - b == 10", 0, true },
		{ "a * b == -21", 0, true }, { "a / 2 == 3", 0, true },
		{ "a % 4 == 3", 0, true }, { "b / 2 == -1", 0, true },
		{ "b % 2 == -1", 0, true }, { "(a & 3) == 3", 0, true },
		{ "(a | 8) == 15", 0, true }, { "(a ^ 1) == 6", 0, true },
		{ "a << 2 == 28", 0, true }, { "b >> 1 == -2", 0, true },
		{ "u >> 1 == 2", 0, true }, { "~a == -8", 0, true },
		{ "~u == 0xfffffffffffffffa", 0, true }, { "-a == -7", 0, true },
		{ "!a == 0", 0, true }, { "!!a", 0, true }, { "a", 0, true },
		{ "a > b", 0, true }, { "a >= 7", 0, true }, { "a <= 7", 0, true },
		{ "a < 8", 0, true }, { "a != b", 0, true }, { "a < b", 0, false },
		{ "a == b", 0, false }, { "a > 7", 0, false }, { "a <= 6", 0, false },
		{ "b < u", 0, true }, { "-1 < 1u", 0, true }, { "umax > -1", 0, true },
		{ "u - 6 > 1000", 0, true }, { "u - 6 == umax", 0, true },
		{ "c == 'x'", 0, true }, { "c > 'a' && c <= 'z'", 0, true },
		{ "flag", 0, true }, { "flag == true", 0, true }, { "!flag", 0, false },
		{ "raw == 255", 0, true }, { "raw & 0x80", 0, true },
		{ "0x10 == 16 && 017 == 15 && 5u == 5 && 7l == 7ul", 0, true },
		{ "(a > 1) + (b > 1) == 1", 0, true }, { "a - 7", 0, false },
		{ "big / -1 == big", 0, true }, { "big % -1 == 0", 0, true },
		{ "big - 1 > 0", 0, true }, { "-big == big", 0, true },
		{ "big * 2 == 0", 0, true }, { "umax + 1 == 0", 0, true },
		{ "1u << 63 == 0x8000000000000000", 0, true }, { "b << 1 == -6", 0, true },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_floats)
{
	struct value args[] = {
		vint("a", 7),
		{ .kind = V_FLOAT, .name = "f", .f = 2.5L, .fbits = 64 },
		{ .kind = V_FLOAT, .name = "z", .f = 0, .fbits = 32 },
		vuint("u", 3),
		{ .kind = V_FLOAT, .name = "neg", .f = -1.25L, .fbits = 64 },
	};
	static const struct ecase c[] = {
		{ "f * 2 == 5", 0, true }, { "f > a - 5", 0, true },
		{ "a / 2.0 == 3.5", 0, true }, { "f + 1 == 3.5", 0, true },
		{ "f - 0.5 == 2", 0, true }, { "-f < 0", 0, true },
		{ "f / 2 == 1.25", 0, true }, { "a * 1.5 == 10.5", 0, true },
		{ "1e3 == 1000", 0, true }, { ".5 + .5 == 1", 0, true },
		{ "f", 0, true }, { "z", 0, false }, { "!z", 0, true },
		{ "u > f", 0, true }, { "neg < u", 0, true }, { "neg + 1.25 == 0", 0, true },
		{ "f >= 2.5 && f <= 2.5 && f != 2.4", 0, true },
		{ "neg < -1", 0, true },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_arith_errors)
{
	struct value args[] = {
		vint("a", 7), vint("b", -3),
		{ .kind = V_FLOAT, .name = "f", .f = 2.5L, .fbits = 64 },
		vagg(V_STRUCT, "st", NULL, 0),
		vstr("s", "x", false),
	};
	static const struct ecase c[] = {
		{ "a / 0 > 1", -EDOM, false }, { "a % (b + 3) == 1", -EDOM, false },
		{ "f / 0 == 1", -EDOM, false }, { "f / 0.0 == 1", -EDOM, false },
		{ "a << 64", -EDOM, false }, { "a >> -1", -EDOM, false },
		{ "a << 63 < 0", 0, true },
		/* Short-circuit skips the division. */
		{ "b > 0 && a / 0", 0, false }, { "b < 0 || a / 0", 0, true },
		{ "\"x\" == 1", -EINVAL, false }, { "a == \"x\"", -EINVAL, false },
		{ "s < \"a\"", -EINVAL, false }, { "st > 1", -EINVAL, false },
		{ "st", -EINVAL, false }, { "f & 1", -EINVAL, false },
		{ "f % 2", -EINVAL, false }, { "~f", -EINVAL, false },
		{ "f << 1", -EINVAL, false }, { "a ~ \"x\"", -EINVAL, false },
		{ "s ~ s", -EINVAL, false }, { "a[0]", -EINVAL, false },
		{ "a.x", -EINVAL, false }, { "*a", -EINVAL, false },
		{ "\"x\"", -EINVAL, false }, { "st.x[1.5]", -EFAULT, false },
		{ "s[1.5]", -EINVAL, false }, { "s[-1]", -EINVAL, false },
		{ "1[0]", -EINVAL, false }, { "retval == 0", -EINVAL, false },
		{ "arg9 == 0", -EFAULT, false },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_strings)
{
	struct value args[] = {
		vstr("s", "/etc/passwd", false), vstr("s2", "/etc/passwd", false),
		vstr("t", "/etc/pa", true),
		{ .kind = V_STR, .name = "bad", .u = 0x10, .unreadable = true },
		vstr("nul", NULL, false), vstr("star", "a*b", false),
		vstr("empty", "", false),
		{ .kind = V_STR, .name = "bin", .u = 0x10, .text = (char *)"a\0b", .len = 3 },
		/* the decoder gives a NULL char * as a plain null pointer */
		{ .kind = V_PTR, .name = "np", .u = 0 },
	};
	static const struct ecase c[] = {
		{ "s == \"/etc/passwd\"", 0, true }, { "\"/etc/passwd\" == s", 0, true },
		{ "s != \"/etc\"", 0, true }, { "s == \"/etc\"", 0, false },
		{ "s == \"/etc/passwd/\"", 0, false }, { "s == s2", 0, true },
		{ "s ~ \"/etc/*\"", 0, true }, { "s ~ \"/e?c/pass[a-z]d\"", 0, true },
		{ "s ~ \"/usr/*\"", 0, false }, { "s ~ \"*wd\"", 0, true },
		{ "s ~ \"*\"", 0, true }, { "s ~ \"/etc\"", 0, false },
		{ "s ~ \"[!/]*\"", 0, false }, { "s ~ \"[^a]*\"", 0, true },
		{ "s ~ \"/*/*\"", 0, true }, { "s ~ \"*c*s*d\"", 0, true },
		{ "s ~ \"*c*s*x\"", 0, false }, { "s ~ \"/etc/passw[c-e]\"", 0, true },
		{ "s ~ \"/etc/[]p]asswd\"", 0, true },
		{ "star ~ \"a\\\\*b\"", 0, true }, { "s ~ \"/etc/\\\\*\"", 0, false },
		{ "empty == \"\"", 0, true }, { "empty ~ \"*\"", 0, true },
		{ "empty ~ \"?\"", 0, false }, { "bin == \"a\\0b\"", 0, true },
		{ "bin == \"a\"", 0, false },
		{ "s[0] == '/' && s[10] == 'd'", 0, true }, { "s[11] == 0", 0, true },
		{ "s[12] == 0", -EFAULT, false }, { "*s == '/'", 0, true },
		{ "s != NULL", 0, true }, { "s", 0, true },
		/* The shown prefix decides what it can, and only that. */
		{ "t == \"/etc/passwd\"", -EFAULT, false }, { "t == \"/etc/pa\"", -EFAULT, false },
		{ "t == \"/usr\"", 0, false }, { "t != \"/usr\"", 0, true },
		{ "t == \"/et\"", 0, false }, { "t ~ \"/etc/*\"", 0, true },
		{ "t ~ \"/usr/*\"", 0, false }, { "t ~ \"*.conf\"", -EFAULT, false },
		{ "t ~ \"/etc/pa\"", -EFAULT, false }, { "t ~ \"/et\"", 0, false },
		{ "t[6] == 'a'", 0, true }, { "t[7] == 0", -EFAULT, false },
		{ "t == s", -EFAULT, false }, { "t == t", -EFAULT, false },
		{ "bad == \"x\"", -EFAULT, false }, { "bad ~ \"*\"", -EFAULT, false },
		{ "bad != NULL", 0, true }, { "bad", 0, true }, { "bad[0]", -EFAULT, false },
		{ "nul == NULL", 0, true }, { "nul == \"x\"", 0, false },
		{ "nul != \"x\"", 0, true }, { "nul ~ \"*\"", 0, false },
		{ "!nul", 0, true }, { "nul[0]", -EFAULT, false }, { "nul == nul", 0, true },
		{ "nul == s", 0, false },
		{ "np ~ \"*\"", 0, false }, { "np == \"x\"", 0, false }, { "np != \"\"", 0, true },
		{ "np == NULL", 0, true },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_pointers_and_structs)
{
	struct value arr[] = { vint(NULL, 1), vint(NULL, 2), vint(NULL, 3) };
	struct value lens[] = { vint(NULL, 10), vint(NULL, 20), vint(NULL, 30) };
	struct value hdr_kids[] = { vagg(V_ARRAY, "len", lens, 3) };
	struct value st_kids[] = {
		vint("x", 5), vstr("name", "hi", false), vagg(V_ARRAY, "arr", arr, 3),
		vagg(V_STRUCT, "hdr", hdr_kids, 1),
		{ .kind = V_UNAVAIL, .name = "gone" },
		{ .kind = V_OPAQUE, .name = "deep" },
	};
	struct value pointee = vagg(V_STRUCT, NULL, st_kids, N(st_kids));
	struct value tarr[] = { vint(NULL, 1) };
	struct value args[] = {
		{ .kind = V_PTR, .name = "p", .u = 0x1000, .nkids = 1, .kids = &pointee },
		{ .kind = V_PTR, .name = "q", .u = 0 },
		{ .kind = V_PTR, .name = "r", .u = 0x2000 },
		{ .kind = V_PTR, .name = "w", .u = 0x3000, .unreadable = true },
		vagg(V_STRUCT, "st", st_kids, N(st_kids)),
		{ .kind = V_UNAVAIL, .name = "opt" },
		{ .kind = V_ARRAY, .name = "ta", .kids = tarr, .nkids = 1, .truncated = true },
	};
	static const struct ecase c[] = {
		{ "p != NULL && p->x > 1", 0, true }, { "q != NULL && q->x > 1", 0, false },
		{ "q == NULL || q->x > 1", 0, true }, { "!q || q->x", 0, true },
		{ "q->x > 1", -EFAULT, false }, { "r->x > 1", -EFAULT, false },
		{ "w->x > 1", -EFAULT, false }, { "*q", -EFAULT, false },
		{ "r != NULL", 0, true }, { "w != NULL", 0, true },
		{ "p.x == 5", 0, true }, { "st.x == 5", 0, true }, { "st->x == 5", 0, true },
		{ "p->name == \"hi\"", 0, true }, { "p->arr[2] == 3", 0, true },
		{ "p->arr[0] + p->arr[1] == 3", 0, true }, { "p->arr[3] == 0", -EFAULT, false },
		{ "p->hdr.len[2] == 30", 0, true }, { "st.hdr.len[1] == 20", 0, true },
		{ "p->nope == 1", -EFAULT, false }, { "p->gone == 1", -EFAULT, false },
		{ "p->deep.x == 1", -EFAULT, false }, { "p->x.y", -EINVAL, false },
		{ "(*p).x == 5", 0, true }, { "p[0].x == 5", 0, true },
		{ "p[1].x == 5", -EFAULT, false }, { "p", 0, true }, { "!q", 0, true },
		{ "p == 0x1000", 0, true }, { "q == 0", 0, true }, { "p > q", 0, true },
		{ "(p & 0xfff) == 0", 0, true }, { "opt > 1", -EFAULT, false },
		{ "opt", -EFAULT, false }, { "ta[0] == 1", 0, true },
		{ "ta[1] == 1", -EFAULT, false }, { "p->arr == 1", -EINVAL, false },
		{ "NULL == NULL", 0, true }, { "p->x != NULL", 0, true },
		{ "st == NULL", -EINVAL, false },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_enums)
{
	struct value args[] = {
		{ .kind = V_ENUM, .name = "e", .i = 2, .text = (char *)"RUNNING" },
		{ .kind = V_ENUM, .name = "e2", .i = 7 },
		{ .kind = V_ENUM, .name = "fl", .i = 3, .text = (char *)"F_A|F_B" },
	};
	static const struct ecase c[] = {
		{ "e == RUNNING", 0, true }, { "RUNNING == e", 0, true },
		{ "e != STOPPED", 0, true }, { "e == STOPPED", 0, false },
		{ "e == 2", 0, true }, { "e > 1", 0, true },
		{ "e == \"RUNNING\"", 0, true }, { "e ~ \"RUN*\"", 0, true },
		{ "e2 == RUNNING", 0, false }, { "e2 != RUNNING", 0, true },
		{ "e2 == 7", 0, true }, { "fl == F_A", 0, false },
		{ "fl ~ \"*F_A*\"", 0, true }, { "(fl & 1) == 1", 0, true },
		{ "RUNNING", -EINVAL, false }, { "RUNNING == 1", -EINVAL, false },
		{ "RUNNING + 1 > 0", -EINVAL, false }, { "e == e2", 0, false },
		{ "e == arg1x", 0, false }, { "e != arg0", 0, true },
	};

	run_cases(c, N(c), args, N(args), NULL, 0);
}
END_TEST

START_TEST(eval_durations_and_retval)
{
	struct value ret = vint(NULL, -1), nullret = { .kind = V_PTR, .u = 0 };
	struct value voidret = { .kind = V_NONE };
	struct value args[] = { vint(NULL, 7), vint(NULL, -4) };
	static const struct ecase at6ms[] = {
		{ "dur > 5ms", 0, true }, { "dur >= 6ms", 0, true },
		{ "dur < 1s", 0, true }, { "dur > 5999us", 0, true },
		{ "dur > 6000001ns", 0, false }, { "dur > 1.5ms", 0, true },
		{ "dur == 6ms", 0, true }, { "retval < 0", 0, true },
		{ "retval == -1 && dur > 10us", 0, true },
		{ "arg1 == 7 && arg2 < 0", 0, true }, { "arg1 + arg2 == 3", 0, true },
		{ "arg3 == 0", -EFAULT, false },
	};
	static const struct ecase at5ms[] = {
		{ "dur > 5ms", 0, false }, { "dur >= 5ms", 0, true },
		{ "dur == 5000us", 0, true }, { "dur < 0.005s", 0, false },
	};
	bool res;

	run_cases(at6ms, N(at6ms), args, N(args), &ret, 6000000);
	run_cases(at5ms, N(at5ms), args, N(args), &ret, 5000000);
	ck_assert_int_eq(ev("retval == NULL", NULL, 0, &nullret, 0, &res), 0);
	ck_assert(res);
	ck_assert_int_eq(ev("retval == 0", NULL, 0, &voidret, 0, &res), -EINVAL);
}
END_TEST

/* The decoding a condition needs, raised from what is shown. */
START_TEST(limits_needed)
{
	static const struct {
		const char *text;
		struct value_limits want;
	} c[] = {
		{ "a > 1", { 64, 16, 2, 0, false } },
		{ "r->len > 1", { 64, 16, 2, 0, false } },
		{ "r->h->flags & 4", { 64, 16, 3, 1, false } },
		{ "(*r).h->x.y[2] == 1 || q", { 64, 16, 6, 4, true } },
		{ "a[40] == 1 && b[-1] == 2 && c[5000] == 3", { 64, 41, 2, 0, true } },
		{ "*ip == 5", { 64, 16, 2, 0, true } },
		{ "s == \"0123456789012345678901234567890123456789012345678901234567890123456789\"",
		  { 71, 16, 2, 0, false } },
		{ "s ~ \"*\"", { 64, 16, 2, 0, false } },
	};

	for (size_t i = 0; i < N(c); i++) {
		struct value_limits lim = { 64, 16, 2, 0, false };
		struct expr *e;

		ck_assert_int_eq(expr_parse(c[i].text, &e, errbuf, sizeof(errbuf)), 0);
		expr_limits(e, &lim);
		ck_assert_msg(lim.strlimit == c[i].want.strlimit &&
			      lim.arraylimit == c[i].want.arraylimit &&
			      lim.depth == c[i].want.depth &&
			      lim.follow_more == c[i].want.follow_more &&
			      lim.follow_scalars == c[i].want.follow_scalars,
			      "%s: -s %zu -A %u --depth %u, follow %u, scalars %d", c[i].text,
			      lim.strlimit, lim.arraylimit, lim.depth, lim.follow_more,
			      lim.follow_scalars);
		expr_free(e);
	}
}
END_TEST

START_TEST(parse_limits)
{
	char *text = malloc(EXPR_MAX_TEXT + 2);
	struct value a = vint("a", 1);
	struct expr *e;
	bool res = false;

	/* Nesting as deep as the length allows parses and evaluates. */
	memset(text, '(', EXPR_MAX_TEXT / 2 - 1);
	text[EXPR_MAX_TEXT / 2 - 1] = 'a';
	memset(text + EXPR_MAX_TEXT / 2, ')', EXPR_MAX_TEXT / 2 - 1);
	text[EXPR_MAX_TEXT - 1] = '\0';
	ck_assert_int_eq(expr_parse(text, &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_eval(e, &a, 1, NULL, 0, &res), 0);
	ck_assert(res);
	expr_free(e);
	for (size_t i = 0; i + 1 < EXPR_MAX_TEXT; i += 2)
		memcpy(text + i, i ? "+a" : " a", 2);
	text[EXPR_MAX_TEXT] = '\0';
	ck_assert_int_eq(expr_parse(text, &e, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(expr_eval(e, &a, 1, NULL, 0, &res), 0);
	ck_assert(res);
	expr_free(e);
	text[EXPR_MAX_TEXT] = ' ';
	text[EXPR_MAX_TEXT + 1] = '\0';
	ck_assert_str_eq(perr(text), "column 4097: expected a condition of at most 4096 characters");
	free(text);
}
END_TEST

/* Every prefix of a valid condition fails cleanly or parses: no leak,
 * no read past the end (under ASan). */
START_TEST(parse_every_prefix)
{
	const char *full = "p != NULL && p->hdr.len[2] > 0x10u && s ~ \"/a\\x41*\" || "
			   "-f * 1.5e3 >= 'c' && dur > 5ms";
	char buf[128];
	struct expr *e;

	for (size_t n = 0; n <= strlen(full); n++) {
		memcpy(buf, full, n);
		buf[n] = '\0';
		if (expr_parse(buf, &e, errbuf, sizeof(errbuf)) == 0)
			expr_free(e);
		else
			ck_assert_msg(!strncmp(errbuf, "column ", 7), "%s: %s", buf, errbuf);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("expr");
	TCase *lex = tcase_create("lex"), *parse = tcase_create("parse");
	TCase *check = tcase_create("check"), *eval = tcase_create("eval");
	SRunner *sr;
	int failed;

	tcase_add_test(lex, lex_every_kind);
	tcase_add_test(lex, lex_errors);
	tcase_add_test(parse, parse_precedence);
	tcase_add_test(parse, parse_unary_postfix_literals);
	tcase_add_test(parse, parse_errors);
	tcase_add_test(parse, parse_every_prefix);
	tcase_add_test(parse, parse_limits);
	tcase_add_test(parse, limits_needed);
	tcase_add_test(check, check_empty_scope);
	tcase_add_test(check, check_names);
	tcase_add_test(check, check_void_retval);
	tcase_add_test(check, check_types_hook);
	tcase_add_test(check, check_then_eval);
	tcase_add_test(eval, eval_integers);
	tcase_add_test(eval, eval_floats);
	tcase_add_test(eval, eval_arith_errors);
	tcase_add_test(eval, eval_strings);
	tcase_add_test(eval, eval_pointers_and_structs);
	tcase_add_test(eval, eval_enums);
	tcase_add_test(eval, eval_durations_and_retval);
	suite_add_tcase(s, lex);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, check);
	suite_add_tcase(s, eval);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
