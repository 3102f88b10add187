/* Private to src/output: value rendering shared by the sinks. */
#ifndef LATCH_OUTPUT_RENDER_H
#define LATCH_OUTPUT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "output/output.h"
#include "core/value.h"

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

int text_sink_new(FILE *out, struct sink **s);
int json_sink_new(FILE *out, struct sink **s);
int chrome_sink_new(FILE *out, struct sink **s);
int folded_sink_new(FILE *out, struct sink **s);

#endif
