/* pictures: nested calls on two threads, and a leaf that sleeps, for
 * -f chrome and -f folded (tests/e2e/pictures.py).
 *
 * Usage: pictures [-w]
 * Threads t = 0 and 1 each call pc_outer(t, i) for i = 0..ROUNDS-1. With
 * x = 10 t + i, pc_outer calls pc_mid(2 x), then pc_mid(2 x + 1), and
 * returns their sum + t; pc_mid(y) returns 3 * pc_leaf(y), odd exactly
 * when y is; pc_leaf(y) sleeps LEAF_MS ms (times $LATCH_E2E_SCALE) and
 * returns y + 100.
 * Output: "pid N", then "thread t tid T" for each thread.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include "common.h"

#define ROUNDS 3
#define LEAF_MS 5

/* LEAF_MS times LATCH_E2E_SCALE: an emulated guest, whose stops are tens
 * of times slower, sleeps that much longer, so that the leaf's time still
 * outweighs what tracing costs its callers. */
static int leaf_ms(void)
{
	const char *s = getenv("LATCH_E2E_SCALE");
	int k = s ? atoi(s) : 1;

	return LEAF_MS * (k > 0 ? k : 1);
}

TRACED int pc_leaf(int y)
{
	t_sleep_ms(leaf_ms());
	return y + 100;
}

TRACED int pc_mid(int y)
{
	int r = pc_leaf(y);
	return 3 * r;
}

TRACED int pc_outer(int t, int i)
{
	int x = 10 * t + i;
	int r = pc_mid(2 * x);
	r += pc_mid(2 * x + 1);
	return r + t;
}

static long tids[2];

static void *thr(void *arg)
{
	int t = (int)(long)arg;

	tids[t] = syscall(SYS_gettid);
	for (int i = 0; i < ROUNDS; i++)
		pc_outer(t, i);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[2];

	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w")) {
		static const void *const traced[] = {
			(void *)pc_outer, (void *)pc_mid, (void *)pc_leaf,
		};
		t_wait_traps(traced, 3, T_ATTACH_TIMEOUT_MS);
	}
	for (long t = 0; t < 2; t++)
		if (pthread_create(&th[t], NULL, thr, (void *)t) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int t = 0; t < 2; t++) {
		pthread_join(th[t], NULL);
		printf("thread %d tid %ld\n", t, tids[t]);
	}
	return 0;
}
