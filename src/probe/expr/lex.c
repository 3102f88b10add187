/* Tokens of a condition: C's literals and operators, plus durations
 * ("5ms") and the glob operator "~". */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/expr/priv.h"

static int fail(char *err, size_t errlen, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "column %zu: ", pos + 1);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One C escape after the backslash at text[*p - 1]: the byte it means. */
static int escape(const char *text, size_t *p, char *err, size_t errlen)
{
	static const char from[] = "abfnrtv\\'\"?", to[] = "\a\b\f\n\r\t\v\\'\"?";
	char c = text[*p];
	const char *hit = c ? strchr(from, c) : NULL;
	unsigned v = 0, n = 0;

	if (hit) {
		(*p)++;
		return (unsigned char)to[hit - from];
	}
	if (c == 'x') {
		(*p)++;
		while (hexval(text[*p]) >= 0 && n < 2) {
			v = v * 16 + (unsigned)hexval(text[(*p)++]);
			n++;
		}
		if (!n)
			return fail(err, errlen, *p, "expected hex digits after '\\x'");
		return (int)v;
	}
	while (text[*p] >= '0' && text[*p] <= '7' && n < 3) {
		v = v * 8 + (unsigned)(text[(*p)++] - '0');
		n++;
	}
	if (n && v <= 255)
		return (int)v;
	return fail(err, errlen, *p, "expected an escape (\\n, \\x41, \\0...) after '\\'");
}

/* A quoted char or string literal starting at text[*p]. */
static int quoted(const char *text, size_t *p, struct token *t,
		  char *err, size_t errlen)
{
	char q = text[*p];
	size_t start = *p, cap = strlen(text + start) + 1, n = 0;
	char *buf = malloc(cap);
	int c;

	if (!buf)
		return -ENOMEM;
	(*p)++;
	while (text[*p] != q) {
		if (!text[*p]) {
			free(buf);
			return fail(err, errlen, *p, "expected %s to close the %s at column %zu",
				    q == '"' ? "'\"'" : "\"'\"",
				    q == '"' ? "string" : "character", start + 1);
		}
		if (text[*p] == '\\') {
			(*p)++;
			c = escape(text, p, err, errlen);
			if (c < 0) {
				free(buf);
				return c;
			}
			buf[n++] = (char)c;
		} else {
			buf[n++] = text[(*p)++];
		}
	}
	(*p)++;
	if (q == '\'') {
		c = n == 1 ? (unsigned char)buf[0] : -1;
		free(buf);
		if (c < 0)
			return fail(err, errlen, start, "expected one character between quotes");
		t->kind = T_CHAR;
		t->i = c;
		return 0;
	}
	buf[n] = '\0';
	t->kind = T_STR;
	t->str = buf;
	t->len = n;
	return 0;
}

static const struct { const char *s; uint64_t ns; } units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
};

/* Integer, float or duration at text[*p]. */
static int number(const char *text, size_t *p, struct token *t,
		  char *err, size_t errlen)
{
	size_t start = *p, end = *p, sfx;
	bool isfloat = false;
	char buf[64], *stop;

	if (text[end] == '0' && (text[end + 1] == 'x' || text[end + 1] == 'X')) {
		end += 2;
		while (isxdigit((unsigned char)text[end]))
			end++;
		if (end == start + 2)
			return fail(err, errlen, end, "expected hex digits after '0x'");
	} else {
		while (isdigit((unsigned char)text[end]))
			end++;
		if (text[end] == '.' && isdigit((unsigned char)text[end + 1])) {
			isfloat = true;
			for (end++; isdigit((unsigned char)text[end]); end++)
				;
		}
		if ((text[end] == 'e' || text[end] == 'E') &&
		    (isdigit((unsigned char)text[end + 1]) ||
		     (strchr("+-", text[end + 1]) && text[end + 1] &&
		      isdigit((unsigned char)text[end + 2])))) {
			isfloat = true;
			for (end += 2; isdigit((unsigned char)text[end]); end++)
				;
		}
	}
	if (end - start >= sizeof(buf))
		return fail(err, errlen, start, "expected a number of at most %zu characters",
			    sizeof(buf) - 1);
	memcpy(buf, text + start, end - start);
	buf[end - start] = '\0';
	for (sfx = end; isalnum((unsigned char)text[sfx]) || text[sfx] == '_'; sfx++)
		;
	errno = 0;
	if (isfloat) {
		t->kind = T_FLOAT;
		t->f = strtold(buf, &stop);
	} else {
		t->kind = T_INT;
		t->u = strtoull(buf, &stop, 0);
		if (*stop)
			return fail(err, errlen, start + (size_t)(stop - buf),
				    "expected an octal digit, found '%c'", *stop);
	}
	if (errno == ERANGE)
		return fail(err, errlen, start, "expected a number that fits in 64 bits");
	*p = sfx;
	if (sfx == end) {
		/* Without a suffix a literal is signed when it fits, as in C. */
		if (!isfloat && t->u > INT64_MAX)
			t->kind = T_UINT;
		else if (!isfloat)
			t->i = (int64_t)t->u;
		return 0;
	}
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (sfx - end != strlen(units[k].s) ||
		    memcmp(text + end, units[k].s, sfx - end))
			continue;
		long double ns = (isfloat ? t->f : (long double)t->u) * units[k].ns;

		if (ns >= 18446744073709551616.0L)
			return fail(err, errlen, start, "expected a duration below 2^64 ns");
		t->kind = T_DUR;
		t->u = (uint64_t)(ns + 0.5L);
		return 0;
	}
	if (!isfloat) {
		bool u = false;
		int l = 0;
		size_t k;

		for (k = end; k < sfx; k++) {
			if ((text[k] == 'u' || text[k] == 'U') && !u)
				u = true;
			else if ((text[k] == 'l' || text[k] == 'L') && l < 2)
				l++;
			else
				break;
		}
		if (k == sfx) {
			if (u || t->u > INT64_MAX)
				t->kind = T_UINT;
			else
				t->i = (int64_t)t->u;
			return 0;
		}
	}
	return fail(err, errlen, end, "expected a suffix u, l, ns, us, ms or s, found '%.*s'",
		    (int)(sfx - end), text + end);
}

static const struct { const char *s; enum tok_kind k; } ops[] = {
	{ "->", T_ARROW }, { "<<", T_SHL }, { ">>", T_SHR }, { "==", T_EQ },
	{ "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE }, { "&&", T_ANDAND },
	{ "||", T_OROR }, { "(", T_LPAREN }, { ")", T_RPAREN },
	{ "[", T_LBRACK }, { "]", T_RBRACK }, { ".", T_DOT }, { "*", T_STAR },
	{ "/", T_SLASH }, { "%", T_PERCENT }, { "+", T_PLUS }, { "-", T_MINUS },
	{ "!", T_BANG }, { "~", T_TILDE }, { "&", T_AMP }, { "|", T_PIPE },
	{ "^", T_CARET }, { "<", T_LT }, { ">", T_GT },
};

int expr_lex(const char *text, size_t *pos, struct token *t,
	     char *err, size_t errlen)
{
	size_t p = *pos;
	int rc = 0;

	while (isspace((unsigned char)text[p]))
		p++;
	memset(t, 0, sizeof(*t));
	t->col = (unsigned)p + 1;
	t->start = text + p;
	if (!text[p]) {
		t->kind = T_END;
	} else if (isalpha((unsigned char)text[p]) || text[p] == '_') {
		size_t s = p;

		while (isalnum((unsigned char)text[p]) || text[p] == '_')
			p++;
		t->kind = T_NAME;
		t->str = strndup(text + s, p - s);
		if (!t->str)
			return -ENOMEM;
	} else if (isdigit((unsigned char)text[p]) ||
		   (text[p] == '.' && isdigit((unsigned char)text[p + 1]))) {
		rc = number(text, &p, t, err, errlen);
	} else if (text[p] == '"' || text[p] == '\'') {
		rc = quoted(text, &p, t, err, errlen);
	} else {
		size_t k;

		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (!strncmp(text + p, ops[k].s, strlen(ops[k].s)))
				break;
		if (k == sizeof(ops) / sizeof(ops[0])) {
			if (text[p] == '=')
				return fail(err, errlen, p, "expected '==', found '='");
			if (isprint((unsigned char)text[p]))
				return fail(err, errlen, p, "expected an operand or operator, found '%c'",
					    text[p]);
			return fail(err, errlen, p, "expected an operand or operator, found byte 0x%02x",
				    (unsigned char)text[p]);
		}
		t->kind = ops[k].k;
		p += strlen(ops[k].s);
	}
	if (rc)
		return rc;
	t->srclen = (size_t)(text + p - t->start);
	*pos = p;
	return 0;
}

void expr_tok_describe(const struct token *t, char *buf, size_t len)
{
	switch (t->kind) {
	case T_END:
		snprintf(buf, len, "end of input");
		break;
	case T_NAME:
		snprintf(buf, len, "name '%s'", t->str);
		break;
	case T_STR:
		snprintf(buf, len, "string %.*s", (int)(t->srclen > 40 ? 40 : t->srclen), t->start);
		break;
	case T_INT: case T_UINT: case T_FLOAT: case T_CHAR: case T_DUR:
		snprintf(buf, len, "literal %.*s", (int)(t->srclen > 40 ? 40 : t->srclen), t->start);
		break;
	default:
		snprintf(buf, len, "'%.*s'", (int)t->srclen, t->start);
		break;
	}
}
