/* threads: 4 threads call the traced work(int) 25,000 times each (100,000
 * calls in all, each i in 0..99999 exactly once) and sum the results.
 *
 * Usage: threads [-w] [late]
 *   -w    print the pid, start the first threads (they spin, waiting), then
 *         wait until work() is patched by a tracer before letting them go:
 *         those threads exist before the attach.
 *   late  start only 2 threads first; the other 2 are created 30 ms after
 *         the first ones were released (after the attach with -w).
 * Output: "pid N", one "thread T sum S" line per thread, "calls 100000",
 * "checksum C".
 */
#include <pthread.h>
#include <sched.h>
#include "common.h"

#define NTHREADS 4
#define PER 25000

TRACED unsigned work(int i)
{
	unsigned x = (unsigned)i * 2654435761u;
	x ^= x >> 13;
	return x * 2246822519u + 7u;
}

static volatile int go;
static unsigned long long sums[NTHREADS];
static unsigned long calls[NTHREADS];

static void *thr(void *arg)
{
	int t = (int)(long)arg;
	unsigned long long s = 0;
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int k = 0; k < PER; k++) {
		s += work(t * PER + k);
		calls[t]++;
	}
	sums[t] = s;
	return NULL;
}

int main(int argc, char **argv)
{
	int wait = t_has_arg(argc, argv, "-w");
	int late = t_has_arg(argc, argv, "late");
	int first = late ? 2 : NTHREADS;
	pthread_t th[NTHREADS];

	t_print_pid(stdout);
	if (!wait)
		go = 1;
	for (int t = 0; t < first; t++)
		if (pthread_create(&th[t], NULL, thr, (void *)(long)t) != 0) {
			perror("pthread_create");
			return 1;
		}
	if (wait) {
		static const void *const traced[] = { (void *)work };
		t_wait_traps(traced, 1, T_ATTACH_TIMEOUT_MS);
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	}
	if (late) {
		t_sleep_ms(30);
		for (int t = first; t < NTHREADS; t++)
			if (pthread_create(&th[t], NULL, thr, (void *)(long)t) != 0) {
				perror("pthread_create");
				return 1;
			}
	}
	unsigned long long total = 0;
	unsigned long ncalls = 0;
	for (int t = 0; t < NTHREADS; t++) {
		pthread_join(th[t], NULL);
		printf("thread %d sum %llu\n", t, sums[t]);
		total += sums[t];
		ncalls += calls[t];
	}
	printf("calls %lu\n", ncalls);
	printf("checksum %llu\n", total);
	return 0;
}
