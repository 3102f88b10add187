/* A sliding window, not a token bucket: a bucket lets twice the limit
 * through across the edge of a second. */
#include <stdlib.h>
#include "core/rate.h"

#define SECOND_NS 1000000000ull

bool rate_admit(struct rate_window *w, unsigned long limit, uint64_t now_ns)
{
	if (!limit)
		return true;
	if (!w->ts) {
		w->ts = calloc(limit, sizeof(*w->ts));
		if (!w->ts)
			return true;
		w->n = limit;
	}
	/* head is the oldest of the last n admitted calls once the ring is
	 * full: the new one fits if that one is a second old. */
	if (w->used == w->n) {
		if (now_ns - w->ts[w->head] < SECOND_NS)
			return false;
	} else {
		w->used++;
	}
	w->ts[w->head] = now_ns;
	w->head = (w->head + 1) % w->n;
	return true;
}

void rate_free(struct rate_window *w)
{
	free(w->ts);
	*w = (struct rate_window){ 0 };
}
