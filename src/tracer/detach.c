/* Leaving the target exactly as it was: every byte restored, no thread
 * left on a trap or in a scratch page, pending signals delivered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include "tracer/priv.h"

static bool all_stopped(struct tracer *t)
{
	size_t pos = 0;
	struct thread *th;

	while ((th = hashmap_next(&t->threads, &pos, NULL)))
		if (th->stop == STOP_NONE)
			return false;
	return true;
}

/* A SIGTRAP: rewind a thread that hit one of our traps (planted or
 * already removed); keep anything else for the program. */
static void trap_or_signal(struct thread *th, int sig)
{
	siginfo_t si;
	struct arch_regs r;
	enum held_stop kind;

	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) < 0)
		goto program;
	kind = thread_stepping(th) ? held_classify(&si) : HELD_NO_STEP;
	if (kind != HELD_NO_STEP) {
		/* a step of a thread holding signals or in longjmp: nothing for the
		 * program; only a step's SIGTRAP can carry one */
		th->stop = kind == HELD_STEP ? STOP_TRAP : STOP_OTHER;
		return;
	}
	if (arch_is_trap_signal(&si) && arch_get_regs(th->tid, &r) == 0) {
		uint64_t at = arch_trap_addr(&r);

		if (th->proc && trap_lookup(th->proc, at)) {
			arch_rewind_to_trap(&r, at);
			arch_set_regs(th->tid, &r);
			th->stop = STOP_TRAP;
			return;
		}
	}
program:
	th->pending_sig = sig;
	th->stop = STOP_SIGNAL;
}

static void record_stop(struct tracer *t, pid_t tid, int status)
{
	struct thread *th = thread_get(t, tid);
	int sig = WSTOPSIG(status), event = status >> 16;

	if (!th && task_adopt(t, NULL, tid, &th))
		return;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		thread_exited(t, th, status);
		return;
	}
	switch (event) {
	case 0:
		if (sig == SIGTRAP)
			trap_or_signal(th, sig);
		else if (sig == (SIGTRAP | 0x80))
			th->stop = STOP_OTHER;
		else {
			th->pending_sig = sig;
			th->stop = STOP_SIGNAL;
		}
		return;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		task_created(t, th);
		th->stop = STOP_OTHER;
		return;
	case PTRACE_EVENT_EXIT:
		th->stop = STOP_EXIT;
		return;
	case PTRACE_EVENT_STOP:
		th->stop = th->listening ? STOP_GROUP : STOP_INTERRUPT;
		return;
	default:
		th->stop = STOP_OTHER;
	}
}

/* Thread-directed signals queued behind our interrupt: a trap the thread
 * executed just before it stopped would kill it once we are gone. */
static bool sigtrap_queued(pid_t tid)
{
	char path[96], line[256];
	unsigned long long pend = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigPnd: %llx", &pend) == 1)
			break;
	fclose(f);
	return pend & (1ull << (SIGTRAP - 1));
}

static void collect_queued_trap(struct tracer *t, struct thread *th)
{
	int status;

	if (th->stop != STOP_INTERRUPT || !sigtrap_queued(th->tid))
		return;
	if (ptrace(PTRACE_CONT, th->tid, 0, 0) < 0)
		return;
	th->stop = STOP_NONE;
	while (th->stop == STOP_NONE) {
		if (wait_task(th->tid, &status, __WALL) < 0)
			return;
		record_stop(t, th->tid, status);
		if (!WIFSTOPPED(status))
			return;
	}
}

/* Out-of-line copies are short: step until the thread is back in the
 * program's own code. Signals met on the way are held (tracer/held.c). */
static int leave_scratch(struct thread *th)
{
	struct arch_regs r;
	int status, err;

	for (int i = 0; i < 8; i++) {
		if (arch_get_regs(th->tid, &r))
			return -ESRCH;
		if (!scratch_contains(th->proc, arch_get_pc(&r)))
			return 0;
		if (arch_in_syscall(th->tid, &r))
			return -EBUSY;
		if ((err = held_take_pending(th)) != 0)
			return err;
		if (ptrace(PTRACE_SINGLESTEP, th->tid, 0, 0) < 0)
			return -ESRCH;
		if (wait_task(th->tid, &status, __WALL) < 0 || !WIFSTOPPED(status))
			return -ESRCH;
		/* a step's SIGTRAP or a signal's stop: both can carry one */
		th->stop = status >> 16 ? STOP_OTHER : STOP_TRAP;
		if (!(status >> 16) && (err = held_take(th)) != 0)
			return err;
	}
	return -EBUSY;
}

/* How well th can run an injected system call: 0 best, -1 not at all.
 * Out of a system call is best. One interrupted in a call is restarted
 * afterwards (arch_syscall_restart), as the kernel would without a
 * handler: fine unless a signal is due to it, whose handler might have
 * wanted EINTR instead. The process's own threads before a vfork child
 * running in its memory, which is the only one left when the parent
 * waits in vfork (an event stop, which cannot run a system call). */
static int inject_rank(const struct proc *p, struct thread *th)
{
	struct arch_regs r;
	bool own = th->pid == p->pid && !th->foreign;

	if (th->proc != p || (!own && !task_shares_memory(p->pid, th->tid)))
		return -1;
	if (th->stop != STOP_TRAP && th->stop != STOP_INTERRUPT &&
	    th->stop != STOP_SIGNAL && th->stop != STOP_GROUP)
		return -1;
	if (arch_get_regs(th->tid, &r))
		return -1;
	if (!arch_in_syscall(th->tid, &r))
		return own ? 0 : 3;
	return (th->pending_sig ? 2 : 1) + (own ? 0 : 3);
}

static struct thread *injectable_thread(struct tracer *t, struct proc *p)
{
	size_t pos = 0;
	struct thread *th, *best = NULL;
	int best_rank = 6;

	while (best_rank && (th = hashmap_next(&t->threads, &pos, NULL))) {
		int rank = inject_rank(p, th);

		if (rank >= 0 && rank < best_rank) {
			best = th;
			best_rank = rank;
		}
	}
	return best;
}

/* Threads of p left in an event stop (fork, clone, exec; a system-call
 * stop), which cannot run an injected call: on to an interrupt stop, out
 * of their system call. Not a vfork parent whose child still runs in its
 * memory: it would wait for the child, which can run the call instead. */
static void unstick(struct tracer *t, struct proc *p)
{
	size_t pos = 0;
	struct thread *th;

	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		unsigned long child = 0;
		int status = 0;
		pid_t r = 0;

		if (th->proc != p || th->foreign || th->stop != STOP_OTHER)
			continue;
		if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &child) == 0 && child > 0 &&
		    thread_get(t, (pid_t)child) && task_shares_memory(th->tid, (pid_t)child))
			continue;
		if (ptrace(PTRACE_CONT, th->tid, 0, 0) < 0)
			continue;
		th->stop = STOP_NONE;
		if (ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0)
			continue;
		for (uint64_t until = mono_ns() + 200000000ull; r == 0 && mono_ns() < until;)
			if ((r = waitpid(th->tid, &status, __WALL | WNOHANG)) == 0)
				nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		if (r == th->tid)
			record_stop(t, th->tid, status);   /* may free th */
		return;   /* the table may have changed: one is enough */
	}
}

/* The one case where detach leaves the target changed: say where. */
static void warn_scratch_left(struct tracer *t, pid_t pid, uint64_t base, const char *why)
{
	char msg[256];

	if (!t->warn)
		return;
	snprintf(msg, sizeof(msg), "scratch pages left mapped in %d at %#llx: %s",
		 (int)pid, (unsigned long long)base, why);
	t->warn(msg);
}

/* Every byte of ours out of p's memory, no thread of it left in a
 * scratch page, the pages unmapped. */
static int restore_proc(struct tracer *t, struct proc *p)
{
	size_t pos = 0;
	struct thread *th;
	bool scratch_busy = false;
	uint64_t base;
	int ret, err;

	if (p->mem.fd < 0)
		return 0;
	ret = traps_remove_all(p);
	while ((th = hashmap_next(&t->threads, &pos, NULL)))
		if (th->proc == p && leave_scratch(th) == -EBUSY)
			scratch_busy = true;
	if (!p->nscratch)
		return ret;
	base = p->scratch[0].base;
	if (scratch_busy) {
		warn_scratch_left(t, p->pid, base, "a thread is still running in them");
		return ret;
	}
	th = injectable_thread(t, p);
	if (!th) {
		unstick(t, p);
		th = injectable_thread(t, p);
	}
	if (!th) {
		warn_scratch_left(t, p->pid, base, "no thread stopped where it can unmap them");
		return ret;
	}
	err = scratch_unmap_all(t, p, th->tid);
	if (err && err != -ESRCH)
		warn_scratch_left(t, p->pid, base, strerror(-err));
	return ret;
}

int tracer_detach(struct tracer *t)
{
	size_t pos = 0;
	struct thread *th;
	struct proc *p;
	int status, ret = 0;

	t->detaching = true;
	while ((th = hashmap_next(&t->threads, &pos, NULL)))
		if (th->stop == STOP_NONE && ptrace(PTRACE_INTERRUPT, th->tid, 0, 0) < 0 &&
		    errno == ESRCH)
			th->stop = STOP_OTHER;   /* gone; its exit is reaped below */
	/* A stop is due from every thread; the tick (SIGALRM) interrupts
	 * waitpid so that a thread that never reports cannot hang us. */
	uint64_t give_up = mono_ns() + 2000000000ull;

	while (t->threads.count && !all_stopped(t) && mono_ns() < give_up) {
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		record_stop(t, tid, status);
	}
	pos = 0;
	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		collect_queued_trap(t, th);
		/* a child's copy of the memory first: it is restored from
		 * the traps of its parent's */
		if (th->foreign && !th->shared_mm)
			foreign_restore(th);
	}
	pos = 0;
	while ((p = hashmap_next(&t->procs, &pos, NULL))) {
		int err = restore_proc(t, p);

		if (err && !ret)
			ret = err;
	}
	pos = 0;
	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		int err = held_release(th);

		if (err && err != -ESRCH && !ret)
			ret = err;
		if (ptrace(PTRACE_DETACH, th->tid, 0, th->pending_sig) < 0 &&
		    errno != ESRCH && !ret)
			ret = -errno;
	}
	return ret;
}
