/* Output written to a FILE, captured into a string, for the suites that
 * check what a sink prints. */
#ifndef LATCH_TEST_CAPTURE_H
#define LATCH_TEST_CAPTURE_H

#include <check.h>
#include <stdio.h>

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static inline FILE *cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	return c->f;
}

/* Closes the stream; the caller frees the string. */
static inline char *cap_close(struct capture *c)
{
	ck_assert_int_eq(fclose(c->f), 0);
	return c->buf;
}

#endif
