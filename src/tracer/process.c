/* Address spaces being traced: one per process, shared by its threads
 * and by vfork children until they exec; copied at a followed fork. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include "tracer/priv.h"

static struct func_info *func_at(struct proc *p, uint64_t addr, bool site, size_t *i)
{
	for (*i = 0; *i < p->nfuncs; (*i)++)
		if (p->funcs[*i]->desc.addr == addr && p->funcs[*i]->desc.site == site)
			return p->funcs[*i];
	return NULL;
}

/* The copied entry traps belong to the parent's functions: point them at
 * the child's, found at the same addresses in the same image. */
static int retarget(struct proc *c)
{
	size_t pos = 0, i;
	struct trap *tr;
	int ret = 0;

	while ((tr = hashmap_next(&c->traps, &pos, NULL))) {
		if (!(tr->flags & (TRAP_ENTRY | TRAP_SITE)))
			continue;
		tr->fn = func_at(c, tr->addr, false, &i);
		tr->filter = tr->fn ? c->filters[i] : NULL;
		tr->site = func_at(c, tr->addr, true, &i);
		tr->site_filter = tr->site ? c->filters[i] : NULL;
		if (!tr->fn)
			tr->flags &= ~TRAP_ENTRY;
		if (!tr->site)
			tr->flags &= ~TRAP_SITE;
		if (!tr->flags) {
			int err = trap_remove(c, tr);

			if (err && !ret)
				ret = err;
		}
	}
	return ret;
}

int proc_fork(struct tracer *t, struct proc *parent, pid_t child, struct proc **out)
{
	struct proc *c;
	int err = proc_add(t, child, &c);

	if (err)
		return err;
	err = mem_open(&c->mem, child);
	if (!err)
		err = traps_copy(c, parent);
	if (!err && parent->nscratch) {
		c->scratch = malloc(parent->nscratch * sizeof(*c->scratch));
		if (!c->scratch)
			err = -ENOMEM;
		else
			memcpy(c->scratch, parent->scratch, parent->nscratch * sizeof(*c->scratch));
		c->nscratch = err ? 0 : parent->nscratch;
	}
	c->syscall_insn = parent->syscall_insn;
	c->rtld = parent->rtld;
	c->started = parent->started;
	/* The child's own image: its stack unwinding, and its libraries
	 * loaded later, are its own from now on. */
	if (!err && c->started)
		err = image_resolve(t, c, false, true);
	if (!err)
		err = retarget(c);
	if (err) {
		c->users = 1;
		proc_unuse(t, c);
		return err;
	}
	*out = c;
	return 0;
}

int proc_exec(struct tracer *t, struct thread *th)
{
	struct proc *p = th->proc;
	unsigned long former;
	struct thread *o;
	size_t pos = 0;
	int err;

	/* Every call of the old program is over; of its threads only the
	 * one that exec'd lives on, as the leader. */
	while ((o = hashmap_next(&t->threads, &pos, NULL)))
		if (o->pid == th->pid)
			frames_unwind_all(t, o);
	if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &former) == 0 &&
	    (pid_t)former != th->tid && (o = thread_get(t, (pid_t)former)))
		thread_remove(t, o);
	if (p->pid != th->pid) {
		/* a vfork child leaves its parent's memory for its own */
		struct proc *np;

		err = proc_add(t, th->pid, &np);
		if (err)
			return err;
		th->proc = np;
		np->users = 1;
		proc_unuse(t, p);
		p = np;
	}
	err = image_new(t, p);
	if (!err)
		calls_process_event(t, EV_EXEC, th->pid, 0, 0);
	return err;
}
