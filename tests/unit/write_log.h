/* Test helpers shared by the decoder suites: a memory-write callback that
 * records what a step wrote, and little-endian loads. */
#ifndef LATCH_TEST_WRITE_LOG_H
#define LATCH_TEST_WRITE_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wlog {
	int calls;
	int fail;             /* returned instead of writing when nonzero */
	uint64_t addr;
	uint8_t buf[16];
	size_t len;
};

static inline int rec_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct wlog *w = ctx;

	w->calls++;
	if (w->fail)
		return w->fail;
	w->addr = addr;
	w->len = len;
	memcpy(w->buf, buf, len < sizeof w->buf ? len : sizeof w->buf);
	return 0;
}

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
