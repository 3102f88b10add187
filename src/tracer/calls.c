/* Turning trap hits into call, return and unwind events, for the calls
 * that pass their conditions. */
#include <errno.h>
#include <stdlib.h>
#include "util/procfs.h"
#include "symbols/stack.h"
#include "tracer/priv.h"
#include "values/values.h"

static int symbolize(void *ctx, uint64_t addr, char *buf, size_t len)
{
	struct proc *p = ctx;

	return p->symtab ? symtab_describe(p->symtab, addr, buf, len) : -ENOENT;
}

/* Where values are read at a stop of thread th. */
static struct values_src source(struct tracer *t, struct thread *th,
				const struct arch_regs *r)
{
	return (struct values_src){
		.tid = th->tid,
		.r = r,
		.rd = mem_read,
		.rdctx = &th->proc->mem,
		.sym = symbolize,
		.symctx = th->proc,
		.lim = &t->opts->limits,
	};
}

static void emit(struct tracer *t, struct event *e)
{
	int err = t->sink->ops->event(t->sink, e);

	if (err && !t->output_err)
		t->output_err = err;
}

size_t tracer_targets(const struct tracer *t, const pid_t **pids)
{
	if (t->launched || !t->opts->npids) {
		*pids = &t->pid;
		return 1;
	}
	*pids = t->opts->pids;
	return t->opts->npids;
}

void tracer_announce(struct tracer *t)
{
	const pid_t *pids;
	size_t n = tracer_targets(t, &pids);

	for (size_t i = 0; i < n; i++) {
		char comm[64] = "";
		struct event_process p = {
			.exe = procfs_exe(pids[i]),
			.command_line = procfs_command_line(pids[i]),
			.comm = procfs_comm(pids[i], comm, sizeof(comm)) || !comm[0] ? NULL : comm,
			.several = t->opts->follow_forks || n > 1,
		};
		struct event e = { .type = EV_PROCESS, .ts_ns = real_ns(), .pid = pids[i],
				   .tid = pids[i], .proc = &p };

		emit(t, &e);
		free((char *)p.exe);
		free((char *)p.command_line);
	}
}

/* The functions (or sites) trapped in p: those whose trap is planted. */
static size_t trapped(struct proc *p, bool sites)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct func_info *fn = p->funcs[i];
		struct trap *tr = trap_lookup(p, fn->desc.addr);

		n += fn->desc.site == sites && tr && tr->planted &&
		     (tr->flags & (sites ? TRAP_SITE : TRAP_ENTRY));
	}
	return n;
}

/* "2 functions", "1 site", "1 function and 3 sites" */
static void say_count(char *buf, size_t len, size_t funcs, size_t sites)
{
	int n = 0;

	if (funcs || !sites)
		n = snprintf(buf, len, "%zu function%s", funcs, funcs == 1 ? "" : "s");
	if (sites && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s%zu site%s", n ? " and " : "", sites,
			 sites == 1 ? "" : "s");
}

void tracer_say_tracing(struct tracer *t)
{
	const pid_t *pids;
	size_t n = tracer_targets(t, &pids), funcs = 0, sites = 0;
	size_t threads = t->threads.count - t->nforeign;
	char msg[200], where[48], what[64];

	if (!t->warn)
		return;
	for (size_t i = 0; i < n; i++) {
		struct proc *p = proc_get(t, pids[i]);

		funcs += p ? trapped(p, false) : 0;
		sites += p ? trapped(p, true) : 0;
	}
	if (n == 1)
		snprintf(where, sizeof(where), "process %d", (int)pids[0]);
	else
		snprintf(where, sizeof(where), "%zu processes", n);
	say_count(what, sizeof(what), funcs, sites);
	snprintf(msg, sizeof(msg), "tracing %s in %s (%zu thread%s); Ctrl-C to stop",
		 what, where, threads, threads == 1 ? "" : "s");
	t->warn(msg);
}

void calls_process_event(struct tracer *t, enum event_type type, pid_t pid,
			 pid_t ppid, int status)
{
	struct event_process p = { .ppid = ppid, .status = status };
	struct event e = { .type = type, .ts_ns = real_ns(), .pid = pid, .tid = pid,
			   .proc = &p };

	if (type == EV_EXEC) {
		p.exe = procfs_exe(pid);
		p.command_line = procfs_command_line(pid);
	}
	emit(t, &e);
	free((char *)p.exe);
	free((char *)p.command_line);
}

/* -S: the callers of e at its entry trap (th stopped with registers r).
 * A failure costs only frames, never the call, and is said once per
 * program image. */
static void capture_stack(struct tracer *t, struct thread *th,
			  const struct arch_regs *r, struct event *e)
{
	struct proc *p = th->proc;
	char msg[192];
	int err;

	if (!p->symtab)
		return;
	err = stack_capture(p->symtab, th->tid, r, mem_read, &p->mem,
			    t->opts->stack_depth, &e->stack, &e->nstack);
	if (t->warn && stack_warning(p->symtab, err, msg, sizeof(msg)))
		t->warn(msg);
}

static void keep_args(struct frame *f, struct event *e)
{
	f->args = e->args;
	f->nargs = e->nargs;
	e->args = NULL;
	e->nargs = 0;
}

/* A call passed its conditions at now_ns (monotonic): false when it is
 * not reported at all (past -n, or over --rate with nothing to count
 * it). Sets e->dropped for one that summaries count but nobody prints. */
static bool admit(struct tracer *t, struct event *e, uint64_t now_ns)
{
	const struct latch_opts *o = t->opts;

	if (t->stop_reporting) {
		t->n.dropped++;
		return false;
	}
	/* --rate limits what is printed; -c alone prints no calls */
	e->dropped = (!o->summary || o->verbose) &&
		     !rate_admit(&t->rate, o->rate, now_ns);
	if (e->dropped) {
		t->n.dropped++;
		return o->summary;
	}
	return true;
}

static void report_call(struct tracer *t, struct event *e)
{
	const struct latch_opts *o = t->opts;

	emit(t, e);
	if (e->dropped)
		return;
	t->n.calls++;
	if (o->max_calls && t->n.calls >= o->max_calls) {
		t->stop_reporting = true;
		if (o->no_returns)
			t->want_stop = true;
	}
}

/* When the stop being handled was seen, or now outside one. */
static struct stamp stop_stamp(const struct tracer *t)
{
	if (t->stop_mono_ns)
		return (struct stamp){ t->stop_mono_ns, t->stop_real_ns };
	return (struct stamp){ mono_ns(), real_ns() };
}

/* End the top frame at when (NULL: at this stop): report it as type, or
 * not at all when it was never reported (filtered, or dropped without a
 * summary to count it). */
static void pop(struct tracer *t, struct thread *th, enum event_type type,
		const struct value *ret, const struct stamp *when)
{
	struct frame *f = &th->frames[--th->nframes];
	struct stamp at = when ? *when : stop_stamp(t);
	uint64_t now = at.mono_ns;
	uint64_t dur = now > f->start_mono_ns ? now - f->start_mono_ns : 0;
	bool report = !f->held;

	if (f->held) {
		if (type == EV_RETURN &&
		    filter_return(f->filter, f->pending, f->held->args, f->held->nargs,
				  ret, dur, &t->n.faults)) {
			report = admit(t, f->held, now);
			if (report)
				report_call(t, f->held);
			f->dropped = f->held->dropped;
			keep_args(f, f->held);
		} else {
			t->n.filtered++;
		}
	}
	if (report) {
		struct event e = {
			.type = type,
			.ts_ns = at.real_ns,
			.pid = th->pid,
			.tid = th->tid,
			.depth = (unsigned)th->nframes,
			.call_id = f->call_id,
			.fn = func_desc_of(f->fn),
			.dur_ns = dur,
			.dropped = f->dropped,
		};

		if (ret)
			e.ret = *ret;
		if (type == EV_RETURN && !f->dropped)
			e.error = filter_error(f->filter, f->args, f->nargs, ret, dur);
		emit(t, &e);
		/* a dropped call is counted by summaries only */
		if (!f->dropped && type == EV_RETURN)
			t->n.returns++;
		else if (!f->dropped)
			t->n.unwinds++;
	}
	frame_release(f);
	trap_return_unref(th->proc, f->ra);
	t->open_reported--;
	if (t->stop_reporting && !t->open_reported)
		t->want_stop = true;
}

void frames_unwind_all(struct tracer *t, struct thread *th)
{
	while (th->nframes)
		pop(t, th, EV_UNWIND, NULL, NULL);
}

/* What ends frames at a stop: the engine and the stop's registers. */
struct ending {
	struct tracer *t;
	const struct arch_regs *r;   /* at a return; NULL otherwise */
	const struct stamp *when;    /* NULL: at this stop */
};

static void end_frame(void *ctx, struct thread *th, enum frame_fate how)
{
	struct ending *x = ctx;
	struct frame *f = frames_top(th);
	struct value v = { .kind = V_NONE };
	struct values_src src;

	if (how != FRAME_RETURNS) {
		pop(x->t, th, EV_UNWIND, NULL, x->when);
		return;
	}
	/* Several frames match after tail calls: the same value. */
	src = source(x->t, th, x->r);
	src.lim = filter_limits(f->filter, src.lim);
	if (x->t->decode || f->filter)
		values_read_return(f->fn, &src, f->ret_buf, &v);
	pop(x->t, th, EV_RETURN, &v, x->when);
	value_free(&v);
}

void frames_unwind_below(struct tracer *t, struct thread *th, uint64_t sp_after,
			 const struct stamp *when)
{
	struct ending x = { t, NULL, when };

	frames_end_below(th, sp_after, end_frame, &x);
}

/* Trap the return of the call in f and push it: 0, or -errno when the
 * thread is gone. A reported call without a trap is simply never seen
 * to end; one that waits for its return conditions is filtered out. */
static int watch_return(struct tracer *t, struct thread *th, int ra_err,
			struct frame *f)
{
	struct trap *rt;
	int err = ra_err;

	if (!err)
		err = trap_plant(t, th->proc, f->ra, TRAP_RETURN, &rt);
	if (!err) {
		rt->ret_refs++;
		err = frames_push(th, f);
		if (!err) {
			t->open_reported++;
			return 0;
		}
		rt->ret_refs--;
	}
	if (f->held)
		t->n.filtered++;
	frame_release(f);
	return err == -ESRCH || err == -ENOMEM ? err : 0;
}

int calls_entry(struct tracer *t, struct thread *th, const struct arch_regs *r,
		struct trap *tr)
{
	const struct latch_opts *o = t->opts;
	struct frame f = { .sp_after = arch_sp_after_return(r), .fn = tr->fn,
			   .filter = tr->filter };
	struct event e = { .type = EV_CALL, .fn = func_desc_of(tr->fn), .pid = th->pid, .tid = th->tid };
	struct values_src src = source(t, th, r);
	enum filter_verdict verdict;
	int err, ra_err;

	src.lim = filter_limits(tr->filter, &o->limits);
	src.raw_args = tr->filter != NULL;
	/* without returns there are no open calls to compare with */
	ra_err = o->no_returns ? -ENOENT
			       : arch_return_address(r, mem_read, &th->proc->mem, &f.ra);

	frames_end_abandoned(th, f.sp_after, end_frame, &(struct ending){ t, NULL, NULL });
	if (!ra_err && frames_jumped_back(th, &f))
		return 0;
	t->n.seen++;
	if (t->stop_reporting) {
		t->n.dropped++;
		return 0;
	}
	if (t->decode || tr->filter) {
		err = values_read_args(tr->fn, &src, &e.args, &e.nargs, &f.ret_buf);
		if (err)
			return err;
	}
	verdict = filter_entry(tr->filter, e.args, e.nargs, &f.pending, &t->n.faults);
	if (verdict == FILTER_REJECT) {
		t->n.filtered++;
		goto free_event;
	}
	if (verdict == FILTER_REPORT && !admit(t, &e, mono_ns()))
		goto free_event;
	f.call_id = e.call_id = ++t->next_call_id;
	e.depth = (unsigned)th->nframes;
	if (o->stack_depth)
		capture_stack(t, th, r, &e);
	e.ts_ns = real_ns();
	if (verdict == FILTER_DEFER) {
		f.held = malloc(sizeof(*f.held));
		if (!f.held) {
			err = -ENOMEM;
			goto free_event;
		}
		*f.held = e;
		e = (struct event){ .type = EV_CALL };   /* the frame owns it */
	} else {
		f.dropped = e.dropped;
		report_call(t, &e);
		/* the return's --error-if may read them */
		if (filter_has_error(tr->filter) && !e.dropped)
			keep_args(&f, &e);
	}
	/* The call's time starts once latch has decoded and written it, and
	 * ends at its return's stop. */
	f.start_mono_ns = mono_ns();
	if (!o->no_returns)
		err = watch_return(t, th, ra_err, &f);
	else
		frame_release(&f);

free_event:
	event_free(&e);
	return err;
}

int calls_hit(struct tracer *t, struct thread *th, const struct arch_regs *r,
	      struct trap *tr)
{
	struct event e = { .type = EV_HIT, .fn = func_desc_of(tr->site), .pid = th->pid,
			   .tid = th->tid, .depth = (unsigned)th->nframes };
	struct values_src src = source(t, th, r);
	uint64_t pending;
	int err = 0;

	t->n.seen++;
	if (t->stop_reporting) {
		t->n.dropped++;
		return 0;
	}
	src.lim = filter_limits(tr->site_filter, &t->opts->limits);
	if (t->decode || tr->site_filter) {
		err = values_read_site(tr->site, &src, &e.args, &e.nargs);
		if (err)
			return err;
		e.nlocals = tr->site->nlocals <= e.nargs ? tr->site->nlocals : 0;
	}
	/* a site has no return, so no condition waits for one */
	if (filter_entry(tr->site_filter, e.args, e.nargs, &pending, &t->n.faults) != FILTER_REPORT) {
		t->n.filtered++;
		goto free_event;
	}
	if (!admit(t, &e, t->stop_mono_ns ? t->stop_mono_ns : mono_ns()))
		goto free_event;
	e.call_id = ++t->next_call_id;
	if (t->opts->stack_depth)
		capture_stack(t, th, r, &e);
	e.ts_ns = t->stop_mono_ns ? t->stop_real_ns : real_ns();
	report_call(t, &e);
	t->n.hits += !e.dropped;
	/* -n reached: with no call left open, nothing to wait for */
	if (t->stop_reporting && !t->open_reported)
		t->want_stop = true;

free_event:
	event_free(&e);
	return err;
}

bool calls_return(struct tracer *t, struct thread *th, const struct arch_regs *r,
		  struct trap *tr)
{
	struct ending x = { t, r, NULL };

	return frames_end_at_return(th, arch_get_sp(r), tr->addr, end_frame, &x);
}
