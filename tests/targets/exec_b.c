/* exec_b: what execer execs.
 *
 * Usage: exec_b N
 * Prints "b pid P" (execer's pid, as the exec keeps it), then calls
 * after_exec(y) for y = 0..N-1 and prints "call after_exec y=Y -> R" with
 * R = 4 * Y + 1 for each; exits 0 only if every result was right.
 */
#include "common.h"

TRACED int after_exec(int y) { return 4 * y + 1; }

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, bad = 0;

	printf("b pid %d\n", (int)getpid());
	for (int y = 0; y < n; y++) {
		int r = after_exec(y);

		printf("call after_exec y=%d -> %d\n", y, r);
		bad += r != 4 * y + 1;
	}
	return bad != 0;
}
