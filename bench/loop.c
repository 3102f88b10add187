/* bench/loop.c: the benchmark target.
 *
 *   loop [N] [-w] [-r|-i]
 *
 * Calls the empty function bench_fn(int) N times (default 100000), timing the
 * loop with CLOCK_MONOTONIC, and prints "ns_per_call=X" (plus the call count)
 * on stdout at the end. With -r it calls bench_rich instead, whose six
 * mixed arguments (a string, a struct by value in an integer and a vector
 * register, a double, an int, a float and a long) cost a tracer more to
 * decode; with -i it calls bench_ints, six integer arguments, the same
 * call with integers only. bench_fn stays a real out-of-line call: noinline and
 * noipa keep the compiler from inlining it, cloning it or dropping the call.
 *
 * With -w the program prints "pid=PID" on stdout and waits until a line (or
 * EOF) arrives on stdin before it starts the loop, so a tracer can attach
 * first; launch mode needs none of this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NOIPA __attribute__((noipa))
#else
#define NOIPA
#endif

__attribute__((noinline, used)) NOIPA void bench_fn(int x)
{
	__asm__ volatile("" : : "r"(x) : "memory");
}

struct point { int x, y; double z; };

__attribute__((noinline, used)) NOIPA void bench_rich(const char *path, struct point p,
						      double w, int n, float f, long id)
{
	/* every argument used, none stored: like bench_fn, the function is
	 * a lone ret, so both cost the same to step over and the rows
	 * differ by decoding alone */
	__asm__ volatile("" : : "r"(path), "r"(p.x), "r"(p.y), "x"(p.z), "x"(w), "r"(n),
			 "x"(f), "r"(id) : "memory");
}

__attribute__((noinline, used)) NOIPA void bench_ints(int a, long b, int c, long d,
						      int e, long f)
{
	__asm__ volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d), "r"(e), "r"(f) : "memory");
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = 100000;
	int wait_attach = 0, rich = 0, ints = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0) {
			wait_attach = 1;
		} else if (strcmp(argv[i], "-r") == 0) {
			rich = 1;
		} else if (strcmp(argv[i], "-i") == 0) {
			ints = 1;
		} else {
			char *end;
			n = strtol(argv[i], &end, 10);
			if (*end || n < 0) {
				fprintf(stderr, "usage: %s [N] [-w] [-r|-i]\n", argv[0]);
				return 2;
			}
		}
	}
	if (wait_attach) {
		char buf[64];
		printf("pid=%ld\n", (long)getpid());
		fflush(stdout);
		if (!fgets(buf, sizeof buf, stdin))
			clearerr(stdin);
	}

	long long t0 = now_ns();
	if (rich) {
		for (long i = 0; i < n; i++)
			bench_rich("GET /index.html HTTP/1.1", (struct point){ (int)i, 2, 3.5 },
				   1.25, (int)i, 0.5f, i);
	} else if (ints) {
		for (long i = 0; i < n; i++)
			bench_ints((int)i, i, 2, 7, 3, i);
	} else {
		for (long i = 0; i < n; i++)
			bench_fn((int)i);
	}
	long long t1 = now_ns();

	printf("calls=%ld ns_per_call=%.1f\n", n, n ? (double)(t1 - t0) / n : 0.0);
	return 0;
}
