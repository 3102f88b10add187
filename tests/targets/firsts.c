/* firsts: what a new user tries first (tests/e2e/firsts.py).
 *
 * Usage: firsts [-w] MODE
 *   -w     (clib, jump) wait until a tracer has patched the functions
 *          called (longjmp's entry too)
 *   big    calls take(s) 3 times, s a 4 MiB string, and prints
 *          "take NS" per call: the nanoseconds the call took as the
 *          program saw it (a tracer's stops and work included)
 *   clib   calls strlen, memcpy, strcmp, memset and strchr (IFUNCs in
 *          glibc) through volatile pointers, 3 times each, and prints
 *          "libc strlen=N strcmp=N strchr=N" per round
 *   ptr    calls bump(&v) for v = 3, 5, 7; prints "bump V -> R"
 *   line   calls scale(k) for k = 1..3; its line marked LINE-PROBE runs
 *          once per call with local y = k * 10; prints "scale K -> R", and
 *          last "line-probe N", N that line's number
 *   fork   a child calls scale(k) for k = 1..3 (as line does, "child
 *          scale K -> R") and exits 0; then the parent calls scale(4)
 *   jump   main's untraced jump() calls deep(3) -> ... -> deep(0), which
 *          longjmps back to jump(); jump() then sleeps 100 ms and prints
 *          "after_jump -> 2"
 * Output: "pid N" first; exit 0.
 */
#include <setjmp.h>
#include <sys/wait.h>
#include <string.h>
#include "common.h"

#define BIG (4u << 20)

TRACED size_t take(const char *s)
{
	return s[0] == 'x';
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void big(void)
{
	char *s = malloc(BIG + 1);

	memset(s, 'x', BIG);
	s[BIG] = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = now_ns();
		size_t r = take(s);

		printf("take %llu %zu\n", (unsigned long long)(now_ns() - t0), r);
	}
	free(s);
}

static size_t (*volatile p_strlen)(const char *) = strlen;
static void *(*volatile p_memcpy)(void *, const void *, size_t) = memcpy;
static int (*volatile p_strcmp)(const char *, const char *) = strcmp;
static void *(*volatile p_memset)(void *, int, size_t) = memset;
static char *(*volatile p_strchr)(const char *, int) = strchr;

/* Attach mode: the code at start is the untraced code (libraries' code
 * too, which t_wait_traps cannot compare with the executable). */
static void wait_patched(const void *const *fns, int n)
{
	unsigned char orig[8][8];
	long end = t_now_ms() + 20000;

	for (int i = 0; i < n; i++)
		memcpy(orig[i], fns[i], 8);
	for (int i = 0; i < n; i++) {
		while (!memcmp(orig[i], fns[i], 8)) {
			if (t_now_ms() > end) {
				fprintf(stderr, "target: no tracer patched the functions\n");
				exit(99);
			}
			t_sleep_ms(1);
		}
	}
}

static void libc(int wait)
{
	char buf[32];

	if (wait) {
		const void *fns[] = { (const void *)p_strlen, (const void *)p_memcpy,
				      (const void *)p_strcmp, (const void *)p_memset,
				      (const void *)p_strchr };

		wait_patched(fns, 5);
	}
	for (int i = 0; i < 3; i++) {
		p_memset(buf, 0, sizeof(buf));
		p_memcpy(buf, "request-1", 10);
		printf("libc strlen=%zu strcmp=%d strchr=%d\n", p_strlen(buf),
		       p_strcmp(buf, "request-1"), (int)(p_strchr(buf, '-') - buf));
	}
}

TRACED int bump(int *ip)
{
	return ++*ip;
}

static void ptr(void)
{
	for (int v = 3; v <= 7; v += 2) {
		int w = v;

		printf("bump %d -> %d\n", v, bump(&w));
	}
}

TRACED int scale(int k)
{
	int y = k * 10;

	y += k;   /* LINE-PROBE */
	return y;
}
/* the LINE-PROBE line, for the tests: keep it 4 above */
static const int line_probe_at = __LINE__ - 4;

static void line(void)
{
	for (int k = 1; k <= 3; k++)
		printf("scale %d -> %d\n", k, scale(k));
	printf("line-probe %d\n", line_probe_at);
}

static void fork_line(void)
{
	pid_t child = fork();
	int status = -1;

	if (child == 0) {
		for (int k = 1; k <= 3; k++)
			printf("child scale %d -> %d\n", k, scale(k));
		fflush(stdout);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
		exit(3);
	printf("parent scale 4 -> %d\n", scale(4));
}

static jmp_buf jump_env;
static volatile int jump_sink;

TRACED int deep(int n)
{
	int r;

	if (n < 0)
		return 0;   /* never: deep(0) longjmps */
	if (n == 0)
		longjmp(jump_env, 1);
	r = deep(n - 1);
	jump_sink = r;   /* no tail recursion turned into a loop */
	return r + 1;
}

TRACED int after_jump(int x)
{
	return x + 1;
}

static void (*volatile p_longjmp)(jmp_buf, int) = longjmp;

static void jump(int wait)
{
	if (wait) {
		const void *fns[] = { (const void *)deep, (const void *)p_longjmp };

		wait_patched(fns, 2);
	}
	if (!setjmp(jump_env))
		deep(3);
	t_sleep_ms(100);
	printf("after_jump -> %d\n", after_jump(1));
}

int main(int argc, char **argv)
{
	int wait = argc > 2 && argv[1][0] == '-' && argv[1][1] == 'w';
	const char *mode = argv[argc - 1];

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	/* not strcmp: a traced IFUNC; the first letter tells them apart */
	if (mode[0] == 'b')
		big();
	else if (mode[0] == 'c')
		libc(wait);
	else if (mode[0] == 'p')
		ptr();
	else if (mode[0] == 'l')
		line();
	else if (mode[0] == 'j')
		jump(wait);
	else if (mode[0] == 'f')
		fork_line();
	else
		return 2;
	return 0;
}
