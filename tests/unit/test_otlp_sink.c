/* --otlp-file's sink (output/otlp/sink.c): which calls become spans, their
 * parents and traces, status, and the calls still open at the end. The
 * encodings themselves are test_otlp's. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/event.h"
#include "output/output.h"

#define T0 1732400000000000000ull
#define TP_TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define TP_SPAN "00f067aa0ba902b7"

struct tspan {
	char name[32], trace[33], id[17], parent[17];
	int status;
	bool incomplete;
	bool local_y;           /* has the attribute latch.local.y */
	unsigned long long start, end;
};

static struct tspan spans[32];
static unsigned nspans;

static struct func_desc fa = { .name = (char *)"fa" }, fb = { .name = (char *)"fb" },
			fc = { .name = (char *)"fc" }, fd = { .name = (char *)"fd" };

/* The quoted string after key in [p, end), into out. */
static void field(const char *p, const char *end, const char *key, char *out, size_t len)
{
	const char *k = strstr(p, key);

	out[0] = 0;
	if (!k || k >= end)
		return;
	k += strlen(key);
	snprintf(out, len, "%.*s", (int)(strchr(k, '"') - k), k);
}

/* Every span in the JSON lines of f. */
static void read_spans(FILE *f)
{
	static char line[1 << 16];

	nspans = 0;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "{\"traceId\":");

		ck_assert_ptr_nonnull(strstr(line, "\"key\":\"process.pid\",\"value\":{\"intValue\":\"100\"}"));
		ck_assert_ptr_nonnull(strstr(line, "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"srv\"}}"));
		while (p && nspans < 32) {
			char *next = strstr(p + 1, "{\"traceId\":");
			char *end = next ? next : p + strlen(p);
			struct tspan *s = &spans[nspans++];
			char num[24];

			field(p, end, "\"traceId\":\"", s->trace, sizeof(s->trace));
			field(p, end, "\"spanId\":\"", s->id, sizeof(s->id));
			field(p, end, "\"parentSpanId\":\"", s->parent, sizeof(s->parent));
			field(p, end, "\"name\":\"", s->name, sizeof(s->name));
			field(p, end, "\"startTimeUnixNano\":\"", num, sizeof(num));
			s->start = strtoull(num, NULL, 10);
			field(p, end, "\"endTimeUnixNano\":\"", num, sizeof(num));
			s->end = strtoull(num, NULL, 10);
			s->status = 0;
			for (const char *c = strstr(p, "\"code\":"); c && c < end;
			     c = strstr(c + 1, "\"code\":"))
				s->status = atoi(c + 7);
			s->incomplete = strstr(p, "latch.incomplete") &&
					strstr(p, "latch.incomplete") < end;
			s->local_y = strstr(p, "\"latch.local.y\"") &&
				     strstr(p, "\"latch.local.y\"") < end;
			p = next;
		}
	}
}

static const struct tspan *span_named(const char *name)
{
	for (unsigned i = 0; i < nspans; i++)
		if (!strcmp(spans[i].name, name))
			return &spans[i];
	ck_abort_msg("no span %s", name);
	return NULL;
}

static struct sink *open_sink(FILE *f, const char *trace_parent, bool no_returns)
{
	struct otlp_sink_config c = {
		.file = f,
		.trace_parent = trace_parent,
		.error_if = "retval < 0",
		.no_returns = no_returns,
	};
	struct event_process p = { .exe = "/bin/srv", .command_line = "srv -x", .comm = "srv" };
	struct event e = { .type = EV_PROCESS, .ts_ns = T0, .pid = 100, .tid = 100, .proc = &p };
	struct sink *s;
	char err[256];

	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s->ops->event(s, &e), 0);
	return s;
}

static unsigned depth_of[64];    /* per call_id */
static uint64_t start_of[64];

static void call_at(struct sink *s, pid_t tid, uint64_t id, struct func_desc *fn, uint64_t at,
		    bool dropped, unsigned depth)
{
	struct value arg = { .kind = V_INT, .name = "n", .i = (int64_t)id };
	struct event e = { .type = EV_CALL, .ts_ns = T0 + at, .pid = 100, .tid = tid,
			   .call_id = id, .fn = fn, .nargs = 1, .args = &arg,
			   .dropped = dropped, .depth = depth };

	depth_of[id] = depth;
	start_of[id] = at;

	ck_assert_int_eq(s->ops->event(s, &e), 0);
}

/* In order on a thread: depth from what is open. */
static unsigned open_depth[4];

static void call(struct sink *s, pid_t tid, uint64_t id, struct func_desc *fn, uint64_t at,
		 bool dropped)
{
	call_at(s, tid, id, fn, at, dropped, open_depth[tid]);
	if (!dropped)
		open_depth[tid]++;
}

static void end(struct sink *s, enum event_type type, pid_t tid, uint64_t id,
		struct func_desc *fn, uint64_t dur, bool error)
{
	if (open_depth[tid] > depth_of[id])
		open_depth[tid] = depth_of[id];
	/* the end's own time: after the call's start and duration */
	struct event e = { .type = type, .ts_ns = T0 + start_of[id] + dur + 1, .pid = 100, .tid = tid,
			   .call_id = id, .fn = fn, .dur_ns = dur, .error = error, .depth = depth_of[id],
			   .ret = { .kind = type == EV_RETURN ? V_INT : V_NONE, .i = -1 } };

	ck_assert_int_eq(s->ops->event(s, &e), 0);
}

static void close_sink(struct sink *s, FILE *f)
{
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	read_spans(f);
}

START_TEST(tree_per_thread)
{
	FILE *f = tmpfile();

	memset(open_depth, 0, sizeof(open_depth));
	struct sink *s = open_sink(f, NULL, false);

	call(s, 1, 1, &fa, 0, false);
	call(s, 1, 2, &fb, 10, false);
	call(s, 2, 3, &fd, 15, false);     /* another thread: its own tree */
	end(s, EV_RETURN, 1, 2, &fb, 20, false);
	call(s, 1, 4, &fc, 40, false);
	call(s, 2, 5, &fa, 45, true);      /* dropped: only summaries count it */
	end(s, EV_UNWIND, 1, 4, &fc, 5, false);
	end(s, EV_RETURN, 2, 3, &fd, 50, false);
	end(s, EV_RETURN, 1, 1, &fa, 100, true);
	call(s, 1, 6, &fb, 200, false);    /* never returns */
	close_sink(s, f);
	fclose(f);

	ck_assert_uint_eq(nspans, 5);
	const struct tspan *a = &spans[3], *b = span_named("fb"), *c = span_named("fc"),
			   *d = span_named("fd"), *open = &spans[4];
	ck_assert_str_eq(a->name, "fa");
	ck_assert_str_eq(open->name, "fb");
	ck_assert_str_eq(a->parent, "");
	ck_assert_str_eq(b->parent, a->id);
	ck_assert_str_eq(c->parent, a->id);
	ck_assert_str_eq(b->trace, a->trace);
	ck_assert_str_eq(c->trace, a->trace);
	ck_assert_str_eq(d->parent, "");
	ck_assert_str_ne(d->trace, a->trace);
	ck_assert_str_eq(open->parent, "");
	ck_assert_str_ne(open->trace, a->trace);
	/* ids are 16 and 32 hex digits, unique */
	for (unsigned i = 0; i < nspans; i++) {
		ck_assert_uint_eq(strlen(spans[i].id), 16);
		ck_assert_uint_eq(strlen(spans[i].trace), 32);
		for (unsigned j = 0; j < i; j++)
			ck_assert_str_ne(spans[i].id, spans[j].id);
	}
	/* the unwind and --error-if's mark are errors, the rest unset */
	ck_assert_int_eq(a->status, 2);
	ck_assert_int_eq(c->status, 2);
	ck_assert_int_eq(b->status, 0);
	ck_assert_int_eq(d->status, 0);
	ck_assert_uint_eq(b->start, T0 + 10);
	ck_assert_uint_eq(b->end, T0 + 31);   /* its return's time */
	ck_assert_uint_eq(a->end, T0 + 101);
	ck_assert(open->incomplete);
	ck_assert(!a->incomplete);
	ck_assert_uint_ge(open->end, open->start);
}
END_TEST

/* A site's hit: a span of no length named by its label, inside the
 * call it happened in. */
START_TEST(hit_is_an_empty_child)
{
	FILE *f = tmpfile();
	struct func_desc site = { .name = (char *)"fa", .site = true,
				  .where = (char *)"app.c:30", .label = (char *)"fa at app.c:30" };
	struct value y = { .kind = V_INT, .name = "y", .i = 20 };
	struct event hit = { .type = EV_HIT, .ts_ns = T0 + 5, .pid = 100, .tid = 1,
			     .call_id = 2, .fn = &site, .nargs = 1, .args = &y, .nlocals = 1,
			     .depth = 1 };

	memset(open_depth, 0, sizeof(open_depth));
	struct sink *s = open_sink(f, NULL, false);

	call(s, 1, 1, &fa, 0, false);
	ck_assert_int_eq(s->ops->event(s, &hit), 0);
	end(s, EV_RETURN, 1, 1, &fa, 10, false);
	close_sink(s, f);
	fclose(f);

	ck_assert_uint_eq(nspans, 2);
	const struct tspan *a = span_named("fa"), *h = span_named("fa at app.c:30");

	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->parent, a->id);
	ck_assert_uint_eq(h->start, T0 + 5);
	ck_assert_uint_eq(h->end, T0 + 5);
	ck_assert(!h->incomplete);
	ck_assert(h->local_y);
	ck_assert(!a->local_y);
}
END_TEST

START_TEST(trace_parent_and_no_returns)
{
	FILE *f = tmpfile();
	struct sink *s = open_sink(f, "00-" TP_TRACE "-" TP_SPAN "-01", true);

	call(s, 1, 1, &fa, 0, false);
	call(s, 1, 2, &fb, 10, false);
	close_sink(s, f);
	fclose(f);

	/* without returns there is no nesting: each call is a child of the
	 * given span, ending where it starts */
	ck_assert_uint_eq(nspans, 2);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_str_eq(spans[i].trace, TP_TRACE);
		ck_assert_str_eq(spans[i].parent, TP_SPAN);
		ck_assert_uint_eq(spans[i].start, spans[i].end);
		ck_assert(!spans[i].incomplete);
	}
}
END_TEST

/* A call whose report waits for its return arrives after the calls it
 * made, at its depth: it is still their parent; one that never arrives
 * leaves them to the call below it. */
START_TEST(late_parents)
{
	FILE *f = tmpfile();
	struct sink *s = open_sink(f, NULL, false);
	struct func_desc fe = { .name = (char *)"fe" }, fg = { .name = (char *)"fg" },
			 fh = { .name = (char *)"fh" };

	call_at(s, 1, 1, &fa, 0, false, 0);
	/* fb (id 2, depth 1, entered at 10) waits; fc runs inside it */
	call_at(s, 1, 3, &fc, 20, false, 2);
	end(s, EV_RETURN, 1, 3, &fc, 5, false);
	call_at(s, 1, 2, &fb, 10, false, 1);
	end(s, EV_RETURN, 1, 2, &fb, 30, false);
	/* fd (depth 1) waits, fe runs inside it, fd is rejected: fe is fa's */
	call_at(s, 1, 5, &fe, 50, false, 2);
	end(s, EV_RETURN, 1, 5, &fe, 5, false);
	call_at(s, 1, 6, &fg, 70, false, 1);
	end(s, EV_RETURN, 1, 6, &fg, 5, false);
	end(s, EV_RETURN, 1, 1, &fa, 100, false);
	/* a late top-level call adopts its child, in its trace */
	call_at(s, 2, 8, &fh, 210, false, 1);
	end(s, EV_RETURN, 2, 8, &fh, 5, false);
	call_at(s, 2, 7, &fd, 200, false, 0);
	end(s, EV_RETURN, 2, 7, &fd, 30, false);
	close_sink(s, f);
	fclose(f);

	ck_assert_uint_eq(nspans, 7);
	const struct tspan *a = span_named("fa"), *b = span_named("fb"), *c = span_named("fc"),
			   *e = span_named("fe"), *g = span_named("fg"), *d = span_named("fd"),
			   *h = span_named("fh");
	ck_assert_str_eq(a->parent, "");
	ck_assert_str_eq(b->parent, a->id);
	ck_assert_str_eq(c->parent, b->id);
	ck_assert_str_eq(e->parent, a->id);
	ck_assert_str_eq(g->parent, a->id);
	for (const struct tspan *x = spans; x < spans + 5; x++)
		ck_assert_str_eq(x->trace, a->trace);
	ck_assert_str_eq(d->parent, "");
	ck_assert_str_eq(h->parent, d->id);
	ck_assert_str_eq(h->trace, d->trace);
	ck_assert_str_ne(d->trace, a->trace);
}
END_TEST

/* A span ends at its end event's own (real) time, the stop at the
 * return, whatever the duration that leaves out latch's work says. */
START_TEST(end_within_real_time)
{
	FILE *f = tmpfile();
	struct sink *s = open_sink(f, NULL, false);
	struct event e = { .type = EV_RETURN, .ts_ns = T0 + 40, .pid = 100, .tid = 1,
			   .call_id = 1, .fn = &fa, .dur_ns = 50 };

	call_at(s, 1, 1, &fa, 0, false, 0);
	ck_assert_int_eq(s->ops->event(s, &e), 0);
	call_at(s, 1, 2, &fb, 45, false, 0);
	e.call_id = 2, e.fn = &fb, e.ts_ns = T0 + 60, e.dur_ns = 10;
	ck_assert_int_eq(s->ops->event(s, &e), 0);
	close_sink(s, f);
	fclose(f);
	ck_assert_uint_eq(nspans, 2);
	ck_assert_uint_eq(span_named("fa")->end, T0 + 40);
	ck_assert_uint_eq(span_named("fb")->end, T0 + 60);
}
END_TEST

START_TEST(bad_settings)
{
	struct otlp_sink_config c = { .url = "ftp://x", .file = NULL };
	struct sink *s;
	char err[256];
	bool json;

	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "ftp://x"));
	c.url = "http://127.0.0.1:9/v1/traces";
	c.protocol = "http/xml";
	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), -EINVAL);
	c.protocol = NULL;
	c.trace_parent = "00-" TP_TRACE "-0000000000000000-01";
	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(otlp_protocol_parse("grpc", &json), -ENOTSUP);
	ck_assert_int_eq(otlp_protocol_parse("http/json", &json), 0);
	ck_assert(json);
	ck_assert_int_eq(otlp_traceparent_check("00-" TP_TRACE "-" TP_SPAN "-01"), 0);
}
END_TEST

/* The endpoint from the environment, as OTel SDKs read it. */
START_TEST(endpoint_from_env)
{
	FILE *f = tmpfile();
	struct otlp_sink_config c = { .url = "", .file = f };
	struct sink *s;
	char err[256];

	setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "gopher://x", 1);
	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "gopher://x/v1/traces"));
	setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "file:/y", 1);
	ck_assert_int_eq(otlp_sink_open(&c, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'file:/y'"));
	unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
	unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("otlp_sink");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, tree_per_thread);
	tcase_add_test(tc, hit_is_an_empty_child);
	tcase_add_test(tc, trace_parent_and_no_returns);
	tcase_add_test(tc, late_parents);
	tcase_add_test(tc, end_within_real_time);
	tcase_add_test(tc, bad_settings);
	tcase_add_test(tc, endpoint_from_env);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
