/* Processes the target creates (fork, vfork, clone without CLONE_THREAD).
 * latch does not follow them: a child with its own memory gets our traps
 * removed and is let go at once; one that shares the parent's memory
 * (vfork, posix_spawn) runs through our traps silently until it execs or
 * exits, and is let go then. Either way it never dies of a stray trap. */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"
#include "tracer.h"

bool task_is_foreign(struct tracer *t, pid_t tid)
{
	pid_t tgid = proc_status_int(tid, "Tgid");

	return tgid > 0 && tgid != t->pid;
}

/* kcmp says whether two processes share one address space; without it,
 * assume they do, which keeps the child traced until it execs. */
static bool shares_memory(pid_t a, pid_t b)
{
	long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);

	return r != 1 && r != 2;
}

static int restore_code(struct tracer *t, pid_t pid)
{
	struct mem m;
	size_t pos = 0;
	struct trap *tr;
	int err = mem_open(&m, pid);

	if (err)
		return err;
	while ((tr = hashmap_next(&t->traps, &pos, NULL)))
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

int foreign_adopt(struct tracer *t, pid_t tid, struct thread **out)
{
	struct thread *th = thread_add(t, tid);

	if (!th)
		return -ENOMEM;
	if (!th->foreign) {
		th->foreign = true;
		th->shared_mm = shares_memory(t->pid, tid);
		t->nforeign++;
	}
	*out = th;
	return 0;
}

int foreign_stop(struct tracer *t, struct thread *th, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	struct arch_regs r;
	struct trap *tr;
	int err;

	if (!th->shared_mm) {
		err = restore_code(t, th->tid);
		return let_go(t, th, event || sig == SIGTRAP ? 0 : sig) ?: err;
	}
	if (event == PTRACE_EVENT_EXEC)
		return let_go(t, th, 0);   /* a new image: nothing of ours left */
	if (event)
		sig = 0;
	if (sig == SIGTRAP && !event && arch_get_regs(th->tid, &r) == 0 &&
	    (tr = trap_lookup(t, arch_trap_addr(&r)))) {
		if (!tr->planted || trap_step_over(t, th->tid, tr, &r))
			arch_rewind_to_trap(&r, tr->addr);
		arch_set_regs(th->tid, &r);
		sig = 0;
	}
	th->stop = STOP_NONE;
	return ptrace(PTRACE_CONT, th->tid, 0, sig) < 0 ? -errno : 0;
}
