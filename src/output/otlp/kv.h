/* The "key=value,key=value" lists of the OTel environment variables
 * (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS): W3C Baggage
 * without properties, blanks around members, keys and values trimmed,
 * values percent-decoded. What counts as an error is each caller's. */
#ifndef LATCH_OUTPUT_OTLP_KV_H
#define LATCH_OUTPUT_OTLP_KV_H

#include <stdbool.h>
#include <stddef.h>

/* One non-empty member of a list, as handed to the caller's function. */
struct otlp_kv {
	const char *member;   /* trimmed, as written: for messages */
	/* NUL-terminated; decoding may put other NULs inside, which the
	 * lengths count. "" when bad. */
	const char *key, *value;
	size_t key_len, value_len;
	/* No '=', nothing before it, or a '%' without two hex digits. */
	bool bad;
};

enum {
	/* Keys are percent-decoded too (Baggage keys are plain tokens). */
	OTLP_KV_DECODE_KEYS = 1,
};

/* fn(arg, kv) for each non-empty member of list, in order, until fn
 * returns other than 0; bad members are handed over too, to be skipped
 * or refused. 0, -ENOMEM, or what fn returned. NULL is an empty list. */
int otlp_kv_parse(const char *list, unsigned flags,
		  int (*fn)(void *arg, const struct otlp_kv *kv), void *arg);

/* 0 to 15 for a hex digit of either case, else -1. */
int otlp_hex_digit(char c);

#endif
