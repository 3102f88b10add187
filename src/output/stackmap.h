/* Weights by call stack ("outer;middle;inner"): the tallies of -f folded. */
#ifndef LATCH_OUTPUT_STACKMAP_H
#define LATCH_OUTPUT_STACKMAP_H

#include <stddef.h>
#include <stdint.h>
#include "util/hashmap.h"

struct stack_weight {
	struct stack_weight *next;   /* another stack with the same hash */
	uint64_t weight;
	size_t len;
	char key[];                  /* len bytes and a NUL */
};

struct stackmap {
	struct hashmap by_hash;      /* hash of the key -> struct stack_weight */
	size_t count;
};

/* Add w to the stack's weight; 0 or -ENOMEM. */
int stackmap_add(struct stackmap *m, const char *key, size_t len, uint64_t w);
/* Add every weight of src to dst; 0 or -ENOMEM. */
int stackmap_merge(struct stackmap *dst, const struct stackmap *src);
/* The stacks sorted by key, in an array of m->count pointers that the
 * caller frees (NULL when there are none); 0 or -ENOMEM. */
int stackmap_sorted(const struct stackmap *m, struct stack_weight ***out);
void stackmap_free(struct stackmap *m);

#endif
