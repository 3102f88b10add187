/* Private to src/output: duration statistics for summaries. Memory stays
 * bounded however long tracing runs: no duration is kept, only counters. */
#ifndef LATCH_OUTPUT_HIST_H
#define LATCH_OUTPUT_HIST_H

#include <stdint.h>

/* The log2 histogram that is displayed: bucket 0 holds 0, bucket k+1
 * holds [2^k, 2^(k+1)) for k = 0..63. */
#define HIST_LOG2_BUCKETS 65
/* Each [2^k, 2^(k+1)) is also split into 2^HIST_SUB_BITS linear
 * sub-buckets for percentiles: a sub-bucket's midpoint is within
 * 2^-(HIST_SUB_BITS+1) (1.6%) of any value in it. */
#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)

struct hist {
	uint64_t count;
	uint64_t total;          /* exact sum */
	uint64_t min, max;       /* exact; meaningless while count is 0 */
	uint64_t log2[HIST_LOG2_BUCKETS];
	/* sub[k]: HIST_SUB counters for [2^k, 2^(k+1)), allocated when the
	 * first value lands there (a function's durations span a few
	 * powers of two, not 64). */
	uint64_t *sub[64];
};

/* A zeroed struct hist is an empty histogram. Add one value: 0, or
 * -ENOMEM with h unchanged. */
int hist_add(struct hist *h, uint64_t v);
/* Empty h again, keeping its memory for the next values. */
void hist_reset(struct hist *h);
void hist_free(struct hist *h);

/* The log2 bucket of v. Bucket i holds [hist_log2_lo(i), 2^i). */
unsigned hist_log2_index(uint64_t v);
uint64_t hist_log2_lo(unsigned i);

/* The pct-th percentile (1..100) by nearest rank, as the midpoint of its
 * sub-bucket clamped into [min, max]; 0 when h is empty. */
uint64_t hist_percentile(const struct hist *h, unsigned pct);
/* total / count rounded down; 0 when h is empty. */
uint64_t hist_mean(const struct hist *h);

#endif
