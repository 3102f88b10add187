/* Deep copies of event records, for sinks that hold an event back. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "core/event.h"

static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

/* dst->stack is NULL on entry; on failure what was copied stays, counted
 * in dst->nstack, for event_free. */
static int copy_stack(struct event *dst, const struct event *src)
{
	bool failed = false;

	if (!src->nstack || !src->stack)
		return 0;
	dst->stack = calloc(src->nstack, sizeof(*dst->stack));
	if (!dst->stack)
		return -ENOMEM;
	for (unsigned i = 0; i < src->nstack && !failed; i++) {
		const struct stack_frame *f = &src->stack[i];

		dst->stack[i] = (struct stack_frame){
			.pc = f->pc,
			.func = dup_or_null(f->func, &failed),
			.file = dup_or_null(f->file, &failed),
			.line = f->line,
		};
		dst->nstack = i + 1;
	}
	return failed ? -ENOMEM : 0;
}

int event_copy(struct event *dst, const struct event *src)
{
	unsigned i;
	int rc;

	*dst = *src;
	dst->args = NULL;
	dst->nargs = 0;
	dst->stack = NULL;
	dst->nstack = 0;
	rc = value_copy(&dst->ret, &src->ret);
	if (rc)
		return rc;
	if (copy_stack(dst, src))
		goto free_copied;
	if (!src->nargs || !src->args)
		return 0;
	dst->args = calloc(src->nargs, sizeof(*dst->args));
	if (!dst->args)
		goto free_copied;
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
}

void stack_free(struct stack_frame *v, unsigned n)
{
	for (unsigned i = 0; i < n && v; i++) {
		free(v[i].func);
		free(v[i].file);
	}
	free(v);
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
	stack_free(e->stack, e->nstack);
	e->stack = NULL;
	e->nstack = 0;
}

uint64_t event_end_ns(const struct event *end, uint64_t start_ns)
{
	return end->ts_ns >= start_ns ? end->ts_ns : start_ns + end->dur_ns;
}
