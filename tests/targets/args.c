/* args: one traced function per kind of argument and return value.
 *
 * Usage: args [-w]
 * For every top-level call main prints one line
 *     call NAME KEY=ENC ... -> ENC
 * (the return value as ret=ENC) where ENC encodes a value so the test can compare it with the trace:
 *     i:N     integer (signed or unsigned, decimal)
 *     p:0x..  pointer, p:NULL
 *     s:HEX   char * as the hex of its bytes (s: is ""), s:NULL
 *     e:NAME  enumerator
 *     b:true  bool
 *     c:HH    char, hex of its byte
 *     x:      a value this test does not compare (float, struct by value)
 *     void    no return value
 * tt_outer(2) also makes two nested calls tt_int(2, 1) = 3, tt_int(3, 2) = 5.
 */
#include "common.h"

enum color { RED, GREEN, BLUE };
struct pt { int x, y; };

static volatile long sink;

TRACED int tt_int(int a, int b) { return a + b; }
TRACED unsigned tt_uint(unsigned u) { return u / 2 + 1; }
TRACED long tt_long(long l) { return l * 2; }
TRACED unsigned long tt_ulong(unsigned long u) { return u ^ 0; }
TRACED short tt_short(short s) { return (short)(s + 1); }
TRACED char tt_char(char c) { return (char)(c + 1); }
TRACED bool tt_bool(bool b) { return !b; }
TRACED enum color tt_enum(enum color c) { return c == GREEN ? BLUE : RED; }
TRACED size_t tt_str(const char *s) { return s ? strlen(s) : 0; }
TRACED const char *tt_retstr(int i) { return i ? "ret-string" : NULL; }
TRACED void *tt_ptr(void *p, int *ip) { return ip ? (void *)ip : p; }
TRACED long tt_many(int a, long b, short c, char d, unsigned e, long f, int g, int h)
{
	return a + b + c + d + e + f + g + h;
}
TRACED void tt_void(int x) { sink += x; }
TRACED int tt_mixed(double d, int i, struct pt p, int j) { return (int)d + i + p.x + p.y + j; }
TRACED int tt_outer(int n) { return tt_int(n, 1) + tt_int(n + 1, 2); }

static void pr_call(const char *name) { printf("call %s", name); }
static void pr_i(const char *k, long long v) { printf(" %s=i:%lld", k, v); }
static void pr_u(const char *k, unsigned long long v) { printf(" %s=i:%llu", k, v); }
static void pr_p(const char *k, const void *p)
{
	if (p)
		printf(" %s=p:%p", k, p);
	else
		printf(" %s=p:NULL", k);
}
static void pr_s(const char *k, const char *s)
{
	if (!s) {
		printf(" %s=s:NULL", k);
		return;
	}
	printf(" %s=s:", k);
	for (; *s; s++)
		printf("%02x", (unsigned char)*s);
}
static void pr_e(const char *k, enum color c)
{
	static const char *names[] = { "RED", "GREEN", "BLUE" };
	printf(" %s=e:%s", k, names[c]);
}
static void pr_b(const char *k, bool b) { printf(" %s=b:%s", k, b ? "true" : "false"); }
static void pr_c(const char *k, char c) { printf(" %s=c:%02x", k, (unsigned char)c); }
static void pr_x(const char *k) { printf(" %s=x:", k); }
static void pr_ret(void) { printf(" ->"); }
static void pr_end(void) { printf("\n"); }

int main(int argc, char **argv)
{
	static const void *const traced[] = {
		(void *)tt_int, (void *)tt_uint, (void *)tt_long, (void *)tt_ulong,
		(void *)tt_short, (void *)tt_char, (void *)tt_bool, (void *)tt_enum,
		(void *)tt_str, (void *)tt_retstr, (void *)tt_ptr, (void *)tt_many,
		(void *)tt_void, (void *)tt_mixed, (void *)tt_outer,
	};
	/* proof that main ran, which latch -l must never let happen */
	const char *mark = getenv("ARGS_MAIN_MARK");

	if (mark)
		close(open(mark, O_WRONLY | O_CREAT, 0644));
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w"))
		t_wait_traps(traced, sizeof traced / sizeof traced[0], T_ATTACH_TIMEOUT_MS);

	int r = tt_int(-5, 12);
	pr_call("tt_int"); pr_i("a", -5); pr_i("b", 12); pr_ret(); pr_i("ret", r); pr_end();

	unsigned u = tt_uint(4000000000u);
	pr_call("tt_uint"); pr_u("u", 4000000000u); pr_ret(); pr_u("ret", u); pr_end();

	long l = tt_long(-1234567890123L);
	pr_call("tt_long"); pr_i("l", -1234567890123L); pr_ret(); pr_i("ret", l); pr_end();

	unsigned long ul = tt_ulong(ULONG_MAX);
	pr_call("tt_ulong"); pr_u("u", ULONG_MAX); pr_ret(); pr_u("ret", ul); pr_end();

	short sh = tt_short(-12345);
	pr_call("tt_short"); pr_i("s", -12345); pr_ret(); pr_i("ret", sh); pr_end();

	char ch = tt_char('A');
	pr_call("tt_char"); pr_c("c", 'A'); pr_ret(); pr_c("ret", ch); pr_end();

	bool b = tt_bool(true);
	pr_call("tt_bool"); pr_b("b", true); pr_ret(); pr_b("ret", b); pr_end();
	b = tt_bool(false);
	pr_call("tt_bool"); pr_b("b", false); pr_ret(); pr_b("ret", b); pr_end();

	enum color c = tt_enum(GREEN);
	pr_call("tt_enum"); pr_e("c", GREEN); pr_ret(); pr_e("ret", c); pr_end();

	static const char esc[] = "a\"b\n\t\x01\xff";
	char longs[201];
	for (int i = 0; i < 200; i++)
		longs[i] = (char)('a' + i % 26);
	longs[200] = 0;
	const char *strs[] = { "hello", NULL, "", esc, longs };
	for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		size_t n = tt_str(strs[i]);
		pr_call("tt_str"); pr_s("s", strs[i]); pr_ret(); pr_u("ret", n); pr_end();
	}

	const char *rs = tt_retstr(1);
	pr_call("tt_retstr"); pr_i("i", 1); pr_ret(); pr_s("ret", rs); pr_end();
	rs = tt_retstr(0);
	pr_call("tt_retstr"); pr_i("i", 0); pr_ret(); pr_s("ret", rs); pr_end();

	int local = 7, other = 8;
	void *vp = tt_ptr(&local, NULL);
	pr_call("tt_ptr"); pr_p("p", &local); pr_p("ip", NULL); pr_ret(); pr_p("ret", vp); pr_end();
	vp = tt_ptr(NULL, &other);
	pr_call("tt_ptr"); pr_p("p", NULL); pr_p("ip", &other); pr_ret(); pr_p("ret", vp); pr_end();

	long m = tt_many(1, -2, 3, 'd', 5, 6, 7, -8);
	pr_call("tt_many"); pr_i("a", 1); pr_i("b", -2); pr_i("c", 3); pr_c("d", 'd');
	pr_u("e", 5); pr_i("f", 6); pr_i("g", 7); pr_i("h", -8); pr_ret(); pr_i("ret", m); pr_end();

	tt_void(42);
	pr_call("tt_void"); pr_i("x", 42); printf(" -> void"); pr_end();

	struct pt p = { 3, 4 };
	int mx = tt_mixed(2.5, 10, p, 20);
	pr_call("tt_mixed"); pr_x("d"); pr_i("i", 10); pr_x("p"); pr_i("j", 20); pr_ret(); pr_i("ret", mx); pr_end();

	int o = tt_outer(2);
	pr_call("tt_outer"); pr_i("n", 2); pr_ret(); pr_i("ret", o); pr_end();

	printf("sink %ld\n", (long)sink);
	return 0;
}
