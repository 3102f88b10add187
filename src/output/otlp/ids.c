/* Trace and span ids, and the W3C traceparent a trace can be joined by.
 * Ids come from xoshiro256** seeded once from getrandom: random enough
 * to be unique across processes and hosts, and cheap enough for a span
 * per traced call. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "output/otlp/priv.h"
#include "util/clock.h"

static uint64_t state[4];
static bool seeded;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void seed(void)
{
	uint64_t x;

	/* Without getrandom (old kernel, seccomp), the clock and pid still
	 * tell one run from another. */
	if (getrandom(state, sizeof(state), GRND_NONBLOCK) != (ssize_t)sizeof(state)) {
		x = real_ns();
		x ^= (uint64_t)getpid() << 32;
		for (int i = 0; i < 4; i++)
			state[i] = splitmix64(&x);
	}
	/* The one state xoshiro never leaves. */
	if (otlp_id_is_zero((const uint8_t *)state, sizeof(state)))
		state[0] = 1;
	seeded = true;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(void)
{
	uint64_t r, t;

	if (!seeded)
		seed();
	r = rotl(state[1] * 5, 7) * 9;
	t = state[1] << 17;
	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return r;
}

static void fill(uint8_t *id, size_t n)
{
	uint64_t r;

	do {
		for (size_t i = 0; i < n; i += 8) {
			r = next();
			memcpy(id + i, &r, n - i < 8 ? n - i : 8);
		}
	} while (otlp_id_is_zero(id, n));
}

bool otlp_id_is_zero(const uint8_t *id, size_t n)
{
	while (n--)
		if (*id++)
			return false;
	return true;
}

void otlp_new_trace_id(uint8_t id[16])
{
	fill(id, 16);
}

void otlp_new_span_id(uint8_t id[8])
{
	fill(id, 8);
}

/* The W3C format is lowercase only. */
static int hexval(char c)
{
	return c >= 'A' && c <= 'F' ? -1 : otlp_hex_digit(c);
}

/* n bytes from 2n lowercase hex digits at s. */
static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "vv-" + 32 + "-" + 16 + "-" + "ff" */
#define TRACEPARENT_LEN 55

int otlp_traceparent_parse(const char *s, uint8_t trace_id[16], uint8_t span_id[8])
{
	uint8_t version, flags, tid[16], sid[8];
	size_t len = strlen(s);

	if (len < TRACEPARENT_LEN || s[2] != '-' || s[35] != '-' || s[52] != '-')
		return -EINVAL;
	if (parse_hex(s, &version, 1) || version == 0xff)
		return -EINVAL;
	/* Version 00 is exactly this long; later versions may append
	 * fields, each after a dash, which this reader skips. */
	if (len > TRACEPARENT_LEN && (version == 0 || s[TRACEPARENT_LEN] != '-'))
		return -EINVAL;
	if (parse_hex(s + 3, tid, sizeof(tid)) || parse_hex(s + 36, sid, sizeof(sid)) ||
	    parse_hex(s + 53, &flags, 1))
		return -EINVAL;
	if (otlp_id_is_zero(tid, sizeof(tid)) || otlp_id_is_zero(sid, sizeof(sid)))
		return -EINVAL;
	memcpy(trace_id, tid, sizeof(tid));
	memcpy(span_id, sid, sizeof(sid));
	return 0;
}
