/* The wait loop: every ptrace stop of the target, dispatched. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "tracer/priv.h"

static int resume(struct thread *th, int sig)
{
	th->stop = STOP_NONE;
	return ptrace(thread_stepping(th) ? PTRACE_SINGLESTEP : PTRACE_CONT, th->tid, 0, sig) < 0 ?
	       -errno : 0;
}

/* A signal for the program: held while the thread is in latch's code. */
static int deliver(struct thread *th, int sig, const struct arch_regs *r)
{
	if (th->nheld || scratch_contains(th->proc, arch_get_pc(r))) {
		int err = held_take(th);

		return err ? err : resume(th, 0);
	}
	/* Its handler is not longjmp's to step: the next trap will tell
	 * which frames longjmp left. */
	th->jump.sp = 0;
	return resume(th, sig);
}

/* glibc's longjmp runs a few hundred instructions at most (two system
 * calls among them); a thread still stepping after this many went
 * somewhere else (another stack), and its next trap will tell. */
#define JUMP_STEPS_MAX 4096

static void jump_enter(struct tracer *t, struct thread *th, const struct arch_regs *r)
{
	th->jump.sp = arch_get_sp(r);
	th->jump.at = (struct stamp){ t->stop_mono_ns, t->stop_real_ns };
	th->jump.steps = 0;
}

/* A thread in longjmp stopped: once its stack pointer is above the one
 * longjmp was entered with, it is in setjmp's caller, and the frames
 * below that end as of longjmp's entry, when the program left them. */
static void jump_stepped(struct tracer *t, struct thread *th, const struct arch_regs *r)
{
	uint64_t sp = arch_get_sp(r);

	if (sp <= th->jump.sp) {
		if (++th->jump.steps >= JUMP_STEPS_MAX)
			th->jump.sp = 0;
		return;
	}
	th->jump.sp = 0;
	frames_unwind_below(t, th, sp, &th->jump.at);
}

static void warn_once(struct tracer *t, enum warn_kind kind, const char *what)
{
	if (!t->warned[kind] && t->warn)
		t->warn(what);
	t->warned[kind] = true;
}

/* The program's entry point in launch mode (or after exec). */
static int on_start(struct tracer *t, struct proc *p, struct trap *tr)
{
	bool first = !t->started;
	int err = trap_remove(p, tr);

	p->started = true;
	t->started = true;
	if (!err)
		err = image_resolve(t, p, first, false);
	if (!err && t->opts->list) {
		t->want_stop = true;
		return 0;
	}
	if (!err)
		err = image_plant(t, p);
	if (!err && first)
		tracer_say_tracing(t);
	if (err && err != -ESRCH && !first) {
		/* A later exec'd program without the probes: keep following. */
		char why[sizeof(t->err)];

		warn_once(t, WARN_EXEC, tracer_take_error(t, err, why, sizeof(why)));
		return 0;
	}
	return err;
}

static int on_trap(struct tracer *t, struct thread *th, struct arch_regs *r,
		   struct trap *tr)
{
	struct proc *p = th->proc;
	int err = 0;

	if (tr->planted && (tr->flags & TRAP_START)) {
		err = on_start(t, p, tr);
		/* --list: the command stays stopped until it is killed, so
		 * that it never runs main */
		if (err || t->opts->list)
			return err;
	}
	if (tr->planted && (tr->flags & TRAP_UNWIND))
		frames_unwind_below(t, th, arch_sp_after_return(r), NULL);
	if (tr->planted && (tr->flags & TRAP_LONGJMP))
		jump_enter(t, th, r);
	if (tr->planted && (tr->flags & TRAP_RTLD)) {
		err = image_rtld_hit(t, p);
		if (err == -ESRCH)
			return err;
		if (err) {
			/* the libraries loaded now go untraced; the rest not */
			char why[sizeof(t->err)];

			warn_once(t, WARN_RTLD, tracer_take_error(t, err, why, sizeof(why)));
			err = 0;
		}
	}
	if (!tr->planted) {
		/* Removed after this thread hit it: run the original. */
		arch_rewind_to_trap(r, tr->addr);
		goto resume;
	}
	bool matched = false;

	if (tr->flags & TRAP_RETURN)
		matched = calls_return(t, th, r, tr);
	/* a site where a call returns: reached after that return */
	if (tr->flags & TRAP_SITE)
		err = calls_hit(t, th, r, tr);
	if (err == -ESRCH)
		return err;
	if (tr->flags & TRAP_ENTRY)
		err = calls_entry(t, th, r, tr);
	else if (!matched && !tr->ret_refs &&
		 !(tr->flags & (TRAP_RTLD | TRAP_UNWIND | TRAP_LONGJMP | TRAP_SITE))) {
		/* A return site nobody waits for: stop paying for its hits. */
		err = trap_remove(p, tr);
		arch_rewind_to_trap(r, tr->addr);
		goto resume;
	}
	if (err == -ESRCH)
		return err;
	err = trap_step_over(t, p, th->tid, tr, r);
	if (err == -ESRCH)
		return err;
	if (err) {
		char why[sizeof(t->err)], msg[sizeof(why) + 64];

		snprintf(msg, sizeof(msg), "%s; trap at 0x%llx removed",
			 tracer_take_error(t, err, why, sizeof(why)), (unsigned long long)tr->addr);
		warn_once(t, WARN_STEP, msg);
		err = trap_remove(p, tr);
		arch_rewind_to_trap(r, tr->addr);
	}
resume:
	if (err == -ESRCH)
		return err;
	err = arch_set_regs(th->tid, r);
	if (!err)
		err = resume(th, 0);
	return err;
}

static int on_sigtrap(struct tracer *t, struct thread *th)
{
	siginfo_t si;
	struct arch_regs r;
	struct trap *tr;
	int err = arch_get_regs(th->tid, &r), sig;
	bool stepping = thread_stepping(th);   /* before a longjmp's step ends it */

	if (err)
		return err;
	if (th->jump.sp)
		jump_stepped(t, th, &r);
	tr = trap_lookup(th->proc, arch_trap_addr(&r));
	/* Asking for the siginfo costs a system call per stop: only when the
	 * pc alone cannot tell a trap hit from a SIGTRAP sent by someone, or
	 * from a step. */
	if (!tr || !tr->planted || tr->ambiguous || stepping) {
		if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) < 0)
			return -errno;
		enum held_stop kind = stepping ? held_classify(&si) : HELD_NO_STEP;

		if (kind != HELD_NO_STEP) {
			if (!th->nheld)
				return resume(th, 0);
			err = held_next(th, kind, &r, &sig);
			return err ? err : resume(th, sig);
		}
		if (!tr || !arch_is_trap_signal(&si))
			return deliver(th, SIGTRAP, &r);   /* the program's own */
	}
	return on_trap(t, th, &r, tr);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int on_stop(struct tracer *t, struct thread *th, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;

	th->stop = STOP_OTHER;
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK: {
		int err = task_created(t, th);

		return err ? err : resume(th, 0);
	}
	case PTRACE_EVENT_EXEC: {
		int err = proc_exec(t, th);

		if (err)
			return err;
		/* the thread that exec'd is now the leader */
		th = thread_get(t, th->pid);
		return th ? resume(th, 0) : 0;
	}
	case PTRACE_EVENT_EXIT:
		th->jump.sp = 0;
		frames_unwind_all(t, th);
		return resume(th, 0);
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			/* Honour the group-stop as if untraced. */
			th->stop = STOP_NONE;
			th->listening = true;
			return ptrace(PTRACE_LISTEN, th->tid, 0, 0) < 0 ? -errno : 0;
		}
		th->listening = false;
		return resume(th, 0);
	default:
		return resume(th, 0);
	}
	if (sig == (SIGTRAP | 0x80))
		return resume(th, 0);
	if (sig == SIGTRAP)
		return on_sigtrap(t, th);
	struct arch_regs r;
	int err = arch_get_regs(th->tid, &r);

	return err ? err : deliver(th, sig, &r);
}

static int on_status(struct tracer *t, pid_t tid, int status)
{
	struct thread *th = thread_get(t, tid);

	/* A new thread or child can report before its parent's event. */
	if (!th) {
		int err = task_adopt(t, NULL, tid, &th);

		if (err)
			return err;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		thread_exited(t, th, status);
		if (t->threads.count == t->nforeign)
			t->done = true;
		return 0;
	}
	if (!WIFSTOPPED(status))
		return 0;
	if (th->foreign)
		return foreign_stop(t, th, status);
	return on_stop(t, th, status);
}

/* A stop usually follows within tens of microseconds while the target is
 * busy calling traced functions: polling that long keeps the tracer's CPU
 * awake, so the next stop does not have to wake it. Then block. */
#define SPIN_NS 50000

static pid_t wait_next(int *status)
{
	uint64_t until = mono_ns() + SPIN_NS;

	do {
		pid_t r = waitpid(-1, status, __WALL | WNOHANG);

		if (r != 0)
			return r;
	} while (mono_ns() < until && !engine_stop_requested && !engine_tick);
	return waitpid(-1, status, __WALL);
}

enum run_end tracer_run(struct tracer *t, double deadline_mono)
{
	for (;;) {
		int status, err;
		pid_t tid;

		if (t->done)
			return RUN_TARGET_GONE;
		if (engine_stop_requested || t->want_stop || t->output_err)
			return RUN_STOP_REQUESTED;
		if (engine_tick) {
			engine_tick = 0;
			err = t->sink->ops->tick(t->sink, real_ns());
			if (err) {
				t->output_err = err;
				continue;
			}
			if (deadline_mono > 0 && (double)mono_ns() / 1e9 >= deadline_mono)
				return RUN_STOP_REQUESTED;
		}
		tid = wait_next(&status);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				t->done = true;
				continue;
			}
			tracer_fail(t, -errno, "waitpid: %s", strerror(errno));
			return RUN_ERROR;
		}
		t->n.stops++;
		t->stop_mono_ns = mono_ns();
		t->stop_real_ns = real_ns();
		err = on_status(t, tid, status);
		t->stop_mono_ns = 0;
		if (err == -ESRCH)
			continue;   /* the thread vanished; its exit follows */
		if (err) {
			if (!t->err[0])
				tracer_fail(t, err, "%s", strerror(-err));
			return RUN_ERROR;
		}
	}
}
