/* A condition's tree as text, fully parenthesised, so tests and debug
 * output show exactly how it was grouped. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "probe/expr/priv.h"

const char *expr_op_text(enum expr_kind k)
{
	static const char *const text[] = {
		[E_FIELD] = ".", [E_INDEX] = "[]", [E_DEREF] = "*",
		[E_NEG] = "-", [E_NOT] = "!", [E_BITNOT] = "~",
		[E_MUL] = "*", [E_DIV] = "/", [E_MOD] = "%", [E_ADD] = "+",
		[E_SUB] = "-", [E_SHL] = "<<", [E_SHR] = ">>", [E_LT] = "<",
		[E_LE] = "<=", [E_GT] = ">", [E_GE] = ">=", [E_EQ] = "==",
		[E_NE] = "!=", [E_GLOB] = "~", [E_BAND] = "&", [E_BXOR] = "^",
		[E_BOR] = "|", [E_AND] = "&&", [E_OR] = "||",
	};

	return (size_t)k < sizeof(text) / sizeof(text[0]) && text[k] ? text[k] : "?";
}

struct out {
	char *buf;
	size_t len, need;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->need < o->len ? o->len - o->need : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->need : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->need += (size_t)n;
}

static void walk(struct out *o, const struct expr *e)
{
	switch (e->kind) {
	case E_NAME: put(o, "%s", e->name); return;
	case E_INT: put(o, "%" PRId64, e->i); return;
	case E_UINT: put(o, "%" PRIu64 "u", e->u); return;
	case E_FLOAT: put(o, "%Lg", e->f); return;
	case E_DUR: put(o, "%" PRIu64 "ns", e->u); return;
	case E_NULL: put(o, "NULL"); return;
	case E_STR:
		put(o, "\"");
		for (size_t i = 0; i < e->len; i++) {
			unsigned char c = (unsigned char)e->name[i];

			if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
				put(o, "\\x%02x", c);
			else
				put(o, "%c", c);
		}
		put(o, "\"");
		return;
	case E_FIELD:
		put(o, "(%s ", e->arrow ? "->" : ".");
		walk(o, e->l);
		put(o, " %s)", e->name);
		return;
	default:
		break;
	}
	put(o, "(%s ", expr_op_text(e->kind));
	walk(o, e->l);
	if (e->r) {
		put(o, " ");
		walk(o, e->r);
	}
	put(o, ")");
}

size_t expr_format(const struct expr *e, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	walk(&o, e);
	return o.need;
}
