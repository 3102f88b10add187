/* The OTLP exporter's settings: the command line's, else the OTEL_*
 * environment variables', else OpenTelemetry's defaults. */
#ifndef LATCH_OTLP_ENV_H
#define LATCH_OTLP_ENV_H

#include "output/output.h"
#include "output/otlp/otlp.h"

struct otlp_settings {
	char url[2048];              /* "" when there is no HTTP export */
	enum otlp_encoding enc;
	const char *headers;         /* from the environment, or NULL */
	size_t max_queue, max_batch;
	uint64_t delay_ns, timeout_ns;
};

/* 0, or -EINVAL with err set. A malformed number in the environment is
 * a warning (through warn), and the default is used. */
int otlp_settings_read(const struct otlp_sink_config *c, struct otlp_settings *s,
		       char *err, size_t errlen);

#endif
