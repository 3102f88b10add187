/* Parents of spans, including those of calls that arrive late; see
 * output/otlp/tree.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"

/* Waiting spans a thread may hold before they all go without parents. */
#define MAX_WAITING 65536

/* An open call, or a finished span that waits. */
struct node {
	uint64_t call_id;
	unsigned depth;
	bool waits;              /* its parent, or an ancestor's, is unknown */
	bool root;               /* its own parent is unknown */
	uint8_t group[8];        /* waiting: its waiting root's span id */
	struct otlp_span span;
};

struct nodes {
	struct node *v;
	size_t n, cap;
};

struct tree_thread {
	struct nodes open;       /* innermost last */
	struct nodes done;       /* finished, waiting */
	uint8_t hole_trace[16];  /* the trace of waiting spans without an open call */
	bool have_hole_trace;
};

static int nodes_push(struct nodes *ns, const struct node *n)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 8;
		struct node *v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n++] = *n;
	return 0;
}

static struct tree_thread *thread_of(struct otlp_tree *t, pid_t tid)
{
	struct tree_thread *th = hashmap_get(&t->threads, (uint64_t)tid);

	if (th)
		return th;
	th = calloc(1, sizeof(*th));
	if (th && hashmap_put(&t->threads, (uint64_t)tid, th)) {
		free(th);
		th = NULL;
	}
	return th;
}

/* The waiting spans of group: to the group of into when it waits, else
 * sent. Then the waiting list closes its gaps. */
static int move_group(struct otlp_tree *t, struct tree_thread *th, const uint8_t *group,
		      const struct node *into)
{
	uint8_t key[8];
	size_t k = 0;
	int err = 0, rc;

	memcpy(key, group, sizeof(key));   /* group may point into the list */
	for (size_t i = 0; i < th->done.n; i++) {
		struct node *n = &th->done.v[i];

		if (memcmp(n->group, key, sizeof(key))) {
			th->done.v[k++] = *n;
		} else if (into && into->waits) {
			memcpy(n->group, into->group, sizeof(n->group));
			th->done.v[k++] = *n;
		} else {
			rc = t->emit(t->ctx, &n->span);
			err = err ? err : rc;
		}
	}
	th->done.n = k;
	if (!k && !th->open.n)
		th->have_hole_trace = false;
	return err;
}

/* Roots deeper than keep, or at keep and started before since, have lost
 * their late parent: they keep the one they had. */
static int settle(struct otlp_tree *t, struct tree_thread *th, unsigned keep,
		  uint64_t since)
{
	int err = 0, rc;

	for (size_t i = 0; i < th->done.n; i++) {
		struct node *n = &th->done.v[i];

		if (!n->root || n->depth < keep ||
		    (n->depth == keep && n->span.start_ns >= since))
			continue;
		n->root = false;
		rc = move_group(t, th, n->group, NULL);
		err = err ? err : rc;
		i = (size_t)-1;    /* the list moved */
	}
	return err;
}

/* Roots one deeper than the new call n, started inside it: its children. */
static int adopt(struct otlp_tree *t, struct tree_thread *th, const struct node *n)
{
	int err = 0, rc;

	for (size_t i = 0; i < th->done.n; i++) {
		struct node *c = &th->done.v[i];

		if (!c->root || c->depth != n->depth + 1 || c->span.start_ns < n->span.start_ns)
			continue;
		c->root = false;
		memcpy(c->span.parent_id, n->span.span_id, sizeof(c->span.parent_id));
		rc = move_group(t, th, c->group, n);
		err = err ? err : rc;
		i = (size_t)-1;
	}
	return err;
}

/* The trace of a call without an open caller: one its late children
 * already have, or the hole's, or a new one. */
static void root_trace(struct tree_thread *th, const struct node *n, bool uncertain,
		       uint8_t trace[16])
{
	for (size_t i = 0; i < th->done.n; i++) {
		const struct node *c = &th->done.v[i];

		if (c->root && c->depth == n->depth + 1 && c->span.start_ns >= n->span.start_ns) {
			memcpy(trace, c->span.trace_id, 16);
			return;
		}
	}
	if (!uncertain) {
		otlp_new_trace_id(trace);
		return;
	}
	if (!th->have_hole_trace)
		otlp_new_trace_id(th->hole_trace);
	th->have_hole_trace = true;
	memcpy(trace, th->hole_trace, 16);
}

int otlp_tree_call(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		   struct otlp_span *s)
{
	struct tree_thread *th = thread_of(t, tid);
	struct node n = { .call_id = call_id, .depth = depth, .span = *s };
	const struct node *top;
	int err;

	if (!th)
		goto free_span;
	err = settle(t, th, depth + 1, s->start_ns);
	top = th->open.n ? &th->open.v[th->open.n - 1] : NULL;
	otlp_new_span_id(n.span.span_id);
	n.root = top ? top->depth + 1 < depth : depth > 0;
	n.waits = n.root || (top && top->waits);
	if (n.root)
		memcpy(n.group, n.span.span_id, sizeof(n.group));
	else if (n.waits)
		memcpy(n.group, top->group, sizeof(n.group));
	if (top) {
		memcpy(n.span.trace_id, top->span.trace_id, sizeof(n.span.trace_id));
		memcpy(n.span.parent_id, top->span.span_id, sizeof(n.span.parent_id));
	} else if (t->root_trace) {
		memcpy(n.span.trace_id, t->root_trace, sizeof(n.span.trace_id));
		memcpy(n.span.parent_id, t->root_parent, sizeof(n.span.parent_id));
	} else {
		root_trace(th, &n, n.root, n.span.trace_id);
	}
	if (!err)
		err = adopt(t, th, &n);
	if (nodes_push(&th->open, &n))
		goto free_span;
	return err;

free_span:
	otlp_attrs_free(&s->attrs);
	return -ENOMEM;
}

/* A finished span: sent, or left to wait with its group. */
static int finished(struct otlp_tree *t, struct tree_thread *th, struct node *n)
{
	int err;

	if (!n->waits)
		return t->emit(t->ctx, &n->span);
	if (th->done.n >= MAX_WAITING)
		settle(t, th, 0, UINT64_MAX);    /* no hole lasts that long */
	err = nodes_push(&th->done, n);
	if (err)
		otlp_attrs_free(&n->span.attrs);
	return err;
}

int otlp_tree_end(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		  int (*complete)(void *arg, struct otlp_span *s), void *arg)
{
	struct tree_thread *th = hashmap_get(&t->threads, (uint64_t)tid);
	struct node n;
	size_t i;
	int err, rc;

	if (!th)
		return 0;
	err = settle(t, th, depth, 0);
	for (i = th->open.n; i > 0 && th->open.v[i - 1].call_id != call_id; i--)
		;
	if (!i)
		return err;   /* its call was not reported */
	/* Calls above it ended unseen with it: the tracer reports every
	 * unwind, so this only follows a failure to record one. */
	while (th->open.n > i)
		otlp_attrs_free(&th->open.v[--th->open.n].span.attrs);
	n = th->open.v[--th->open.n];
	rc = complete(arg, &n.span);
	if (rc) {
		otlp_attrs_free(&n.span.attrs);
		return rc;
	}
	rc = finished(t, th, &n);
	return err ? err : rc;
}

void otlp_tree_flush(struct otlp_tree *t, uint64_t end_ns, const char *mark)
{
	struct tree_thread *th;
	size_t pos = 0;

	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		while (th->open.n) {
			struct node n = th->open.v[--th->open.n];

			n.span.end_ns = end_ns > n.span.start_ns ? end_ns : n.span.start_ns;
			if (otlp_attrs_bool(&n.span.attrs, mark, true))
				otlp_attrs_free(&n.span.attrs);
			else
				finished(t, th, &n);
		}
		settle(t, th, 0, UINT64_MAX);
	}
}

void otlp_tree_free(struct otlp_tree *t)
{
	struct tree_thread *th;
	size_t pos = 0;

	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		for (size_t i = 0; i < th->open.n; i++)
			otlp_attrs_free(&th->open.v[i].span.attrs);
		for (size_t i = 0; i < th->done.n; i++)
			otlp_attrs_free(&th->done.v[i].span.attrs);
		free(th->open.v);
		free(th->done.v);
		free(th);
	}
	hashmap_free(&t->threads);
}
