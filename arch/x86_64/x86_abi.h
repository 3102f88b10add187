/* The SysV x86-64 classification of an aggregate (its eightbytes), from
 * the neutral description dwarf/abi.c gives. Host-independent, like
 * x86_step.c: built and unit-tested on any host. */
#ifndef LATCH_X86_ABI_H
#define LATCH_X86_ABI_H

#include <stdbool.h>
#include "core/abi_desc.h"

struct x86_abi_class {
	/* For each 8-byte chunk: every member in it is SSE class (float,
	 * double, _Float16, a vector); no member has a byte in it (only
	 * padding, or an empty class), so it takes no register. */
	bool chunk_is_float[2];
	bool chunk_empty[2];
	/* One 16-byte vector or __float128 fills both chunks and one vector
	 * register. */
	bool sse_up;
	/* A long double member (x87 class): the aggregate goes to memory,
	 * unless it is one of the x87 forms of a return value. */
	bool has_long_double;
	/* The aggregate is that many long doubles and nothing else (a struct
	 * of one, _Complex long double): 0 when not. */
	unsigned x87_count;
};

/* Fills *out for d (zeroed unless d is an ABI_AGGREGATE). */
void x86_abi_classify(const struct abi_desc *d, struct x86_abi_class *out);

#endif
