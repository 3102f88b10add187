/* -c, --summary: duration statistics, the drawn histogram, the text and
 * JSON tables, interval tables, and the fan-out sink of -c -v. */
#include <check.h>
#include "capture.h"
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/event.h"
#include "output/output.h"
#include "output/priv.h"

/* 2024-11-23 22:13:20.123456789 UTC */
#define T0 1732400000123456789ull
#define MS(n) (T0 + (uint64_t)(n) * 1000000u)


static uint64_t lcg(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return *seed >> 11;
}

/* ---- histogram and percentiles --------------------------------------- */

START_TEST(bucket_edges)
{
	struct hist h = { 0 };
	unsigned k;

	ck_assert_uint_eq(hist_log2_index(0), 0);
	ck_assert_uint_eq(hist_log2_index(1), 1);
	ck_assert_uint_eq(hist_log2_index(UINT64_MAX), 64);
	ck_assert_uint_eq(hist_log2_lo(0), 0);
	ck_assert_uint_eq(hist_log2_lo(1), 1);
	ck_assert_uint_eq(hist_log2_lo(64), 1ull << 63);
	for (k = 1; k < 64; k++) {
		uint64_t p = 1ull << k;

		ck_assert_uint_eq(hist_log2_index(p - 1), k);
		ck_assert_uint_eq(hist_log2_index(p), k + 1);
		ck_assert_uint_eq(hist_log2_lo(k + 1), p);
	}
	/* Each edge value alone: its percentiles are itself (sub-bucket and
	 * clamping agree), and it lands in its own bucket. */
	uint64_t edges[] = { 0, 1, 2, 31, 32, 33, 63, 64, 1023, 1024,
			     (1ull << 40) - 1, 1ull << 40, UINT64_MAX - 1, UINT64_MAX };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		hist_reset(&h);
		ck_assert_int_eq(hist_add(&h, edges[i]), 0);
		ck_assert_uint_eq(h.count, 1);
		ck_assert_uint_eq(h.log2[hist_log2_index(edges[i])], 1);
		ck_assert_uint_eq(h.min, edges[i]);
		ck_assert_uint_eq(h.max, edges[i]);
		ck_assert_uint_eq(h.total, edges[i]);
		ck_assert_uint_eq(hist_percentile(&h, 50), edges[i]);
		ck_assert_uint_eq(hist_percentile(&h, 100), edges[i]);
	}
	hist_free(&h);
}
END_TEST

START_TEST(small_values_exact)
{
	struct hist h = { 0 };
	uint64_t v;

	/* Below 64 every value has a sub-bucket of its own. */
	for (v = 0; v < 64; v++)
		ck_assert_int_eq(hist_add(&h, v), 0);
	ck_assert_uint_eq(hist_percentile(&h, 50), 31);
	ck_assert_uint_eq(hist_percentile(&h, 90), 57);   /* rank 58 */
	ck_assert_uint_eq(hist_percentile(&h, 99), 63);   /* rank 64 */
	ck_assert_uint_eq(hist_percentile(&h, 1), 0);
	ck_assert_uint_eq(hist_mean(&h), 31);
	ck_assert_uint_eq(h.log2[0] + h.log2[1] + h.log2[2] + h.log2[3] + h.log2[4] +
			  h.log2[5] + h.log2[6], 64);
	hist_free(&h);
	ck_assert_uint_eq(hist_percentile(&h, 50), 0);
	ck_assert_uint_eq(hist_mean(&h), 0);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Against the exact nearest-rank percentiles of random data: within
 * 1/64 of the true value (half a sub-bucket of 2^k / 32). */
START_TEST(percentile_accuracy)
{
	enum { N = 20000 };
	uint64_t *v = malloc(N * sizeof(*v));
	uint64_t seed = 12345 + (uint64_t)_i, sum = 0;
	struct hist h = { 0 };
	unsigned p, i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < N; i++) {
		/* Log-uniform over 2^0..2^40, or a narrow cluster: both stress
		 * the sub-buckets differently. */
		unsigned bits = _i % 2 ? (unsigned)(lcg(&seed) % 41) : 20;
		uint64_t x = lcg(&seed) & ((1ull << bits) - 1);

		v[i] = x | (bits ? 1ull << (bits - 1) : 0);
		ck_assert_int_eq(hist_add(&h, v[i]), 0);
		sum += v[i];
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	ck_assert_uint_eq(h.count, N);
	ck_assert_uint_eq(h.total, sum);
	ck_assert_uint_eq(h.min, v[0]);
	ck_assert_uint_eq(h.max, v[N - 1]);
	for (p = 1; p <= 100; p++) {
		uint64_t rank = ((uint64_t)N * p + 99) / 100;
		uint64_t exact = v[rank - 1], got = hist_percentile(&h, p);
		uint64_t diff = got > exact ? got - exact : exact - got;

		ck_assert_msg(diff * 64 <= exact,
			      "p%u: %" PRIu64 " for exact %" PRIu64, p, got, exact);
	}
	hist_free(&h);
	free(v);
}
END_TEST

START_TEST(hist_draw)
{
	struct hist h = { 0 };
	struct capture c;
	char *got;

	hist_add(&h, 1024);
	hist_add(&h, 1500);
	hist_add(&h, 2047);
	hist_add(&h, 5000);
	summary_draw_hist(cap_open(&c), &h);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"[1K, 2K)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2K, 4K)               0 |                                                    |\n"
		"[4K, 8K)               1 |@@@@@@@@@@@@@@@@@                                   |\n");
	free(got);

	hist_reset(&h);
	hist_add(&h, 0);
	hist_add(&h, 1);
	hist_add(&h, 1);
	hist_add(&h, 3);
	hist_add(&h, 600);
	summary_draw_hist(cap_open(&c), &h);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[1]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[4, 8)                 0 |                                                    |\n"
		"[8, 16)                0 |                                                    |\n"
		"[16, 32)               0 |                                                    |\n"
		"[32, 64)               0 |                                                    |\n"
		"[64, 128)              0 |                                                    |\n"
		"[128, 256)             0 |                                                    |\n"
		"[256, 512)             0 |                                                    |\n"
		"[512, 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n");
	free(got);

	hist_reset(&h);
	hist_add(&h, UINT64_MAX);
	hist_add(&h, 1ull << 62);
	summary_draw_hist(cap_open(&c), &h);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"[4E, 8E)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[8E, 16E)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
	free(got);

	hist_reset(&h);
	summary_draw_hist(cap_open(&c), &h);
	got = cap_close(&c);
	ck_assert_str_eq(got, "");
	free(got);
	hist_free(&h);
}
END_TEST

/* ---- the summary sink ------------------------------------------------ */

#define FN(n, m) { .name = (char *)(n), .module = (char *)(m) }
static struct func_desc fn_parse = FN("parse", "/srv/bin/app");
static struct func_desc fn_read = FN("read_all", "/usr/lib/libio.so.1");
static struct func_desc fn_idle = FN("idle", "/srv/bin/app");

static struct event ev(enum event_type type, const struct func_desc *fn,
		       uint64_t ts, uint64_t dur)
{
	return (struct event){ .type = type, .ts_ns = ts, .pid = 7, .tid = 7,
			       .fn = fn, .ret = { .kind = V_NONE },
			       .dur_ns = type == EV_CALL ? 0 : dur };
}

static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

static void feed(struct sink *s, const struct event *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(s->ops->event(s, &e[i]), 0);
}

/* parse: two returns (1000ns, 3000ns) and one unwind (2000ns);
 * read_all: one call still running; idle is never called. */
static const struct event sample[] = {
	{ .type = EV_CALL, .ts_ns = MS(1), .fn = &fn_parse },
	{ .type = EV_RETURN, .ts_ns = MS(2), .fn = &fn_parse, .dur_ns = 1000 },
	{ .type = EV_CALL, .ts_ns = MS(3), .fn = &fn_parse },
	{ .type = EV_UNWIND, .ts_ns = MS(4), .fn = &fn_parse, .dur_ns = 2000 },
	{ .type = EV_CALL, .ts_ns = MS(5), .fn = &fn_parse },
	{ .type = EV_RETURN, .ts_ns = MS(6), .fn = &fn_parse, .dur_ns = 3000 },
	{ .type = EV_CALL, .ts_ns = MS(7), .fn = &fn_read },
};

/* The table of a run that starts at MS(0) and makes the n calls of e. */
static char *one_table(enum output_format fmt, const struct event *e, size_t n)
{
	struct capture c;
	struct sink *s;

	ck_assert_int_eq(summary_sink_open(fmt, cap_open(&c), 0, &s), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(0)), 0);
	feed(s, e, n);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	return cap_close(&c);
}

START_TEST(json_table)
{
	char *got = one_table(FMT_JSON, sample, sizeof(sample) / sizeof(sample[0]));

	ck_assert_str_eq(got,
		"{\"type\":\"summary\",\"interval\":false,\"start_ns\":1732400000123456789,"
		"\"end_ns\":1732400000130456789,\"functions\":["
		"{\"func\":\"parse\",\"module\":\"/srv/bin/app\",\"calls\":3,\"returns\":2,"
		"\"unwinds\":1,\"total_ns\":6000,\"mean_ns\":2000,\"min_ns\":1000,"
		"\"max_ns\":3000,\"p50_ns\":1999,\"p90_ns\":2975,\"p99_ns\":2975,\"hist\":["
		"{\"lo_ns\":512,\"hi_ns\":1024,\"count\":1},"
		"{\"lo_ns\":1024,\"hi_ns\":2048,\"count\":1},"
		"{\"lo_ns\":2048,\"hi_ns\":4096,\"count\":1}]},"
		"{\"func\":\"read_all\",\"module\":\"/usr/lib/libio.so.1\",\"calls\":1,"
		"\"returns\":0,\"unwinds\":0,\"total_ns\":0,\"mean_ns\":null,\"min_ns\":null,"
		"\"max_ns\":null,\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,\"hist\":[]}"
		"]}\n");
	free(got);
}
END_TEST

START_TEST(text_table)
{
	char *got;

	utc();
	got = one_table(FMT_TEXT, sample, sizeof(sample) / sizeof(sample[0]));
	ck_assert_str_eq(got,
		"== summary 22:13:20.123456 - 22:13:20.130456 (7.00ms) ==\n"
		"FUNCTION  MODULE      CALLS  RETURNS  UNWINDS  TOTAL   MEAN    MIN    MAX    P50    P90    P99\n"
		"parse     app             3        2        1  6.0us  2.0us  1.0us  3.0us  2.0us  3.0us  3.0us\n"
		"read_all  libio.so.1      1        0        0      -      -      -      -      -      -      -\n"
		"\n"
		"parse (app), duration in ns:\n"
		"[512, 1K)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[2K, 4K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"\n");
	free(got);
}
END_TEST

/* -F resolves a function again in each process: the copies, and the
 * process records between them, make one row. */
START_TEST(same_function_one_row)
{
	static struct func_desc child_parse = FN("parse", "/srv/bin/app");
	struct event_process p = { .ppid = 7 };
	struct event e[] = {
		{ .type = EV_CALL, .ts_ns = MS(1), .fn = &fn_parse },
		{ .type = EV_RETURN, .ts_ns = MS(2), .fn = &fn_parse, .dur_ns = 1000 },
		{ .type = EV_FORK, .ts_ns = MS(3), .pid = 8, .proc = &p },
		{ .type = EV_CALL, .ts_ns = MS(4), .pid = 8, .fn = &child_parse },
		{ .type = EV_RETURN, .ts_ns = MS(5), .pid = 8, .fn = &child_parse,
		  .dur_ns = 3000 },
		{ .type = EV_EXIT, .ts_ns = MS(6), .pid = 8, .proc = &p },
	};
	char *got = one_table(FMT_JSON, e, sizeof(e) / sizeof(e[0]));

	ck_assert_ptr_nonnull(strstr(got, "{\"func\":\"parse\",\"module\":\"/srv/bin/app\","
				      "\"calls\":2,\"returns\":2,"));
	ck_assert_ptr_null(strstr(strstr(got, "\"parse\"") + 1, "\"parse\""));
	free(got);
}
END_TEST

START_TEST(empty_table)
{
	struct capture c;
	struct sink *s;
	char *got;

	utc();
	ck_assert_int_eq(summary_sink_open(FMT_TEXT, cap_open(&c), 0, &s), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(0)), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(250)), 0);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"== summary 22:13:20.123456 - 22:13:20.373456 (250.00ms) ==\n"
		"no calls\n"
		"\n");
	free(got);
}
END_TEST

/* A function's JSON whose n durations all equal d (d > 0). */
static void fn_json(char *buf, size_t len, const struct func_desc *fn,
		    unsigned n, uint64_t d)
{
	uint64_t lo = hist_log2_lo(hist_log2_index(d));

	snprintf(buf, len, "{\"func\":\"%s\",\"module\":\"%s\",\"calls\":%u,"
		 "\"returns\":%u,\"unwinds\":0,\"total_ns\":%" PRIu64 ",\"mean_ns\":%"
		 PRIu64 ",\"min_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 ",\"p50_ns\":%"
		 PRIu64 ",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"hist\":"
		 "[{\"lo_ns\":%" PRIu64 ",\"hi_ns\":%" PRIu64 ",\"count\":%u}]}",
		 fn->name, fn->module, n, n, n * d, d, d, d, d, d, d, lo, 2 * lo, n);
}

static void table_json(char *buf, size_t len, bool interval, uint64_t start,
		       uint64_t end, const char *f1, const char *f2)
{
	snprintf(buf, len, "{\"type\":\"summary\",\"interval\":%s,\"start_ns\":%" PRIu64
		 ",\"end_ns\":%" PRIu64 ",\"functions\":[%s%s%s]}\n",
		 interval ? "true" : "false", start, end, f1, *f2 ? "," : "", f2);
}

START_TEST(interval_reset)
{
	char want[8192], line[5][1600], parse1[512], parse2[512], read1[512];
	struct capture c;
	struct sink *s;
	char *got;
	struct event a[] = { ev(EV_CALL, &fn_parse, MS(10), 0),
			     ev(EV_RETURN, &fn_parse, MS(11), 500) };
	struct event b[] = { ev(EV_CALL, &fn_read, MS(1010), 0),
			     ev(EV_RETURN, &fn_read, MS(1011), 700) };
	struct event a2[] = { ev(EV_CALL, &fn_parse, MS(3200), 0),
			      ev(EV_RETURN, &fn_parse, MS(3201), 500) };

	ck_assert_int_eq(summary_sink_open(FMT_JSON, cap_open(&c), 1000000000u, &s), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(0)), 0);
	feed(s, a, 2);
	ck_assert_int_eq(s->ops->tick(s, MS(900)), 0);     /* not due yet */
	ck_assert_int_eq(s->ops->tick(s, MS(1000)), 0);    /* 1st: parse */
	feed(s, b, 2);
	ck_assert_int_eq(s->ops->tick(s, MS(2000)), 0);    /* 2nd: read_all */
	ck_assert_int_eq(s->ops->tick(s, MS(3100)), 0);    /* 3rd: nothing */
	feed(s, a2, 2);
	ck_assert_int_eq(s->ops->flush(s), 0);             /* 4th, the run */
	s->ops->destroy(s);
	got = cap_close(&c);

	fn_json(parse1, sizeof(parse1), &fn_parse, 1, 500);
	fn_json(parse2, sizeof(parse2), &fn_parse, 2, 500);
	fn_json(read1, sizeof(read1), &fn_read, 1, 700);
	table_json(line[0], sizeof(line[0]), true, MS(0), MS(1000), parse1, "");
	table_json(line[1], sizeof(line[1]), true, MS(1000), MS(2000), read1, "");
	table_json(line[2], sizeof(line[2]), true, MS(2000), MS(3100), "", "");
	table_json(line[3], sizeof(line[3]), true, MS(3100), MS(3201), parse1, "");
	table_json(line[4], sizeof(line[4]), false, MS(0), MS(3201), parse2, read1);
	snprintf(want, sizeof(want), "%s%s%s%s%s", line[0], line[1], line[2],
		 line[3], line[4]);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* No event since the last interval table: no partial table at the end. */
START_TEST(interval_quiet_end)
{
	struct capture c;
	struct sink *s;
	char *got;
	struct event a[] = { ev(EV_CALL, &fn_parse, MS(10), 0) };

	ck_assert_int_eq(summary_sink_open(FMT_JSON, cap_open(&c), 1000000000u, &s), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(0)), 0);
	feed(s, a, 1);
	ck_assert_int_eq(s->ops->tick(s, MS(1000)), 0);
	ck_assert_int_eq(s->ops->tick(s, MS(1500)), 0);
	ck_assert_int_eq(s->ops->flush(s), 0);
	s->ops->destroy(s);
	got = cap_close(&c);
	ck_assert_str_eq(got,
		"{\"type\":\"summary\",\"interval\":true,\"start_ns\":1732400000123456789,"
		"\"end_ns\":1732400001123456789,\"functions\":[{\"func\":\"parse\","
		"\"module\":\"/srv/bin/app\",\"calls\":1,\"returns\":0,\"unwinds\":0,"
		"\"total_ns\":0,\"mean_ns\":null,\"min_ns\":null,\"max_ns\":null,"
		"\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,\"hist\":[]}]}\n"
		"{\"type\":\"summary\",\"interval\":false,\"start_ns\":1732400000123456789,"
		"\"end_ns\":1732400001623456789,\"functions\":[{\"func\":\"parse\","
		"\"module\":\"/srv/bin/app\",\"calls\":1,\"returns\":0,\"unwinds\":0,"
		"\"total_ns\":0,\"mean_ns\":null,\"min_ns\":null,\"max_ns\":null,"
		"\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,\"hist\":[]}]}\n");
	free(got);
}
END_TEST

/* ---- the fan-out of -c -v --------------------------------------------- */

struct rec_sink {
	struct sink base;
	char log[256];
	const char *name;
	char *shared;            /* every sink's calls, in order */
};

static void rec(struct rec_sink *r, const char *what)
{
	strcat(r->log, what);
	strcat(r->shared, r->name);
	strcat(r->shared, what);
}

static int rec_event(struct sink *s, const struct event *e)
{
	static const char *const names[] = { "c", "r", "u" };

	rec((struct rec_sink *)s, names[e->type]);
	return 0;
}

static int rec_tick(struct sink *s, uint64_t now)
{
	(void)now;
	rec((struct rec_sink *)s, "t");
	return 0;
}

static int rec_flush(struct sink *s)
{
	rec((struct rec_sink *)s, "f");
	return strcmp(((struct rec_sink *)s)->name, "S") ? 0 : -EPIPE;
}

static void rec_destroy(struct sink *s)
{
	rec((struct rec_sink *)s, "d");
}

static const struct sink_ops rec_ops = { rec_event, rec_tick, rec_flush, rec_destroy };

START_TEST(tee_skips_dropped)
{
	char shared[256] = "";
	struct rec_sink calls = { .base = { &rec_ops, stdout }, .name = "C", .shared = shared };
	struct rec_sink sum = { .base = { &rec_ops, stderr }, .name = "S", .shared = shared };
	struct event e[] = { ev(EV_CALL, &fn_parse, MS(1), 0),
			     ev(EV_RETURN, &fn_parse, MS(2), 10),
			     ev(EV_CALL, &fn_parse, MS(3), 0),
			     ev(EV_UNWIND, &fn_parse, MS(4), 10) };
	struct sink *t;

	e[2].dropped = e[3].dropped = true;
	ck_assert_int_eq(tee_sink_open(&calls.base, &sum.base, &t), 0);
	ck_assert_ptr_eq(t->out, stdout);
	feed(t, e, 4);
	ck_assert_int_eq(t->ops->tick(t, MS(5)), 0);
	ck_assert_int_eq(t->ops->flush(t), -EPIPE);
	t->ops->destroy(t);
	ck_assert_str_eq(calls.log, "crtfd");
	ck_assert_str_eq(sum.log, "crcutfd");
	/* Calls are flushed before the table. */
	ck_assert_str_eq(shared, "CcScCrSrScSuCtStCfSfCdSd");
}
END_TEST

/* A dropped event counts in the summary like any other. */
START_TEST(summary_counts_dropped)
{
	struct event e[] = { ev(EV_CALL, &fn_idle, MS(1), 0),
			     ev(EV_RETURN, &fn_idle, MS(2), 40) };
	char *got;

	e[0].dropped = e[1].dropped = true;
	got = one_table(FMT_JSON, e, 2);
	ck_assert_ptr_nonnull(strstr(got, "\"calls\":1,\"returns\":1,\"unwinds\":0,\"total_ns\":40,"));
	free(got);
}
END_TEST

static Suite *summary_suite(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("hist");

	tcase_add_test(tc, bucket_edges);
	tcase_add_test(tc, small_values_exact);
	tcase_add_loop_test(tc, percentile_accuracy, 0, 6);
	tcase_add_test(tc, hist_draw);
	suite_add_tcase(s, tc);

	tc = tcase_create("sinks");
	tcase_add_test(tc, json_table);
	tcase_add_test(tc, text_table);
	tcase_add_test(tc, empty_table);
	tcase_add_test(tc, same_function_one_row);
	tcase_add_test(tc, interval_reset);
	tcase_add_test(tc, interval_quiet_end);
	tcase_add_test(tc, tee_skips_dropped);
	tcase_add_test(tc, summary_counts_dropped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(summary_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
