/* Getting hold of a target: attaching to it, or starting it, and finding
 * and planting its probes in each program image it runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/procfs.h"
#include "tracer/priv.h"

#define OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		 PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | \
		 PTRACE_O_TRACEEXIT | PTRACE_O_TRACESYSGOOD)

void tracer_explain_eperm(struct tracer *t, pid_t pid)
{
	int tracer = procfs_status_int(pid, "TracerPid");
	int scope = procfs_ptrace_scope();
	char comm[64] = "";

	if (tracer > 0) {
		procfs_comm(tracer, comm, sizeof(comm));
		snprintf(t->err, sizeof(t->err),
			 "process %d is already traced by process %d (%s)",
			 (int)pid, tracer, comm);
	} else if (scope == 3) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted: ptrace is disabled (Yama ptrace_scope is 3)");
	} else if (scope >= 1 && geteuid() != 0) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: Yama ptrace_scope is %d; "
			 "run as root or with CAP_SYS_PTRACE", (int)pid, scope);
	} else if (procfs_status_int(getpid(), "TracerPid") == pid) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: it is tracing latch", (int)pid);
	} else if (geteuid() != 0 && procfs_is_nondumpable(pid)) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: it is not dumpable (it called "
			 "prctl(PR_SET_DUMPABLE, 0) or changed its user IDs); run as root or "
			 "with CAP_SYS_PTRACE", (int)pid);
	} else if (geteuid() == 0) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d, even as root: latch lacks "
			 "CAP_SYS_PTRACE here, or a security module forbids it", (int)pid);
	} else {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: it belongs to another user "
			 "or is protected; run as root or with CAP_SYS_PTRACE", (int)pid);
	}
}

int tracer_attach(struct tracer *t, pid_t pid)
{
	struct proc *p = proc_get(t, pid);
	bool added = true;
	int err;

	if (!p && proc_add(t, pid, &p))
		return -ENOMEM;
	/* Threads may be created while we attach: repeat until a pass finds
	 * none new. TRACECLONE covers those born after their parent. */
	while (added) {
		pid_t *tids;
		size_t n;

		added = false;
		err = procfs_list_tasks(pid, &tids, &n);
		if (err)
			return tracer_fail(t, -ESRCH, "no such process: %d", (int)pid);
		for (size_t i = 0; i < n; i++) {
			if (thread_get(t, tids[i]))
				continue;
			if (ptrace(PTRACE_SEIZE, tids[i], 0, OPTIONS) < 0) {
				err = -errno;
				if (err == -ESRCH && tids[i] != pid)
					continue;   /* the thread just exited */
				if (err == -EPERM)
					tracer_explain_eperm(t, pid);
				else
					tracer_fail(t, err, "cannot attach to %d: %s",
						    (int)tids[i], strerror(-err));
				free(tids);
				return err;
			}
			if (!thread_add(t, tids[i], pid, p)) {
				free(tids);
				return -ENOMEM;
			}
			added = true;
		}
		free(tids);
	}
	err = mem_open(&p->mem, pid);
	if (err)
		snprintf(t->err, sizeof(t->err), "cannot open /proc/%d/mem: %s",
			 (int)pid, strerror(-err));
	else
		p->started = t->started = true;   /* a later exec is not the first image */
	return err;
}

int tracer_launch(struct tracer *t, char **argv)
{
	int pfd[2], status = 0, exec_errno = 0;
	struct proc *p = NULL;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int e;

		close(pfd[0]);
		raise(SIGSTOP);     /* wait to be seized */
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	t->pid = pid;
	t->launched = true;
	wait_task(pid, &status, WUNTRACED);
	if (!WIFSTOPPED(status) ||
	    ptrace(PTRACE_SEIZE, pid, 0, OPTIONS | PTRACE_O_EXITKILL) < 0 ||
	    proc_add(t, pid, &p) || !thread_add(t, pid, pid, p)) {
		int err = -errno;

		kill(pid, SIGKILL);
		wait_task(pid, &status, 0);
		close(pfd[0]);
		threads_forget(t);
		t->launched = false;
		snprintf(t->err, sizeof(t->err), "cannot trace the command: %s", strerror(-err));
		return err ? err : -EIO;
	}
	kill(pid, SIGCONT);
	/* Run it up to its exec, passing through what comes before. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno != EINTR)
				break;
			if (!engine_stop_requested)
				continue;
			kill(pid, SIGKILL);
			continue;
		}
		if (!WIFSTOPPED(status))
			break;
		if (status >> 16 == PTRACE_EVENT_EXEC) {
			int err;

			close(pfd[0]);
			err = image_new(t, p);
			if (!err && ptrace(PTRACE_CONT, pid, 0, 0) < 0)
				err = -errno;
			return err;
		}
		int sig = status >> 16 ? 0 : WSTOPSIG(status);

		if (sig == SIGSTOP || sig == SIGCONT)
			sig = 0;
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	if (read(pfd[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = engine_stop_requested ? EINTR : EIO;
	close(pfd[0]);
	wait_task(pid, &status, 0);
	threads_forget(t);
	t->launched = false;
	return tracer_fail(t, -exec_errno, "cannot run '%s': %s", argv[0], strerror(exec_errno));
}
