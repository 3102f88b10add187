/* System calls run inside the tracee, by a thread that latch holds
 * stopped: its registers saved, the call made at a system-call
 * instruction found in its code, the registers put back. */
#include <errno.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "util/procfs.h"
#include "tracer/priv.h"

/* Resume tid with request and wait for its next stop, keeping any signal
 * that arrives meanwhile for later delivery. */
static int step_syscall(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_get(t, tid);
	int status, sig = 0;

	for (int tries = 0; tries < 16; tries++) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, sig) < 0)
			return -errno;
		sig = 0;
		if (wait_task(tid, &status, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			return 0;
		if (status >> 16)
			continue;   /* an event stop: resume past it */
		/* A signal for the thread: held for later (tracer/held.c). */
		if (th && held_take(th) == -ENOMEM)
			return -ENOMEM;
	}
	return -EIO;
}

int inject_syscall(struct tracer *t, struct proc *p, pid_t tid, long nr,
		   const uint64_t args[6], long *ret)
{
	struct thread *th = thread_get(t, tid);
	struct arch_regs saved, r;
	int err;

	if (!p->syscall_insn) {
		err = procfs_find_code(p->pid, &p->mem, arch_syscall_insn,
				     arch_syscall_insn_len, arch_insn_align,
				     &p->syscall_insn);
		if (err)
			return err;
	}
	err = arch_get_regs(tid, &saved);
	if (err)
		return err;
	/* The thread leaves its stop for a system-call stop, which cannot
	 * carry a signal: one it was to be given is held instead. */
	if (th) {
		if ((err = held_take_pending(th)) != 0)
			return err;
		th->stop = STOP_OTHER;
	}
	r = saved;
	arch_syscall_setup(&r, p->syscall_insn, nr, args);
	err = arch_set_regs(tid, &r);
	if (err)
		return err;
	/* The thread leaves its stop for the injected call: one it was in,
	 * interrupted, is restarted on the way back to the program. */
	arch_syscall_restart(&saved);
	err = step_syscall(t, tid);        /* to the syscall's entry */
	if (!err)
		err = step_syscall(t, tid);  /* and its exit */
	if (!err)
		err = arch_get_regs(tid, &r);
	if (err && err != -ESRCH)
		goto restore;
	if (err)
		return err;
	*ret = arch_syscall_result(&r);
restore:
	{
		int e2 = arch_set_regs(tid, &saved);

		return err ? err : e2;
	}
}
