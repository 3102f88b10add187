/* stack: main -> outer -> middle -> inner, CALLS times, for -S.
 *
 * Usage: stack [-w | -wm]
 * -w waits for a tracer to patch inner, -wm for inner and middle.
 * Each call of the chain is on one line, marked CALL-OUTER, CALL-MIDDLE or
 * CALL-INNER: tests/e2e/stack.py finds there the lines a stack must name.
 * Every result is used after its call, so that -O2 makes no tail calls.
 * build.sh also makes stack-nocfi: no -g and no unwind tables, but frame
 * pointers. Output: "pid N", then "result R".
 */
#include "common.h"

#define CALLS 5

TRACED int inner(int x)
{
	return x * 3 + 1;
}

TRACED int middle(int x)
{
	int r = inner(x + 1);   /* CALL-INNER */
	return r ^ 0x55;
}

TRACED int outer(int x)
{
	int r = middle(x * 2);  /* CALL-MIDDLE */
	return r + x;
}

int main(int argc, char **argv)
{
	long sum = 0;

	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w") || t_has_arg(argc, argv, "-wm")) {
		static const void *const traced[] = { (void *)inner, (void *)middle };
		t_wait_traps(traced, t_has_arg(argc, argv, "-wm") ? 2 : 1, T_ATTACH_TIMEOUT_MS);
	}
	for (int i = 0; i < CALLS; i++)
		sum += outer(i);        /* CALL-OUTER */
	printf("result %ld\n", sum);
	return 0;
}
