/* An open-addressing map from 64-bit keys to pointers. */
#ifndef LATCH_HASHMAP_H
#define LATCH_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct hashmap {
	uint64_t *keys;
	void **vals;
	size_t cap;     /* a power of two, or 0 */
	size_t used;    /* live and deleted slots */
	size_t count;   /* live entries */
};

void *hashmap_get(const struct hashmap *h, uint64_t key);
/* Insert or replace; 0 or -ENOMEM. val must not be NULL. */
int hashmap_put(struct hashmap *h, uint64_t key, void *val);
void *hashmap_del(struct hashmap *h, uint64_t key);
/* Iterate: start with *pos = 0; returns NULL at the end. */
void *hashmap_next(const struct hashmap *h, size_t *pos, uint64_t *key);
void hashmap_free(struct hashmap *h);

#endif
