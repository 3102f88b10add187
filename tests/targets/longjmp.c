/* longjmp: leave traced frames without returning from them.
 *
 * Usage: longjmp
 * 1. twice: main -> lj_a(1) -> lj_b(2) -> lj_c(3), which longjmps back to
 *    main (3 traced frames skipped each time);
 * 2. lj_after(5) = 50 at depth 0;
 * 3. lj_mid(10) (traced, depth 0) calls lj_a(10) -> lj_b(11) -> lj_c(12),
 *    which longjmps back into lj_mid (3 frames skipped, lj_mid is not);
 *    lj_mid then calls lj_after(10) = 100 at depth 1 and returns 100 + 12;
 * 4. lj_after(7) = 70;
 * 5. lj_exit(3) calls exit(3) from inside a traced frame.
 * Exit status 3.  Every step prints a line.
 */
#include <setjmp.h>
#include "common.h"

static jmp_buf env_main, env_mid;
static jmp_buf *volatile target;

TRACED int lj_c(int x)
{
	printf("lj_c %d: longjmp\n", x);
	longjmp(*target, x);
}

TRACED int lj_b(int x) { return lj_c(x + 1) * 2 + 1; }
TRACED int lj_a(int x) { return lj_b(x + 1) * 2 + 1; }
TRACED int lj_after(int x) { return x * 10; }

TRACED int lj_mid(int x)
{
	volatile int r = 0;
	int v = setjmp(env_mid);
	if (v == 0) {
		target = &env_mid;
		r = lj_a(x);
		printf("lj_mid: lj_a returned %d (wrong)\n", r);
	} else {
		r = v;
		printf("lj_mid: setjmp returned %d\n", v);
	}
	return lj_after(x) + r;
}

TRACED void lj_exit(int code)
{
	printf("lj_exit: exit(%d)\n", code);
	fflush(stdout);
	exit(code);
}

int main(void)
{
	t_print_pid(stdout);
	for (volatile int i = 0; i < 2; i++) {
		int v = setjmp(env_main);
		if (v == 0) {
			target = &env_main;
			int r = lj_a(1);
			printf("main: lj_a returned %d (wrong)\n", r);
		} else {
			printf("main: setjmp returned %d\n", v);
		}
	}
	printf("lj_after 5 -> %d\n", lj_after(5));
	printf("lj_mid 10 -> %d\n", lj_mid(10));
	printf("lj_after 7 -> %d\n", lj_after(7));
	lj_exit(3);
	return 0;
}
