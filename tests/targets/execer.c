/* execer: call a traced function, then exec another program (exec_b).
 *
 * Usage: execer [-w] PROGRAM N
 *   -w  print the pid, then wait until before_exec is patched by a tracer
 * Prints "pid P", calls before_exec(5) and prints
 * "call before_exec x=5 -> 15", then execs PROGRAM N (argv[0] = PROGRAM).
 * exec_b (tests/targets/exec_b.c) goes on in the same process.  Exits 127
 * if the exec fails, 1 if before_exec was wrong.
 */
#include "common.h"

TRACED int before_exec(int x) { return 3 * x; }

int main(int argc, char **argv)
{
	int wait_traps = argc > 1 && strcmp(argv[1], "-w") == 0;

	if (argc - wait_traps != 3) {
		fprintf(stderr, "usage: execer [-w] PROGRAM N\n");
		return 2;
	}
	char *prog = argv[1 + wait_traps], *n = argv[2 + wait_traps];
	t_print_pid(stdout);
	if (wait_traps) {
		static const void *const traced[] = { (void *)before_exec };
		t_wait_traps(traced, 1, T_ATTACH_TIMEOUT_MS);
	}
	int r = before_exec(5);
	printf("call before_exec x=5 -> %d\n", r);
	if (r != 15)
		return 1;
	fflush(stdout);
	execl(prog, prog, n, (char *)NULL);
	perror(prog);
	return 127;
}
