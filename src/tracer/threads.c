/* Threads that end: their open calls end with them (as unwound), and a
 * process's leader reports its end. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tracer/priv.h"

void thread_remove(struct tracer *t, struct thread *th)
{
	frames_unwind_all(t, th);
	thread_free(t, th);
}

void thread_exited(struct tracer *t, struct thread *th, int status)
{
	/* A leader reports its end once every thread of its process has.
	 * Tracing one process, latch's own closing line tells how it ended. */
	if (th->tid == th->pid && !th->foreign &&
	    (t->opts->follow_forks || t->opts->npids > 1)) {
		frames_unwind_all(t, th);
		calls_process_event(t, EV_EXIT, th->pid, 0, status);
	}
	if (th->tid == t->pid) {
		t->exited = true;
		t->exit_status = status;
	}
	thread_remove(t, th);
}
