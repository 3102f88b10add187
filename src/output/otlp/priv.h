/* Private to the OTLP encoders: buffer writers with a sticky error, and
 * the UTF-8 repair both encodings apply to every string they write. */
#ifndef LATCH_OUTPUT_OTLP_PRIV_H
#define LATCH_OUTPUT_OTLP_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include "output/otlp/otlp.h"
#include "output/render.h"

#ifndef LATCH_VERSION
#define LATCH_VERSION "unknown"
#endif

#define OTLP_SCOPE_NAME "latch"

/* A writer appends to b until its first failure, which it keeps in err:
 * encoders check once at the end instead of after every field. */
struct otlp_writer {
	struct otlp_buf *b;
	int err;
	size_t start;   /* b->len when the writer began: undone on failure */
};

void otlp_writer_init(struct otlp_writer *w, struct otlp_buf *b);
/* w->err; on failure also drops what the writer had appended. */
int otlp_writer_done(struct otlp_writer *w);
void otlp_put(struct otlp_writer *w, const void *p, size_t n);
void otlp_put_byte(struct otlp_writer *w, uint8_t c);
void otlp_put_str(struct otlp_writer *w, const char *s);

/* The length of s once each byte outside a valid sequence is replaced
 * by the code point of its value (two bytes; output/render.h's rule);
 * len itself when s is valid UTF-8. */
size_t otlp_utf8_fixed_len(const char *s, size_t len);
/* Appends s with that replacement. */
void otlp_put_utf8(struct otlp_writer *w, const char *s, size_t len);

/* No byte set: an id that means "none" (output/otlp/ids.c). */
bool otlp_id_is_zero(const uint8_t *id, size_t n);

/* The JSON encoder's halves (output/otlp/json.c), called by output/otlp/encode.c. */
int otlp_json_span(struct otlp_buf *b, const struct otlp_span *s);
int otlp_json_request(struct otlp_buf *out, const struct otlp_attrs *resource,
		      const struct otlp_buf *const *spans, size_t n);

#endif
