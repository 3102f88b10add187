/* The OTLP/HTTP transport of latch-static, which has no libcurl: Debian
 * has no static Kerberos for libcurl.a, and a static glibc resolves host
 * names only with the shared NSS modules of the glibc it was built with.
 * --otlp is refused on the command line (otlp_http_unavailable); the
 * exporter's thread, queue and --otlp-file work as in latch. */
#include <errno.h>
#include "output/output.h"
#include "output/otlp/export_priv.h"

const char *otlp_http_unavailable(void)
{
	return "--otlp: this latch (latch-static) was built without HTTP export: "
	       "use --otlp-file, or the dynamically linked latch";
}

int otlp_http_open(const char *url, enum otlp_encoding enc, const char *headers,
		   struct otlp_http **h)
{
	(void)url;
	(void)enc;
	(void)headers;
	*h = NULL;
	return -EPROTONOSUPPORT;
}

void otlp_http_post(struct otlp_http *h, const void *body, size_t len,
		    uint64_t timeout_ns, struct otlp_post *r)
{
	(void)h;
	(void)body;
	(void)len;
	(void)timeout_ns;
	*r = (struct otlp_post){ .result = OTLP_POST_REJECTED };
}

void otlp_http_close(struct otlp_http *h)
{
	(void)h;
}
