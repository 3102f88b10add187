/* storm: a fork, vfork and exec storm, for attach/detach tests.
 *
 * Usage: storm ROUNDS STOPFILE
 * Prints "pid N", then runs rounds until it has run ROUNDS of them and
 * STOPFILE exists (so a test can attach and detach as often as it likes
 * while the storm goes on).  Each round i:
 *   - calls the traced handle(i);
 *   - forks a child that calls child_work(i) and exits with its result
 *     modulo 256;
 *   - vforks a child that execs this program as "storm exec-child I",
 *     which calls exec_work(I) and exits with its result modulo 256;
 *   - waits for both and checks their statuses.
 * A child that finds no tracer attached checks that its code equals the
 * file (a trap left in a fork's copy, or in an exec'd image, shows there)
 * and exits 99 if not.  At the end the parent waits (10 s at most) for no
 * tracer, checks its own code and prints
 *   rounds R checksum C bad B code ok|modified
 * where C depends on R only: an untraced run with the same R prints the
 * same line.  Exit 0 only if B is 0 and the code is ok.
 */
#include <sys/wait.h>
#include "common.h"

TRACED int handle(int i) { return 3 * i + 1; }
TRACED int child_work(int x) { return (x * 7 + 5) & 0xff; }
TRACED int exec_work(int x) { return (x * 11 + 3) & 0xff; }

#define CODE_BAD 99

static int code_bad(void)
{
	return t_tracer_pid() == 0 && !t_code_unmodified();
}

/* vfork in a function of its own: the parent's locals stay out of what
 * the child may clobber before it execs. */
static __attribute__((noinline)) pid_t spawn(const char *self, const char *arg)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execl(self, self, "exec-child", arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int status_of(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], arg[32];
	unsigned long sum = 0;
	long rounds, i;
	int bad = 0;

	if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
		int r = exec_work(atoi(argv[2]));
		return code_bad() ? CODE_BAD : r;
	}
	if (argc != 3 || t_exe_path(self, sizeof self) < 0) {
		fprintf(stderr, "usage: storm ROUNDS STOPFILE\n");
		return 2;
	}
	rounds = atol(argv[1]);
	t_print_pid(stdout);
	for (i = 0; i < rounds || access(argv[2], F_OK) != 0; i++) {
		int x = (int)(i & 0xffff), h = handle(x), st;
		pid_t pid;

		bad += h != 3 * x + 1;
		sum = sum * 31 + (unsigned)h;
		if ((pid = fork()) == 0) {
			int r = child_work(x);
			_exit(code_bad() ? CODE_BAD : r);
		}
		st = pid < 0 ? -1 : status_of(pid);
		bad += st != ((x * 7 + 5) & 0xff);
		sum = sum * 31 + (unsigned)st;
		snprintf(arg, sizeof arg, "%d", x);
		pid = spawn(self, arg);
		st = pid < 0 ? -1 : status_of(pid);
		bad += st != ((x * 11 + 3) & 0xff);
		sum = sum * 31 + (unsigned)st;
		if (bad && bad < 5)
			fprintf(stderr, "storm: round %ld went wrong (status %d)\n", i, st);
	}
	int ok = t_wait_untraced(10000) && t_code_unmodified();
	printf("rounds %ld checksum %lx bad %d code %s\n", i, sum, bad, ok ? "ok" : "modified");
	return bad == 0 && ok ? 0 : 1;
}
