/* nodwarf: built without -g and with its debug sections stripped (the
 * symbol table is kept), so a tracer can find nd_add but knows nothing of
 * its parameters and must print raw registers (arg1=0x1234, arg2=0x42).
 * build.sh also makes nodwarf-stripped with no symbol table at all.
 *
 * Usage: nodwarf [-w]
 * Output: "pid N", "call nd_add 0x1234 0x42 -> 0x1276".
 */
#include "common.h"

TRACED long nd_add(long a, long b) { return a + b; }

int main(int argc, char **argv)
{
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w")) {
		static const void *const traced[] = { (void *)nd_add };
		t_wait_traps(traced, 1, T_ATTACH_TIMEOUT_MS);
	}
	long r = nd_add(0x1234, 0x42);
	printf("call nd_add 0x%lx 0x%lx -> 0x%lx\n", 0x1234L, 0x42L, r);
	return 0;
}
