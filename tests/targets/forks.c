/* forks: a forking server, for following children (-F) and for leaving
 * them alone.
 *
 * Usage: forks [-w]
 *   -w  print the pid, then wait until handle, child_work and exec_work are
 *       patched by a tracer
 * The parent calls handle(i) for i = 0, 1, 2, forks three children and
 * vforks a fourth, waits for them, then calls handle(100).  Child k (0..2)
 * calls child_work(10 * k + j) for j < 2 + k and exits with 10 + k.  The
 * vfork child execs this program as "forks exec-child", which calls
 * exec_work(j) for j < 2 and exits with 7.  Lines (stdout, line-buffered;
 * the children's lines interleave with the parent's):
 *   pid P
 *   parent call handle i=I -> R                     R = 2 * I + 1
 *   child K pid C call child_work x=X -> R          R = X * X + 1
 *   exec-child pid C call exec_work x=X -> R        R = X + 1000
 *   child K pid C status S   (K = 3: the vfork child; S the exit status
 *                             or "signal N")
 *   bad N
 * Exit 0 only if every result and every child's status was right.
 */
#include <sys/wait.h>
#include "common.h"

#define NCHILD 3
#define EXEC_STATUS 7

TRACED int handle(int i) { return 2 * i + 1; }
TRACED int child_work(int x) { return x * x + 1; }
TRACED int exec_work(int x) { return x + 1000; }

static int exec_child(void)
{
	int bad = 0;

	for (int j = 0; j < 2; j++) {
		int r = exec_work(j);

		printf("exec-child pid %d call exec_work x=%d -> %d\n", (int)getpid(), j, r);
		bad += r != j + 1000;
	}
	fflush(stdout);
	return bad ? 1 : EXEC_STATUS;
}

static void child(int k)
{
	int bad = 0;

	for (int j = 0; j < 2 + k; j++) {
		int x = 10 * k + j, r = child_work(x);

		printf("child %d pid %d call child_work x=%d -> %d\n", k, (int)getpid(), x, r);
		bad += r != x * x + 1;
	}
	fflush(stdout);
	_exit(bad ? 1 : 10 + k);
}

/* vfork in a function of its own: the parent's locals in main stay out of
 * what the child may clobber before it execs. */
static __attribute__((noinline)) pid_t spawn_exec_child(const char *self)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execl(self, self, "exec-child", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int call_handle(int i)
{
	int r = handle(i);

	printf("parent call handle i=%d -> %d\n", i, r);
	return r != 2 * i + 1;
}

int main(int argc, char **argv)
{
	pid_t pids[NCHILD + 1];
	char self[PATH_MAX];
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
		return exec_child();
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w")) {
		static const void *const traced[] = { (void *)handle, (void *)child_work,
						      (void *)exec_work };
		t_wait_traps(traced, 3, T_ATTACH_TIMEOUT_MS);
	}
	if (t_exe_path(self, sizeof self) < 0) {
		perror("readlink /proc/self/exe");
		return 2;
	}
	for (int i = 0; i < 3; i++)
		bad += call_handle(i);
	for (int k = 0; k < NCHILD; k++) {
		fflush(stdout);
		pids[k] = fork();
		if (pids[k] < 0) {
			perror("fork");
			return 2;
		}
		if (pids[k] == 0)
			child(k);
	}
	fflush(stdout);
	pids[NCHILD] = spawn_exec_child(self);
	if (pids[NCHILD] < 0) {
		perror("vfork");
		return 2;
	}
	for (int k = 0; k <= NCHILD; k++) {
		int st, want = k < NCHILD ? 10 + k : EXEC_STATUS;

		if (waitpid(pids[k], &st, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(st))
			printf("child %d pid %d status %d\n", k, (int)pids[k], WEXITSTATUS(st));
		else
			printf("child %d pid %d status signal %d\n", k, (int)pids[k],
			       WIFSIGNALED(st) ? WTERMSIG(st) : -1);
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != want;
	}
	bad += call_handle(100);
	printf("bad %d\n", bad);
	return bad != 0;
}
