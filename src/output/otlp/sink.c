/* --otlp, --otlp-file: each reported call becomes a span when it ends,
 * the child of the traced call open below it on the same thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"
#include "util/clock.h"

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
	pid_t pid;              /* the resource's process */
	struct otlp_tree tree;
	uint8_t parent_trace[16], parent_span[8];  /* --trace-parent */
	char *status_error;      /* "error-if: EXPR" */
	struct export ex[2];
	unsigned nex;
	struct otlp_buf scratch;
};

/* Encode the finished span for every destination and free it. */
static int finish(void *ctx, struct otlp_span *s)
{
	struct otlp_sink *o = ctx;
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

static int no_change(void *arg, struct otlp_span *s)
{
	(void)arg;
	(void)s;
	return 0;
}

static int call_attrs(struct otlp_attrs *a, const struct event *e, pid_t own)
{
	const struct func_desc *fn = e->fn;
	char key[300];
	int err = otlp_attrs_str(a, "code.function.name", fn->name, strlen(fn->name));

	if (!err && fn->decl_file)
		err = otlp_attrs_str(a, "code.file.path", fn->decl_file,
				     strlen(fn->decl_file));
	if (!err && fn->decl_line)
		err = otlp_attrs_int(a, "code.line.number", fn->decl_line);
	if (!err)
		err = otlp_attrs_int(a, "thread.id", e->tid);
	/* -F, several -p: one resource, the first process's; other spans
	 * say whose */
	if (!err && own && e->pid != own)
		err = otlp_attrs_int(a, "process.pid", e->pid);
	for (unsigned i = 0; !err && i < e->nargs; i++) {
		const struct value *v = &e->args[i];

		if (v->kind == V_VARARGS)
			continue;
		if (v->name)
			snprintf(key, sizeof(key), "latch.%s.%s",
				 i >= e->nargs - e->nlocals ? "local" : "arg", v->name);
		else
			snprintf(key, sizeof(key), "latch.arg.arg%u", i + 1);
		err = otlp_attrs_value(a, key, v);
	}
	return err;
}

static int on_call(struct otlp_sink *o, const struct event *e)
{
	struct otlp_span s = {
		.name = func_label(e->fn),
		.start_ns = e->ts_ns,
		.end_ns = e->ts_ns,
	};
	int err = call_attrs(&s.attrs, e, o->pid);

	if (err) {
		otlp_attrs_free(&s.attrs);
		return err;
	}
	if (o->c.no_returns) {
		/* no nesting without returns: each call on its own */
		err = otlp_tree_call(&o->tree, e->tid, e->call_id, 0, &s);
		return err ? err : otlp_tree_end(&o->tree, e->tid, e->call_id, 0,
						 no_change, NULL);
	}
	return otlp_tree_call(&o->tree, e->tid, e->call_id, e->depth, &s);
}

struct ending {
	const struct otlp_sink *o;
	const struct event *e;
};

static int complete(void *arg, struct otlp_span *s)
{
	const struct ending *x = arg;
	const struct event *e = x->e;

	s->end_ns = event_end_ns(e, s->start_ns);
	if (e->type == EV_UNWIND) {
		s->status = OTLP_STATUS_ERROR;
		s->status_message = "unwound";
		return 0;
	}
	if (e->error) {
		s->status = OTLP_STATUS_ERROR;
		s->status_message = x->o->status_error;
	}
	return e->ret.kind == V_NONE ? 0 : otlp_attrs_value(&s->attrs, "latch.return", &e->ret);
}

static int on_end(struct otlp_sink *o, const struct event *e)
{
	struct ending x = { o, e };

	return otlp_tree_end(&o->tree, e->tid, e->call_id, e->depth, complete, &x);
}

/* A site's hit: a span of no length, inside the call it happened in. */
static int on_hit(struct otlp_sink *o, const struct event *e)
{
	int err = on_call(o, e);

	if (err || o->c.no_returns)
		return err;
	return otlp_tree_end(&o->tree, e->tid, e->call_id, e->depth, no_change, NULL);
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
	o->pid = e->pid;
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
	case EV_FORK:
	case EV_EXEC:
	case EV_EXIT:
		return 0;
	case EV_CALL:
		return on_call(o, e);
	case EV_RETURN:
	case EV_UNWIND:
		return on_end(o, e);
	case EV_HIT:
		return on_hit(o, e);
	}
	return 0;
}

static int otlp_tick(struct sink *s, uint64_t now_ns)
{
	(void)s;
	(void)now_ns;
	return 0;
}

static int otlp_flush(struct sink *sk)
{
	struct otlp_sink *o = (struct otlp_sink *)sk;

	/* calls still open when tracing stops end now, marked as such */
	otlp_tree_flush(&o->tree, real_ns(), "latch.incomplete");
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
	o->c.report(msg);
}

static void otlp_destroy(struct sink *sk)
{
	struct otlp_sink *o = (struct otlp_sink *)sk;

	if (!o)
		return;
	otlp_flush(sk);
	for (unsigned i = 0; i < o->nex && o->c.report; i++)
		report(o, &o->ex[i]);
	otlp_tree_free(&o->tree);
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
	o->tree.emit = finish;
	o->tree.ctx = o;
	rc = otlp_settings_read(c, &o->set, err, errlen);
	if (rc)
		goto destroy;
	if (c->trace_parent) {
		rc = otlp_traceparent_parse(c->trace_parent, o->parent_trace, o->parent_span);
		if (rc) {
			snprintf(err, errlen, "invalid --trace-parent '%.80s'", c->trace_parent);
			goto destroy;
		}
		o->tree.root_trace = o->parent_trace;
		o->tree.root_parent = o->parent_span;
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
	o->c.report = NULL;    /* nothing ran */
	otlp_destroy(&o->base);
	return rc;
}
