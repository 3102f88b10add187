/* Choosing an output format. */
#include <errno.h>
#include <string.h>
#include "output/priv.h"

int output_format_parse(const char *name, enum output_format *fmt)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "text"))
		*fmt = FMT_TEXT;
	else if (!strcmp(name, "json"))
		*fmt = FMT_JSON;
	else if (!strcmp(name, "chrome"))
		*fmt = FMT_CHROME;
	else if (!strcmp(name, "folded"))
		*fmt = FMT_FOLDED;
	else
		return -EINVAL;
	return 0;
}

int sink_open(enum output_format fmt, const struct text_style *style, FILE *out,
	      struct sink **s)
{
	if (!out || !s)
		return -EINVAL;
	switch (fmt) {
	case FMT_TEXT:
		return text_sink_new(out, style, s);
	case FMT_JSON:
		return json_sink_new(out, s);
	case FMT_CHROME:
		return chrome_sink_new(out, s);
	case FMT_FOLDED:
		return folded_sink_new(out, s);
	}
	return -EINVAL;
}
