/* --rate N: at most N printed calls in any one-second span. */
#ifndef LATCH_RATE_H
#define LATCH_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct rate_window {
	uint64_t *ts;          /* times of the latest admitted calls, a ring */
	unsigned long n, head, used;
};

/* Whether a call at now_ns (a monotonic clock) may be printed; limit 0
 * admits everything. A window that cannot be allocated admits too: the
 * limit protects the output, not the target. */
bool rate_admit(struct rate_window *w, unsigned long limit, uint64_t now_ns);
void rate_free(struct rate_window *w);

#endif
