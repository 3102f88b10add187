/* Condition text to a tree, by precedence climbing over C's operator
 * levels; "~" between operands is glob match, at the level of "==". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/expr/priv.h"

struct parser {
	const char *text;
	size_t pos;
	struct token tok;      /* the current, not yet consumed, token */
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "column %u: ", col);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "expected WHAT, found <the current token>". */
static int expected(struct parser *ps, const char *what)
{
	char found[64];

	expr_tok_describe(&ps->tok, found, sizeof(found));
	return fail(ps, ps->tok.col, "expected %s, found %s", what, found);
}

static int advance(struct parser *ps)
{
	free(ps->tok.str);
	ps->tok.str = NULL;
	return expr_lex(ps->text, &ps->pos, &ps->tok, ps->err, ps->errlen);
}

static struct expr *node(enum expr_kind k, unsigned col, struct expr *l,
			 struct expr *r)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (e) {
		e->kind = k;
		e->col = col;
		e->l = l;
		e->r = r;
	}
	return e;
}

static const struct { enum tok_kind t; enum expr_kind e; int prec; } binops[] = {
	{ T_OROR, E_OR, 1 }, { T_ANDAND, E_AND, 2 }, { T_PIPE, E_BOR, 3 },
	{ T_CARET, E_BXOR, 4 }, { T_AMP, E_BAND, 5 }, { T_EQ, E_EQ, 6 },
	{ T_NE, E_NE, 6 }, { T_TILDE, E_GLOB, 6 }, { T_LT, E_LT, 7 },
	{ T_LE, E_LE, 7 }, { T_GT, E_GT, 7 }, { T_GE, E_GE, 7 },
	{ T_SHL, E_SHL, 8 }, { T_SHR, E_SHR, 8 }, { T_PLUS, E_ADD, 9 },
	{ T_MINUS, E_SUB, 9 }, { T_STAR, E_MUL, 10 }, { T_SLASH, E_DIV, 10 },
	{ T_PERCENT, E_MOD, 10 },
};

static int binop(enum tok_kind t, enum expr_kind *k)
{
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (binops[i].t == t) {
			*k = binops[i].e;
			return binops[i].prec;
		}
	return 0;
}

static int parse_binary(struct parser *ps, int minprec, struct expr **out);

/* A literal, a name or a parenthesised expression. */
static int parse_primary(struct parser *ps, struct expr **out)
{
	struct token *t = &ps->tok;
	struct expr *e;
	unsigned col = t->col;
	int rc;

	if (t->kind == T_LPAREN) {
		if ((rc = advance(ps)) || (rc = parse_binary(ps, 1, out)))
			return rc;
		if (t->kind != T_RPAREN) {
			char what[48];

			snprintf(what, sizeof(what), "')' to match '(' at column %u", col);
			return expected(ps, what);
		}
		return advance(ps);
	}
	if (t->kind == T_NAME || t->kind == T_STR || t->kind == T_INT ||
	    t->kind == T_UINT || t->kind == T_FLOAT || t->kind == T_CHAR ||
	    t->kind == T_DUR) {
		e = *out = node(E_INT, col, NULL, NULL);
		if (!e)
			return -ENOMEM;
		e->i = t->i;
		e->u = t->u;
		e->f = t->f;
		if (t->kind == T_UINT || t->kind == T_DUR || t->kind == T_FLOAT)
			e->kind = t->kind == T_UINT ? E_UINT : t->kind == T_DUR ? E_DUR : E_FLOAT;
		if (t->kind == T_STR) {
			e->kind = E_STR;
			e->name = t->str;
			e->len = t->len;
			t->str = NULL;
		} else if (t->kind == T_NAME && !strcmp(t->str, "NULL")) {
			e->kind = E_NULL;
		} else if (t->kind == T_NAME && (!strcmp(t->str, "true") ||
						 !strcmp(t->str, "false"))) {
			e->i = t->str[0] == 't';
		} else if (t->kind == T_NAME) {
			e->kind = E_NAME;
			e->name = t->str;
			t->str = NULL;
		}
		return advance(ps);
	}
	return expected(ps, "an operand (a name, literal or '(')");
}

/* Postfix chains: a.b, a->b, a[i]. */
static int parse_postfix(struct parser *ps, struct expr **out)
{
	struct token *t = &ps->tok;
	struct expr *e;
	int rc = parse_primary(ps, out);

	while (!rc && (t->kind == T_DOT || t->kind == T_ARROW || t->kind == T_LBRACK)) {
		enum tok_kind k = t->kind;
		unsigned col = t->col;

		e = node(k == T_LBRACK ? E_INDEX : E_FIELD, col, *out, NULL);
		if (!e)
			return -ENOMEM;
		*out = e;
		e->arrow = k == T_ARROW;
		if ((rc = advance(ps)))
			return rc;
		if (k == T_LBRACK) {
			if ((rc = parse_binary(ps, 1, &e->r)))
				return rc;
			if (t->kind != T_RBRACK) {
				char what[48];

				snprintf(what, sizeof(what), "']' to match '[' at column %u", col);
				return expected(ps, what);
			}
		} else {
			if (t->kind != T_NAME)
				return expected(ps, k == T_DOT ? "a member name after '.'"
							       : "a member name after '->'");
			e->name = t->str;
			t->str = NULL;
		}
		rc = advance(ps);
	}
	return rc;
}

static int parse_unary(struct parser *ps, struct expr **out)
{
	struct token *t = &ps->tok;
	enum expr_kind k;
	struct expr *e;
	int rc;

	switch (t->kind) {
	case T_MINUS: k = E_NEG; break;
	case T_BANG: k = E_NOT; break;
	case T_TILDE: k = E_BITNOT; break;
	case T_STAR: k = E_DEREF; break;
	case T_PLUS:
		if ((rc = advance(ps)))
			return rc;
		return parse_unary(ps, out);
	default:
		return parse_postfix(ps, out);
	}
	e = *out = node(k, t->col, NULL, NULL);
	if (!e)
		return -ENOMEM;
	if ((rc = advance(ps)))
		return rc;
	return parse_unary(ps, &e->l);
}

static int parse_binary(struct parser *ps, int minprec, struct expr **out)
{
	struct token *t = &ps->tok;
	enum expr_kind k;
	struct expr *e;
	int prec, rc = parse_unary(ps, out);

	while (!rc && (prec = binop(t->kind, &k)) >= minprec && prec) {
		e = node(k, t->col, *out, NULL);
		if (!e)
			return -ENOMEM;
		*out = e;
		if ((rc = advance(ps)))
			return rc;
		/* Left-associative: the right side binds tighter only. */
		rc = parse_binary(ps, prec + 1, &e->r);
	}
	return rc;
}

int expr_parse_part(const char *text, size_t *pos, const char *stop,
		    struct expr **out, char *err, size_t errlen)
{
	struct parser ps = { .text = text, .pos = *pos, .err = err, .errlen = errlen };
	struct expr *e = NULL;
	size_t at = *pos;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	/* Parsing and evaluation recurse once per level of the tree; a
	 * bound on the text bounds the stack they use. */
	if (strlen(text + *pos) > EXPR_MAX_TEXT) {
		snprintf(err, errlen, "column %zu: expected a condition of at most %d characters",
			 *pos + EXPR_MAX_TEXT + 1, EXPR_MAX_TEXT);
		return -EINVAL;
	}
	rc = expr_lex(text, &ps.pos, &ps.tok, err, errlen);
	if (!rc && ps.tok.kind == T_END)
		rc = expected(&ps, "a condition");
	if (!rc)
		rc = parse_binary(&ps, 1, &e);
	/* A name cannot follow a complete operand, so the stop word there
	 * ends the condition even when a parameter has the same name. */
	if (!rc && stop && ps.tok.kind == T_NAME && !strcmp(ps.tok.str, stop))
		at = (size_t)(ps.tok.start - text);
	else if (!rc && ps.tok.kind != T_END)
		rc = expected(&ps, stop ? "an operator, the end of the condition or 'ret'"
					: "an operator or the end of the condition");
	else
		at = strlen(text);
	free(ps.tok.str);
	if (rc) {
		expr_free(e);
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		return rc;
	}
	*pos = at;
	*out = e;
	return 0;
}

int expr_parse(const char *text, struct expr **out, char *err, size_t errlen)
{
	size_t pos = 0;

	return expr_parse_part(text, &pos, NULL, out, err, errlen);
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->l);
	expr_free(e->r);
	free(e->name);
	free(e);
}
