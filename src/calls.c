/* Turning trap hits into call, return and unwind events. */
#include <errno.h>
#include <stdlib.h>
#include "stack.h"
#include "tracer.h"
#include "values.h"

static int symbolize(void *ctx, uint64_t addr, char *buf, size_t len)
{
	struct tracer *t = ctx;

	return t->symtab ? symtab_describe(t->symtab, addr, buf, len) : -ENOENT;
}

/* Where values are read at a stop of thread th. */
static struct values_src source(struct tracer *t, struct thread *th,
				const struct arch_regs *r)
{
	return (struct values_src){
		.tid = th->tid,
		.r = r,
		.rd = mem_read,
		.rdctx = &t->mem,
		.sym = symbolize,
		.symctx = t,
		.lim = &t->opts->limits,
	};
}

static void emit(struct tracer *t, struct event *e)
{
	int err = t->sink->ops->event(t->sink, e);

	if (err && !t->output_err)
		t->output_err = err;
}

static void pop(struct tracer *t, struct thread *th, enum event_type type,
		const struct value *ret)
{
	struct frame *f = &th->frames[--th->nframes];
	struct event e = {
		.type = type,
		.ts_ns = real_ns(),
		.pid = t->pid,
		.tid = th->tid,
		.depth = (unsigned)th->nframes,
		.call_id = f->call_id,
		.fn = f->fn,
		.dur_ns = mono_ns() - f->start_mono_ns,
	};

	if (ret)
		e.ret = *ret;
	emit(t, &e);
	if (type == EV_RETURN)
		t->n.returns++;
	else
		t->n.unwinds++;
	trap_return_unref(t, f->ra);
	t->open_reported--;
	if (t->stop_reporting && !t->open_reported)
		t->want_stop = true;
}

void frames_unwind_all(struct tracer *t, struct thread *th)
{
	while (th->nframes)
		pop(t, th, EV_UNWIND, NULL);
}

static int push(struct tracer *t, struct thread *th, const struct frame *f)
{
	if (th->nframes == th->cap) {
		size_t cap = th->cap ? th->cap * 2 : 16;
		struct frame *v = realloc(th->frames, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		th->frames = v;
		th->cap = cap;
	}
	th->frames[th->nframes++] = *f;
	t->open_reported++;
	return 0;
}

int calls_entry(struct tracer *t, struct thread *th, const struct arch_regs *r,
		struct trap *tr)
{
	const struct latch_opts *o = t->opts;
	uint64_t sp_after = arch_sp_after_return(r);
	struct frame f = { .sp_after = sp_after };
	struct event e = { .type = EV_CALL };
	int err = 0;

	/* Calls whose frames lie below this one's were abandoned (longjmp).
	 * An equal one made a tail call and is still pending, unless deeper
	 * calls were abandoned too: a tail call leaves none behind, so then
	 * the same call site is simply being called again. */
	bool abandoned = false;

	while (th->nframes) {
		uint64_t top = th->frames[th->nframes - 1].sp_after;

		if (top > sp_after || (top == sp_after && !abandoned))
			break;
		pop(t, th, EV_UNWIND, NULL);
		abandoned = true;
	}
	if (t->stop_reporting) {
		t->n.unreported++;
		return 0;
	}
	f.start_mono_ns = mono_ns();
	f.call_id = ++t->next_call_id;
	f.fn = tr->fn;
	e.ts_ns = real_ns();
	e.pid = t->pid;
	e.tid = th->tid;
	e.depth = (unsigned)th->nframes;
	e.call_id = f.call_id;
	e.fn = tr->fn;
	struct values_src src = source(t, th, r);

	err = values_read_args(tr->fn, &src, &e.args, &e.nargs, &f.ret_buf);
	if (err)
		return err;
	if (o->stack_depth)
		stack_for_call(t, th->tid, r, &e);
	emit(t, &e);
	stack_free(e.stack, e.nstack);
	for (unsigned i = 0; i < e.nargs; i++)
		value_free(&e.args[i]);
	free(e.args);
	t->n.calls++;
	if (o->max_calls && t->n.calls >= o->max_calls) {
		t->stop_reporting = true;
		if (o->no_returns)
			t->want_stop = true;
	}
	if (o->no_returns)
		return 0;

	struct trap *rt;

	err = arch_return_address(r, mem_read, &t->mem, &f.ra);
	if (!err)
		err = trap_plant(t, f.ra, TRAP_RETURN, &rt);
	if (err) {
		/* No return trap: the call stays open until unwound. */
		return err == -ESRCH ? err : 0;
	}
	rt->ret_refs++;
	err = push(t, th, &f);
	if (err)
		rt->ret_refs--;
	return err;
}

bool calls_return(struct tracer *t, struct thread *th, const struct arch_regs *r,
		  struct trap *tr)
{
	uint64_t sp = arch_get_sp(r);
	bool matched = false;

	while (th->nframes) {
		struct frame *f = &th->frames[th->nframes - 1];

		if (f->sp_after < sp) {
			pop(t, th, EV_UNWIND, NULL);
		} else if (f->sp_after == sp && f->ra == tr->addr) {
			/* Several frames match after tail calls: same value. */
			struct value v = { .kind = V_NONE };
			struct values_src src = source(t, th, r);

			values_read_return(f->fn, &src, f->ret_buf, &v);
			pop(t, th, EV_RETURN, &v);
			value_free(&v);
			matched = true;
		} else {
			break;
		}
	}
	return matched;
}
