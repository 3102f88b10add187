/* --otlp, --otlp-file: each reported call becomes a span when it ends,
 * the child of the traced call open below it on the same thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hashmap.h"
#include "output/otlp_env.h"
#include "symbols.h"

/* A call whose span is not finished. */
struct open_span {
	uint64_t call_id;
	struct otlp_span span;
};

/* The open calls of one thread, innermost last. */
struct span_stack {
	struct open_span *v;
	size_t n, cap;
};

/* One destination with its encoding. */
struct export {
	struct otlp_exporter *x;
	enum otlp_encoding enc;
	const char *label;       /* for the closing counts */
	struct otlp_export_stats st;
	bool stopped;
};

struct otlp_sink {
	struct sink base;        /* first: the sink pointer is the otlp_sink */
	struct otlp_sink_config c;
	struct otlp_settings set;
	struct otlp_attrs resource;
	bool have_resource;
	struct hashmap threads;  /* tid -> struct span_stack */
	uint8_t parent_trace[16], parent_span[8];  /* --trace-parent */
	bool have_parent;
	char *status_error;      /* "error-if: EXPR" */
	struct export ex[2];
	unsigned nex;
	struct otlp_buf scratch;
};

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct span_stack *stack_of(struct otlp_sink *o, pid_t tid)
{
	struct span_stack *st = hashmap_get(&o->threads, (uint64_t)tid);

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (st && hashmap_put(&o->threads, (uint64_t)tid, st)) {
		free(st);
		st = NULL;
	}
	return st;
}

/* Encode the finished span for every destination and free it. */
static int finish(struct otlp_sink *o, struct otlp_span *s)
{
	int err = 0;

	for (unsigned i = 0; i < o->nex && !err; i++) {
		o->scratch.len = 0;
		err = otlp_span_encode(&o->scratch, o->ex[i].enc, s);
		if (!err)
			otlp_exporter_push(o->ex[i].x, &o->scratch);
	}
	otlp_attrs_free(&s->attrs);
	return err;
}

static int call_attrs(struct otlp_attrs *a, const struct event *e)
{
	const struct func_info *fn = e->fn;
	char key[300];
	int err = otlp_attrs_str(a, "code.function.name", fn->name, strlen(fn->name));

	if (!err && fn->decl_file)
		err = otlp_attrs_str(a, "code.file.path", fn->decl_file,
				     strlen(fn->decl_file));
	if (!err && fn->decl_line)
		err = otlp_attrs_int(a, "code.line.number", fn->decl_line);
	if (!err)
		err = otlp_attrs_int(a, "thread.id", e->tid);
	for (unsigned i = 0; !err && i < e->nargs; i++) {
		const struct value *v = &e->args[i];

		if (v->kind == V_VARARGS)
			continue;
		if (v->name)
			snprintf(key, sizeof(key), "latch.arg.%s", v->name);
		else
			snprintf(key, sizeof(key), "latch.arg.arg%u", i + 1);
		err = otlp_attrs_value(a, key, v);
	}
	return err;
}

static int on_call(struct otlp_sink *o, const struct event *e)
{
	struct span_stack *st = stack_of(o, e->tid);
	struct otlp_span s = {
		.name = e->fn->name,
		.start_ns = e->ts_ns,
		.end_ns = e->ts_ns,
	};
	int err;

	if (!st)
		return -ENOMEM;
	otlp_new_span_id(s.span_id);
	if (st->n) {
		const struct otlp_span *up = &st->v[st->n - 1].span;

		memcpy(s.trace_id, up->trace_id, sizeof(s.trace_id));
		memcpy(s.parent_id, up->span_id, sizeof(s.parent_id));
	} else if (o->have_parent) {
		memcpy(s.trace_id, o->parent_trace, sizeof(s.trace_id));
		memcpy(s.parent_id, o->parent_span, sizeof(s.parent_id));
	} else {
		otlp_new_trace_id(s.trace_id);
	}
	err = call_attrs(&s.attrs, e);
	if (err)
		goto free_attrs;
	if (o->c.no_returns)
		return finish(o, &s);
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		struct open_span *v = realloc(st->v, cap * sizeof(*v));

		err = -ENOMEM;
		if (!v)
			goto free_attrs;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = (struct open_span){ .call_id = e->call_id, .span = s };
	return 0;

free_attrs:
	otlp_attrs_free(&s.attrs);
	return err;
}

static int on_end(struct otlp_sink *o, const struct event *e)
{
	struct span_stack *st = hashmap_get(&o->threads, (uint64_t)e->tid);
	struct otlp_span *s;
	size_t i;
	int err = 0;

	if (!st)
		return 0;
	for (i = st->n; i > 0 && st->v[i - 1].call_id != e->call_id; i--)
		;
	if (!i)
		return 0;   /* its call was not reported */
	/* Calls above it ended unseen with it: the tracer reports every
	 * unwind, so this only follows a failure to record one. */
	while (st->n > i)
		otlp_attrs_free(&st->v[--st->n].span.attrs);
	s = &st->v[--st->n].span;
	s->end_ns = s->start_ns + e->dur_ns;
	if (e->type == EV_UNWIND) {
		s->status = OTLP_STATUS_ERROR;
		s->status_message = "unwound";
	} else {
		if (e->ret.kind != V_NONE)
			err = otlp_attrs_value(&s->attrs, "latch.return", &e->ret);
		if (e->error) {
			s->status = OTLP_STATUS_ERROR;
			s->status_message = o->status_error;
		}
	}
	if (err) {
		otlp_attrs_free(&s->attrs);
		return err;
	}
	return finish(o, s);
}

static int on_process(struct otlp_sink *o, const struct event *e)
{
	struct otlp_process p = {
		.pid = e->pid,
		.exe = e->proc->exe,
		.command_line = e->proc->command_line,
		.comm = e->proc->comm,
	};
	char err[256], msg[300];
	int rc;

	/* The exporters read the resource while sending: it is set once,
	 * before the first span is queued. */
	if (o->have_resource)
		return 0;
	o->have_resource = true;
	rc = otlp_resource_build(&o->resource, &p, o->c.service_name, err, sizeof(err));
	if (rc == -EINVAL && o->c.warn) {
		snprintf(msg, sizeof(msg), "otlp: %s", err);
		o->c.warn(msg);
	}
	return rc == -ENOMEM ? rc : 0;
}

static int otlp_event(struct sink *sk, const struct event *e)
{
	struct otlp_sink *o = (struct otlp_sink *)sk;

	if (e->dropped)
		return 0;
	switch (e->type) {
	case EV_PROCESS:
		return on_process(o, e);
	case EV_CALL:
		return on_call(o, e);
	case EV_RETURN:
	case EV_UNWIND:
		return on_end(o, e);
	}
	return 0;
}

static int otlp_tick(struct sink *s, uint64_t now_ns)
{
	(void)s;
	(void)now_ns;
	return 0;
}

/* Calls still open when tracing stops end now, marked as such. */
static void finish_open(struct otlp_sink *o)
{
	uint64_t now = now_real_ns();
	struct span_stack *st;
	size_t pos = 0;

	while ((st = hashmap_next(&o->threads, &pos, NULL))) {
		while (st->n) {
			struct otlp_span *s = &st->v[--st->n].span;

			s->end_ns = now > s->start_ns ? now : s->start_ns;
			if (otlp_attrs_bool(&s->attrs, "latch.incomplete", true))
				otlp_attrs_free(&s->attrs);
			else
				finish(o, s);
		}
	}
}

static int otlp_flush(struct sink *sk)
{
	struct otlp_sink *o = (struct otlp_sink *)sk;

	finish_open(o);
	for (unsigned i = 0; i < o->nex; i++) {
		if (o->ex[i].stopped)
			continue;
		otlp_exporter_stop(o->ex[i].x, &o->ex[i].st);
		o->ex[i].stopped = true;
	}
	return 0;
}

static void report(const struct otlp_sink *o, const struct export *x)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %llu spans sent, %llu dropped, %llu failed, "
		 "%llu retries", x->label, (unsigned long long)x->st.sent,
		 (unsigned long long)x->st.dropped, (unsigned long long)x->st.failed,
		 (unsigned long long)x->st.retries);
	if (o->c.warn)
		o->c.warn(msg);
}

static void otlp_destroy(struct sink *sk)
{
	struct otlp_sink *o = (struct otlp_sink *)sk;
	struct span_stack *st;
	size_t pos = 0;

	if (!o)
		return;
	otlp_flush(sk);
	/* nothing to count when tracing never started */
	for (unsigned i = 0; i < o->nex && o->have_resource; i++)
		report(o, &o->ex[i]);
	while ((st = hashmap_next(&o->threads, &pos, NULL))) {
		free(st->v);
		free(st);
	}
	hashmap_free(&o->threads);
	otlp_attrs_free(&o->resource);
	otlp_buf_free(&o->scratch);
	free(o->status_error);
	free(o);
}

static const struct sink_ops otlp_ops = {
	.event = otlp_event,
	.tick = otlp_tick,
	.flush = otlp_flush,
	.destroy = otlp_destroy,
};

static int start_export(struct otlp_sink *o, const char *url, FILE *file,
			enum otlp_encoding enc, const char *label, char *err, size_t errlen)
{
	struct export *x = &o->ex[o->nex];
	struct otlp_exporter_config xc = {
		.url = url,
		.file = file,
		.enc = enc,
		.headers = url ? o->set.headers : NULL,
		.max_queue = o->set.max_queue,
		.max_batch = o->set.max_batch,
		.delay_ns = o->set.delay_ns,
		.timeout_ns = o->set.timeout_ns,
		.resource = &o->resource,
		.warn = o->c.warn,
	};
	int rc = otlp_exporter_start(&xc, &x->x);

	if (rc) {
		snprintf(err, errlen, "%s: cannot start exporting: %s", label,
			 rc == -EINVAL ? "malformed OTEL_EXPORTER_OTLP_HEADERS" : strerror(-rc));
		return rc;
	}
	x->enc = enc;
	x->label = label;
	o->nex++;
	return 0;
}

int otlp_sink_open(const struct otlp_sink_config *c, struct sink **s,
		   char *err, size_t errlen)
{
	struct otlp_sink *o = calloc(1, sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	o->base.ops = &otlp_ops;
	o->c = *c;
	rc = otlp_settings_read(c, &o->set, err, errlen);
	if (rc)
		goto destroy;
	if (c->trace_parent) {
		rc = otlp_traceparent_parse(c->trace_parent, o->parent_trace, o->parent_span);
		if (rc) {
			snprintf(err, errlen, "invalid --trace-parent '%.80s'", c->trace_parent);
			goto destroy;
		}
		o->have_parent = true;
	}
	if (c->error_if && asprintf(&o->status_error, "error-if: %s", c->error_if) < 0) {
		o->status_error = NULL;
		rc = -ENOMEM;
		goto destroy;
	}
	if (o->set.url[0])
		rc = start_export(o, o->set.url, NULL, o->set.enc, "otlp", err, errlen);
	if (!rc && c->file)
		rc = start_export(o, NULL, c->file, OTLP_JSON, "otlp-file", err, errlen);
	if (rc)
		goto destroy;
	*s = &o->base;
	return 0;

destroy:
	otlp_destroy(&o->base);
	return rc;
}
