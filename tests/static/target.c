/* The traced program of tests/static/clean_root.sh: add(i, 10 * i) for i
 * from 1 to 5, each returning 11 * i, then "sum 165" on stdout. With -w
 * it first prints "waiting" and waits (10 s at most) until a tracer has
 * planted a trap at add's entry, so that an attach (-p) sees every call. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CALLS 5

__attribute__((noinline, noipa, used)) int add(int a, long b)
{
	return a + (int)b;
}

/* add's first bytes, as they are now: a trap changes them. */
static void entry_bytes(unsigned char out[4])
{
	const volatile unsigned char *code = (const volatile unsigned char *)(void *)add;

	for (int i = 0; i < 4; i++)
		out[i] = code[i];
}

static int wait_for_trap(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned char before[4], now[4];

	entry_bytes(before);
	for (int i = 0; i < 1000; i++) {
		entry_bytes(now);
		if (memcmp(before, now, sizeof(now)))
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

int main(int argc, char **argv)
{
	long sum = 0;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		/* the test attaches once it reads this */
		printf("waiting\n");
		fflush(stdout);
		if (wait_for_trap()) {
			fprintf(stderr, "target: no trap at add after 10 s\n");
			return 3;
		}
	}
	for (int i = 1; i <= CALLS; i++)
		sum += add(i, 10L * i);
	printf("sum %ld\n", sum);
	return sum == 165 ? 0 : 1;
}
