/* The summary table for programs: one JSON object per table, one line. */
#include <inttypes.h>
#include "output/priv.h"

/* A duration statistic, or null when there was no duration to take it from. */
static void dur_stat(FILE *f, const char *key, const struct hist *h, uint64_t ns)
{
	fprintf(f, ",\"%s\":", key);
	if (h->count)
		fprintf(f, "%" PRIu64, ns);
	else
		fputs("null", f);
}

static void hist_array(FILE *f, const struct hist *h)
{
	bool first = true;
	unsigned i;

	fputs(",\"hist\":[", f);
	for (i = 0; i < HIST_LOG2_BUCKETS; i++) {
		if (!h->log2[i])
			continue;
		fprintf(f, "%s{\"lo_ns\":%" PRIu64 ",\"hi_ns\":", first ? "" : ",",
			hist_log2_lo(i));
		/* The last bucket ends at 2^64, which no uint64_t holds. */
		if (i < 64)
			fprintf(f, "%" PRIu64, (uint64_t)1 << i);
		else
			fputs("18446744073709551616", f);
		fprintf(f, ",\"count\":%" PRIu64 "}", h->log2[i]);
		first = false;
	}
	putc(']', f);
}

static void function(FILE *f, const struct fn_stats *st)
{
	const struct hist *h = &st->dur;

	fputs("{\"func\":", f);
	render_json_cstr(f, st->fn ? func_label(st->fn) : NULL);
	fputs(",\"module\":", f);
	render_json_cstr(f, st->fn ? st->fn->module : NULL);
	fprintf(f, ",\"calls\":%" PRIu64 ",\"returns\":%" PRIu64 ",\"unwinds\":%" PRIu64
		",\"total_ns\":%" PRIu64, st->calls, st->returns, st->unwinds, h->total);
	dur_stat(f, "mean_ns", h, hist_mean(h));
	dur_stat(f, "min_ns", h, h->min);
	dur_stat(f, "max_ns", h, h->max);
	dur_stat(f, "p50_ns", h, hist_percentile(h, 50));
	dur_stat(f, "p90_ns", h, hist_percentile(h, 90));
	dur_stat(f, "p99_ns", h, hist_percentile(h, 99));
	hist_array(f, h);
	putc('}', f);
}

void summary_write_json(FILE *f, const struct summary_table *t)
{
	size_t r;

	fprintf(f, "{\"type\":\"summary\",\"interval\":%s,\"start_ns\":%" PRIu64
		",\"end_ns\":%" PRIu64 ",\"functions\":[",
		t->interval ? "true" : "false", t->start_ns, t->end_ns);
	for (r = 0; r < t->nrows; r++) {
		if (r)
			putc(',', f);
		function(f, t->rows[r]);
	}
	fputs("]}\n", f);
}
