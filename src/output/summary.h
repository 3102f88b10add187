/* Private to src/output: the tables of -c, --summary. */
#ifndef LATCH_OUTPUT_SUMMARY_H
#define LATCH_OUTPUT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "output/hist.h"

/* One function's row. */
struct fn_stats {
	const struct func_desc *fn;
	uint64_t calls, returns, unwinds;
	struct hist dur;         /* durations of the returns and unwinds */
};

struct summary_table {
	bool interval;           /* one --summary-interval, not the whole run */
	uint64_t start_ns, end_ns;   /* CLOCK_REALTIME */
	const struct fn_stats *const *rows;  /* by total duration, descending */
	size_t nrows;
};

/* summary_text.c, summary_json.c */
void summary_write_text(FILE *f, const struct summary_table *t);
void summary_write_json(FILE *f, const struct summary_table *t);
/* The log2 histogram drawn like bpftrace's hist(), from the first to the
 * last non-empty bucket; nothing when h is empty. */
void summary_draw_hist(FILE *f, const struct hist *h);

#endif
