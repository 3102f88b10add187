/* throws: a C++ exception through traced frames, caught twice.
 *
 * Usage: throws SLEEP_MS
 * 1. th_f1(1, 0) -> th_f2(2) -> th_f3(3), which throws
 *    std::runtime_error("boom 3"); th_f2's local Guard prints "~guard f2"
 *    on the way (a cleanup landing pad); main catches and prints
 *    "caught: boom 3" and "time catch NS" (CLOCK_REALTIME ns, read at the
 *    catch), then sleeps SLEEP_MS ms.
 * 2. th_f1(10, 1) -> th_f2(11) -> th_f3(12) throws "boom 12"; th_f1 catches
 *    it, prints "f1 caught: boom 12" and "time f1-catch NS", sleeps SLEEP_MS
 *    ms and returns -1 ("th_f1 -> -1").
 * 3. th_after(7) = 70 ("call th_after x=7 -> 70").
 * So the frames of th_f3 and th_f2 (and of th_f1 in 1.) end at a catch
 * followed by a sleep: a tracer that ends them at the catch reports
 * durations well under SLEEP_MS.  Exit 0.
 * The names are extern "C", so that they read as in C.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cerrno>
#include <stdexcept>
#include <unistd.h>

#define TRACED __attribute__((noinline, noipa, used))

static long long real_ns()
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long sleep_for = 300;

struct Guard {
	const char *name;
	~Guard() { printf("~guard %s\n", name); }
};

extern "C" {

TRACED int th_f3(int x)
{
	char what[32];

	snprintf(what, sizeof what, "boom %d", x);
	if (x > 0)
		throw std::runtime_error(what);
	return x;
}

TRACED int th_f2(int x)
{
	Guard g{"f2"};
	int r = th_f3(x + 1);
	return r * 2 + 1;
}

TRACED int th_f1(int x, int catch_here)
{
	if (!catch_here)
		return th_f2(x + 1) * 2 + 1;
	try {
		return th_f2(x + 1) * 2 + 1;
	} catch (const std::exception &e) {
		long long t = real_ns();
		printf("f1 caught: %s\n", e.what());
		printf("time f1-catch %lld\n", t);
		sleep_ms(sleep_for);
		return -1;
	}
}

TRACED int th_after(int x) { return x * 10; }

}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: throws SLEEP_MS\n");
		return 2;
	}
	sleep_for = atol(argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid %d\n", (int)getpid());
	try {
		int r = th_f1(1, 0);
		printf("no exception (th_f1 -> %d)\n", r);
		return 1;
	} catch (const std::runtime_error &e) {
		long long t = real_ns();
		printf("caught: %s\n", e.what());
		printf("time catch %lld\n", t);
	}
	sleep_ms(sleep_for);
	int r = th_f1(10, 1);
	printf("th_f1 -> %d\n", r);
	r = th_after(7);
	printf("call th_after x=7 -> %d\n", r);
	return r == 70 ? 0 : 1;
}
