/* A typed value read from the tracee, ready for any sink to render: a
 * tree, since structs, arrays and followed pointers hold other values. */
#ifndef LATCH_VALUE_H
#define LATCH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum value_kind {
	V_NONE,     /* no value: a void return */
	V_INT,      /* signed integer in .i */
	V_UINT,     /* unsigned integer in .u */
	V_BOOL,     /* .u != 0 */
	V_CHAR,     /* a character, .i */
	V_ENUM,     /* .i; .text names it ("RED", "A|B", "A|0x40") or NULL */
	V_FLOAT,    /* .f, with .fbits 16, 32, 64 or 0 for long double */
	V_PTR,      /* address in .u, 0 prints as NULL; .text: the symbol
		     * it points into ("handler", "table+0x10"); nkids 1:
		     * the followed pointee */
	V_STR,      /* text: bytes in .text/.len, from address .u; no
		     * .text (and not unreadable): a NULL char * */
	V_STRUCT,   /* struct, class or union: named kids */
	V_ARRAY,    /* kids without names; .truncated when cut */
	V_OPAQUE,   /* a type latch does not decode, or past the depth limit */
	V_RAW,      /* a register word with no type information, in .u */
	V_UNAVAIL,  /* optimised out or unknown */
	V_VARARGS,  /* the "..." of a variadic function */
};

struct value {
	enum value_kind kind;
	const char *name;        /* parameter or member name; borrowed from
				  * the debug info, which outlives events */
	union {
		int64_t i;
		uint64_t u;
		long double f;
	};
	unsigned fbits;          /* V_FLOAT */
	char *text;              /* owned: V_STR bytes (not NUL-terminated,
				  * .len of them), or a NUL-terminated name
				  * for V_ENUM and V_PTR */
	size_t len;
	bool truncated;          /* V_STR and V_ARRAY: cut at the limit */
	bool unreadable;         /* V_STR, V_PTR: the pointee could not be
				  * read; V_UNAVAIL: the bytes could not */
	bool reference;          /* V_PTR: a C++ reference, which conditions
				  * see as the object it refers to */
	unsigned nkids;
	struct value *kids;      /* owned */
};

/* How much of a value is read and shown (-s, -A, --depth). */
struct value_limits {
	size_t strlimit;         /* bytes of a string */
	unsigned arraylimit;     /* elements of an array */
	unsigned depth;          /* levels of nested structs and arrays */
	/* Pointers followed on a path after the first: conditions such as
	 * "r->h->flags" reach further than what is shown. */
	unsigned follow_more;
	/* Pointers to scalars are followed too: a condition reads *p. */
	bool follow_scalars;
};

void value_free(struct value *v);
/* Deep copy; returns 0 or -ENOMEM (dst is then safe to free). */
int value_copy(struct value *dst, const struct value *src);

#endif
