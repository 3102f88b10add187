/* The task registry: the threads latch traces and the address spaces
 * they run in, with what each owns (frames, held signals, traps, the
 * program image's functions), and the engine's error text. Only tables
 * and memory: nothing here stops, resumes or reads the target, and no
 * event comes from here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "tracer/priv.h"

int tracer_fail(struct tracer *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *tracer_take_error(struct tracer *t, int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", t->err[0] ? t->err : strerror(-err));
	t->err[0] = 0;
	return buf;
}

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

void thread_free(struct tracer *t, struct thread *th)
{
	if (th->foreign)
		t->nforeign--;
	hashmap_del(&t->threads, (uint64_t)th->tid);
	frames_forget(th);
	held_forget(th);
	proc_unuse(t, th->proc);
	free(th);
}

pid_t wait_task(pid_t pid, int *status, int flags)
{
	pid_t r;

	/* The tick (SIGALRM) interrupts waitpid; only the loop cares. */
	while ((r = waitpid(pid, status, flags)) < 0 && errno == EINTR)
		;
	return r;
}

void held_forget(struct thread *th)
{
	free(th->held);
	th->held = NULL;
	th->nheld = 0;
}

struct trap *trap_lookup(struct proc *p, uint64_t addr)
{
	return hashmap_get(&p->traps, addr);
}

void traps_forget_all(struct proc *p)
{
	size_t pos = 0;
	struct trap *tr;

	while ((tr = hashmap_next(&p->traps, &pos, NULL)))
		free(tr);
	hashmap_free(&p->traps);
}

bool scratch_contains(const struct proc *p, uint64_t addr)
{
	for (size_t i = 0; i < p->nscratch; i++)
		if (addr >= p->scratch[i].base && addr < p->scratch[i].base + p->scratch[i].size)
			return true;
	return false;
}

void probes_forget(struct proc *p)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		filter_free(p->filters[i]);
	for (size_t i = 0; i < p->ngone; i++)
		filter_free(p->gone_filters[i]);
	free(p->filters);
	free(p->funcs);   /* the functions belong to the symtab */
	free(p->gone_filters);
	p->filters = NULL;
	p->funcs = NULL;
	p->gone_filters = NULL;
	p->nfuncs = p->ngone = 0;
}

void image_forget(struct tracer *t, struct proc *p)
{
	traps_forget_all(p);
	free(p->scratch);
	p->scratch = NULL;
	p->nscratch = 0;
	p->syscall_insn = 0;
	p->started = false;
	p->rtld = (struct rtld){ 0 };
	probes_forget(p);
	/* Events the sinks still hold name its functions. */
	if (p->symtab)
		symtab_retire(p->symtab, &t->retired);
	p->symtab = NULL;
}

void threads_forget(struct tracer *t)
{
	size_t pos = 0;
	struct thread *th;

	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		frames_forget(th);
		held_forget(th);
		free(th);
	}
	hashmap_free(&t->threads);
	t->nforeign = 0;
	procs_forget(t);
}

struct proc *proc_get(const struct tracer *t, pid_t pid)
{
	return hashmap_get(&t->procs, (uint64_t)pid);
}

int proc_add(struct tracer *t, pid_t pid, struct proc **out)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->mem.fd = -1;
	if (hashmap_put(&t->procs, (uint64_t)pid, p)) {
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

static void proc_free(struct tracer *t, struct proc *p)
{
	image_forget(t, p);
	mem_close(&p->mem);
	if (hashmap_get(&t->procs, (uint64_t)p->pid) == p)
		hashmap_del(&t->procs, (uint64_t)p->pid);
	free(p);
}

void proc_unuse(struct tracer *t, struct proc *p)
{
	if (p && !--p->users)
		proc_free(t, p);
}

void procs_forget(struct tracer *t)
{
	size_t pos = 0;
	struct proc *p;

	while ((p = hashmap_next(&t->procs, &pos, NULL)))
		proc_free(t, p);
	hashmap_free(&t->procs);
}
