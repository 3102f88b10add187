/* Ownership of value records: only .str is owned, names are borrowed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "value.h"

void value_free(struct value *v)
{
	if (!v)
		return;
	free(v->str);
	v->str = NULL;
	v->len = 0;
}

int value_copy(struct value *dst, const struct value *src)
{
	*dst = *src;
	dst->str = NULL;
	if (!src->str)
		return 0;
	/* malloc(0) may return NULL; an empty but present string must stay
	 * distinguishable from an absent one. */
	dst->str = malloc(src->len ? src->len : 1);
	if (!dst->str) {
		dst->len = 0;
		return -ENOMEM;
	}
	memcpy(dst->str, src->str, src->len);
	return 0;
}
