/* -c, --summary: count calls and durations per function, print them as a
 * table at the end, and per interval with --summary-interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/hashmap.h"
#include "output/priv.h"

/* A function's statistics for the whole run and for the current interval. */
struct fn_entry {
	struct fn_stats run, cur;
};

struct summary_sink {
	struct sink base;        /* first: the sink pointer is the summary_sink */
	enum output_format fmt;
	/* a function's name and module -> struct fn_entry: one row even for
	 * a function resolved again in each followed process (-F) */
	struct hashmap by_fn;
	uint64_t interval_ns;    /* 0: one table at the end */
	uint64_t next_ns;        /* the current interval's table is due */
	/* Sinks see no clock but the events' and the ticks' times. */
	uint64_t first_ns, last_ns, cur_start_ns;
	bool cur_events;         /* the current interval has had an event */
	int err;
};

static void see_time(struct summary_sink *s, uint64_t ns)
{
	if (!s->first_ns) {
		s->first_ns = s->cur_start_ns = ns;
		s->next_ns = ns + s->interval_ns;
	}
	if (ns > s->last_ns)
		s->last_ns = ns;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;   /* ends the string */
}

static bool same_func(const struct func_desc *a, const struct func_desc *b)
{
	return a == b || (a && b && !strcmp(a->name, b->name) &&
			  !strcmp(a->module, b->module));
}

static struct fn_entry *entry_get(struct summary_sink *s, const struct func_desc *fn)
{
	uint64_t key = fn ? fnv1a(fnv1a(0xcbf29ce484222325ull, fn->module), fn->name) : 0;
	struct fn_entry *e;

	/* a hash shared by two functions: the next key */
	while ((e = hashmap_get(&s->by_fn, key)) && !same_func(e->run.fn, fn))
		key++;
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (hashmap_put(&s->by_fn, key, e)) {
		free(e);
		return NULL;
	}
	e->run.fn = e->cur.fn = fn;
	return e;
}

static void count(struct fn_stats *st, enum event_type type)
{
	switch (type) {
	case EV_CALL: case EV_HIT: st->calls++; break;
	case EV_RETURN: st->returns++; break;
	case EV_UNWIND: st->unwinds++; break;
	default: break;   /* process records */
	}
}

static int summary_event(struct sink *sk, const struct event *ev)
{
	struct summary_sink *s = (struct summary_sink *)sk;
	struct fn_entry *e;

	if (ev->proc)
		return 0;
	see_time(s, ev->ts_ns);
	e = entry_get(s, ev->fn);
	if (!e)
		return -ENOMEM;
	/* Counts and histograms stay consistent even when memory runs out. */
	bool timed = ev->type == EV_RETURN || ev->type == EV_UNWIND;

	if (timed && hist_add(&e->run.dur, ev->dur_ns))
		return -ENOMEM;
	count(&e->run, ev->type);
	s->cur_events = true;
	if (timed && hist_add(&e->cur.dur, ev->dur_ns))
		return -ENOMEM;
	count(&e->cur, ev->type);
	return 0;
}

static int by_total_desc(const void *pa, const void *pb)
{
	const struct fn_stats *a = *(const struct fn_stats *const *)pa;
	const struct fn_stats *b = *(const struct fn_stats *const *)pb;
	const char *na = a->fn && a->fn->name ? a->fn->name : "";
	const char *nb = b->fn && b->fn->name ? b->fn->name : "";
	const char *ma = a->fn && a->fn->module ? a->fn->module : "";
	const char *mb = b->fn && b->fn->module ? b->fn->module : "";
	int c;

	if (a->dur.total != b->dur.total)
		return a->dur.total > b->dur.total ? -1 : 1;
	c = strcmp(na, nb);
	return c ? c : strcmp(ma, mb);
}

/* Print the run's or the interval's table; functions without a call,
 * return or unwind in it are left out. */
static int write_table(struct summary_sink *s, bool interval, uint64_t start, uint64_t end)
{
	const struct fn_stats **rows = calloc(s->by_fn.count + 1, sizeof(*rows));
	struct summary_table t = { .interval = interval, .start_ns = start, .end_ns = end };
	struct fn_entry *e;
	size_t pos = 0, n = 0;
	uint64_t key;

	if (!rows)
		return -ENOMEM;
	while ((e = hashmap_next(&s->by_fn, &pos, &key))) {
		const struct fn_stats *st = interval ? &e->cur : &e->run;

		if (st->calls || st->returns || st->unwinds)
			rows[n++] = st;
	}
	qsort(rows, n, sizeof(*rows), by_total_desc);
	t.rows = rows;
	t.nrows = n;
	if (s->fmt == FMT_JSON)
		summary_write_json(s->base.out, &t);
	else
		summary_write_text(s->base.out, &t);
	free(rows);
	return 0;
}

static void interval_reset(struct summary_sink *s, uint64_t now)
{
	struct fn_entry *e;
	size_t pos = 0;
	uint64_t key;

	while ((e = hashmap_next(&s->by_fn, &pos, &key))) {
		e->cur.calls = e->cur.returns = e->cur.unwinds = 0;
		hist_reset(&e->cur.dur);
	}
	s->cur_start_ns = now;
	s->cur_events = false;
}

static int summary_tick(struct sink *sk, uint64_t now_ns)
{
	struct summary_sink *s = (struct summary_sink *)sk;
	int err = 0;

	if (s->err)
		return s->err;
	errno = 0;
	see_time(s, now_ns);
	if (s->interval_ns && now_ns >= s->next_ns) {
		err = write_table(s, true, s->cur_start_ns, now_ns);
		interval_reset(s, now_ns);
		/* Keep to the original schedule; skip what a long stall missed. */
		while (s->next_ns <= now_ns)
			s->next_ns += s->interval_ns;
	}
	return err ? err : render_status(s->base.out, &s->err, true);
}

static int summary_flush(struct sink *sk)
{
	struct summary_sink *s = (struct summary_sink *)sk;
	int err = 0, run_err;

	if (s->err)
		return s->err;
	errno = 0;
	/* The last, partial interval, so that the intervals add up to the
	 * run (unless nothing happened in it); then the run. */
	if (s->interval_ns && s->cur_events) {
		err = write_table(s, true, s->cur_start_ns, s->last_ns);
		interval_reset(s, s->last_ns);
	}
	run_err = write_table(s, false, s->first_ns, s->last_ns);
	err = err ? err : run_err;
	return err ? err : render_status(s->base.out, &s->err, true);
}

static void summary_destroy(struct sink *sk)
{
	struct summary_sink *s = (struct summary_sink *)sk;
	struct fn_entry *e;
	size_t pos = 0;
	uint64_t key;

	if (!s)
		return;
	while ((e = hashmap_next(&s->by_fn, &pos, &key))) {
		hist_free(&e->run.dur);
		hist_free(&e->cur.dur);
		free(e);
	}
	hashmap_free(&s->by_fn);
	free(s);
}

static const struct sink_ops summary_ops = {
	.event = summary_event,
	.tick = summary_tick,
	.flush = summary_flush,
	.destroy = summary_destroy,
};

int summary_sink_open(enum output_format fmt, FILE *out, uint64_t interval_ns,
		      struct sink **sk)
{
	struct summary_sink *s;

	if (!out || !sk)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &summary_ops;
	s->base.out = out;
	s->fmt = fmt;
	s->interval_ns = interval_ns;
	*sk = &s->base;
	return 0;
}
