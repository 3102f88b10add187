/* Between the exporter's queue and thread (output/otlp/export.c) and its HTTP
 * transport (output/otlp/http.c); the parsers are here for the unit tests. */
#ifndef LATCH_OTLP_EXPORT_PRIV_H
#define LATCH_OTLP_EXPORT_PRIV_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "output/otlp/otlp.h"

/* Longest wait a Retry-After may ask for. */
#define OTLP_RETRY_AFTER_MAX_S 60

enum otlp_post_result {
	OTLP_POST_SENT,       /* 2xx */
	OTLP_POST_RETRY,      /* 429, 502, 503, 504, or no answer */
	OTLP_POST_REJECTED,   /* any other status: sending again cannot help */
};

struct otlp_post {
	enum otlp_post_result result;
	long status;                  /* 0 when no answer came */
	char error[CURL_ERROR_SIZE];  /* why no answer came */
	bool has_retry_after;
	uint64_t retry_after_ns;      /* capped at OTLP_RETRY_AFTER_MAX_S */
};

struct otlp_http;

/* One libcurl handle, kept for the connection's reuse. 0, -ENOMEM, -EIO
 * (libcurl would not initialise), or -EINVAL for a url that is not http
 * or https, or malformed headers. */
int otlp_http_open(const char *url, enum otlp_encoding enc, const char *headers,
		   struct otlp_http **h);
/* One POST of body, given up after timeout_ns; never fails otherwise. */
void otlp_http_post(struct otlp_http *h, const void *body, size_t len,
		    uint64_t timeout_ns, struct otlp_post *r);
void otlp_http_close(struct otlp_http *h);

enum otlp_post_result otlp_http_classify(long status);
/* OTEL_EXPORTER_OTLP_HEADERS "k=v,k2=v2" as curl header lines appended
 * to *list: keys and values trimmed, values percent-decoded. 0, -ENOMEM,
 * or -EINVAL (no '=', a key that is no HTTP token, bad or control-
 * character escapes); on error *list is as it was. NULL is no headers. */
int otlp_headers_parse(const char *s, struct curl_slist **list);
/* A Retry-After value, delta-seconds or an HTTP-date (against now), as
 * a wait capped at OTLP_RETRY_AFTER_MAX_S. 0 or -EINVAL. */
int otlp_retry_after_parse(const char *v, time_t now, uint64_t *ns);

#endif
