/* -f chrome: the JSON array of the Trace Event Format, which Perfetto UI
 * and chrome://tracing open: a track per thread, a slice per call with
 * its arguments and its return value.
 *
 * Each call is one complete event ("ph":"X", start and duration), written
 * when the call ends, with the arguments and the return value together.
 * Begin and end events ("B" then "E") would be written as things happen,
 * but viewers pair them by their order on the thread after sorting by
 * time, and that order is not the order in which they arrive: a call that
 * waits for its return condition arrives at its return, after the calls it
 * made, with its entry time. An "X" event needs no pairing, and the slices
 * of a thread nest as viewers require: a call's entry is read at a later
 * stop than its caller's and its end at an earlier one, so its interval
 * lies strictly inside its caller's. Equal start times, which some
 * versions of Perfetto stack the wrong way round between "X" events, would
 * take two entries read in the same nanosecond; none are, each is read at
 * its own ptrace stop.
 *
 * A call still running at the end is an "X" event up to the last time
 * seen, marked "<unfinished>":true (a "B" without its "E" would mix the
 * two kinds, which Perfetto has mishandled). A call whose end will never
 * come (a new call at its depth proves it gone: --no-returns, or a return
 * that could not be trapped) is an instant event at its entry. Times are
 * microseconds with three decimals from the start of tracing (the first
 * tick), so that they keep their nanoseconds through a viewer's doubles.
 * "return", a C keyword, and the "<...>" keys cannot be parameter names. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "util/hashmap.h"
#include "output/priv.h"

struct open_call {
	uint64_t call_id;
	uint64_t ts_ns;
	unsigned depth;
	/* "name":"f","cat":"latch","pid":P,"tid":T, then from args_at the
	 * members of the arguments object */
	char *text;
	size_t args_at;
};

/* A thread's calls not yet written, outermost first, depths increasing. */
struct thread_calls {
	struct open_call *v;
	size_t n, cap;
};

struct chrome_sink {
	struct sink base;        /* first: the sink pointer is the chrome_sink */
	struct hashmap threads;  /* tid -> struct thread_calls */
	struct hashmap pids;     /* pid -> non-NULL once its name is written */
	uint64_t base_ns;        /* ts 0 */
	uint64_t end_ns;         /* the latest time seen */
	bool timed;              /* base_ns is set */
	bool objects;            /* an object is written: "[" is out */
	bool closed;             /* "]" is out */
	bool ends_seen;          /* returns are traced */
	int err;
};

static void see_time(struct chrome_sink *c, uint64_t ns)
{
	if (!c->timed) {
		c->base_ns = ns;
		c->timed = true;
	}
	if (ns > c->end_ns)
		c->end_ns = ns;
}

/* Nothing is traced before the first tick, but a hand-made trace may
 * start with a late call: clamp rather than print a negative time. */
static uint64_t rel(const struct chrome_sink *c, uint64_t ns)
{
	return ns > c->base_ns ? ns - c->base_ns : 0;
}

static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static FILE *next_object(struct chrome_sink *c)
{
	fputs(c->objects ? ",\n" : "[\n", c->base.out);
	c->objects = true;
	return c->base.out;
}

/* Viewers name tracks by these; the event records have no process or
 * thread names, so the ids it is. */
static int name_tracks(struct chrome_sink *c, const struct event *e)
{
	uint64_t pid = (uint64_t)(uint32_t)e->pid;
	FILE *f;

	if (!hashmap_get(&c->pids, pid)) {
		if (hashmap_put(&c->pids, pid, c))
			return -ENOMEM;
		f = next_object(c);
		fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,"
			"\"args\":{\"name\":\"pid %d\"}}", (int)e->pid, (int)e->pid);
	}
	f = next_object(c);
	fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
		"\"args\":{\"name\":\"tid %d\"}}", (int)e->pid, (int)e->tid, (int)e->tid);
	return 0;
}

static int thread_get(struct chrome_sink *c, const struct event *e,
		      struct thread_calls **out)
{
	uint64_t key = (uint64_t)(uint32_t)e->tid;
	struct thread_calls *th = hashmap_get(&c->threads, key);

	if (!th) {
		th = calloc(1, sizeof(*th));
		if (!th)
			return -ENOMEM;
		if (hashmap_put(&c->threads, key, th)) {
			free(th);
			return -ENOMEM;
		}
		*out = th;
		return name_tracks(c, e);
	}
	*out = th;
	return 0;
}

/* The call's own part of its slice, rendered now: the event's values do
 * not outlive it. */
static int render_call(const struct event *e, struct open_call *oc)
{
	size_t len = 0;
	FILE *m = open_memstream(&oc->text, &len);
	long at;

	if (!m)
		return -ENOMEM;
	fputs("\"name\":", m);
	render_json_cstr(m, e->fn && e->fn->name ? func_label(e->fn) : "?");
	fprintf(m, ",\"cat\":\"latch\",\"pid\":%d,\"tid\":%d", (int)e->pid, (int)e->tid);
	at = ftell(m);
	render_json_args(m, e->args, e->nargs);
	bool bad = ferror(m) || at < 0;

	if (fclose(m) || bad) {
		free(oc->text);
		oc->text = NULL;
		return -ENOMEM;
	}
	oc->args_at = (size_t)at;
	return 0;
}

/* {<text>,"ph":"X","ts":..,"dur":..,"args":{<args>,<tail>}}; a NULL
 * tail: an instant event at the entry. */
static void write_slice(struct chrome_sink *c, const struct open_call *oc,
			uint64_t end_ns, const char *tail, const struct value *ret)
{
	FILE *f = next_object(c);
	uint64_t ts = rel(c, oc->ts_ns);
	bool has_args = oc->text[oc->args_at] != '\0';

	putc('{', f);
	fwrite(oc->text, 1, oc->args_at, f);
	if (tail) {
		fputs(",\"ph\":\"X\",\"ts\":", f);
		put_us(f, ts);
		fputs(",\"dur\":", f);
		put_us(f, rel(c, end_ns) - ts);
	} else {
		fputs(",\"ph\":\"i\",\"s\":\"t\",\"ts\":", f);
		put_us(f, ts);
	}
	fputs(",\"args\":{", f);
	fputs(oc->text + oc->args_at, f);
	if (tail && *tail) {
		if (has_args)
			putc(',', f);
		fputs(tail, f);
		if (ret)
			render_json_value(f, ret);
	}
	fputs("}}", f);
}

static void pop(struct thread_calls *th)
{
	free(th->v[--th->n].text);
}

/* Calls at depth or deeper never end: a later call took their place. */
static void drop_stale(struct chrome_sink *c, struct thread_calls *th, unsigned depth)
{
	while (th->n && th->v[th->n - 1].depth >= depth) {
		write_slice(c, &th->v[th->n - 1], 0, NULL, NULL);
		pop(th);
	}
}

static int on_call(struct chrome_sink *c, const struct event *e)
{
	struct thread_calls *th;
	struct open_call oc = { .call_id = e->call_id, .ts_ns = e->ts_ns,
				.depth = e->depth };
	int err = thread_get(c, e, &th);

	if (err)
		return err;
	drop_stale(c, th, e->depth);
	if (th->n == th->cap) {
		size_t cap = th->cap ? 2 * th->cap : 8;
		struct open_call *v = realloc(th->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		th->v = v;
		th->cap = cap;
	}
	err = render_call(e, &oc);
	if (err)
		return err;
	th->v[th->n++] = oc;
	return 0;
}

/* A site's hit: an instant on its thread. */
static int on_hit(struct chrome_sink *c, const struct event *e)
{
	struct thread_calls *th;
	struct open_call oc = { .call_id = e->call_id, .ts_ns = e->ts_ns, .depth = e->depth };
	int err = thread_get(c, e, &th);

	if (!err)
		err = render_call(e, &oc);
	if (err)
		return err;
	write_slice(c, &oc, 0, NULL, NULL);
	free(oc.text);
	return 0;
}

/* A return or unwind without its call (one that was never reported) is
 * not shown. */
static void on_end(struct chrome_sink *c, const struct event *e)
{
	struct thread_calls *th = hashmap_get(&c->threads, (uint64_t)(uint32_t)e->tid);
	size_t i;

	c->ends_seen = true;
	if (!th)
		return;
	for (i = th->n; i > 0 && th->v[i - 1].call_id != e->call_id; i--)
		;
	if (!i)
		return;
	while (th->n > i) {
		write_slice(c, &th->v[th->n - 1], 0, NULL, NULL);
		pop(th);
	}
	struct open_call *oc = &th->v[i - 1];
	uint64_t end = event_end_ns(e, oc->ts_ns);

	see_time(c, end);
	if (e->type == EV_UNWIND)
		write_slice(c, oc, end, "\"<unwound>\":true", NULL);
	else if (e->ret.kind != V_NONE)
		write_slice(c, oc, end, "\"return\":", &e->ret);
	else
		write_slice(c, oc, end, "", NULL);
	pop(th);
}

static int chrome_event(struct sink *s, const struct event *e)
{
	struct chrome_sink *c = (struct chrome_sink *)s;
	int err = 0;

	if (c->err)
		return c->err;
	if (e->dropped || c->closed)
		return 0;
	errno = 0;
	switch (e->type) {
	case EV_CALL:
		see_time(c, e->ts_ns);
		err = on_call(c, e);
		break;
	case EV_RETURN:
	case EV_UNWIND:
		see_time(c, e->ts_ns);
		on_end(c, e);
		break;
	case EV_HIT:
		see_time(c, e->ts_ns);
		err = on_hit(c, e);
		break;
	default:
		return 0;
	}
	return err ? err : render_status(s->out, &c->err, false);
}

static int chrome_tick(struct sink *s, uint64_t now_ns)
{
	struct chrome_sink *c = (struct chrome_sink *)s;

	if (c->err)
		return c->err;
	see_time(c, now_ns);
	errno = 0;
	return render_status(s->out, &c->err, true);
}

/* Without any return, returns are not traced (--no-returns): the calls
 * left are instants, not calls running to the end. */
static void write_unfinished(struct chrome_sink *c)
{
	struct thread_calls *th;
	size_t pos = 0;
	uint64_t key;

	while ((th = hashmap_next(&c->threads, &pos, &key))) {
		for (size_t i = 0; i < th->n; i++)
			write_slice(c, &th->v[i], c->end_ns,
				    c->ends_seen ? "\"<unfinished>\":true" : NULL, NULL);
		while (th->n)
			pop(th);
	}
}

static int chrome_flush(struct sink *s)
{
	struct chrome_sink *c = (struct chrome_sink *)s;

	if (c->err)
		return c->err;
	errno = 0;
	if (!c->closed) {
		write_unfinished(c);
		fputs(c->objects ? "\n]\n" : "[\n]\n", s->out);
		c->closed = true;
	}
	return render_status(s->out, &c->err, true);
}

static void chrome_destroy(struct sink *s)
{
	struct chrome_sink *c = (struct chrome_sink *)s;
	struct thread_calls *th;
	size_t pos = 0;
	uint64_t key;

	if (!c)
		return;
	while ((th = hashmap_next(&c->threads, &pos, &key))) {
		while (th->n)
			pop(th);
		free(th->v);
		free(th);
	}
	hashmap_free(&c->threads);
	hashmap_free(&c->pids);
	free(c);
}

static const struct sink_ops chrome_ops = {
	.event = chrome_event,
	.tick = chrome_tick,
	.flush = chrome_flush,
	.destroy = chrome_destroy,
};

int chrome_sink_new(FILE *out, struct sink **s)
{
	struct chrome_sink *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->base.ops = &chrome_ops;
	c->base.out = out;
	*s = &c->base;
	return 0;
}
