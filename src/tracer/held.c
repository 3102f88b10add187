/* Signals held back while a thread runs latch's code: an out-of-line copy
 * in a scratch page, or an injected system call.
 *
 * Delivered there, a signal's frame would save a pc inside the scratch
 * page, and its handler would return into a page that a detach unmaps
 * (the target dies of SIGSEGV), or into a slot since reused. The kernel's
 * uprobes hold signals during their out-of-line step for the same reason.
 * latch takes the signal at its signal-delivery-stop, steps the thread
 * (PTRACE_SINGLESTEP) until it is back in the program's code and delivers
 * it there with its own siginfo, one signal per stop. */
#include <errno.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tracer/priv.h"

enum held_stop held_classify(const siginfo_t *si)
{
	if (si->si_signo != SIGTRAP || arch_is_trap_signal(si))
		return HELD_NO_STEP;
	/* The stop at a handler's first instruction is a ptrace_notify: its
	 * code is SIGTRAP and a signal given to it is dropped. */
	if (si->si_code == SIGTRAP)
		return HELD_NOTIFY;
	/* A single step (TRAP_TRACE; TRAP_BRKPT or, on arm64, SI_USER from
	 * no process after a system call instruction): kill and tgkill send
	 * codes <= 0 with a pid. */
	if (si->si_code > 0 || (si->si_code == SI_USER && si->si_pid == 0))
		return HELD_STEP;
	return HELD_NO_STEP;
}

int held_take(struct thread *th)
{
	siginfo_t si, *v;

	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) < 0)
		return -errno;
	if (held_classify(&si) != HELD_NO_STEP)
		return 0;   /* a step of ours: no signal */
	v = realloc(th->held, (th->nheld + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	th->held = v;
	th->held[th->nheld++] = si;
	return 0;
}

int held_take_pending(struct thread *th)
{
	int err = th->pending_sig ? held_take(th) : 0;

	if (!err)
		th->pending_sig = 0;
	return err;
}

static siginfo_t held_pop(struct thread *th)
{
	siginfo_t si = th->held[0];

	th->nheld--;
	for (size_t i = 0; i < th->nheld; i++)
		th->held[i] = th->held[i + 1];
	return si;
}

int held_next(struct thread *th, enum held_stop kind, const struct arch_regs *r,
	      int *sig)
{
	siginfo_t si;

	*sig = 0;
	/* Not out yet, or at a stop that cannot carry it: one more step. */
	if (kind != HELD_STEP || scratch_contains(th->proc, arch_get_pc(r)))
		return 0;
	si = held_pop(th);
	/* The stop is a SIGTRAP's delivery-stop: with the signal's own
	 * siginfo in place, the kernel delivers that signal instead. */
	if (ptrace(PTRACE_SETSIGINFO, th->tid, 0, &si) < 0)
		return -errno;
	*sig = si.si_signo;
	return 0;
}

int held_release(struct thread *th)
{
	/* At detach the last one goes with PTRACE_DETACH, which needs a
	 * signal-delivery-stop; from another stop, or for the others, a
	 * tgkill queues it again (the siginfo then says latch sent it):
	 * stepping to get more stops could block in a system call. */
	bool at_delivery = th->stop == STOP_TRAP ||
			   (th->stop == STOP_SIGNAL && !th->pending_sig);
	int err = 0;

	while (th->nheld) {
		siginfo_t si = held_pop(th);

		if (!th->nheld && at_delivery) {
			if (ptrace(PTRACE_SETSIGINFO, th->tid, 0, &si) < 0)
				return -errno;
			th->pending_sig = si.si_signo;
			th->stop = STOP_SIGNAL;
		} else if (syscall(SYS_tgkill, th->pid, th->tid, si.si_signo) < 0 && !err) {
			err = -errno;
		}
	}
	held_forget(th);
	return err;
}
