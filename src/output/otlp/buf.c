/* The growable byte buffer the OTLP encoders write into, the writer
 * with a sticky error over it, and UTF-8 repair: protobuf receivers
 * reject a string field that is not valid UTF-8, and traced programs
 * hand latch any bytes at all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"

int otlp_buf_put(struct otlp_buf *b, const void *p, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *d;

		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		d = realloc(b->data, cap);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	/* memcpy with a NULL source is undefined even for no bytes. */
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void otlp_buf_free(struct otlp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void otlp_writer_init(struct otlp_writer *w, struct otlp_buf *b)
{
	w->b = b;
	w->err = 0;
	w->start = b->len;
}

int otlp_writer_done(struct otlp_writer *w)
{
	if (w->err)
		w->b->len = w->start;
	return w->err;
}

void otlp_put(struct otlp_writer *w, const void *p, size_t n)
{
	if (!w->err)
		w->err = otlp_buf_put(w->b, p, n);
}

void otlp_put_byte(struct otlp_writer *w, uint8_t c)
{
	otlp_put(w, &c, 1);
}

void otlp_put_str(struct otlp_writer *w, const char *s)
{
	otlp_put(w, s, strlen(s));
}

size_t otlp_utf8_fixed_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, out = 0, n;

	while (i < len) {
		n = render_utf8_len(s + i, len - i);
		if (n) {
			i += n;
			out += n;
		} else {
			i++;
			out += 2;
		}
	}
	return out;
}

void otlp_put_utf8(struct otlp_writer *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, n;

	/* Valid runs go out in one copy each. */
	while (i < len) {
		n = render_utf8_len(s + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		/* a stray byte is the code point of its value, as in JSON */
		uint8_t latin1[2] = { (uint8_t)(0xc0 | s[i] >> 6), (uint8_t)(0x80 | (s[i] & 0x3f)) };

		otlp_put(w, s + run, i - run);
		otlp_put(w, latin1, sizeof(latin1));
		run = ++i;
	}
	otlp_put(w, s + run, i - run);
}
