/* Tasks the target creates: threads, and processes (fork, vfork, clone
 * without CLONE_THREAD). With -F a child process is followed: a copy of
 * its parent's memory gets a copy of its traps and its own image; one
 * sharing its parent's memory (vfork, posix_spawn) runs in the parent's
 * until it execs. Without -F a child is let go: one with its own memory
 * after our traps are removed from it; one sharing its parent's runs
 * through our traps silently until it execs or exits (vfork-done), and
 * is let go then. Either way it never dies of a stray trap. */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/procfs.h"
#include "tracer/priv.h"

/* kcmp says whether two processes share one address space; without it,
 * assume they do, which keeps the child traced until it execs. */
bool task_shares_memory(pid_t a, pid_t b)
{
	long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);

	return r != 1 && r != 2;
}

int foreign_restore(struct thread *th)
{
	struct mem m;
	size_t pos = 0;
	struct trap *tr;
	int err = mem_open(&m, th->tid);

	if (err)
		return err;
	while ((tr = hashmap_next(&th->proc->traps, &pos, NULL)))
		if (tr->planted && (err = mem_write(&m, tr->addr, tr->orig, arch_trap_len)))
			break;
	mem_close(&m);
	return err;
}

static int let_go(struct tracer *t, struct thread *th, int sig)
{
	pid_t tid = th->tid;

	thread_remove(t, th);
	return ptrace(PTRACE_DETACH, tid, 0, sig) < 0 && errno != ESRCH ? -errno : 0;
}

/* A thread of process pid, when latch traces that process. */
static struct thread *thread_of_process(struct tracer *t, pid_t pid)
{
	struct thread *th = thread_get(t, pid);
	size_t pos = 0;

	if (th && th->pid == pid)
		return th;
	while ((th = hashmap_next(&t->threads, &pos, NULL)))
		if (th->pid == pid)
			return th;
	return NULL;
}

static int adopt_foreign(struct tracer *t, struct thread *parent, pid_t tid,
			 pid_t pid, struct thread **out)
{
	struct thread *th = thread_add(t, tid, pid, parent->proc);

	if (!th)
		return -ENOMEM;
	th->foreign = true;
	th->shared_mm = task_shares_memory(parent->tid, tid);
	t->nforeign++;
	*out = th;
	return 0;
}

static int follow(struct tracer *t, struct thread *parent, pid_t tid,
		  struct thread **out)
{
	struct proc *p = parent->proc;
	int err = 0;

	if (!task_shares_memory(parent->tid, tid))
		err = proc_fork(t, parent->proc, tid, &p);
	if (err == -ESRCH)
		return err;
	if (err) {
		char why[sizeof(t->err)], msg[sizeof(why) + 64];

		snprintf(msg, sizeof(msg), "cannot follow child process %d (%s): it is let go",
			 (int)tid, tracer_take_error(t, err, why, sizeof(why)));
		if (t->warn)
			t->warn(msg);
		return adopt_foreign(t, parent, tid, tid, out);
	}
	*out = thread_add(t, tid, tid, p);
	if (!*out)
		return -ENOMEM;
	calls_process_event(t, EV_FORK, tid, parent->pid, 0);
	return 0;
}

int task_adopt(struct tracer *t, struct thread *parent, pid_t tid, struct thread **out)
{
	pid_t tgid = procfs_status_int(tid, "Tgid");

	if (!parent && tgid > 0)
		parent = thread_of_process(t, tgid);
	if (!parent || parent->pid != tgid) {
		/* a process: its parent is traced (or it is not ours) */
		if (!parent || tgid <= 0)
			parent = thread_of_process(t, procfs_status_int(tid, "PPid"));
		if (!parent)
			parent = thread_get(t, t->pid);
		if (!parent)
			return -ESRCH;
	}
	if (tgid <= 0 || tgid == parent->pid) {
		*out = thread_add(t, tid, parent->pid, parent->proc);
		if (*out && parent->foreign) {
			(*out)->foreign = parent->foreign;
			(*out)->shared_mm = parent->shared_mm;
			t->nforeign++;
		}
		return *out ? 0 : -ENOMEM;
	}
	if (parent->foreign || !t->opts->follow_forks || t->detaching)
		return adopt_foreign(t, parent, tid, tgid, out);
	return follow(t, parent, tid, out);
}

int task_created(struct tracer *t, struct thread *parent)
{
	unsigned long msg;
	struct thread *c;
	int err;

	/* The child may have reported first, and even have ended already:
	 * then there is nothing to adopt. */
	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg) < 0 ||
	    thread_get(t, (pid_t)msg) || !procfs_task_alive((pid_t)msg))
		return 0;
	err = task_adopt(t, parent, (pid_t)msg, &c);
	return err == -ESRCH ? 0 : err;
}

int foreign_stop(struct tracer *t, struct thread *th, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	struct arch_regs r;
	struct trap *tr;
	int err;

	if (!th->shared_mm) {
		err = foreign_restore(th);
		return let_go(t, th, event || sig == SIGTRAP ? 0 : sig) ?: err;
	}
	if (event == PTRACE_EVENT_EXEC)
		return let_go(t, th, 0);   /* a new image: nothing of ours left */
	if (event)
		sig = 0;
	if (sig == SIGTRAP && !event && arch_get_regs(th->tid, &r) == 0 &&
	    (tr = trap_lookup(th->proc, arch_trap_addr(&r)))) {
		if (!tr->planted || trap_step_over(t, th->proc, th->tid, tr, &r))
			arch_rewind_to_trap(&r, tr->addr);
		arch_set_regs(th->tid, &r);
		sig = 0;
	}
	th->stop = STOP_NONE;
	return ptrace(PTRACE_CONT, th->tid, 0, sig) < 0 ? -errno : 0;
}
