/* Weights by call stack: a hashmap on a 64-bit hash of the key, with the
 * rare stacks that share a hash chained. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/priv.h"

/* FNV-1a */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int stackmap_add(struct stackmap *m, const char *key, size_t len, uint64_t w)
{
	uint64_t h = hash(key, len);
	struct stack_weight *first = hashmap_get(&m->by_hash, h), *e;

	for (e = first; e; e = e->next) {
		if (e->len == len && !memcmp(e->key, key, len)) {
			e->weight += w;
			return 0;
		}
	}
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	e->next = first;
	e->weight = w;
	e->len = len;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	if (hashmap_put(&m->by_hash, h, e)) {
		free(e);
		return -ENOMEM;
	}
	m->count++;
	return 0;
}

int stackmap_merge(struct stackmap *dst, const struct stackmap *src)
{
	struct stack_weight *e;
	size_t pos = 0;
	uint64_t h;

	while ((e = hashmap_next(&src->by_hash, &pos, &h))) {
		for (; e; e = e->next) {
			int err = stackmap_add(dst, e->key, e->len, e->weight);

			if (err)
				return err;
		}
	}
	return 0;
}

static int by_key(const void *pa, const void *pb)
{
	const struct stack_weight *a = *(const struct stack_weight *const *)pa;
	const struct stack_weight *b = *(const struct stack_weight *const *)pb;

	return strcmp(a->key, b->key);
}

int stackmap_sorted(const struct stackmap *m, struct stack_weight ***out)
{
	struct stack_weight **v = NULL, *e;
	size_t pos = 0, n = 0;
	uint64_t h;

	*out = NULL;
	if (!m->count)
		return 0;
	v = malloc(m->count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while ((e = hashmap_next(&m->by_hash, &pos, &h)))
		for (; e; e = e->next)
			v[n++] = e;
	qsort(v, n, sizeof(*v), by_key);
	*out = v;
	return 0;
}

void stackmap_free(struct stackmap *m)
{
	struct stack_weight *e, *next;
	size_t pos = 0;
	uint64_t h;

	while ((e = hashmap_next(&m->by_hash, &pos, &h))) {
		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	hashmap_free(&m->by_hash);
	m->count = 0;
}
