/* Private to src/output: what its sinks share. Value rendering (text and
 * JSON), duration statistics, stack tallies and the summary tables. */
#ifndef LATCH_OUTPUT_PRIV_H
#define LATCH_OUTPUT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/value.h"
#include "output/output.h"
#include "util/hashmap.h"

/* Value rendering ---------------------------------------------------- */
/* "850ns", "12.3us", "1.25ms", "2.500s"; buf holds at least 32 bytes. */
void render_duration(char *buf, size_t len, uint64_t ns);

/* The local time of day, "HH:MM:SS.uuuuuu"; buf holds at least 32 bytes. */
void render_clock(char *buf, size_t len, uint64_t ts_ns);

/* Bytes as the inside of a C string literal: \n \t \r \\ \" and \xHH for
 * anything else that is not printable ASCII. */
void render_c_escaped(FILE *f, const char *s, size_t len);
/* A character as a C literal: 'a', '\n', '\x80', '\0'. */
void render_char_literal(FILE *f, int64_t i);
/* A V_FLOAT as the shortest text that reads back as the same value of
 * its type ("0.1", "1e+30", "nan", "-inf"); buf holds at least 64 bytes. */
void render_float(char *buf, size_t len, const struct value *v);
/* A value tree as text ("abc"..., 'x', {x=1, y=2}, 0x7ffd1234 -> {...},
 * 0x401136 <handler>, ...): render_text.c. */
void render_text_value(FILE *f, const struct value *v);
/* "a=1, s=\"abc\", ..." */
void render_text_args(FILE *f, const struct value *args, unsigned n);

/* A quoted JSON string. Valid UTF-8 passes through; every byte outside a
 * valid sequence becomes \u00XX, so the output is always valid UTF-8. */
/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if the
 * first byte does not start one: overlongs, surrogates and code points
 * past U+10FFFF are invalid. */
size_t render_utf8_len(const unsigned char *s, size_t n);
/* The one rule of every JSON string latch writes (JSON lines, OTLP/JSON,
 * Chrome traces): len bytes at s quoted, in pieces given to put; valid
 * UTF-8 as is; control characters and DEL escaped; any other byte read as
 * Latin-1, the code point of its value (\u0080-\u00ff), which keeps it.
 * OTLP's protobuf strings follow the same reading (otlp_put_utf8). */
void json_quote(const char *s, size_t len,
		void (*put)(void *ctx, const char *p, size_t n), void *ctx);
void render_json_string(FILE *f, const char *s, size_t len);
void render_json_cstr(FILE *f, const char *s);
/* A character as a one-character JSON string, or its number. */
void render_json_char(FILE *f, int64_t i);
/* A value tree as JSON: render_json.c. */
void render_json_value(FILE *f, const struct value *v);
/* The members of a call's arguments object, without its braces:
 * "s":"abc","n":3; a parameter without a name is "argN", the variadic
 * part "...". */
void render_json_args(FILE *f, const struct value *args, unsigned n);
/* An address as a JSON string, "0x401136". */
void render_json_address(FILE *f, uint64_t a);

/* After writing an event: the first write error, sticky in *err, as
 * -errno (-EPIPE when the reader went away), else 0. Flushes first when
 * flush is set. Callers set errno to 0 before writing. */
int render_status(FILE *f, int *err, bool flush);

int text_sink_new(FILE *out, const struct text_style *style, struct sink **s);
int json_sink_new(FILE *out, struct sink **s);
int chrome_sink_new(FILE *out, struct sink **s);
int folded_sink_new(FILE *out, struct sink **s);

/* Duration statistics for summaries. Memory stays
 * bounded however long tracing runs: no duration is kept, only counters. */
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

/* Weights by call stack ("outer;middle;inner"): the tallies of -f folded. */
struct stack_weight {
	struct stack_weight *next;   /* another stack with the same hash */
	uint64_t weight;
	size_t len;
	char key[];                  /* len bytes and a NUL */
};

struct stackmap {
	struct hashmap by_hash;      /* hash of the key -> struct stack_weight */
	size_t count;
};

/* Add w to the stack's weight; 0 or -ENOMEM. */
int stackmap_add(struct stackmap *m, const char *key, size_t len, uint64_t w);
/* Add every weight of src to dst; 0 or -ENOMEM. */
int stackmap_merge(struct stackmap *dst, const struct stackmap *src);
/* The stacks sorted by key, in an array of m->count pointers that the
 * caller frees (NULL when there are none); 0 or -ENOMEM. */
int stackmap_sorted(const struct stackmap *m, struct stack_weight ***out);
void stackmap_free(struct stackmap *m);

/* The tables of -c, --summary ---------------------------------------- */
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
