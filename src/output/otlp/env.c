/* Where and how spans go, per the OpenTelemetry exporter and batch span
 * processor environment variables, so that latch drops into a set-up
 * that already configures OTel SDKs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"

#define DEFAULT_URL "http://127.0.0.1:4318/v1/traces"

int otlp_protocol_parse(const char *name, bool *json)
{
	if (!strcmp(name, "http/protobuf"))
		*json = false;
	else if (!strcmp(name, "http/json"))
		*json = true;
	else if (!strcmp(name, "grpc"))
		return -ENOTSUP;
	else
		return -EINVAL;
	return 0;
}

int otlp_traceparent_check(const char *s)
{
	uint8_t trace[16], span[8];

	return otlp_traceparent_parse(s, trace, span);
}

/* The signal-specific variable wins over the general one. */
static const char *env2(const char *traces, const char *general)
{
	const char *v = getenv(traces);

	if (v && *v)
		return v;
	v = getenv(general);
	return v && *v ? v : NULL;
}

static uint64_t env_count(const struct otlp_sink_config *c, const char *name,
			  uint64_t dflt, uint64_t max)
{
	const char *v = getenv(name);
	char *end, msg[160];
	unsigned long long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (!errno && end != v && !*end && v[0] != '-' && n > 0 && n <= max)
		return n;
	snprintf(msg, sizeof(msg), "otlp: ignoring %s='%.40s': not a number from 1 to %llu",
		 name, v, (unsigned long long)max);
	if (c->warn)
		c->warn(msg);
	return dflt;
}

static int read_url(const struct otlp_sink_config *c, struct otlp_settings *s,
		    char *err, size_t errlen)
{
	const char *u = c->url, *base;
	int n;

	if (!u)
		return 0;
	if (*u) {
		n = snprintf(s->url, sizeof(s->url), "%s", u);
	} else if ((u = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && *u) {
		n = snprintf(s->url, sizeof(s->url), "%s", u);
	} else if ((base = getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) && *base) {
		size_t len = strlen(base);

		/* the general endpoint is a base URL, maybe with a slash */
		if (base[len - 1] == '/')
			len--;
		n = snprintf(s->url, sizeof(s->url), "%.*s/v1/traces", (int)len, base);
	} else {
		n = snprintf(s->url, sizeof(s->url), "%s", DEFAULT_URL);
	}
	if (n < 0 || (size_t)n >= sizeof(s->url)) {
		snprintf(err, errlen, "otlp: the endpoint URL is too long");
		return -EINVAL;
	}
	if (strncmp(s->url, "http://", 7) && strncmp(s->url, "https://", 8)) {
		snprintf(err, errlen, "otlp: endpoint '%.200s' is not an http:// or https:// URL",
			 s->url);
		return -EINVAL;
	}
	return 0;
}

static int read_protocol(const struct otlp_sink_config *c, struct otlp_settings *s,
			 char *err, size_t errlen)
{
	const char *p = c->protocol;
	bool json = false;
	int rc;

	if (!p)
		p = env2("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL");
	if (!p)
		p = "http/protobuf";
	rc = otlp_protocol_parse(p, &json);
	if (rc) {
		snprintf(err, errlen, "otlp: protocol '%.60s' is not supported "
			 "(http/protobuf or http/json)", p);
		return -EINVAL;
	}
	s->enc = json ? OTLP_JSON : OTLP_PROTOBUF;
	return 0;
}

int otlp_settings_read(const struct otlp_sink_config *c, struct otlp_settings *s,
		       char *err, size_t errlen)
{
	const uint64_t ms = 1000000;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = read_url(c, s, err, errlen);
	if (!rc && c->url)
		rc = read_protocol(c, s, err, errlen);
	if (rc)
		return rc;
	s->headers = env2("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS");
	s->max_queue = env_count(c, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1 << 24);
	s->max_batch = env_count(c, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1 << 24);
	/* OTel: a batch never exceeds the queue */
	if (s->max_batch > s->max_queue)
		s->max_batch = s->max_queue;
	s->delay_ns = env_count(c, "OTEL_BSP_SCHEDULE_DELAY", 5000, 86400000) * ms;
	s->timeout_ns = env_count(c, getenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?
				  "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT" :
				  "OTEL_EXPORTER_OTLP_TIMEOUT", 10000, 3600000) * ms;
	return 0;
}
