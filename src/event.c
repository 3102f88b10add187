/* Deep copies of event records, for sinks that hold an event back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"

int event_copy(struct event *dst, const struct event *src)
{
	unsigned i;
	int rc;

	*dst = *src;
	dst->args = NULL;
	dst->nargs = 0;
	rc = value_copy(&dst->ret, &src->ret);
	if (rc)
		return rc;
	if (!src->nargs || !src->args)
		return 0;
	dst->args = calloc(src->nargs, sizeof(*dst->args));
	if (!dst->args)
		goto free_ret;
	for (i = 0; i < src->nargs; i++) {
		rc = value_copy(&dst->args[i], &src->args[i]);
		dst->nargs = i + 1;   /* the failed one is safe to free too */
		if (rc)
			goto free_copied;
	}
	return 0;

free_copied:
	event_free(dst);
	return -ENOMEM;
free_ret:
	value_free(&dst->ret);
	return -ENOMEM;
}

void event_free(struct event *e)
{
	unsigned i;

	if (!e)
		return;
	for (i = 0; i < e->nargs && e->args; i++)
		value_free(&e->args[i]);
	free(e->args);
	e->args = NULL;
	e->nargs = 0;
	value_free(&e->ret);
}
