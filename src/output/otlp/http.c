/* OTLP/HTTP through libcurl: one POST per request on a handle that keeps
 * its connection, and what the answer means for the exporter. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "output/output.h"
#include "output/otlp/export_priv.h"
#include "output/otlp/priv.h"

struct otlp_http {
	CURL *curl;
	struct curl_slist *headers;
	char error[CURL_ERROR_SIZE];
	char retry_after[64];   /* of the last response, "" for none */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

/* Never cleaned up: curl_global_cleanup is not thread-safe, and another
 * exporter may start later in the same process. */
static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *otlp_http_unavailable(void)
{
	return NULL;
}

enum otlp_post_result otlp_http_classify(long status)
{
	if (status >= 200 && status <= 299)
		return OTLP_POST_SENT;
	/* The statuses the OTLP specification calls retryable. */
	if (status == 429 || status == 502 || status == 503 || status == 504)
		return OTLP_POST_RETRY;
	return OTLP_POST_REJECTED;
}

/* RFC 9110 token characters: what a header name may be made of. */
static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One member as a curl header line appended to *arg. */
static int header_add(void *arg, const struct otlp_kv *kv)
{
	struct curl_slist **list = arg, *l;
	char *line;
	int n;

	if (kv->bad)
		return -EINVAL;
	for (const char *k = kv->key; *k; k++)
		if (!is_tchar((unsigned char)*k))
			return -EINVAL;
	/* A line break or NUL would end the header early, letting a
	 * value smuggle in headers of its own. */
	if (strcspn(kv->value, "\r\n") != kv->value_len)
		return -EINVAL;
	/* "key: value", or "key;" which is how curl sends an empty value
	 * ("key:" would remove the header instead). */
	if (kv->value_len)
		n = asprintf(&line, "%s: %s", kv->key, kv->value);
	else
		n = asprintf(&line, "%s;", kv->key);
	if (n < 0)
		return -ENOMEM;
	l = curl_slist_append(*list, line);
	free(line);
	if (!l)
		return -ENOMEM;
	*list = l;
	return 0;
}

int otlp_headers_parse(const char *s, struct curl_slist **list)
{
	struct curl_slist *l = NULL, *tail;
	int rc = otlp_kv_parse(s, 0, header_add, &l);

	if (rc) {
		curl_slist_free_all(l);
		return rc;
	}
	if (!l)
		return 0;
	if (!*list) {
		*list = l;
		return 0;
	}
	for (tail = *list; tail->next; tail = tail->next)
		;
	tail->next = l;
	return 0;
}

int otlp_retry_after_parse(const char *v, time_t now, uint64_t *ns)
{
	uint64_t s = 0;
	const char *p = v;

	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p)) {
			if (s < OTLP_RETRY_AFTER_MAX_S)
				s = s * 10 + (uint64_t)(*p - '0');
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return -EINVAL;
	} else {
		time_t t = curl_getdate(p, NULL);

		if (t == -1)
			return -EINVAL;
		s = t > now ? (uint64_t)(t - now) : 0;
	}
	if (s > OTLP_RETRY_AFTER_MAX_S)
		s = OTLP_RETRY_AFTER_MAX_S;
	*ns = s * 1000000000ull;
	return 0;
}

/* The response body (maybe a partial_success) tells the exporter nothing
 * it acts on. */
static size_t discard_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	static const char name[] = "retry-after:";
	struct otlp_http *h = arg;
	size_t len = size * n, k;

	/* Each response (a 100 Continue, say) starts over. */
	if (len >= 5 && !memcmp(buf, "HTTP/", 5)) {
		h->retry_after[0] = '\0';
	} else if (len > sizeof(name) - 1 && !strncasecmp(buf, name, sizeof(name) - 1)) {
		buf += sizeof(name) - 1;
		len -= sizeof(name) - 1;
		while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n'))
			len--;
		k = len < sizeof(h->retry_after) - 1 ? len : sizeof(h->retry_after) - 1;
		memcpy(h->retry_after, buf, k);
		h->retry_after[k] = '\0';
	}
	return size * n;
}

/* Only http and https: anything else libcurl speaks (file://, ftp://)
 * is a mistake in the option, better said at start than per request. */
static int check_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int rc = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https")))
		rc = 0;
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

static int set_options(struct otlp_http *h, const char *url)
{
	CURL *c = h->curl;
	CURLcode e = CURLE_OK;

	e |= curl_easy_setopt(c, CURLOPT_URL, url);
	e |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	e |= curl_easy_setopt(c, CURLOPT_USERAGENT, "latch/" LATCH_VERSION);
	/* libcurl's timeouts would otherwise use SIGALRM, which is latch's,
	 * from a thread that is not the one expecting it. */
	e |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
	e |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	e |= curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	e |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error);
	return e == CURLE_OK ? 0 : -EIO;
}

int otlp_http_open(const char *url, enum otlp_encoding enc, const char *headers,
		   struct otlp_http **hp)
{
	struct otlp_http *h;
	int rc;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return -EIO;
	if (!url)
		return -EINVAL;
	rc = check_url(url);
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	rc = -ENOMEM;
	h->headers = curl_slist_append(NULL, enc == OTLP_JSON ? "Content-Type: application/json"
							      : "Content-Type: application/x-protobuf");
	if (!h->headers)
		goto free_h;
	/* libcurl would ask larger bodies for a 100 Continue first and
	 * wait a second for receivers that never send one. */
	if (!curl_slist_append(h->headers, "Expect:"))
		goto free_headers;
	rc = otlp_headers_parse(headers, &h->headers);
	if (rc)
		goto free_headers;
	rc = -ENOMEM;
	h->curl = curl_easy_init();
	if (!h->curl)
		goto free_headers;
	rc = set_options(h, url);
	if (rc)
		goto cleanup_curl;
	*hp = h;
	return 0;
cleanup_curl:
	curl_easy_cleanup(h->curl);
free_headers:
	curl_slist_free_all(h->headers);
free_h:
	free(h);
	return rc;
}

void otlp_http_post(struct otlp_http *h, const void *body, size_t len,
		    uint64_t timeout_ns, struct otlp_post *r)
{
	uint64_t ms = timeout_ns / 1000000;
	CURLcode e;

	/* 0 would be no timeout at all. */
	if (ms < 1)
		ms = 1;
	if (ms > LONG_MAX)
		ms = LONG_MAX;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, len ? body : "");
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)ms);
	h->error[0] = '\0';
	h->retry_after[0] = '\0';
	memset(r, 0, sizeof(*r));
	e = curl_easy_perform(h->curl);
	if (e != CURLE_OK) {
		r->result = OTLP_POST_RETRY;
		snprintf(r->error, sizeof(r->error), "%s",
			 h->error[0] ? h->error : curl_easy_strerror(e));
		return;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->result = otlp_http_classify(r->status);
	if (r->result == OTLP_POST_RETRY && h->retry_after[0] &&
	    !otlp_retry_after_parse(h->retry_after, time(NULL), &r->retry_after_ns))
		r->has_retry_after = true;
}

void otlp_http_close(struct otlp_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h);
}
