/* Duration statistics: exact count, sum and extremes, a log2 histogram,
 * and log-linear sub-buckets for percentiles. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/priv.h"

unsigned hist_log2_index(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

uint64_t hist_log2_lo(unsigned i)
{
	return i ? 1ull << (i - 1) : 0;
}

/* Below 2^HIST_SUB_BITS a power of two has fewer values than
 * sub-buckets: one value per sub-bucket, the rest unused. */
static unsigned sub_shift(unsigned k)
{
	return k < HIST_SUB_BITS ? 0 : k - HIST_SUB_BITS;
}

static unsigned sub_index(uint64_t v, unsigned k)
{
	return (unsigned)((v - (1ull << k)) >> sub_shift(k));
}

int hist_add(struct hist *h, uint64_t v)
{
	unsigned i = hist_log2_index(v);

	if (i) {
		unsigned k = i - 1;

		if (!h->sub[k] && !(h->sub[k] = calloc(HIST_SUB, sizeof(uint64_t))))
			return -ENOMEM;
		h->sub[k][sub_index(v, k)]++;
	}
	h->log2[i]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (!h->count || v > h->max)
		h->max = v;
	h->count++;
	h->total += v;
	return 0;
}

void hist_reset(struct hist *h)
{
	unsigned k;

	for (k = 0; k < 64; k++)
		if (h->sub[k])
			memset(h->sub[k], 0, HIST_SUB * sizeof(uint64_t));
	h->count = h->total = h->min = h->max = 0;
	memset(h->log2, 0, sizeof(h->log2));
}

void hist_free(struct hist *h)
{
	unsigned k;

	for (k = 0; k < 64; k++) {
		free(h->sub[k]);
		h->sub[k] = NULL;
	}
	hist_reset(h);
}

static uint64_t clamp(const struct hist *h, uint64_t v)
{
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

uint64_t hist_percentile(const struct hist *h, unsigned pct)
{
	uint64_t rank, seen = 0;
	unsigned i, s, k;

	if (!h->count)
		return 0;
	/* Nearest rank: the smallest value with at least pct% at or below. */
	rank = (h->count / 100) * pct + ((h->count % 100) * pct + 99) / 100;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_LOG2_BUCKETS; i++) {
		if (seen + h->log2[i] >= rank)
			break;
		seen += h->log2[i];
	}
	if (i == HIST_LOG2_BUCKETS)
		return h->max;   /* counters that disagree: cannot happen */
	if (i == 0)
		return 0;
	k = i - 1;
	for (s = 0; s < HIST_SUB - 1; s++) {
		if (seen + h->sub[k][s] >= rank)
			break;
		seen += h->sub[k][s];
	}
	uint64_t lo = (1ull << k) + ((uint64_t)s << sub_shift(k));
	uint64_t width = 1ull << sub_shift(k);

	return clamp(h, lo + (width - 1) / 2);
}

uint64_t hist_mean(const struct hist *h)
{
	return h->count ? h->total / h->count : 0;
}
