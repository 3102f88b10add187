/* Shared by symbols/stack.c (unwinding) and symbols/stack_syms.c (naming frames). */
#ifndef LATCH_STACK_PRIV_H
#define LATCH_STACK_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "util/hashmap.h"
#include "symbols/symbols.h"

/* A pc found by unwinding, before it is named. */
struct raw_frame {
	uint64_t pc;
	bool activation;       /* interrupted there (signal), not a return address */
};

/* What the pcs seen so far show, for the life of a symtab: symbol and
 * line lookups cost more than unwinding, and the same call sites come
 * back call after call. Zeroed to start. */
struct frame_syms {
	struct hashmap map;    /* pc (| activation bit) -> private entry */
};

/* The frames v[0..n) as events carry them, into *out (NULL for n = 0).
 * 0 or -ENOMEM. */
int frame_syms_resolve(struct frame_syms *c, struct symtab *st,
		       const struct raw_frame *v, unsigned n,
		       struct stack_frame **out);
void frame_syms_free(struct frame_syms *c);

#endif
