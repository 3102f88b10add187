/* Text output for people: one line per call where possible, strace-style
 * "..." when other events come between a call and its return. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "output/priv.h"

/* A call printed with "{": its return prints as "} name = ret". */
struct brace {
	pid_t tid;
	unsigned depth;
	uint64_t call_id;
};

struct text_sink {
	struct sink base;     /* first: the sink pointer is the text_sink */
	struct event held;    /* the latest call, until we know its shape */
	bool holding;
	bool show_pid;        /* -F: lines come from several processes */
	struct text_style style;
	uint64_t last_ns;     /* -r: the previous line's time */
	struct brace *open;
	size_t nopen, cap;
	int err;
};

static const char *fn_name(const struct event *e)
{
	return e->fn && e->fn->name ? e->fn->name : "?";
}

/* -t, -tt, -ttt and -r as strace prints them; returns the width. */
static int clocks(FILE *f, struct text_sink *t, uint64_t ts)
{
	char clock[32];
	int w = 0;

	switch (t->style.clock) {
	case CLOCK_NONE:
		break;
	case CLOCK_HMS:
		render_clock(clock, sizeof(clock), ts);
		w = fprintf(f, "%.8s ", clock);
		break;
	case CLOCK_HMS_US:
		render_clock(clock, sizeof(clock), ts);
		w = fprintf(f, "%s ", clock);
		break;
	case CLOCK_EPOCH_US:
		w = fprintf(f, "%" PRIu64 ".%06" PRIu64 " ", ts / 1000000000u,
			    ts % 1000000000u / 1000u);
		break;
	}
	if (t->style.relative) {
		uint64_t d = t->last_ns && ts > t->last_ns ? ts - t->last_ns : 0;

		w += fprintf(f, "%6" PRIu64 ".%06" PRIu64 " ", d / 1000000000u,
			     d % 1000000000u / 1000u);
		t->last_ns = ts;
	}
	return w > 0 ? w : 0;
}

/* Returns the width of what it printed. */
static int prefix(FILE *f, struct text_sink *t, const struct event *e)
{
	unsigned i;
	int w = clocks(f, t, e->ts_ns);

	if (t->show_pid)
		w += fprintf(f, "[%d/%d] ", (int)e->pid, (int)e->tid);
	else
		w += fprintf(f, "[%d] ", (int)e->tid);

	for (i = 0; i < e->depth; i++)
		fputs("  ", f);
	return w + 2 * (int)e->depth;
}

/* Returns the width of the prefix, where the function name starts. */
static int call_head(FILE *f, struct text_sink *t, const struct event *call)
{
	int w = prefix(f, t, call);

	fprintf(f, "%s(", fn_name(call));
	render_text_args(f, call->args, call->nargs);
	putc(')', f);
	return w;
}

/* -S: after the call's line, one line per caller, under the call:
 * "<- main+0x2a (stack.c:31)", or the bare pc without a symbol. */
static void stack_lines(FILE *f, const struct event *call, int indent)
{
	for (unsigned i = 0; i < call->nstack; i++) {
		const struct stack_frame *fr = &call->stack[i];

		fprintf(f, "%*s<- ", indent + 2, "");
		if (fr->func)
			fputs(fr->func, f);
		else
			fprintf(f, "0x%" PRIx64, fr->pc);
		if (fr->file) {
			const char *base = strrchr(fr->file, '/');

			fprintf(f, " (%s", base ? base + 1 : fr->file);
			if (fr->line)
				fprintf(f, ":%u", fr->line);
			putc(')', f);
		}
		putc('\n', f);
	}
}

/* " = ret <dur>", " <dur>" for void, " <unwound> <dur>" */
static void result_tail(FILE *f, const struct event *end)
{
	char dur[32];

	if (end->type == EV_UNWIND) {
		fputs(" <unwound>", f);
	} else if (end->ret.kind != V_NONE) {
		fputs(" = ", f);
		render_text_value(f, &end->ret);
	}
	render_duration(dur, sizeof(dur), end->dur_ns);
	fprintf(f, " <%s>\n", dur);
}

/* "+++ forked from 12 +++", "+++ exec /bin/ls: ls -l +++",
 * "+++ exited with 0 +++", "+++ killed by SIGSEGV +++" */
static void process_line(FILE *f, struct text_sink *t, const struct event *e)
{
	const struct event_process *p = e->proc;
	char sig[16];

	prefix(f, t, e);   /* depth 0: not part of a call tree */
	switch (e->type) {
	case EV_FORK:
		fprintf(f, "+++ forked from %d +++\n", (int)p->ppid);
		break;
	case EV_EXEC:
		fprintf(f, "+++ exec %s: %s +++\n", p->exe ? p->exe : "?",
			p->command_line ? p->command_line : "?");
		break;
	case EV_EXIT:
		if (WIFSIGNALED(p->status)) {
			render_signal(sig, sizeof(sig), WTERMSIG(p->status));
			fprintf(f, "+++ killed by %s +++\n", sig);
		} else {
			fprintf(f, "+++ exited with %d +++\n", WEXITSTATUS(p->status));
		}
		break;
	default:
		putc('\n', f);
		break;
	}
}

static bool remember_brace(struct text_sink *t, const struct event *call)
{
	if (t->nopen == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct brace *b = realloc(t->open, cap * sizeof(*b));

		if (!b)
			return false;
		t->open = b;
		t->cap = cap;
	}
	t->open[t->nopen++] = (struct brace){ call->tid, call->depth,
					      call->call_id };
	return true;
}

static bool forget_brace(struct text_sink *t, pid_t tid, uint64_t call_id)
{
	size_t i;

	for (i = 0; i < t->nopen; i++) {
		if (t->open[i].tid == tid && t->open[i].call_id == call_id) {
			t->open[i] = t->open[--t->nopen];
			return true;
		}
	}
	return false;
}

/* A new call at this depth proves that deeper braces on the thread ended
 * without an event (thread exit drops its frames silently). */
static void prune_braces(struct text_sink *t, pid_t tid, unsigned depth)
{
	size_t i = 0;

	while (i < t->nopen) {
		if (t->open[i].tid == tid && t->open[i].depth >= depth)
			t->open[i] = t->open[--t->nopen];
		else
			i++;
	}
}

/* Print the held call as "{" (next event nested in it) or "...". */
static void release_held(struct text_sink *t, const struct event *next)
{
	struct event *h = &t->held;
	bool nested = next && (next->type == EV_CALL || next->type == EV_HIT) &&
		      next->tid == h->tid && next->depth > h->depth;

	/* Without a record of the brace its return would print "...", so
	 * open with "..." too if the record cannot be kept. */
	if (nested)
		nested = remember_brace(t, h);
	int w = call_head(t->base.out, t, h);

	fputs(nested ? " {\n" : " ...\n", t->base.out);
	stack_lines(t->base.out, h, w);
	event_free(h);
	t->holding = false;
}

/* "scale(k=1) at firsts.c:123: y=10", as gdb shows a breakpoint. */
static void hit_line(FILE *f, struct text_sink *t, const struct event *e)
{
	unsigned nparams = e->nargs - e->nlocals;
	int w = prefix(f, t, e);

	fprintf(f, "%s(", fn_name(e));
	render_text_args(f, e->args, nparams);
	fprintf(f, ") at %s", e->fn && e->fn->where ? e->fn->where : "?");
	if (e->nlocals) {
		fputs(": ", f);
		render_text_args(f, e->args + nparams, e->nlocals);
	}
	putc('\n', f);
	stack_lines(f, e, w);
}

static int text_event(struct sink *s, const struct event *e)
{
	struct text_sink *t = (struct text_sink *)s;
	FILE *f = s->out;

	if (t->err)
		return t->err;
	if (e->type == EV_PROCESS) {
		t->show_pid = e->proc->several;
		return 0;
	}
	errno = 0;
	if (t->holding) {
		if (e->type != EV_CALL && e->tid == t->held.tid &&
		    e->call_id == t->held.call_id) {
			int w = call_head(f, t, &t->held);

			result_tail(f, e);
			stack_lines(f, &t->held, w);
			event_free(&t->held);
			t->holding = false;
			return render_status(f, &t->err, false);
		}
		release_held(t, e);
	}
	if (e->proc) {
		process_line(f, t, e);
	} else if (e->type == EV_HIT) {
		hit_line(f, t, e);
	} else if (e->type == EV_CALL) {
		prune_braces(t, e->tid, e->depth);
		if (event_copy(&t->held, e) == 0) {
			t->holding = true;
		} else {
			/* Out of memory: the call still shows, only unmerged. */
			int w = call_head(f, t, e);

			fputs(" ...\n", f);
			stack_lines(f, e, w);
		}
	} else {
		prefix(f, t, e);
		fputs(forget_brace(t, e->tid, e->call_id) ? "} " : "... ", f);
		fputs(fn_name(e), f);
		result_tail(f, e);
	}
	return render_status(f, &t->err, false);
}

static int text_flush(struct sink *s)
{
	struct text_sink *t = (struct text_sink *)s;

	if (t->err)
		return t->err;
	errno = 0;
	if (t->holding)
		release_held(t, NULL);
	return render_status(s->out, &t->err, true);
}

/* A call held this long is still running: show it as unfinished. Short
 * enough for someone watching, long enough that a tick landing between a
 * call and its return almost never splits a one-line call. */
#define HOLD_NS 1000000000ull

static int text_tick(struct sink *s, uint64_t now_ns)
{
	struct text_sink *t = (struct text_sink *)s;

	if (t->err)
		return t->err;
	errno = 0;
	if (t->holding && now_ns - t->held.ts_ns >= HOLD_NS)
		release_held(t, NULL);
	return render_status(s->out, &t->err, true);
}

static void text_destroy(struct sink *s)
{
	struct text_sink *t = (struct text_sink *)s;

	if (!t)
		return;
	if (t->holding)
		event_free(&t->held);
	free(t->open);
	free(t);
}

static const struct sink_ops text_ops = {
	.event = text_event,
	.tick = text_tick,
	.flush = text_flush,
	.destroy = text_destroy,
};

int text_sink_new(FILE *out, const struct text_style *style, struct sink **s)
{
	struct text_sink *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (style)
		t->style = *style;
	t->base.ops = &text_ops;
	t->base.out = out;
	*s = &t->base;
	return 0;
}
