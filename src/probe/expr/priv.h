/* Shared between the expression lexer, parser, checker and evaluator. */
#ifndef LATCH_EXPR_PRIV_H
#define LATCH_EXPR_PRIV_H

#include "probe/expr/expr.h"

enum tok_kind {
	T_END, T_NAME, T_INT, T_UINT, T_FLOAT, T_CHAR, T_STR, T_DUR,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_DOT, T_ARROW,
	T_STAR, T_SLASH, T_PERCENT, T_PLUS, T_MINUS, T_BANG, T_TILDE,
	T_AMP, T_PIPE, T_CARET, T_SHL, T_SHR,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_ANDAND, T_OROR,
};

struct token {
	enum tok_kind kind;
	unsigned col;          /* 1-based */
	const char *start;     /* into the source text */
	size_t srclen;
	char *str;             /* T_NAME, T_STR: owned, NUL-terminated */
	size_t len;            /* T_STR bytes (may hold NULs) */
	int64_t i;             /* T_INT, T_CHAR */
	uint64_t u;            /* T_UINT; T_DUR in ns */
	long double f;         /* T_FLOAT */
};

/* The token at text + *pos; advances *pos. 0, -EINVAL with err, or
 * -ENOMEM. The caller frees tok->str. */
int expr_lex(const char *text, size_t *pos, struct token *tok,
	     char *err, size_t errlen);
/* "'+'", "end of input", "name 'x'": for "found ..." in messages. */
void expr_tok_describe(const struct token *t, char *buf, size_t len);

enum expr_kind {
	E_NAME, E_INT, E_UINT, E_FLOAT, E_STR, E_NULL, E_DUR,
	E_FIELD, E_INDEX, E_DEREF, E_NEG, E_NOT, E_BITNOT,
	E_MUL, E_DIV, E_MOD, E_ADD, E_SUB, E_SHL, E_SHR,
	E_LT, E_LE, E_GT, E_GE, E_EQ, E_NE, E_GLOB,
	E_BAND, E_BXOR, E_BOR, E_AND, E_OR,
};

/* How expr_check resolved an E_NAME. */
enum expr_slot { S_UNRESOLVED, S_ARG, S_RET, S_DUR, S_ENUM };

struct expr {
	enum expr_kind kind;
	unsigned col;
	struct expr *l, *r;    /* operands; l is the base of a postfix */
	char *name;            /* E_NAME, E_FIELD member; E_STR bytes */
	size_t len;            /* E_STR */
	int64_t i;
	uint64_t u;            /* E_UINT, E_DUR (ns) */
	long double f;
	bool arrow;            /* E_FIELD written "->" */
	enum expr_slot slot;   /* E_NAME after expr_check */
	unsigned idx;          /* S_ARG */
};

const char *expr_op_text(enum expr_kind k);

/* An intermediate result of evaluation. */
struct rv {
	enum { R_VAL, R_INT, R_UINT, R_FLOAT, R_STR, R_NULL, R_IDENT } k;
	const struct value *v;       /* R_VAL: a node of the value tree */
	int64_t i;
	uint64_t u;
	long double f;
	const char *s;               /* R_STR bytes; R_IDENT name */
	size_t len;
};

/* Member name of a struct, or of the struct a followed pointer points to. */
int expr_member(const struct value *base, const char *name, struct rv *out);
/* Element i of an array, pointer (only 0: the followed pointee) or string. */
int expr_index(const struct value *base, int64_t i, struct rv *out);
/* A number (R_INT, R_UINT or R_FLOAT) from any scalar. */
int expr_number(const struct rv *in, struct rv *out);
/* A number from expr_number as a long double. */
long double expr_float(const struct rv *n);
/* Whether a value is a null pointer or string: 1, 0 or -EINVAL. */
int expr_is_null(const struct rv *in);
/* Whether r can be compared as text: V_STR, V_ENUM, a null pointer (a
 * NULL char *), a string literal or an enumerator name. */
bool expr_is_text(const struct rv *r);
/* String equality and glob match: 1, 0, or -EFAULT when the bytes
 * shown cannot decide (unreadable, or truncated before the answer). */
int expr_text_eq(const struct rv *a, const struct rv *b);
int expr_text_glob(const struct rv *text, const struct rv *pattern);
/* a OP b for the arithmetic and bit operators: 0, -EINVAL (not numbers,
 * or floats with bit operators), or -EDOM (division by zero, shift by
 * a negative count or by 64 or more). */
int expr_arith(enum expr_kind k, const struct rv *a, const struct rv *b,
	       struct rv *out);

#endif
