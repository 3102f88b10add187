/* recurse: rec(999) recurses 1,000 calls deep (rec(999) .. rec(0)).
 *
 * Usage: recurse [-w]
 * rec(n) = n + rec(n - 1), rec(0) = 0.  The recursive call goes through a
 * volatile function pointer so that -O2 cannot turn it into a loop.
 * Output: "pid N", then "rec K -> V" as each level returns (K = 0 first,
 * 999 last), then "result 499500".
 */
#include "common.h"

#define DEPTH 1000

TRACED long rec(int n);
static long (*volatile recp)(int) = rec;

TRACED long rec(int n)
{
	long r = n == 0 ? 0 : recp(n - 1) + n;
	printf("rec %d -> %ld\n", n, r);
	return r;
}

int main(int argc, char **argv)
{
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w")) {
		static const void *const traced[] = { (void *)rec };
		t_wait_traps(traced, 1, T_ATTACH_TIMEOUT_MS);
	}
	long r = recp(DEPTH - 1);
	printf("result %ld\n", r);
	return 0;
}
