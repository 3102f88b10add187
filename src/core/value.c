/* Ownership of value trees: .text and .kids are owned, names borrowed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/value.h"

void value_free(struct value *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->nkids; i++)
		value_free(&v->kids[i]);
	free(v->kids);
	free(v->text);
	v->kids = NULL;
	v->nkids = 0;
	v->text = NULL;
	v->len = 0;
}

int value_copy(struct value *dst, const struct value *src)
{
	*dst = *src;
	dst->text = NULL;
	dst->kids = NULL;
	dst->nkids = 0;
	if (src->text) {
		/* V_STR text is len bytes; names are NUL-terminated. */
		size_t n = src->kind == V_STR ? src->len : strlen(src->text) + 1;

		/* malloc(0) may return NULL; an empty but present string must
		 * stay distinguishable from an absent one. */
		dst->text = malloc(n ? n : 1);
		if (!dst->text)
			goto fail;
		memcpy(dst->text, src->text, n);
	}
	if (src->nkids) {
		dst->kids = calloc(src->nkids, sizeof(*dst->kids));
		if (!dst->kids)
			goto fail;
		for (unsigned i = 0; i < src->nkids; i++) {
			dst->nkids = i + 1;   /* the failed one is safe to free */
			if (value_copy(&dst->kids[i], &src->kids[i]))
				goto fail;
		}
	}
	return 0;

fail:
	value_free(dst);
	return -ENOMEM;
}
