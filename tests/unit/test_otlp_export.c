/* The OTLP exporter: batching, delay, headers, retries and Retry-After,
 * rejection, an unreachable or hanging receiver, a full queue, file mode,
 * against a small HTTP/1.1 receiver run by the test on 127.0.0.1; and the
 * parsers of OTEL_EXPORTER_OTLP_HEADERS and Retry-After.
 *
 * Spans are opaque to the exporter, so each test span is a tiny valid
 * Span (JSON object, or protobuf name field) and expected bodies are what
 * otlp_request_encode makes of the same spans. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "output/otlp/otlp.h"
#include "output/otlp/export_priv.h"

#define MS 1000000ull
#define SEC 1000000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* ---- spans and expected requests ----------------------------------- */

static const struct otlp_attrs resource;

static void make_span(struct otlp_buf *b, enum otlp_encoding enc, int i)
{
	char name[32];
	int n = snprintf(name, sizeof(name), "span-%04d", i);

	*b = (struct otlp_buf){ 0 };
	if (enc == OTLP_JSON) {
		char obj[64];
		int k = snprintf(obj, sizeof(obj), "{\"name\":\"%s\"}", name);

		ck_assert_int_eq(otlp_buf_put(b, obj, (size_t)k), 0);
	} else {
		uint8_t tag[2] = { 0x2a, (uint8_t)n };   /* Span.name, length */

		ck_assert_int_eq(otlp_buf_put(b, tag, 2), 0);
		ck_assert_int_eq(otlp_buf_put(b, name, (size_t)n), 0);
	}
}

static void push_span(struct otlp_exporter *x, enum otlp_encoding enc, int i)
{
	struct otlp_buf b;

	make_span(&b, enc, i);
	otlp_exporter_push(x, &b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
}

/* The request for spans lo .. lo + n - 1. */
static void expect_request(struct otlp_buf *out, enum otlp_encoding enc, int lo, size_t n)
{
	struct otlp_buf spans[16];
	const struct otlp_buf *p[16];

	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++) {
		make_span(&spans[i], enc, lo + (int)i);
		p[i] = &spans[i];
	}
	*out = (struct otlp_buf){ 0 };
	ck_assert_int_eq(otlp_request_encode(out, enc, &resource, p, n), 0);
	for (size_t i = 0; i < n; i++)
		otlp_buf_free(&spans[i]);
}

/* ---- warnings ------------------------------------------------------- */

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static char *warnings[16];
static size_t nwarn;

static void collect_warn(const char *msg)
{
	pthread_mutex_lock(&warn_lock);
	if (nwarn < 16)
		warnings[nwarn++] = strdup(msg);
	pthread_mutex_unlock(&warn_lock);
}

static size_t warn_count(void)
{
	size_t n;

	pthread_mutex_lock(&warn_lock);
	n = nwarn;
	pthread_mutex_unlock(&warn_lock);
	return n;
}

static void wait_warnings(size_t n)
{
	uint64_t end = now_ns() + 5 * SEC;

	while (warn_count() < n && now_ns() < end)
		usleep(5000);
	ck_assert_uint_ge(warn_count(), n);
}

static void warn_reset(void)
{
	for (size_t i = 0; i < nwarn; i++)
		free(warnings[i]);
	nwarn = 0;
}

/* ---- the receiver --------------------------------------------------- */

enum act { ANSWER, CLOSE, HANG };   /* HANG: until released, then as status (0: close) */

struct reply {
	int status;
	const char *retry_after;
	enum act act;
};

struct req {
	char method[16], path[128];
	char *head;        /* the header lines */
	char *body;
	size_t body_len;
	uint64_t at;       /* when it had arrived */
};

#define MAX_REQS 32

struct srv {
	int lfd, port;
	char url[64];
	pthread_t th;
	pthread_mutex_t m;
	pthread_cond_t c;
	const struct reply *script;
	size_t nscript, next;
	struct req reqs[MAX_REQS];
	size_t nreq;
	bool stop, release;
};

static bool srv_flag(struct srv *s, const bool *f)
{
	bool v;

	pthread_mutex_lock(&s->m);
	v = *f;
	pthread_mutex_unlock(&s->m);
	return v;
}

/* Appends what fd has to *buf: > 0, 0 at the peer's close, < 0 when told
 * to stop. */
static ssize_t read_some(struct srv *s, int fd, char **buf, size_t *len, size_t *cap)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (srv_flag(s, &s->stop))
			return -1;
		if (poll(&p, 1, 20) <= 0)
			continue;
		if (*len + 4096 > *cap) {
			*cap = (*len + 4096) * 2;
			*buf = realloc(*buf, *cap + 1);
			ck_assert_ptr_nonnull(*buf);
		}
		r = recv(fd, *buf + *len, *cap - *len, 0);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		*len += (size_t)r;
		(*buf)[*len] = '\0';
		return r;
	}
}

/* 0 when released, -1 when the peer left or the receiver stops. */
static int hang(struct srv *s, int fd)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;

		if (srv_flag(s, &s->stop))
			return -1;
		if (srv_flag(s, &s->release))
			return 0;
		if (poll(&p, 1, 20) > 0 && recv(fd, &c, 1, MSG_PEEK) <= 0)
			return -1;
	}
}

static size_t content_length(const char *head)
{
	for (const char *l = head; l && *l; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL)
		if (!strncasecmp(l, "content-length:", 15))
			return strtoul(l + 15, NULL, 10);
	return 0;
}

/* Records one request; false when the connection is over. */
static bool read_request(struct srv *s, int fd, char **buf, size_t *len, size_t *cap)
{
	char *end, *line_end;
	size_t head_len, body_len;
	struct req r = { 0 };

	while (!*buf || !(end = strstr(*buf, "\r\n\r\n")))
		if (read_some(s, fd, buf, len, cap) <= 0)
			return false;
	head_len = (size_t)(end - *buf) + 4;
	end[2] = '\0';   /* the head ends at its last CRLF */
	body_len = content_length(*buf);
	while (*len < head_len + body_len)
		if (read_some(s, fd, buf, len, cap) <= 0)
			return false;
	line_end = strstr(*buf, "\r\n");
	ck_assert_int_eq(sscanf(*buf, "%15s %127s", r.method, r.path), 2);
	r.head = strndup(line_end + 2, (size_t)(end + 2 - (line_end + 2)));
	r.body = malloc(body_len + 1);
	memcpy(r.body, *buf + head_len, body_len);
	r.body_len = body_len;
	r.at = now_ns();
	memmove(*buf, *buf + head_len + body_len, *len - head_len - body_len);
	*len -= head_len + body_len;
	(*buf)[*len] = '\0';
	pthread_mutex_lock(&s->m);
	ck_assert_uint_lt(s->nreq, MAX_REQS);
	s->reqs[s->nreq++] = r;
	pthread_cond_broadcast(&s->c);
	pthread_mutex_unlock(&s->m);
	return true;
}

static void serve(struct srv *s, int fd)
{
	char *buf = NULL, out[256];
	size_t len = 0, cap = 0;

	while (read_request(s, fd, &buf, &len, &cap)) {
		struct reply r = { 200, NULL, ANSWER };
		int n;

		pthread_mutex_lock(&s->m);
		if (s->next < s->nscript)
			r = s->script[s->next++];
		pthread_mutex_unlock(&s->m);
		if (r.act == HANG && (hang(s, fd) || !r.status))
			break;
		if (r.act == CLOSE)
			break;
		n = snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n%s%s%s\r\n",
			     r.status, r.retry_after ? "Retry-After: " : "",
			     r.retry_after ? r.retry_after : "", r.retry_after ? "\r\n" : "");
		if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	}
	free(buf);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (!srv_flag(s, &s->stop)) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 20) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(s, fd);
		close(fd);
	}
	return NULL;
}

static int bound_socket(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void srv_start(struct srv *s, const struct reply *script, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->script = script;
	s->nscript = n;
	s->lfd = bound_socket(&s->port);
	ck_assert_int_eq(listen(s->lfd, 8), 0);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/v1/traces", s->port);
	pthread_mutex_init(&s->m, NULL);
	pthread_cond_init(&s->c, NULL);
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* Waits (at most 5 s) for n requests; how many came. */
static size_t srv_wait(struct srv *s, size_t n)
{
	struct timespec ts;
	size_t got;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&s->m);
	while (s->nreq < n && pthread_cond_timedwait(&s->c, &s->m, &ts) == 0)
		;
	got = s->nreq;
	pthread_mutex_unlock(&s->m);
	return got;
}

static void srv_release(struct srv *s)
{
	pthread_mutex_lock(&s->m);
	s->release = true;
	pthread_mutex_unlock(&s->m);
}

static void srv_stop(struct srv *s)
{
	pthread_mutex_lock(&s->m);
	s->stop = true;
	pthread_mutex_unlock(&s->m);
	pthread_join(s->th, NULL);
	close(s->lfd);
	for (size_t i = 0; i < s->nreq; i++) {
		free(s->reqs[i].head);
		free(s->reqs[i].body);
	}
	pthread_mutex_destroy(&s->m);
	pthread_cond_destroy(&s->c);
}

/* The value of header name in r, or NULL; the caller frees it. */
static char *header(const struct req *r, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = r->head; l && *l; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL) {
		if (strncasecmp(l, name, n) || l[n] != ':')
			continue;
		const char *v = l + n + 1, *e = strstr(v, "\r\n");

		while (*v == ' ')
			v++;
		return strndup(v, (size_t)(e - v));
	}
	return NULL;
}

static void assert_header(const struct req *r, const char *name, const char *want)
{
	char *v = header(r, name);

	ck_assert_msg(v, "no %s header", name);
	ck_assert_str_eq(v, want);
	free(v);
}

static void assert_body(const struct req *r, enum otlp_encoding enc, int lo, size_t n)
{
	struct otlp_buf want;

	expect_request(&want, enc, lo, n);
	ck_assert_uint_eq(r->body_len, want.len);
	ck_assert_int_eq(memcmp(r->body, want.data, want.len), 0);
	otlp_buf_free(&want);
}

/* ---- exporter setups ------------------------------------------------ */

static struct otlp_exporter_config http_config(const char *url, enum otlp_encoding enc)
{
	return (struct otlp_exporter_config){
		.url = url,
		.enc = enc,
		.max_queue = 64,
		.max_batch = 8,
		.delay_ns = 20 * MS,
		.timeout_ns = 2 * SEC,
		.resource = &resource,
		.warn = collect_warn,
	};
}

static struct otlp_exporter *start(const struct otlp_exporter_config *c)
{
	struct otlp_exporter *x = NULL;

	warn_reset();
	ck_assert_int_eq(otlp_exporter_start(c, &x), 0);
	ck_assert_ptr_nonnull(x);
	return x;
}

/* Stops x; the stats, checked for what must always hold. */
static struct otlp_export_stats stop(struct otlp_exporter *x)
{
	struct otlp_export_stats st;

	memset(&st, 0xa5, sizeof(st));
	otlp_exporter_stop(x, &st);
	ck_assert_uint_eq(st.queued, st.sent + st.failed);
	return st;
}

static void assert_warning(size_t i, const char *part)
{
	ck_assert_uint_gt(warn_count(), i);
	ck_assert_msg(strstr(warnings[i], part), "warning %zu \"%s\" lacks \"%s\"",
		      i, warnings[i], part);
}

/* ---- batching and delay --------------------------------------------- */

/* Full batches go as soon as they are full, long before the delay; the
 * rest waits for it (here: for stop, the delay being a minute). */
START_TEST(batches_of_max_batch)
{
	enum otlp_encoding enc = _i ? OTLP_JSON : OTLP_PROTOBUF;
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;

	srv_start(&s, NULL, 0);
	c = http_config(s.url, enc);
	c.max_batch = 3;
	c.delay_ns = 60 * SEC;
	x = start(&c);
	push_span(x, enc, 0);
	/* Time for the sender to settle into its wait for span 0's delay,
	 * from which only a full batch may wake it. (Were it slower, the
	 * test would check less, not fail.) */
	usleep(50000);
	for (int i = 1; i < 7; i++)
		push_span(x, enc, i);
	ck_assert_uint_eq(srv_wait(&s, 2), 2);
	assert_body(&s.reqs[0], enc, 0, 3);
	assert_body(&s.reqs[1], enc, 3, 3);
	st = stop(x);
	ck_assert_uint_eq(s.nreq, 3);
	assert_body(&s.reqs[2], enc, 6, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_str_eq(s.reqs[i].method, "POST");
		ck_assert_str_eq(s.reqs[i].path, "/v1/traces");
	}
	ck_assert_uint_eq(st.queued, 7);
	ck_assert_uint_eq(st.sent, 7);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.retries, 0);
	ck_assert_uint_eq(warn_count(), 0);
	srv_stop(&s);
}
END_TEST

/* Batches by size and by delay together, none waiting for stop: 3, 3,
 * then the last one once it is delay_ns old. */
START_TEST(batches_then_delay)
{
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;

	srv_start(&s, NULL, 0);
	c = http_config(s.url, OTLP_PROTOBUF);
	c.max_batch = 3;
	c.delay_ns = 300 * MS;
	x = start(&c);
	for (int i = 0; i < 7; i++)
		push_span(x, OTLP_PROTOBUF, i);
	ck_assert_uint_eq(srv_wait(&s, 3), 3);
	assert_body(&s.reqs[0], OTLP_PROTOBUF, 0, 3);
	assert_body(&s.reqs[1], OTLP_PROTOBUF, 3, 3);
	assert_body(&s.reqs[2], OTLP_PROTOBUF, 6, 1);
	st = stop(x);
	ck_assert_uint_eq(st.sent, 7);
	ck_assert_uint_eq(s.nreq, 3);
	srv_stop(&s);
}
END_TEST

/* One span is sent on its own once delay_ns old, not before. */
START_TEST(delay_sends_alone)
{
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;
	uint64_t t0;

	srv_start(&s, NULL, 0);
	c = http_config(s.url, OTLP_PROTOBUF);
	c.delay_ns = 100 * MS;
	x = start(&c);
	t0 = now_ns();
	push_span(x, OTLP_PROTOBUF, 1);
	ck_assert_uint_eq(srv_wait(&s, 1), 1);
	ck_assert_uint_ge(s.reqs[0].at - t0, 100 * MS);
	assert_body(&s.reqs[0], OTLP_PROTOBUF, 1, 1);
	st = stop(x);
	ck_assert_uint_eq(st.sent, 1);
	ck_assert_uint_eq(s.nreq, 1);
	srv_stop(&s);
}
END_TEST

/* Stop sends what is queued, in batches, without waiting for the delay. */
START_TEST(stop_flushes)
{
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;
	uint64_t t0;

	srv_start(&s, NULL, 0);
	c = http_config(s.url, OTLP_JSON);
	c.max_batch = 4;
	c.delay_ns = 60 * SEC;
	x = start(&c);
	for (int i = 0; i < 6; i++)
		push_span(x, OTLP_JSON, i);
	t0 = now_ns();
	st = stop(x);
	ck_assert_uint_lt(now_ns() - t0, 3 * SEC);
	ck_assert_uint_eq(st.sent, 6);
	ck_assert_uint_eq(s.nreq, 2);
	assert_body(&s.reqs[0], OTLP_JSON, 0, 4);
	assert_body(&s.reqs[1], OTLP_JSON, 4, 2);
	srv_stop(&s);
}
END_TEST

/* ---- what goes over the wire ---------------------------------------- */

START_TEST(headers_arrive)
{
	enum otlp_encoding enc = _i ? OTLP_JSON : OTLP_PROTOBUF;
	struct otlp_exporter_config c;
	struct otlp_exporter *x;
	struct srv s;
	char *v;

	srv_start(&s, NULL, 0);
	c = http_config(s.url, enc);
	c.headers = " x-api-key = abc%20def ,foo=bar,empty=";
	x = start(&c);
	push_span(x, enc, 0);
	stop(x);
	ck_assert_uint_eq(s.nreq, 1);
	assert_header(&s.reqs[0], "Content-Type",
		      enc == OTLP_JSON ? "application/json" : "application/x-protobuf");
	assert_header(&s.reqs[0], "x-api-key", "abc def");
	assert_header(&s.reqs[0], "foo", "bar");
	assert_header(&s.reqs[0], "empty", "");
	assert_header(&s.reqs[0], "User-Agent", "latch/" LATCH_VERSION);
	v = header(&s.reqs[0], "Expect");
	ck_assert_ptr_null(v);
	srv_stop(&s);
}
END_TEST

/* ---- retries and failures ------------------------------------------- */

/* 503 with Retry-After: 1 (loop 0), or none, so the first backoff of
 * 1 s give or take a quarter (loop 1), then 200: the batch is sent again
 * after about a second; one warning for the trouble, one when it is
 * over. */
START_TEST(retry_then_ok)
{
	const struct reply script[] = { { 503, _i ? NULL : "1", ANSWER } };
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;

	srv_start(&s, script, 1);
	c = http_config(s.url, OTLP_PROTOBUF);
	x = start(&c);
	push_span(x, OTLP_PROTOBUF, 0);
	push_span(x, OTLP_PROTOBUF, 1);
	ck_assert_uint_eq(srv_wait(&s, 2), 2);
	ck_assert_uint_ge(s.reqs[1].at - s.reqs[0].at, _i ? 700 * MS : 900 * MS);
	ck_assert_uint_lt(s.reqs[1].at - s.reqs[0].at, 3 * SEC);
	assert_body(&s.reqs[0], OTLP_PROTOBUF, 0, 2);
	assert_body(&s.reqs[1], OTLP_PROTOBUF, 0, 2);
	st = stop(x);
	ck_assert_uint_eq(st.sent, 2);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.retries, 1);
	ck_assert_uint_eq(warn_count(), 2);
	assert_warning(0, "HTTP 503, retrying");
	assert_warning(0, s.url);
	assert_warning(1, "sending again");
	srv_stop(&s);
}
END_TEST

/* Retry-After: 0 is honoured (no backoff of seconds), and after five
 * retries the batch is given up, with one warning per kind. */
START_TEST(retries_run_out)
{
	static const struct reply script[] = {
		{ 503, "0", ANSWER }, { 429, "0", ANSWER }, { 502, "0", ANSWER },
		{ 504, "0", ANSWER }, { 503, "0", ANSWER }, { 503, "0", ANSWER },
	};
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;

	srv_start(&s, script, 6);
	c = http_config(s.url, OTLP_PROTOBUF);
	x = start(&c);
	push_span(x, OTLP_PROTOBUF, 0);
	ck_assert_uint_eq(srv_wait(&s, 6), 6);
	/* Backoff without Retry-After would have taken 23 s at least. */
	ck_assert_uint_lt(s.reqs[5].at - s.reqs[0].at, 5 * SEC);
	wait_warnings(2);
	st = stop(x);
	ck_assert_uint_eq(s.nreq, 6);
	ck_assert_uint_eq(st.retries, 5);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(warn_count(), 2);
	assert_warning(0, "HTTP 503, retrying");
	assert_warning(1, "giving up on 1 spans after 5 retries");
	srv_stop(&s);
}
END_TEST

/* A 400 fails its batch at once; the next batch goes through and says so. */
START_TEST(rejected_not_retried)
{
	static const struct reply script[] = { { 400, NULL, ANSWER } };
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;

	srv_start(&s, script, 1);
	c = http_config(s.url, OTLP_JSON);
	x = start(&c);
	push_span(x, OTLP_JSON, 0);
	push_span(x, OTLP_JSON, 1);
	ck_assert_uint_eq(srv_wait(&s, 1), 1);
	wait_warnings(1);
	push_span(x, OTLP_JSON, 2);
	ck_assert_uint_eq(srv_wait(&s, 2), 2);
	st = stop(x);
	ck_assert_uint_eq(s.nreq, 2);
	assert_body(&s.reqs[1], OTLP_JSON, 2, 1);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.sent, 1);
	ck_assert_uint_eq(st.retries, 0);
	ck_assert_uint_eq(warn_count(), 2);
	assert_warning(0, "HTTP 400, 2 spans rejected");
	assert_warning(1, "sending again");
	srv_stop(&s);
}
END_TEST

/* A Retry-After longer than stop's timeout: stop does not wait it out. */
START_TEST(stop_cuts_retry_wait)
{
	static const struct reply script[] = { { 503, "30", ANSWER } };
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;
	uint64_t t0;

	srv_start(&s, script, 1);
	c = http_config(s.url, OTLP_PROTOBUF);
	c.timeout_ns = 500 * MS;
	c.delay_ns = 10 * MS;
	x = start(&c);
	push_span(x, OTLP_PROTOBUF, 0);
	wait_warnings(1);
	push_span(x, OTLP_PROTOBUF, 1);
	t0 = now_ns();
	st = stop(x);
	ck_assert_uint_lt(now_ns() - t0, 3 * SEC);
	ck_assert_uint_eq(s.nreq, 1);
	ck_assert_uint_eq(st.queued, 2);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.retries, 0);
	srv_stop(&s);
}
END_TEST

/* Nobody listening: start and push work, one warning, and stop gives up
 * within its timeout rather than waiting out the backoff. */
START_TEST(receiver_down)
{
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	char url[64];
	int port, fd;
	uint64_t t0;

	/* A port that was free a moment ago, with nothing listening. */
	fd = bound_socket(&port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/traces", port);
	c = http_config(url, OTLP_PROTOBUF);
	c.timeout_ns = 500 * MS;
	c.delay_ns = 10 * MS;
	x = start(&c);
	for (int i = 0; i < 3; i++)
		push_span(x, OTLP_PROTOBUF, i);
	wait_warnings(1);
	t0 = now_ns();
	st = stop(x);
	ck_assert_uint_lt(now_ns() - t0, 3 * SEC);
	ck_assert_uint_eq(st.queued, 3);
	ck_assert_uint_eq(st.failed, 3);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(warn_count(), 1);
	assert_warning(0, "otlp: cannot reach ");
	assert_warning(0, url);
	assert_warning(0, "spans are queued and retried");
	close(fd);
}
END_TEST

/* A receiver that takes the request and never answers: stop returns in
 * about timeout_ns, the spans failed. */
START_TEST(receiver_hangs)
{
	static const struct reply script[] = { { 0, NULL, HANG } };
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;
	uint64_t t0;

	srv_start(&s, script, 1);
	c = http_config(s.url, OTLP_PROTOBUF);
	c.timeout_ns = 500 * MS;
	c.delay_ns = 10 * MS;
	x = start(&c);
	push_span(x, OTLP_PROTOBUF, 0);
	push_span(x, OTLP_PROTOBUF, 1);
	ck_assert_uint_eq(srv_wait(&s, 1), 1);
	t0 = now_ns();
	st = stop(x);
	ck_assert_uint_lt(now_ns() - t0, 3 * SEC);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(warn_count(), 1);
	assert_warning(0, "cannot reach");
	srv_stop(&s);
}
END_TEST

/* The sender is stuck in a POST the receiver holds, so nothing leaves
 * the queue: of 10 pushes exactly max_queue (4) are queued and 6 dropped,
 * at once. Once the receiver answers, the 4 are sent. */
START_TEST(queue_full_drops)
{
	static const struct reply script[] = { { 200, NULL, HANG } };
	struct otlp_exporter_config c;
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	struct srv s;
	uint64_t t0;

	srv_start(&s, script, 1);
	c = http_config(s.url, OTLP_PROTOBUF);
	c.max_queue = 4;
	c.max_batch = 4;
	c.delay_ns = 10 * MS;
	c.timeout_ns = 10 * SEC;
	x = start(&c);
	push_span(x, OTLP_PROTOBUF, 0);
	ck_assert_uint_eq(srv_wait(&s, 1), 1);
	t0 = now_ns();
	for (int i = 1; i <= 10; i++)
		push_span(x, OTLP_PROTOBUF, i);
	ck_assert_uint_lt(now_ns() - t0, 1 * SEC);
	ck_assert_uint_eq(warn_count(), 1);
	assert_warning(0, "otlp: queue full (4 spans), dropping spans");
	srv_release(&s);
	ck_assert_uint_eq(srv_wait(&s, 2), 2);
	st = stop(x);
	ck_assert_uint_eq(st.queued, 5);
	ck_assert_uint_eq(st.dropped, 6);
	ck_assert_uint_eq(st.sent, 5);
	ck_assert_uint_eq(s.nreq, 2);
	assert_body(&s.reqs[1], OTLP_PROTOBUF, 1, 4);
	ck_assert_uint_eq(warn_count(), 1);
	srv_stop(&s);
}
END_TEST

/* ---- file mode ------------------------------------------------------ */

START_TEST(file_lines)
{
	struct otlp_exporter_config c = {
		.enc = OTLP_JSON, .max_queue = 64, .max_batch = 2,
		.delay_ns = 60 * SEC, .timeout_ns = 2 * SEC,
		.resource = &resource, .warn = collect_warn,
	};
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	char *line = NULL;
	size_t cap = 0;
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	c.file = f;
	x = start(&c);
	for (int i = 0; i < 5; i++)
		push_span(x, OTLP_JSON, i);
	st = stop(x);
	ck_assert_uint_eq(st.sent, 5);
	ck_assert_uint_eq(warn_count(), 0);
	rewind(f);
	/* [0,1] and [2,3] as they fill, [4] at stop: nothing else can be. */
	for (int lo = 0; lo < 5; lo += 2) {
		struct otlp_buf want;
		ssize_t n = getline(&line, &cap, f);

		expect_request(&want, OTLP_JSON, lo, lo == 4 ? 1 : 2);
		ck_assert_int_eq(n, (ssize_t)want.len + 1);
		ck_assert_int_eq(memcmp(line, want.data, want.len), 0);
		ck_assert_int_eq(line[want.len], '\n');
		otlp_buf_free(&want);
	}
	ck_assert_int_eq(getline(&line, &cap, f), -1);
	free(line);
	fclose(f);
}
END_TEST

START_TEST(file_write_error)
{
	struct otlp_exporter_config c = {
		.enc = OTLP_JSON, .max_queue = 64, .max_batch = 1,
		.delay_ns = 10 * MS, .timeout_ns = 2 * SEC,
		.resource = &resource, .warn = collect_warn,
	};
	struct otlp_export_stats st;
	struct otlp_exporter *x;
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	c.file = f;
	x = start(&c);
	for (int i = 0; i < 3; i++)
		push_span(x, OTLP_JSON, i);
	st = stop(x);
	ck_assert_uint_eq(st.failed, 3);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(warn_count(), 1);
	assert_warning(0, "otlp: cannot write to the OTLP file: No space left on device");
	fclose(f);
}
END_TEST

/* ---- configuration and parsers -------------------------------------- */

START_TEST(start_rejects)
{
	struct otlp_exporter_config ok = http_config("http://127.0.0.1:4318/v1/traces", OTLP_PROTOBUF);
	struct otlp_exporter_config c;
	struct otlp_exporter *x = NULL;

	c = ok; c.url = NULL;
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.file = stdout;
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.url = NULL; c.file = stdout;   /* file needs JSON */
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.url = "ftp://127.0.0.1/v1/traces";
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.url = "127.0.0.1:4318";
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.headers = "api-key";
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.max_queue = 0;
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.max_batch = 0;
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	c = ok; c.timeout_ns = 0;
	ck_assert_int_eq(otlp_exporter_start(&c, &x), -EINVAL);
	ck_assert_ptr_null(x);
	c = ok; c.url = "https://example.invalid/v1/traces";
	ck_assert_int_eq(otlp_exporter_start(&c, &x), 0);
	otlp_exporter_stop(x, NULL);
}
END_TEST

static char *joined(const struct curl_slist *l)
{
	static char buf[512];

	buf[0] = '\0';
	for (; l; l = l->next) {
		strcat(buf, l->data);
		strcat(buf, "|");
	}
	return buf;
}

START_TEST(headers_parse)
{
	static const struct { const char *in, *out; } good[] = {
		{ NULL, "" },
		{ "", "" },
		{ "a=b", "a: b|" },
		{ " a = b%20c , d=e ", "a: b c|d: e|" },
		{ "a=b,,c=d,", "a: b|c: d|" },
		{ "k=", "k;|" },
		{ "k=%3d%2C%25", "k: =,%|" },
		{ "Authorization=Basic%20dXNlcjpwYXNz", "Authorization: Basic dXNlcjpwYXNz|" },
		{ "k=a=b", "k: a=b|" },
	};
	static const char *const bad[] = {
		"novalue", "=v", "a b=c", "k:x=1", "k=%zz", "k=%2", "k=a%0Db", "k=%00", "a=b,c",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct curl_slist *l = NULL;

		ck_assert_msg(!otlp_headers_parse(good[i].in, &l), "%s", good[i].in);
		ck_assert_str_eq(joined(l), good[i].out);
		curl_slist_free_all(l);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct curl_slist *l = curl_slist_append(NULL, "Keep: me");

		ck_assert_msg(otlp_headers_parse(bad[i], &l) == -EINVAL, "%s", bad[i]);
		ck_assert_str_eq(joined(l), "Keep: me|");
		curl_slist_free_all(l);
	}
	/* Appended after what the list held. */
	struct curl_slist *l = curl_slist_append(NULL, "Content-Type: x");
	ck_assert_int_eq(otlp_headers_parse("a=1,b=2", &l), 0);
	ck_assert_str_eq(joined(l), "Content-Type: x|a: 1|b: 2|");
	curl_slist_free_all(l);
}
END_TEST

START_TEST(retry_after_parse)
{
	const time_t now = 1445412480;   /* Wed, 21 Oct 2015 07:28:00 GMT */
	static const struct { const char *in; uint64_t s; } good[] = {
		{ "0", 0 }, { "7", 7 }, { " 7 ", 7 }, { "60", 60 }, { "61", 60 },
		{ "120", 60 }, { "99999999999999999999999", 60 },
		{ "Wed, 21 Oct 2015 07:28:05 GMT", 5 },
		{ "Wednesday, 21-Oct-15 07:28:10 GMT", 10 },
		{ "Wed Oct 21 07:28:03 2015", 3 },
		{ "Wed, 21 Oct 2015 07:27:00 GMT", 0 },
		{ "Thu, 22 Oct 2015 07:28:00 GMT", 60 },
	};
	static const char *const bad[] = { "", "soon", "5s", "1.5", "-1" };
	uint64_t ns;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 12345;
		ck_assert_msg(!otlp_retry_after_parse(good[i].in, now, &ns), "%s", good[i].in);
		ck_assert_msg(ns == good[i].s * SEC, "%s: %llu", good[i].in, (unsigned long long)ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(otlp_retry_after_parse(bad[i], now, &ns) == -EINVAL, "%s", bad[i]);
}
END_TEST

START_TEST(classify)
{
	static const long sent[] = { 200, 202, 204, 299 };
	static const long retry[] = { 429, 502, 503, 504 };
	static const long rejected[] = { 100, 301, 400, 401, 403, 404, 413, 500, 501, 505 };

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(otlp_http_classify(sent[i]), OTLP_POST_SENT);
		ck_assert_int_eq(otlp_http_classify(retry[i]), OTLP_POST_RETRY);
	}
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		ck_assert_int_eq(otlp_http_classify(rejected[i]), OTLP_POST_REJECTED);
}
END_TEST

static Suite *otlp_export_suite(void)
{
	Suite *s = suite_create("otlp_export");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, start_rejects);
	tcase_add_test(tc, headers_parse);
	tcase_add_test(tc, retry_after_parse);
	tcase_add_test(tc, classify);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, batches_of_max_batch, 0, 2);
	tcase_add_test(tc, batches_then_delay);
	tcase_add_test(tc, delay_sends_alone);
	tcase_add_test(tc, stop_flushes);
	tcase_add_loop_test(tc, headers_arrive, 0, 2);
	tcase_add_loop_test(tc, retry_then_ok, 0, 2);
	tcase_add_test(tc, stop_cuts_retry_wait);
	tcase_add_test(tc, retries_run_out);
	tcase_add_test(tc, rejected_not_retried);
	tcase_add_test(tc, receiver_down);
	tcase_add_test(tc, receiver_hangs);
	tcase_add_test(tc, queue_full_drops);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_test(tc, file_lines);
	tcase_add_test(tc, file_write_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(otlp_export_suite());
	int failed;

	/* libcurl honours the proxy variables; the receiver is local. */
	setenv("no_proxy", "*", 1);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
