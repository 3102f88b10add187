/* Traced threads and their pending frames. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tracer/priv.h"

struct thread *thread_get(struct tracer *t, pid_t tid)
{
	return hashmap_get(&t->threads, (uint64_t)tid);
}

struct thread *thread_add(struct tracer *t, pid_t tid, pid_t pid, struct proc *p)
{
	struct thread *th = thread_get(t, tid);

	if (th)
		return th;
	th = calloc(1, sizeof(*th));
	if (!th)
		return NULL;
	th->tid = tid;
	th->pid = pid;
	th->proc = p;
	if (hashmap_put(&t->threads, (uint64_t)tid, th)) {
		free(th);
		return NULL;
	}
	if (p)
		p->users++;
	return th;
}

void thread_remove(struct tracer *t, struct thread *th)
{
	frames_unwind_all(t, th);
	if (th->foreign)
		t->nforeign--;
	hashmap_del(&t->threads, (uint64_t)th->tid);
	frames_forget(th);
	held_forget(th);
	proc_unuse(t, th->proc);
	free(th);
}

void thread_exited(struct tracer *t, struct thread *th, int status)
{
	/* A leader reports its end once every thread of its process has.
	 * Without -F latch's own closing line tells how the process ended. */
	if (th->tid == th->pid && !th->foreign && t->opts->follow_forks) {
		frames_unwind_all(t, th);
		calls_process_event(t, EV_EXIT, th->pid, 0, status);
	}
	if (th->tid == t->pid) {
		t->exited = true;
		t->exit_status = status;
	}
	thread_remove(t, th);
}

pid_t wait_task(pid_t pid, int *status, int flags)
{
	pid_t r;

	/* The tick (SIGALRM) interrupts waitpid; only the loop cares. */
	while ((r = waitpid(pid, status, flags)) < 0 && errno == EINTR)
		;
	return r;
}
