/* cancel: a thread cancelled inside traced frames.
 *
 * Usage: cancel SLEEP_MS
 * A thread calls worker(5) -> inner(6), which blocks in pause() (a
 * cancellation point); worker has a cleanup handler that prints
 * "cleanup worker".  Once the thread is inside inner, main
 * pthread_cancel()s and joins it, then prints "time cancel NS" (read just
 * before pthread_cancel) and "time joined NS" (just after pthread_join),
 * CLOCK_REALTIME ns, and "cancelled" if the thread ended by cancellation;
 * then sleeps SLEEP_MS ms and calls after(4) = 8 ("call after x=4 -> 8").
 * Exit 0 only if the thread was cancelled and after() was right.
 */
#include <pthread.h>
#include "common.h"

static volatile int in_inner;

static long long real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

TRACED int inner(int x)
{
	in_inner = 1;
	for (;;)
		pause();
	return x;
}

static void cleanup(void *what)
{
	printf("cleanup %s\n", (const char *)what);
}

TRACED int worker(int x)
{
	int r;

	pthread_cleanup_push(cleanup, "worker");
	r = inner(x + 1);
	pthread_cleanup_pop(0);
	return r + 1;
}

TRACED int after(int x) { return 2 * x; }

static void *thread_main(void *arg)
{
	(void)arg;
	printf("worker returned %d\n", worker(5));
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	void *ret;

	if (argc != 2) {
		fprintf(stderr, "usage: cancel SLEEP_MS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	t_print_pid(stdout);
	if (pthread_create(&th, NULL, thread_main, NULL) != 0) {
		printf("pthread_create failed\n");
		return 2;
	}
	long end = t_now_ms() + 20000;
	while (!in_inner) {
		if (t_now_ms() > end) {
			printf("the thread never got into inner\n");
			return 2;
		}
		t_sleep_ms(1);
	}
	long long t0 = real_ns();
	pthread_cancel(th);
	pthread_join(th, &ret);
	long long t1 = real_ns();
	printf("time cancel %lld\n", t0);
	printf("time joined %lld\n", t1);
	printf("%s\n", ret == PTHREAD_CANCELED ? "cancelled" : "not cancelled");
	t_sleep_ms(atol(argv[1]));
	int r = after(4);
	printf("call after x=4 -> %d\n", r);
	return ret == PTHREAD_CANCELED && r == 8 ? 0 : 1;
}
