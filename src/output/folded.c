/* -f folded: one line per call stack, "outer;middle;inner WEIGHT", the
 * input of flamegraph.pl, inferno and speedscope. WEIGHT is the stack's
 * self time in nanoseconds over the run: each ended call's duration less
 * the durations of the traced calls it made, summed per stack. The lines
 * are written at the end, sorted; calls still running are not counted.
 *
 * Each thread's open calls are kept by depth (the event's count of open
 * traced calls below it). A depth with no call known is a hole: its call
 * has not been reported yet (it waits for its return condition, and
 * arrives with its entry time after the calls it made) or never will be
 * (its return condition failed). What ends above a hole is tallied in the
 * hole by the part of the stack above it, in one segment per call made
 * just above it. When a call arrives at the hole's depth, the segments
 * that began after its entry are its own and join its stack; older ones,
 * and all of them once the thread shows the hole's call gone, count
 * without it. So self times and stacks come out as if every call had
 * arrived at its entry. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "util/hashmap.h"
#include "output/priv.h"

/* Beyond this many, a hole's two oldest segments become one: a call
 * arriving between their entries then gets neither. */
#define MAX_SEGMENTS 64
/* Deeper calls are not counted: no real stack nests this far. */
#define MAX_DEPTH (1u << 20)

struct segment {
	uint64_t ts_ns;           /* entry of the first call in it */
	uint64_t child_ns;        /* durations of its calls at depth + 1 */
	struct stackmap above;    /* self times by the stack above the hole */
};

struct slot {
	char *name;               /* the open call here; NULL: a hole */
	uint64_t call_id;
	uint64_t ts_ns;
	uint64_t child_ns;        /* durations of the calls it made */
	struct segment *seg;      /* a hole's, oldest first */
	unsigned nseg, capseg;
};

struct fthread {
	struct slot *s;           /* by depth */
	unsigned n, cap;          /* n: deepest slot in use + 1 */
};

struct folded_sink {
	struct sink base;         /* first: the sink pointer is the folded_sink */
	struct hashmap threads;   /* tid -> struct fthread */
	struct stackmap stacks;   /* whole stacks */
	bool closed;
	int err;
};

static void segment_free(struct segment *g)
{
	stackmap_free(&g->above);
}

static int segment_new(struct slot *h, uint64_t ts)
{
	if (h->nseg == MAX_SEGMENTS) {
		int err = stackmap_merge(&h->seg[0].above, &h->seg[1].above);

		if (err)
			return err;
		h->seg[0].child_ns += h->seg[1].child_ns;
		segment_free(&h->seg[1]);
		memmove(&h->seg[1], &h->seg[2], (h->nseg - 2) * sizeof(*h->seg));
		h->nseg--;
	}
	if (h->nseg == h->capseg) {
		unsigned cap = h->capseg ? 2 * h->capseg : 4;
		struct segment *v = realloc(h->seg, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->seg = v;
		h->capseg = cap;
	}
	h->seg[h->nseg++] = (struct segment){ .ts_ns = ts };
	return 0;
}

static int segment_last(struct slot *h, uint64_t ts, struct segment **g)
{
	int err = h->nseg ? 0 : segment_new(h, ts);

	*g = err ? NULL : &h->seg[h->nseg - 1];
	return err;
}

static void slot_clear(struct slot *sl)
{
	for (unsigned i = 0; i < sl->nseg; i++)
		segment_free(&sl->seg[i]);
	free(sl->seg);
	free(sl->name);
	*sl = (struct slot){ 0 };
}

/* "a;b;path" from the names of slots from..to-1. */
static char *join(const struct fthread *th, unsigned from, unsigned to,
		  const char *path, size_t *len)
{
	size_t n = strlen(path) + 1;
	char *s, *p;

	for (unsigned i = from; i < to; i++)
		n += strlen(th->s[i].name) + 1;
	s = p = malloc(n);
	if (!s)
		return NULL;
	for (unsigned i = from; i < to; i++)
		p = stpcpy(stpcpy(p, th->s[i].name), ";");
	p = stpcpy(p, path);
	*len = (size_t)(p - s);
	return s;
}

/* w ns of self time of a call at depth level whose stack from there up is
 * path: to the whole stacks, or to the nearest hole below. */
static int record(struct folded_sink *c, struct fthread *th, unsigned level,
		  const char *path, uint64_t ts, uint64_t w)
{
	unsigned from = level;
	struct segment *g = NULL;
	size_t len;
	char *key;
	int err;

	if (!w)
		return 0;
	while (from && th->s[from - 1].name)
		from--;
	if (from) {
		err = segment_last(&th->s[from - 1], ts, &g);
		if (err)
			return err;
	}
	key = join(th, from, level, path, &len);
	if (!key)
		return -ENOMEM;
	err = stackmap_add(g ? &g->above : &c->stacks, key, len, w);
	free(key);
	return err;
}

/* A call at depth level lasted dur: the time of its caller's callees. */
static int add_child(struct fthread *th, unsigned level, uint64_t dur, uint64_t ts)
{
	struct slot *p;
	struct segment *g;
	int err;

	if (!level || !dur)
		return 0;
	p = &th->s[level - 1];
	if (p->name) {
		p->child_ns += dur;
		return 0;
	}
	err = segment_last(p, ts, &g);
	if (!err)
		g->child_ns += dur;
	return err;
}

/* Tally a hole's segments from..to-1 at its depth, under name (NULL: the
 * hole's call was never reported), and free them. */
static int resolve(struct folded_sink *c, struct fthread *th, unsigned level,
		   unsigned from, unsigned to, const char *name)
{
	struct slot *h = &th->s[level];
	int err = 0;

	if (from == to)
		return 0;
	for (unsigned i = from; i < to && !err; i++) {
		struct segment *g = &h->seg[i];
		struct stack_weight **v;
		char *path = NULL;

		err = stackmap_sorted(&g->above, &v);
		for (size_t k = 0; !err && k < g->above.count; k++) {
			const char *p = v[k]->key;

			if (name) {
				if (asprintf(&path, "%s;%s", name, p) < 0) {
					err = -ENOMEM;
					break;
				}
				p = path;
			}
			err = record(c, th, level, p, g->ts_ns, v[k]->weight);
			free(path);
			path = NULL;
		}
		free(v);
		if (!err && !name)
			err = add_child(th, level, g->child_ns, g->ts_ns);
	}
	for (unsigned i = from; i < to; i++)
		segment_free(&h->seg[i]);
	memmove(&h->seg[from], &h->seg[to], (h->nseg - to) * sizeof(*h->seg));
	h->nseg -= to - from;
	return err;
}

/* The call at depth i is gone without an end that counts (still running
 * at the end, or never to end): what it made still counts, under its
 * caller. */
static int forget(struct folded_sink *c, struct fthread *th, unsigned i)
{
	struct slot *sl = &th->s[i];
	int err = sl->name ? add_child(th, i, sl->child_ns, sl->ts_ns)
			   : resolve(c, th, i, 0, sl->nseg, NULL);

	slot_clear(sl);
	return err;
}

static int truncate_at(struct folded_sink *c, struct fthread *th, unsigned level)
{
	int err = 0;

	while (th->n > level) {
		int e = forget(c, th, th->n - 1);

		err = err ? err : e;
		th->n--;
	}
	return err;
}

static int thread_get(struct folded_sink *c, pid_t tid, struct fthread **out)
{
	uint64_t key = (uint64_t)(uint32_t)tid;
	struct fthread *th = hashmap_get(&c->threads, key);

	if (!th) {
		th = calloc(1, sizeof(*th));
		if (!th)
			return -ENOMEM;
		if (hashmap_put(&c->threads, key, th)) {
			free(th);
			return -ENOMEM;
		}
	}
	*out = th;
	return 0;
}

static void thread_free(struct fthread *th)
{
	for (unsigned i = 0; i < th->cap; i++)
		slot_clear(&th->s[i]);
	free(th->s);
	free(th);
}

/* Frame names may not hold the separator. */
static char *frame_name(const struct event *e)
{
	char *s = strdup(e->fn && e->fn->name ? e->fn->name : "?");

	for (char *p = s; p && *p; p++)
		if (*p == ';' || *p == '\n')
			*p = '_';
	return s;
}

static int slots_reserve(struct fthread *th, unsigned d)
{
	unsigned cap = th->cap ? th->cap : 16;
	struct slot *v;

	if (d < th->cap)
		return 0;
	while (cap <= d)
		cap *= 2;
	v = realloc(th->s, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(v + th->cap, 0, (cap - th->cap) * sizeof(*v));
	th->s = v;
	th->cap = cap;
	return 0;
}

static int on_call(struct folded_sink *c, const struct event *e)
{
	unsigned d = e->depth, k = 0;
	struct fthread *th;
	struct slot *sl;
	int err;

	if (d >= MAX_DEPTH)
		return 0;
	err = thread_get(c, e->tid, &th);
	if (!err)
		err = truncate_at(c, th, d + 1);
	if (!err)
		err = slots_reserve(th, d);
	if (err)
		return err;
	if (th->n <= d)
		th->n = d + 1;
	sl = &th->s[d];
	if (sl->name && (err = forget(c, th, d)))
		return err;
	/* The segments older than this call are another call's. */
	while (k < sl->nseg && sl->seg[k].ts_ns < e->ts_ns)
		k++;
	err = resolve(c, th, d, 0, k, NULL);
	if (!err && d && !th->s[d - 1].name)
		err = segment_new(&th->s[d - 1], e->ts_ns);
	if (err)
		return err;
	sl->name = frame_name(e);
	if (!sl->name)
		return -ENOMEM;
	sl->call_id = e->call_id;
	sl->ts_ns = e->ts_ns;
	sl->child_ns = 0;
	for (unsigned i = 0; i < sl->nseg; i++)
		sl->child_ns += sl->seg[i].child_ns;
	return resolve(c, th, d, 0, sl->nseg, sl->name);
}

/* A return or unwind without its call (never reported) counts nothing. */
static int on_end(struct folded_sink *c, const struct event *e)
{
	struct fthread *th = hashmap_get(&c->threads, (uint64_t)(uint32_t)e->tid);
	unsigned d = e->depth;
	struct slot *sl;
	int err;

	if (!th || d >= th->n || !th->s[d].name || th->s[d].call_id != e->call_id)
		return 0;
	err = truncate_at(c, th, d + 1);
	sl = &th->s[d];
	if (!err)
		err = record(c, th, d, sl->name, sl->ts_ns,
			     e->dur_ns > sl->child_ns ? e->dur_ns - sl->child_ns : 0);
	if (!err)
		err = add_child(th, d, e->dur_ns, sl->ts_ns);
	slot_clear(sl);
	while (th->n && !th->s[th->n - 1].name && !th->s[th->n - 1].nseg)
		th->n--;
	if (!th->n) {
		hashmap_del(&c->threads, (uint64_t)(uint32_t)e->tid);
		thread_free(th);
	}
	return err;
}

static int folded_event(struct sink *s, const struct event *e)
{
	struct folded_sink *c = (struct folded_sink *)s;

	if (c->err)
		return c->err;
	if (e->dropped || c->closed)
		return 0;
	switch (e->type) {
	case EV_CALL:
		return on_call(c, e);
	case EV_RETURN:
	case EV_UNWIND:
		return on_end(c, e);
	default:
		return 0;
	}
}

static int folded_tick(struct sink *s, uint64_t now_ns)
{
	struct folded_sink *c = (struct folded_sink *)s;

	(void)now_ns;
	if (c->err)
		return c->err;
	errno = 0;
	return render_status(s->out, &c->err, true);
}

static int write_stacks(struct folded_sink *c)
{
	struct stack_weight **v;
	int err = stackmap_sorted(&c->stacks, &v);

	for (size_t i = 0; !err && i < c->stacks.count; i++)
		if (v[i]->weight)
			fprintf(c->base.out, "%s %" PRIu64 "\n", v[i]->key, v[i]->weight);
	free(v);
	return err;
}

static int folded_flush(struct sink *s)
{
	struct folded_sink *c = (struct folded_sink *)s;
	struct fthread *th;
	size_t pos = 0;
	uint64_t key;
	int err = 0;

	if (c->err)
		return c->err;
	errno = 0;
	if (!c->closed) {
		/* What ended under a hole counts, without the hole's call. */
		while (!err && (th = hashmap_next(&c->threads, &pos, &key)))
			err = truncate_at(c, th, 0);
		if (!err)
			err = write_stacks(c);
		c->closed = true;
	}
	return err ? err : render_status(s->out, &c->err, true);
}

static void folded_destroy(struct sink *s)
{
	struct folded_sink *c = (struct folded_sink *)s;
	struct fthread *th;
	size_t pos = 0;
	uint64_t key;

	if (!c)
		return;
	while ((th = hashmap_next(&c->threads, &pos, &key)))
		thread_free(th);
	hashmap_free(&c->threads);
	stackmap_free(&c->stacks);
	free(c);
}

static const struct sink_ops folded_ops = {
	.event = folded_event,
	.tick = folded_tick,
	.flush = folded_flush,
	.destroy = folded_destroy,
};

int folded_sink_new(FILE *out, struct sink **s)
{
	struct folded_sink *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->base.ops = &folded_ops;
	c->base.out = out;
	*s = &c->base;
	return 0;
}
