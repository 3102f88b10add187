/* A typed value read from the tracee, ready for any sink to render. */
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
	V_ENUM,     /* .i, with .enumerator when a name matches */
	V_PTR,      /* address in .u, 0 prints as NULL */
	V_STR,      /* char *: address in .u, bytes in .str/.len */
	V_OPAQUE,   /* a type this version does not decode: {...} */
	V_RAW,      /* a register word with no type information, in .u */
	V_UNAVAIL,  /* optimised out or unknown */
	V_VARARGS,  /* the "..." of a variadic function */
};

struct value {
	enum value_kind kind;
	const char *name;        /* parameter name; owned by the function info */
	union {
		int64_t i;
		uint64_t u;
	};
	const char *enumerator;  /* V_ENUM; owned by the debug info */
	char *str;               /* V_STR: malloc'd bytes, not NUL-terminated */
	size_t len;
	bool truncated;          /* V_STR: cut at the string limit */
	bool unreadable;         /* V_STR or V_PTR: the pointee could not be read */
};

void value_free(struct value *v);
/* Deep copy; returns 0 or -ENOMEM. */
int value_copy(struct value *dst, const struct value *src);

#endif
