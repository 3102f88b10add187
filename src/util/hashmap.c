#include <errno.h>
#include <stdlib.h>
#include "util/hashmap.h"

/* A deleted slot keeps its key with this value so probing continues. */
static char tombstone;
#define DELETED ((void *)&tombstone)

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

void *hashmap_get(const struct hashmap *h, uint64_t key)
{
	if (!h->cap)
		return NULL;
	for (size_t i = slot_of(key, h->cap);; i = (i + 1) & (h->cap - 1)) {
		if (!h->vals[i])
			return NULL;
		if (h->keys[i] == key && h->vals[i] != DELETED)
			return h->vals[i];
	}
}

static int grow(struct hashmap *h)
{
	size_t cap = h->cap ? h->cap * 2 : 64;
	struct hashmap n = { calloc(cap, sizeof(uint64_t)), calloc(cap, sizeof(void *)), cap, 0, 0 };

	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->cap; i++)
		if (h->vals[i] && h->vals[i] != DELETED)
			hashmap_put(&n, h->keys[i], h->vals[i]);
	hashmap_free(h);
	*h = n;
	return 0;
}

int hashmap_put(struct hashmap *h, uint64_t key, void *val)
{
	if ((h->used + 1) * 4 >= h->cap * 3) {
		int err = grow(h);

		if (err)
			return err;
	}
	size_t i = slot_of(key, h->cap), free_at = (size_t)-1;

	for (;; i = (i + 1) & (h->cap - 1)) {
		if (!h->vals[i])
			break;
		if (h->vals[i] == DELETED) {
			if (free_at == (size_t)-1)
				free_at = i;
		} else if (h->keys[i] == key) {
			h->vals[i] = val;
			return 0;
		}
	}
	if (free_at != (size_t)-1)
		i = free_at;
	else
		h->used++;
	h->keys[i] = key;
	h->vals[i] = val;
	h->count++;
	return 0;
}

void *hashmap_del(struct hashmap *h, uint64_t key)
{
	if (!h->cap)
		return NULL;
	for (size_t i = slot_of(key, h->cap);; i = (i + 1) & (h->cap - 1)) {
		if (!h->vals[i])
			return NULL;
		if (h->keys[i] == key && h->vals[i] != DELETED) {
			void *v = h->vals[i];

			h->vals[i] = DELETED;
			h->count--;
			return v;
		}
	}
}

void *hashmap_next(const struct hashmap *h, size_t *pos, uint64_t *key)
{
	for (; *pos < h->cap; (*pos)++) {
		void *v = h->vals[*pos];

		if (v && v != DELETED) {
			if (key)
				*key = h->keys[*pos];
			(*pos)++;
			return v;
		}
	}
	return NULL;
}

void hashmap_free(struct hashmap *h)
{
	free(h->keys);
	free(h->vals);
	h->keys = NULL;
	h->vals = NULL;
	h->cap = h->used = h->count = 0;
}
