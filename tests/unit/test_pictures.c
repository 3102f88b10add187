/* -f chrome (Trace Event Format JSON) and -f folded (folded stacks with
 * self times): exact output for hand-made traces, including calls that
 * arrive late (after a return condition), unwinds, calls still running,
 * dropped events, several threads. */
#include <check.h>
#include "capture.h"
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/event.h"
#include "output/output.h"

/* 2024-11-23 22:13:20.123456789 UTC */
#define T0 1732400000123456789ull
#define US(n) (T0 + (uint64_t)(n) * 1000u)

#define FN(n) { .name = (char *)(n), .module = (char *)"/bin/app" }
static struct func_desc fn_outer = FN("outer");
static struct func_desc fn_parse = FN("parse");
static struct func_desc fn_leaf = FN("leaf");
static struct func_desc fn_idle = FN("idle");
static struct func_desc fn_a = FN("A");
static struct func_desc fn_b = FN("B");
static struct func_desc fn_c = FN("C");
static struct func_desc fn_g = FN("G");
static struct func_desc fn_semi = FN("ns;odd name");

static struct event call(pid_t tid, unsigned depth, uint64_t id,
			 const struct func_desc *fn, uint64_t ts)
{
	return (struct event){ .type = EV_CALL, .ts_ns = ts, .pid = 7, .tid = tid,
			       .depth = depth, .call_id = id, .fn = fn,
			       .ret = { .kind = V_NONE } };
}

/* The end of call id, at T0: before any call, so that only the duration
 * counts (an end's own later time caps a slice's end, see chrome_clock). */
static struct event end(enum event_type type, pid_t tid, unsigned depth,
			uint64_t id, const struct func_desc *fn, uint64_t dur)
{
	return (struct event){ .type = type, .ts_ns = T0, .pid = 7, .tid = tid,
			       .depth = depth, .call_id = id, .fn = fn,
			       .ret = { .kind = V_NONE }, .dur_ns = dur };
}

static struct event ret_int(pid_t tid, unsigned depth, uint64_t id,
			    const struct func_desc *fn, uint64_t dur, int64_t v)
{
	struct event e = end(EV_RETURN, tid, depth, id, fn, dur);

	e.ret = (struct value){ .kind = V_INT, .i = v };
	return e;
}

static struct event dropped(struct event e)
{
	e.dropped = true;
	return e;
}

/* The output of a sink fed n events after a tick at T0 (none when
 * tick0 is false), then a tick at last (0: none), then flushed. */
static char *run_sink(enum output_format fmt, bool tick0, const struct event *e,
		      size_t n, uint64_t last)
{
	struct capture c;
	struct sink *s;

	ck_assert_int_eq(sink_open(fmt, NULL, cap_open(&c), &s), 0);
	if (tick0)
		ck_assert_int_eq(s->ops->tick(s, T0), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(s->ops->event(s, &e[i]), 0);
	if (last)
		ck_assert_int_eq(s->ops->tick(s, last), 0);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	return cap_close(&c);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a minimal JSON reader: is the text one valid JSON value? -------- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *json_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		start = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == start)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		start = p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *json_members(const char *p, char close, bool keys)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keys) {
			p = json_string(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	switch (*p) {
	case '{': return json_members(p, '}', true);
	case '[': return json_members(p, ']', false);
	case '"': return json_string(p);
	case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
	default: return json_number(p);
	}
}

static bool json_valid(const char *text)
{
	const char *p = json_value(text);

	return p && !*json_ws(p);
}

START_TEST(json_reader)
{
	ck_assert(json_valid("[\n{\"a\":[1,-2.5e3,true,null,\"x\\\"\\u00e9\"]},\n{}\n]\n"));
	ck_assert(!json_valid("[\n{\"a\":1},\n"));     /* no "]" */
	ck_assert(!json_valid("[{\"a\":1},]"));
	ck_assert(!json_valid("[{\"a\" 1}]"));
	ck_assert(!json_valid("[1.]"));
	ck_assert(!json_valid("[\"\n\"]"));
}
END_TEST

/* ---- chrome ------------------------------------------------------------ */

#define META7 \
	"[\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":7,\"args\":{\"name\":\"pid 7\"}},\n" \
	"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":7,\"tid\":7,\"args\":{\"name\":\"tid 7\"}},\n"
#define SLICE(name, tid) "{\"name\":\"" name "\",\"cat\":\"latch\",\"pid\":7,\"tid\":" #tid

START_TEST(chrome_nested)
{
	struct value pargs[] = {
		{ .kind = V_STR, .name = "s", .u = 0x5000, .text = (char *)"a\"b", .len = 3 },
		{ .kind = V_INT, .name = "n", .i = 2 },
	};
	struct value oargs[] = { { .kind = V_INT, .name = "n", .i = 2 } };
	struct event e[] = {
		call(7, 0, 1, &fn_outer, US(10)),
		call(7, 1, 2, &fn_parse, US(11) + 250),
		ret_int(7, 1, 2, &fn_parse, 1500, 0),
		call(7, 1, 3, &fn_leaf, US(13)),
		end(EV_UNWIND, 7, 1, 3, &fn_leaf, 250),
		call(7, 1, 4, &fn_idle, US(14)),
		end(EV_RETURN, 7, 1, 4, &fn_idle, 1000),
		ret_int(7, 0, 1, &fn_outer, 10000, 5),
	};
	char *got;

	e[0].args = oargs;
	e[0].nargs = 1;
	e[1].args = pargs;
	e[1].nargs = 2;
	got = run_sink(FMT_CHROME, true, e, N(e), 0);
	ck_assert_str_eq(got, META7
		SLICE("parse", 7) ",\"ph\":\"X\",\"ts\":11.250,\"dur\":1.500,"
		"\"args\":{\"s\":\"a\\\"b\",\"n\":2,\"return\":0}},\n"
		SLICE("leaf", 7) ",\"ph\":\"X\",\"ts\":13.000,\"dur\":0.250,"
		"\"args\":{\"<unwound>\":true}},\n"
		SLICE("idle", 7) ",\"ph\":\"X\",\"ts\":14.000,\"dur\":1.000,\"args\":{}},\n"
		SLICE("outer", 7) ",\"ph\":\"X\",\"ts\":10.000,\"dur\":10.000,"
		"\"args\":{\"n\":2,\"return\":5}}\n"
		"]\n");
	ck_assert(json_valid(got));
	free(got);
}
END_TEST

/* A slice ends at its end event's own real time, the return's stop: the
 * next call on the thread starts after it. */
START_TEST(chrome_clock)
{
	struct event e[] = {
		call(7, 0, 1, &fn_idle, US(10)),
		end(EV_RETURN, 7, 0, 1, &fn_idle, 2000),
		call(7, 0, 2, &fn_leaf, US(11) + 500),
		end(EV_UNWIND, 7, 0, 2, &fn_leaf, 100),
	};
	char *got;

	e[1].ts_ns = US(11);
	e[3].ts_ns = US(12);
	got = run_sink(FMT_CHROME, true, e, N(e), 0);
	ck_assert_str_eq(got, META7
		SLICE("idle", 7) ",\"ph\":\"X\",\"ts\":10.000,\"dur\":1.000,\"args\":{}},\n"
		SLICE("leaf", 7) ",\"ph\":\"X\",\"ts\":11.500,\"dur\":0.500,"
		"\"args\":{\"<unwound>\":true}}\n"
		"]\n");
	free(got);
}
END_TEST

/* Two threads; on 7 a call that arrives after its callee (a return
 * condition held it), on 8 a call still running at the end; dropped
 * events and a return without its call do not show. */
START_TEST(chrome_threads_late_open)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(1)),
		call(8, 0, 2, &fn_a, US(2)),
		call(7, 2, 4, &fn_c, US(4)),
		end(EV_RETURN, 7, 2, 4, &fn_c, 1000),
		call(7, 1, 3, &fn_b, US(3)),
		ret_int(7, 1, 3, &fn_b, 3000, 1),
		dropped(call(8, 1, 5, &fn_leaf, US(5))),
		dropped(end(EV_RETURN, 8, 1, 5, &fn_leaf, 100)),
		ret_int(8, 0, 99, &fn_b, 100, 3),
		end(EV_RETURN, 7, 0, 1, &fn_a, 10000),
	};
	char *got = run_sink(FMT_CHROME, true, e, N(e), US(50));

	ck_assert_str_eq(got, META7
		"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":7,\"tid\":8,\"args\":{\"name\":\"tid 8\"}},\n"
		SLICE("C", 7) ",\"ph\":\"X\",\"ts\":4.000,\"dur\":1.000,\"args\":{}},\n"
		SLICE("B", 7) ",\"ph\":\"X\",\"ts\":3.000,\"dur\":3.000,\"args\":{\"return\":1}},\n"
		SLICE("A", 7) ",\"ph\":\"X\",\"ts\":1.000,\"dur\":10.000,\"args\":{}},\n"
		SLICE("A", 8) ",\"ph\":\"X\",\"ts\":2.000,\"dur\":48.000,"
		"\"args\":{\"<unfinished>\":true}}\n"
		"]\n");
	ck_assert(json_valid(got));
	free(got);
}
END_TEST

/* A call replaced at its depth never ends: an instant. Without any
 * return (--no-returns) the calls left at the end are instants too. */
START_TEST(chrome_instants)
{
	struct value x = { .kind = V_INT, .name = "x", .i = 1 };
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(1)),
		call(7, 0, 2, &fn_b, US(2)),
	};
	char *got;

	e[0].args = &x;
	e[0].nargs = 1;
	got = run_sink(FMT_CHROME, true, e, N(e), US(9));
	ck_assert_str_eq(got, META7
		SLICE("A", 7) ",\"ph\":\"i\",\"s\":\"t\",\"ts\":1.000,\"args\":{\"x\":1}},\n"
		SLICE("B", 7) ",\"ph\":\"i\",\"s\":\"t\",\"ts\":2.000,\"args\":{}}\n"
		"]\n");
	ck_assert(json_valid(got));
	free(got);
}
END_TEST

/* Without a tick the first event is ts 0; a late call that began before
 * it starts at 0 rather than at a negative time. */
START_TEST(chrome_no_tick)
{
	struct event e[] = {
		call(7, 1, 2, &fn_c, US(4)),
		end(EV_RETURN, 7, 1, 2, &fn_c, 1000),
		call(7, 0, 1, &fn_b, US(3)),
		end(EV_RETURN, 7, 0, 1, &fn_b, 3000),
	};
	char *got = run_sink(FMT_CHROME, false, e, N(e), 0);

	ck_assert_str_eq(got, META7
		SLICE("C", 7) ",\"ph\":\"X\",\"ts\":0.000,\"dur\":1.000,\"args\":{}},\n"
		SLICE("B", 7) ",\"ph\":\"X\",\"ts\":0.000,\"dur\":2.000,\"args\":{}}\n"
		"]\n");
	free(got);
}
END_TEST

START_TEST(chrome_empty)
{
	char *got = run_sink(FMT_CHROME, true, NULL, 0, US(5));

	ck_assert_str_eq(got, "[\n]\n");
	ck_assert(json_valid(got));
	free(got);
}
END_TEST

/* What is written before the end is a prefix of the whole: a viewer
 * reads a trace cut short as long as "]" is all that is missing. */
START_TEST(chrome_streams)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(1)),
		end(EV_RETURN, 7, 0, 1, &fn_a, 1000),
	};
	struct capture c;
	struct sink *s;
	char *got;

	ck_assert_int_eq(sink_open(FMT_CHROME, NULL, cap_open(&c), &s), 0);
	ck_assert_int_eq(s->ops->tick(s, T0), 0);
	ck_assert_int_eq(s->ops->event(s, &e[0]), 0);
	ck_assert_int_eq(s->ops->event(s, &e[1]), 0);
	ck_assert_int_eq(s->ops->tick(s, US(2)), 0);
	ck_assert_str_eq(c.buf, META7
		SLICE("A", 7) ",\"ph\":\"X\",\"ts\":1.000,\"dur\":1.000,\"args\":{}}");
	ck_assert_int_eq(s->ops->flush(s), 0);
	/* After the end nothing more is written. */
	ck_assert_int_eq(s->ops->event(s, &e[0]), 0);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	got = cap_close(&c);
	ck_assert_str_eq(got, META7
		SLICE("A", 7) ",\"ph\":\"X\",\"ts\":1.000,\"dur\":1.000,\"args\":{}}\n]\n");
	free(got);
}
END_TEST

/* ---- folded ------------------------------------------------------------ */

/* Thread 7: A (10000) calls B (4000), which calls C (1000), then C
 * (500). Thread 8, interleaved: A (3000) calls C (2000), unwound.
 * A dropped call and a return without its call change nothing. */
START_TEST(folded_threads)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(8, 0, 2, &fn_a, US(1)),
		call(7, 1, 3, &fn_b, US(2)),
		call(8, 1, 4, &fn_c, US(3)),
		call(7, 2, 5, &fn_c, US(4)),
		end(EV_RETURN, 7, 2, 5, &fn_c, 1000),
		dropped(call(7, 2, 6, &fn_leaf, US(6))),
		dropped(end(EV_RETURN, 7, 2, 6, &fn_leaf, 900)),
		end(EV_RETURN, 7, 1, 3, &fn_b, 4000),
		end(EV_UNWIND, 8, 1, 4, &fn_c, 2000),
		end(EV_RETURN, 8, 1, 77, &fn_c, 5000),
		end(EV_RETURN, 8, 0, 2, &fn_a, 3000),
		call(7, 1, 7, &fn_c, US(8)),
		end(EV_RETURN, 7, 1, 7, &fn_c, 500),
		end(EV_RETURN, 7, 0, 1, &fn_a, 10000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	/* A: 10000 - 4000 - 500 + 3000 - 2000; A;C: 500 + 2000 */
	ck_assert_str_eq(got,
		"A 6500\n"
		"A;B 3000\n"
		"A;B;C 1000\n"
		"A;C 2500\n");
	free(got);
}
END_TEST

/* B waits for its return condition: it arrives after C, which it called. */
START_TEST(folded_late_call)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 2, 3, &fn_c, US(2)),
		end(EV_RETURN, 7, 2, 3, &fn_c, 1000),
		call(7, 1, 2, &fn_b, US(1)),
		end(EV_RETURN, 7, 1, 2, &fn_b, 3000),
		end(EV_RETURN, 7, 0, 1, &fn_a, 10000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	ck_assert_str_eq(got,
		"A 7000\n"
		"A;B 2000\n"
		"A;B;C 1000\n");
	free(got);
}
END_TEST

/* The same, but B failed its return condition: C counts under A. */
START_TEST(folded_filtered_call)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 2, 3, &fn_c, US(2)),
		end(EV_RETURN, 7, 2, 3, &fn_c, 1000),
		end(EV_RETURN, 7, 0, 1, &fn_a, 10000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	ck_assert_str_eq(got,
		"A 9000\n"
		"A;C 1000\n");
	free(got);
}
END_TEST

/* At depth 1 under A: a call that failed its return condition made C
 * (1000); then G, which passed it, made C (500) and B (200) and arrived
 * last. Only what began after G's entry is G's. */
START_TEST(folded_filtered_then_late)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 2, 3, &fn_c, US(1)),
		end(EV_RETURN, 7, 2, 3, &fn_c, 1000),
		call(7, 2, 5, &fn_c, US(5)),
		end(EV_RETURN, 7, 2, 5, &fn_c, 500),
		call(7, 2, 6, &fn_b, US(6)),
		end(EV_RETURN, 7, 2, 6, &fn_b, 200),
		call(7, 1, 4, &fn_g, US(4)),
		end(EV_RETURN, 7, 1, 4, &fn_g, 2000),
		end(EV_RETURN, 7, 0, 1, &fn_a, 10000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	ck_assert_str_eq(got,
		"A 7000\n"
		"A;C 1000\n"
		"A;G 1300\n"
		"A;G;B 200\n"
		"A;G;C 500\n");
	free(got);
}
END_TEST

/* Two levels held: A's callee B and B's callee C both arrive late, C
 * first; D, C's callee, came before both. */
START_TEST(folded_two_late)
{
	static struct func_desc fn_d = FN("D");
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 3, 4, &fn_d, US(3)),
		end(EV_RETURN, 7, 3, 4, &fn_d, 100),
		call(7, 2, 3, &fn_c, US(2)),
		end(EV_RETURN, 7, 2, 3, &fn_c, 400),
		call(7, 1, 2, &fn_b, US(1)),
		end(EV_RETURN, 7, 1, 2, &fn_b, 1000),
		end(EV_RETURN, 7, 0, 1, &fn_a, 5000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	ck_assert_str_eq(got,
		"A 4000\n"
		"A;B 600\n"
		"A;B;C 300\n"
		"A;B;C;D 100\n");
	free(got);
}
END_TEST

/* Calls still running at the end do not count; what they made does,
 * under them. C ended under a call never seen: it counts alone. */
START_TEST(folded_open_at_end)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 1, 2, &fn_b, US(1)),
		end(EV_RETURN, 7, 1, 2, &fn_b, 700),
		call(8, 1, 3, &fn_c, US(2)),
		end(EV_RETURN, 8, 1, 3, &fn_c, 300),
		call(9, 0, 4, &fn_c, US(3)),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), US(100));

	ck_assert_str_eq(got,
		"A;B 700\n"
		"C 300\n");
	free(got);
}
END_TEST

/* B never ends (no return trap): a new call at its depth replaces it; C,
 * which B made, still counts under A;B, and A's self time excludes it. */
START_TEST(folded_stale)
{
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 1, 2, &fn_b, US(1)),
		call(7, 2, 3, &fn_c, US(2)),
		end(EV_RETURN, 7, 2, 3, &fn_c, 100),
		call(7, 1, 4, &fn_g, US(5)),
		end(EV_RETURN, 7, 1, 4, &fn_g, 200),
		end(EV_RETURN, 7, 0, 1, &fn_a, 1000),
	};
	char *got = run_sink(FMT_FOLDED, true, e, N(e), 0);

	ck_assert_str_eq(got,
		"A 700\n"
		"A;B;C 100\n"
		"A;G 200\n");
	free(got);
}
END_TEST

/* Only calls (--no-returns): nothing to count. Zero weights are left out;
 * ';' in a name would split it into two frames. */
START_TEST(folded_edges)
{
	struct event calls[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 0, 2, &fn_b, US(1)),
	};
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(0)),
		call(7, 1, 2, &fn_semi, US(1)),
		end(EV_RETURN, 7, 1, 2, &fn_semi, 400),
		end(EV_RETURN, 7, 0, 1, &fn_a, 400),
	};
	char *got = run_sink(FMT_FOLDED, true, calls, N(calls), US(9));

	ck_assert_str_eq(got, "");
	free(got);
	got = run_sink(FMT_FOLDED, true, e, N(e), 0);
	ck_assert_str_eq(got, "A;ns_odd name 400\n");
	free(got);
}
END_TEST

/* Many calls at depth 1 under a held call: the hole's segments are
 * merged past their limit, and all of them still go to the late call. */
START_TEST(folded_many_children)
{
	enum { K = 300 };
	struct event *e = calloc(2 * K + 4, sizeof(*e));
	size_t n = 0;
	char want[128], *got;

	ck_assert_ptr_nonnull(e);
	e[n++] = call(7, 0, 1, &fn_a, US(0));
	for (unsigned i = 0; i < K; i++) {
		e[n++] = call(7, 2, 10 + i, i % 2 ? &fn_c : &fn_b, US(10 + i));
		e[n++] = end(EV_RETURN, 7, 2, 10 + i, i % 2 ? &fn_c : &fn_b, 10);
	}
	e[n++] = call(7, 1, 2, &fn_g, US(5));
	e[n++] = end(EV_RETURN, 7, 1, 2, &fn_g, 4000);
	e[n++] = end(EV_RETURN, 7, 0, 1, &fn_a, 5000);
	got = run_sink(FMT_FOLDED, true, e, n, 0);
	snprintf(want, sizeof(want), "A 1000\nA;G %d\nA;G;B %d\nA;G;C %d\n",
		 4000 - 10 * K, 5 * K, 5 * K);
	ck_assert_str_eq(got, want);
	free(got);
	free(e);
}
END_TEST

/* ---- both -------------------------------------------------------------- */

START_TEST(format_names)
{
	enum output_format fmt = FMT_TEXT;

	ck_assert_int_eq(output_format_parse("chrome", &fmt), 0);
	ck_assert_int_eq(fmt, FMT_CHROME);
	ck_assert_int_eq(output_format_parse("folded", &fmt), 0);
	ck_assert_int_eq(fmt, FMT_FOLDED);
	ck_assert_int_eq(output_format_parse("Chrome", &fmt), -EINVAL);
	ck_assert_int_eq(fmt, FMT_FOLDED);
}
END_TEST

static FILE *closed_pipe(void)
{
	int fds[2];
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* A reader that went away is reported, and stays reported. */
START_TEST(epipe)
{
	enum output_format fmt = _i ? FMT_FOLDED : FMT_CHROME;
	struct event e[] = {
		call(7, 0, 1, &fn_a, US(1)),
		end(EV_RETURN, 7, 0, 1, &fn_a, 1000),
	};
	FILE *f = closed_pipe();
	struct sink *s;

	ck_assert_int_eq(sink_open(fmt, NULL, f, &s), 0);
	ck_assert_int_eq(s->ops->event(s, &e[0]), 0);
	ck_assert_int_eq(s->ops->event(s, &e[1]), 0);
	ck_assert_int_eq(s->ops->flush(s), -EPIPE);
	ck_assert_int_eq(s->ops->event(s, &e[0]), -EPIPE);
	ck_assert_int_eq(s->ops->tick(s, US(3)), -EPIPE);
	s->ops->destroy(s);
	fclose(f);
}
END_TEST

static Suite *pictures_suite(void)
{
	Suite *s = suite_create("pictures");
	TCase *tc = tcase_create("chrome");

	tcase_add_test(tc, json_reader);
	tcase_add_test(tc, chrome_nested);
	tcase_add_test(tc, chrome_clock);
	tcase_add_test(tc, chrome_threads_late_open);
	tcase_add_test(tc, chrome_instants);
	tcase_add_test(tc, chrome_no_tick);
	tcase_add_test(tc, chrome_empty);
	tcase_add_test(tc, chrome_streams);
	suite_add_tcase(s, tc);

	tc = tcase_create("folded");
	tcase_add_test(tc, folded_threads);
	tcase_add_test(tc, folded_late_call);
	tcase_add_test(tc, folded_filtered_call);
	tcase_add_test(tc, folded_filtered_then_late);
	tcase_add_test(tc, folded_two_late);
	tcase_add_test(tc, folded_open_at_end);
	tcase_add_test(tc, folded_stale);
	tcase_add_test(tc, folded_edges);
	tcase_add_test(tc, folded_many_children);
	suite_add_tcase(s, tc);

	tc = tcase_create("both");
	tcase_add_test(tc, format_names);
	tcase_add_loop_test(tc, epipe, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pictures_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
