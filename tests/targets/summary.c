/* summary: calls with known counts and spread-out durations, for -c.
 *
 * Usage: summary [-w] [MS]
 * sm_outer(i) for i = 0..19 (depth 0), each calling sm_inner(i, j) for
 * j = 0..i%4 (depth 1); sm_leaf(k) for k = 0..299, spinning 2^(k%12)
 * rounds, so that durations spread over several powers of two; then, with
 * MS, sm_tick(i) about once a millisecond for MS milliseconds.
 * Output: "pid N", then one line "calls FUNC COUNT" per function.
 */
#include "common.h"

static long n_outer, n_inner, n_leaf, n_tick;

TRACED int sm_inner(int i, int j)
{
	n_inner++;
	return i * 10 + j;
}

TRACED int sm_outer(int i)
{
	int sum = 0;

	n_outer++;
	for (int j = 0; j <= i % 4; j++)
		sum += sm_inner(i, j);
	return sum;
}

TRACED long sm_leaf(int k)
{
	volatile long x = 0;

	n_leaf++;
	for (long r = 0; r < 1L << (k % 12); r++)
		x += r;
	return x;
}

TRACED int sm_tick(int i)
{
	n_tick++;
	return i + 1;
}

int main(int argc, char **argv)
{
	int a = 1;

	t_print_pid(stdout);
	if (argc > a && !strcmp(argv[a], "-w")) {
		static const void *const traced[] = {
			(void *)sm_inner, (void *)sm_outer, (void *)sm_leaf, (void *)sm_tick,
		};
		t_wait_traps(traced, 4, T_ATTACH_TIMEOUT_MS);
		a++;
	}
	long ms = argc > a ? atol(argv[a]) : 0;
	for (int i = 0; i < 20; i++)
		sm_outer(i);
	for (int k = 0; k < 300; k++)
		sm_leaf(k);
	long end = t_now_ms() + ms;
	for (int i = 0; ms && t_now_ms() < end; i++) {
		sm_tick(i);
		t_sleep_ms(1);
	}
	printf("calls sm_outer %ld\ncalls sm_inner %ld\ncalls sm_leaf %ld\ncalls sm_tick %ld\n",
	       n_outer, n_inner, n_leaf, n_tick);
	return 0;
}
