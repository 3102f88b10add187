/* The exporter of output/otlp/otlp.h: the tracing thread pushes encoded spans into a
 * bounded ring; a sender thread takes them in batches (OTel's
 * BatchSpanProcessor: max_batch queued, or the oldest delay_ns old),
 * encodes one request per batch and posts it (output/otlp/http.c) with retries,
 * or writes it to a file as a line. The ring's lock is only ever held for
 * queue operations, so push costs the tracer no more than a lock, a clock
 * read and a few stores, whatever the receiver does. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "output/otlp/export_priv.h"
#include "util/clock.h"

#define NS_PER_S 1000000000ull
/* After the first attempt: waits of about 1, 2, 4, 8 and 16 s. */
#define MAX_RETRIES 5

/* Kinds of trouble, each told once until sending works again. */
enum {
	W_UNREACHABLE = 1 << 0,
	W_RETRY_STATUS = 1 << 1,
	W_REJECTED = 1 << 2,
	W_GAVE_UP = 1 << 3,
	W_NOMEM = 1 << 4,
	W_WRITE = 1 << 5,
};

struct otlp_exporter {
	/* Set at start, then read-only. */
	enum otlp_encoding enc;
	char *url;                     /* NULL in file mode */
	FILE *file;
	struct otlp_http *http;
	size_t max_queue, max_batch;
	uint64_t delay_ns, timeout_ns;
	const struct otlp_attrs *resource;
	void (*warn)(const char *msg);
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t wake;           /* the sender: a batch is due, or stop */
	/* Under lock. */
	struct otlp_buf *ring;         /* max_queue slots */
	uint64_t *queued_at;           /* CLOCK_MONOTONIC ns, per slot */
	size_t head, count;
	bool stopping;
	bool abandon;                  /* stopping, and nothing more can be sent in time */
	bool queue_full_warned;
	uint64_t deadline;             /* CLOCK_MONOTONIC ns, once stopping */
	uint64_t queued, dropped;

	/* The sender thread's own. */
	struct otlp_buf *batch;        /* max_batch slots */
	const struct otlp_buf **spans; /* pointers to them, as the encoder takes */
	struct otlp_buf req;
	uint64_t sent, failed, retries;
	unsigned warned;
	uint64_t rng;
};

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void say(struct otlp_exporter *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct otlp_exporter *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!x->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->warn(msg);
}

/* Whether a warning of this kind may be given now; it may not again
 * until sending works again. */
static bool first_time(struct otlp_exporter *x, unsigned kind)
{
	if (x->warned & kind)
		return false;
	x->warned |= kind;
	return true;
}

void otlp_exporter_push(struct otlp_exporter *x, struct otlp_buf *b)
{
	struct otlp_buf drop = *b;
	bool warn_full = false;
	uint64_t t = mono_ns();

	memset(b, 0, sizeof(*b));
	pthread_mutex_lock(&x->lock);
	if (x->count == x->max_queue) {
		x->dropped++;
		warn_full = !x->queue_full_warned;
		x->queue_full_warned = true;
	} else {
		size_t i = (x->head + x->count) % x->max_queue;

		x->ring[i] = drop;
		x->queued_at[i] = t;
		x->count++;
		x->queued++;
		drop = (struct otlp_buf){ 0 };
		/* The sender waits without a timeout on an empty ring, and
		 * for the oldest span's delay otherwise: only these two
		 * changes can make a batch due sooner. */
		if (x->count == 1 || x->count == x->max_batch)
			pthread_cond_signal(&x->wake);
	}
	pthread_mutex_unlock(&x->lock);
	otlp_buf_free(&drop);
	if (warn_full)
		say(x, "otlp: queue full (%zu spans), dropping spans", x->max_queue);
}

/* Under lock: every span still queued is failed. */
static void fail_queued(struct otlp_exporter *x)
{
	for (; x->count; x->count--) {
		otlp_buf_free(&x->ring[x->head]);
		x->head = (x->head + 1) % x->max_queue;
		x->failed++;
	}
}

/* Waits until a batch is due and moves it to x->batch: its size, or 0
 * once stopping with nothing left to send. */
static size_t take_batch(struct otlp_exporter *x)
{
	size_t n;

	pthread_mutex_lock(&x->lock);
	for (;;) {
		if (x->stopping) {
			if (x->abandon || mono_ns() >= x->deadline)
				fail_queued(x);
			break;
		}
		if (x->count >= x->max_batch)
			break;
		if (!x->count) {
			pthread_cond_wait(&x->wake, &x->lock);
			continue;
		}
		uint64_t due = add_sat(x->queued_at[x->head], x->delay_ns);
		if (mono_ns() >= due)
			break;
		struct timespec ts = to_timespec(due);
		pthread_cond_timedwait(&x->wake, &x->lock, &ts);
	}
	n = x->count < x->max_batch ? x->count : x->max_batch;
	for (size_t i = 0; i < n; i++) {
		x->batch[i] = x->ring[x->head];
		x->ring[x->head] = (struct otlp_buf){ 0 };
		x->head = (x->head + 1) % x->max_queue;
	}
	x->count -= n;
	pthread_mutex_unlock(&x->lock);
	return n;
}

/* The time the next attempt may take: timeout_ns, less once stopping
 * brings the deadline closer. False if the deadline has passed. */
static bool attempt_time(struct otlp_exporter *x, uint64_t *timeout)
{
	bool ok = true;

	*timeout = x->timeout_ns;
	pthread_mutex_lock(&x->lock);
	if (x->stopping) {
		uint64_t t = mono_ns();

		if (t >= x->deadline) {
			x->abandon = true;
			ok = false;
		} else if (x->deadline - t < *timeout) {
			*timeout = x->deadline - t;
		}
	}
	pthread_mutex_unlock(&x->lock);
	return ok;
}

/* Sleeps until t unless stop's deadline comes first: then returns false
 * at once, there being no point in waiting for a retry that cannot
 * happen. */
static bool pause_until(struct otlp_exporter *x, uint64_t t)
{
	bool ok = true;

	pthread_mutex_lock(&x->lock);
	for (;;) {
		if (x->stopping && t > x->deadline) {
			x->abandon = true;
			ok = false;
			break;
		}
		if (mono_ns() >= t)
			break;
		struct timespec ts = to_timespec(t);
		pthread_cond_timedwait(&x->wake, &x->lock, &ts);
	}
	pthread_mutex_unlock(&x->lock);
	return ok;
}

/* Exponential, with a quarter either way of jitter so that many latches
 * started together do not retry together. */
static uint64_t backoff(struct otlp_exporter *x, int attempt)
{
	uint64_t base = NS_PER_S << attempt;

	x->rng ^= x->rng << 13;
	x->rng ^= x->rng >> 7;
	x->rng ^= x->rng << 17;
	return base / 4 * 3 + x->rng % (base / 2);
}

static void recovered(struct otlp_exporter *x)
{
	if (x->warned & (W_UNREACHABLE | W_RETRY_STATUS | W_REJECTED | W_GAVE_UP | W_NOMEM)) {
		x->warned = 0;
		say(x, "otlp: %s: sending again", x->url);
	}
}

static void post_batch(struct otlp_exporter *x, size_t n)
{
	struct otlp_post r;
	uint64_t timeout, wait;

	for (int attempt = 0;; attempt++) {
		if (!attempt_time(x, &timeout))
			break;
		otlp_http_post(x->http, x->req.data, x->req.len, timeout, &r);
		if (r.result == OTLP_POST_SENT) {
			x->sent += n;
			recovered(x);
			return;
		}
		if (r.result == OTLP_POST_REJECTED) {
			if (first_time(x, W_REJECTED))
				say(x, "otlp: %s: HTTP %ld, %zu spans rejected", x->url, r.status, n);
			break;
		}
		if (r.status && first_time(x, W_RETRY_STATUS))
			say(x, "otlp: %s: HTTP %ld, retrying", x->url, r.status);
		else if (!r.status && first_time(x, W_UNREACHABLE))
			say(x, "otlp: cannot reach %s: %s; spans are queued and retried",
			    x->url, r.error);
		if (attempt == MAX_RETRIES) {
			if (first_time(x, W_GAVE_UP))
				say(x, "otlp: %s: giving up on %zu spans after %d retries",
				    x->url, n, MAX_RETRIES);
			break;
		}
		wait = r.has_retry_after ? r.retry_after_ns : backoff(x, attempt);
		if (!pause_until(x, add_sat(mono_ns(), wait)))
			break;
		x->retries++;
	}
	x->failed += n;
}

/* One request a line; nothing to retry: a file that cannot be written
 * will not get better by waiting. */
static void write_batch(struct otlp_exporter *x, size_t n)
{
	if (fwrite(x->req.data, 1, x->req.len, x->file) != x->req.len ||
	    putc('\n', x->file) == EOF || fflush(x->file)) {
		if (first_time(x, W_WRITE))
			say(x, "otlp: cannot write to the OTLP file: %s", strerror(errno));
		clearerr(x->file);
		x->failed += n;
		return;
	}
	x->sent += n;
}

static void export_batch(struct otlp_exporter *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x->spans[i] = &x->batch[i];
	x->req.len = 0;
	if (otlp_request_encode(&x->req, x->enc, x->resource, x->spans, n)) {
		if (first_time(x, W_NOMEM))
			say(x, "otlp: out of memory encoding a request of %zu spans", n);
		x->failed += n;
	} else if (x->file) {
		write_batch(x, n);
	} else {
		post_batch(x, n);
	}
	for (size_t i = 0; i < n; i++)
		otlp_buf_free(&x->batch[i]);
}

static void *sender_main(void *arg)
{
	struct otlp_exporter *x = arg;
	size_t n;

	while ((n = take_batch(x)))
		export_batch(x, n);
	return NULL;
}

static int check_config(const struct otlp_exporter_config *c)
{
	/* A zero timeout would fail every request, not mean "none". */
	if (!c->max_queue || !c->max_batch || !c->timeout_ns)
		return -EINVAL;
	if (!c->url == !c->file)
		return -EINVAL;
	if (c->file && c->enc != OTLP_JSON)
		return -EINVAL;
	return 0;
}

static void destroy(struct otlp_exporter *x)
{
	otlp_http_close(x->http);
	free(x->url);
	free(x->ring);
	free(x->queued_at);
	free(x->batch);
	free(x->spans);
	otlp_buf_free(&x->req);
	free(x);
}

/* Signals for latch (SIGALRM, SIGINT, SIGCHLD...) must never land on the
 * sender, so it starts with all of them blocked. */
static int start_thread(struct otlp_exporter *x)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&x->thread, NULL, sender_main, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

static int init_sync(struct otlp_exporter *x)
{
	pthread_condattr_t ca;
	int rc;

	rc = pthread_condattr_init(&ca);
	if (rc)
		return -rc;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(&x->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return -rc;
	rc = pthread_mutex_init(&x->lock, NULL);
	if (rc) {
		pthread_cond_destroy(&x->wake);
		return -rc;
	}
	return 0;
}

int otlp_exporter_start(const struct otlp_exporter_config *c, struct otlp_exporter **xp)
{
	struct otlp_exporter *x;
	int rc;

	rc = check_config(c);
	if (rc)
		return rc;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->enc = c->enc;
	x->file = c->file;
	x->max_queue = c->max_queue;
	/* A batch larger than the queue could never fill. */
	x->max_batch = c->max_batch < c->max_queue ? c->max_batch : c->max_queue;
	x->delay_ns = c->delay_ns;
	x->timeout_ns = c->timeout_ns;
	x->resource = c->resource;
	x->warn = c->warn;
	x->rng = mono_ns() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)x;
	x->rng |= 1;
	x->ring = calloc(x->max_queue, sizeof(*x->ring));
	x->queued_at = calloc(x->max_queue, sizeof(*x->queued_at));
	x->batch = calloc(x->max_batch, sizeof(*x->batch));
	x->spans = calloc(x->max_batch, sizeof(*x->spans));
	rc = -ENOMEM;
	if (!x->ring || !x->queued_at || !x->batch || !x->spans)
		goto destroy_x;
	if (c->url) {
		x->url = strdup(c->url);
		if (!x->url)
			goto destroy_x;
		rc = otlp_http_open(c->url, c->enc, c->headers, &x->http);
		if (rc)
			goto destroy_x;
	}
	rc = init_sync(x);
	if (rc)
		goto destroy_x;
	rc = start_thread(x);
	if (rc)
		goto destroy_sync;
	*xp = x;
	return 0;
destroy_sync:
	pthread_cond_destroy(&x->wake);
	pthread_mutex_destroy(&x->lock);
destroy_x:
	destroy(x);
	return rc;
}

void otlp_exporter_stop(struct otlp_exporter *x, struct otlp_export_stats *st)
{
	if (!x) {
		if (st)
			*st = (struct otlp_export_stats){ 0 };
		return;
	}
	pthread_mutex_lock(&x->lock);
	x->stopping = true;
	x->deadline = add_sat(mono_ns(), x->timeout_ns);
	pthread_cond_signal(&x->wake);
	pthread_mutex_unlock(&x->lock);
	pthread_join(x->thread, NULL);
	if (st)
		*st = (struct otlp_export_stats){
			.queued = x->queued,
			.sent = x->sent,
			.dropped = x->dropped,
			.failed = x->failed,
			.retries = x->retries,
		};
	pthread_cond_destroy(&x->wake);
	pthread_mutex_destroy(&x->lock);
	destroy(x);
}
