/* The AAPCS64 classification of an aggregate (homogeneous floating-point
 * and short-vector aggregates), from the neutral description dwarf/abi.c
 * gives. Host-independent, like a64_step.c: built and unit-tested on any
 * host. */
#ifndef LATCH_A64_ABI_H
#define LATCH_A64_ABI_H

#include "core/abi_desc.h"

struct a64_abi_class {
	/* A homogeneous floating-point aggregate: 1-4 members, all of one
	 * floating type of hfa_size bytes (2, 4, 8 or 16); 0 if not.
	 * _Complex counts as two members; short vectors of one size (8 or
	 * 16 bytes) make a homogeneous vector aggregate, described alike. */
	unsigned hfa_count;
	unsigned hfa_size;
};

/* Fills *out for d (zeroed unless d is an ABI_AGGREGATE). */
void a64_abi_classify(const struct abi_desc *d, struct a64_abi_class *out);

#endif
