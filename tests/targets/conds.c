/* conds: calls for the condition tests, and how many of them each
 * condition of tests/e2e/conds.py should select.
 *
 * Usage: conds [-w] [-s]
 *   -w  print the pid, then wait until one of the functions is patched
 *   -s  also make the slow calls of c_sleep (for the duration condition)
 * Output: "pid N", then "expect KEY N" for every condition KEY (the same
 * predicate written in C), "total FUNC N" for the calls of each function,
 * and "done" with exit status 0 when every result was right.
 */
#include "common.h"

enum color { RED, GREEN, BLUE };
struct hdr { unsigned flags; };
struct req {
	int method;
	int len;
	const char *path;
	struct hdr *h;
};

static volatile long sink;

TRACED int c_int(int a, unsigned b) { return a + (int)b; }
TRACED size_t c_str(const char *path) { return path ? strlen(path) : 0; }
/* Below 4096 is a pointer no one may read: the condition tests pass one. */
TRACED int c_req(const struct req *r)
{
	if ((uintptr_t)r < 4096)
		return 0;
	return r->method == 2 && r->len > 50 ? -1 : 0;
}
TRACED double c_float(double x, float y) { return x * y; }
TRACED enum color c_enum(enum color c) { return (enum color)((c + 1) % 3); }
TRACED int c_ret(int i) { return i % 7 - 3; }
TRACED void c_sleep(int ms) { if (ms) t_sleep_ms(ms); sink += ms; }
TRACED int c_char(char c, long n) { return c + (int)n; }

#define NKEYS 32
static struct { const char *key; long n; } keys[NKEYS];

static void count(const char *key, bool hit)
{
	int i = 0;

	while (keys[i].key && strcmp(keys[i].key, key))
		i++;
	keys[i].key = key;
	keys[i].n += hit;
}

static bool glob_etc(const char *p) { return p && !strncmp(p, "/etc/", 5); }

int main(int argc, char **argv)
{
	static const void *const fns[] = {
		(void *)c_int, (void *)c_str, (void *)c_req, (void *)c_float,
		(void *)c_enum, (void *)c_ret, (void *)c_sleep, (void *)c_char,
	};
	static const char *paths[] = {
		"/etc/hosts", NULL, "/usr/lib/os-release", "", "/etc/", "/etcetera",
		"/etc/a-very-long-configuration-file-name-that-goes-on-for-more-than-sixty-four-bytes.conf",
		"/var/log/a-very-long-log-file-name-that-goes-on-for-more-than-sixty-four-bytes-too.log",
	};
	static struct hdr hdrs[] = { { 0x1 }, { 0x4 }, { 0x5 } };
	int bad = 0;

	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w"))
		for (int i = 0; !t_func_modified(fns[i]); i = (i + 1) % 8)
			if (!i)
				t_sleep_ms(1);

	for (int i = 0; i < 100; i++) {
		int a = i - 50;
		unsigned b = (unsigned)(i * 37 % 101);

		bad |= c_int(a, b) != a + (int)b;
		count("int_gt", a > 10);
		count("int_mix", (a < -40 || b >= 90) && a != -45);
		count("int_arith", (a * 3 + 1) % 5 == 2);
		count("int_bits", (b & 0x3) == 0x1 && !(b & 0x40));
		count("int_or", a > 40 || b < 5);      /* two probes on c_int */
		count("int_all", true);
	}
	for (int i = 0; i < 40; i++) {
		const char *p = paths[i % 8];

		bad |= c_str(p) != (p ? strlen(p) : 0);
		count("str_glob", glob_etc(p));
		count("str_eq", p && !strcmp(p, "/etc/hosts"));
		count("str_null", !p);
		count("str_notnull_ne", p && strcmp(p, ""));
		count("str_index", p && p[0] == '/' && p[1] == 'u');
		count("str_all", true);
	}
	for (int i = 0; i < 60; i++) {
		struct req r = { i % 4, i * 3 % 97, paths[i % 8], i % 5 ? &hdrs[i % 3] : NULL };
		const struct req *rp = i % 10 == 9 ? NULL : &r;
		int want = rp && rp->method == 2 && rp->len > 50 ? -1 : 0;

		bad |= c_req(rp) != want;
		count("req_field", rp && rp->method == 2);
		count("req_len_path", rp && rp->len > 50 && rp->path != NULL);
		count("req_null", !rp);
		count("req_deep", rp && rp->h && (rp->h->flags & 0x4));
		count("req_ret", rp && rp->method == 2 && want < 0);
		count("req_all", true);
	}
	/* A pointer no one may read: the condition is false, and counted. */
	bad |= c_req((const struct req *)(uintptr_t)0x10) != 0;
	count("req_all", true);
	count("req_unreadable", true);
	for (int i = 0; i < 50; i++) {
		double x = i * 0.25 - 3;
		float y = (float)i / 8;

		bad |= c_float(x, y) != x * y;
		count("float_cmp", x > 1.5 && y <= 5.0f);
		count("float_neg", -x >= 2.0);
	}
	for (int i = 0; i < 30; i++) {
		enum color c = (enum color)(i * 7 % 3);

		bad |= c_enum(c) != (enum color)((c + 1) % 3);
		count("enum_eq", c == BLUE);
		count("enum_ne", c != RED);
		count("enum_ret", (c + 1) % 3 == GREEN);
	}
	for (int i = 0; i < 70; i++) {
		int r = c_ret(i);

		bad |= r != i % 7 - 3;
		count("ret_neg", r < 0);
		count("ret_both", i % 2 == 0 && r == 3);
		count("ret_all", true);
	}
	for (int i = 0; i < 26; i++) {
		char c = (char)('a' + i);

		bad |= c_char(c, i) != c + i;
		count("char_eq", c == 'q' || c == 'z');
	}
	if (t_has_arg(argc, argv, "-s"))
		for (int i = 0; i < 6; i++) {
			c_sleep(i % 3 == 0 ? 60 : 0);
			count("dur_slow", i % 3 == 0);
		}
	for (int i = 0; keys[i].key; i++)
		printf("expect %s %ld\n", keys[i].key, keys[i].n);
	printf("bad %d\ndone\n", bad);
	return bad;
}
