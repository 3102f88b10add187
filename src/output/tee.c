/* -c -v: every call printed by one sink and counted by another. */
#include <errno.h>
#include <stdlib.h>
#include "output/priv.h"

struct tee_sink {
	struct sink base;        /* first: the sink pointer is the tee_sink */
	struct sink *calls;      /* per-call output */
	struct sink *summary;
};

static int first_error(int a, int b)
{
	return a ? a : b;
}

static int tee_event(struct sink *s, const struct event *e)
{
	struct tee_sink *t = (struct tee_sink *)s;
	int err = 0;

	if (!e->dropped)
		err = t->calls->ops->event(t->calls, e);
	return first_error(err, t->summary->ops->event(t->summary, e));
}

static int tee_tick(struct sink *s, uint64_t now_ns)
{
	struct tee_sink *t = (struct tee_sink *)s;
	int err = t->calls->ops->tick(t->calls, now_ns);

	return first_error(err, t->summary->ops->tick(t->summary, now_ns));
}

/* The calls first: the tables come after them. */
static int tee_flush(struct sink *s)
{
	struct tee_sink *t = (struct tee_sink *)s;
	int err = t->calls->ops->flush(t->calls);

	return first_error(err, t->summary->ops->flush(t->summary));
}

static void tee_destroy(struct sink *s)
{
	struct tee_sink *t = (struct tee_sink *)s;

	if (!t)
		return;
	t->calls->ops->destroy(t->calls);
	t->summary->ops->destroy(t->summary);
	free(t);
}

static const struct sink_ops tee_ops = {
	.event = tee_event,
	.tick = tee_tick,
	.flush = tee_flush,
	.destroy = tee_destroy,
};

int tee_sink_open(struct sink *calls, struct sink *summary, struct sink **s)
{
	struct tee_sink *t;

	if (!calls || !summary || !s)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->base.ops = &tee_ops;
	t->base.out = calls->out;
	t->calls = calls;
	t->summary = summary;
	*s = &t->base;
	return 0;
}
