/* The summary table for people: a heading, one aligned row per function,
 * then each function's log2 histogram. */
#include <inttypes.h>
#include <string.h>
#include "output/priv.h"

enum col { C_NAME, C_MODULE, C_CALLS, C_RETURNS, C_UNWINDS, C_TOTAL, C_MEAN,
	   C_MIN, C_MAX, C_P50, C_P90, C_P99, NCOLS };

static const char *const heads[NCOLS] = {
	"FUNCTION", "MODULE", "CALLS", "RETURNS", "UNWINDS", "TOTAL", "MEAN",
	"MIN", "MAX", "P50", "P90", "P99",
};

#define CELL 32

static const char *fn_name(const struct fn_stats *st)
{
	return st->fn && st->fn->name ? func_label(st->fn) : "?";
}

static void duration_cell(char *cell, const struct hist *h, uint64_t ns)
{
	if (h->count)
		render_duration(cell, CELL, ns);
	else
		strcpy(cell, "-");
}

/* The module's file name without its directory. */
static const char *module_name(const struct fn_stats *st)
{
	const char *path = st->fn && st->fn->module ? st->fn->module : "?";
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A row's texts; the numbers are written into cell. */
static void cells(const struct fn_stats *st, char cell[NCOLS][CELL],
		  const char *text[NCOLS])
{
	const struct hist *h = &st->dur;
	int c;

	snprintf(cell[C_CALLS], CELL, "%" PRIu64, st->calls);
	snprintf(cell[C_RETURNS], CELL, "%" PRIu64, st->returns);
	snprintf(cell[C_UNWINDS], CELL, "%" PRIu64, st->unwinds);
	duration_cell(cell[C_TOTAL], h, h->total);
	duration_cell(cell[C_MEAN], h, hist_mean(h));
	duration_cell(cell[C_MIN], h, h->min);
	duration_cell(cell[C_MAX], h, h->max);
	duration_cell(cell[C_P50], h, hist_percentile(h, 50));
	duration_cell(cell[C_P90], h, hist_percentile(h, 90));
	duration_cell(cell[C_P99], h, hist_percentile(h, 99));
	for (c = 0; c < NCOLS; c++)
		text[c] = cell[c];
	text[C_NAME] = fn_name(st);
	text[C_MODULE] = module_name(st);
}

/* Names and modules are left-aligned, numbers right-aligned. */
static void row(FILE *f, const char *const text[NCOLS], const int width[NCOLS])
{
	int c;

	fprintf(f, "%-*s", width[C_NAME], text[C_NAME]);
	fprintf(f, "  %-*s", width[C_MODULE], text[C_MODULE]);
	for (c = C_CALLS; c < NCOLS; c++)
		fprintf(f, "  %*s", width[c], text[c]);
	putc('\n', f);
}

static void table(FILE *f, const struct summary_table *t)
{
	int width[NCOLS];
	char cell[NCOLS][CELL];
	const char *text[NCOLS];
	size_t r;
	int c;

	for (c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(heads[c]);
	for (r = 0; r < t->nrows; r++) {
		cells(t->rows[r], cell, text);
		for (c = 0; c < NCOLS; c++) {
			int len = (int)strlen(text[c]);

			if (len > width[c])
				width[c] = len;
		}
	}
	row(f, heads, width);
	for (r = 0; r < t->nrows; r++) {
		cells(t->rows[r], cell, text);
		row(f, text, width);
	}
}

void summary_write_text(FILE *f, const struct summary_table *t)
{
	char start[32], end[32], span[32];
	size_t r;

	render_clock(start, sizeof(start), t->start_ns);
	render_clock(end, sizeof(end), t->end_ns);
	render_duration(span, sizeof(span), t->end_ns - t->start_ns);
	fprintf(f, "== %s %s - %s (%s) ==\n", t->interval ? "interval" : "summary",
		start, end, span);
	if (!t->nrows) {
		fputs("no calls\n\n", f);
		return;
	}
	table(f, t);
	for (r = 0; r < t->nrows; r++) {
		const struct fn_stats *st = t->rows[r];

		if (!st->dur.count)
			continue;
		fprintf(f, "\n%s (%s), duration in ns:\n", fn_name(st), module_name(st));
		summary_draw_hist(f, &st->dur);
	}
	putc('\n', f);
}

/* 2^e as bpftrace writes it: 512, 1K, 2K, ..., 1M, ..., 16E. */
static void pow2_label(char *buf, size_t len, unsigned e)
{
	static const char suffix[] = "KMGTPE";

	if (e < 10)
		snprintf(buf, len, "%u", 1u << e);
	else
		snprintf(buf, len, "%u%c", 1u << (e % 10), suffix[e / 10 - 1]);
}

#define BAR_WIDTH 52

void summary_draw_hist(FILE *f, const struct hist *h)
{
	unsigned first = HIST_LOG2_BUCKETS, last = 0, i, c;
	uint64_t most = 0;

	for (i = 0; i < HIST_LOG2_BUCKETS; i++) {
		if (!h->log2[i])
			continue;
		if (first == HIST_LOG2_BUCKETS)
			first = i;
		last = i;
		if (h->log2[i] > most)
			most = h->log2[i];
	}
	for (i = first; i <= last && most; i++) {
		char label[32], lo[8], hi[8];
		/* 128 bits: a count times the width may not fit in 64. */
		unsigned bar = (unsigned)((unsigned __int128)h->log2[i] * BAR_WIDTH / most);

		if (i < 2) {
			snprintf(label, sizeof(label), "[%u]", i);
		} else {
			pow2_label(lo, sizeof(lo), i - 1);
			pow2_label(hi, sizeof(hi), i);
			snprintf(label, sizeof(label), "[%s, %s)", lo, hi);
		}
		fprintf(f, "%-16s%8" PRIu64 " |", label, h->log2[i]);
		for (c = 0; c < BAR_WIDTH; c++)
			putc(c < bar ? '@' : ' ', f);
		fputs("|\n", f);
	}
}
