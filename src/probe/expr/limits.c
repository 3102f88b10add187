/* How much of a call's values a condition needs decoded: what is shown
 * (-s, -A, --depth) may be less than what the condition reads. */
#include "probe/expr/priv.h"

#define MAX_INDEX 4096   /* a larger constant index reads past any array shown */

static unsigned max_u(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static bool is_step(const struct expr *e)
{
	return e && (e->kind == E_FIELD || e->kind == E_INDEX || e->kind == E_DEREF);
}

/* Steps of a postfix chain down to its name. Any of them may go through
 * a pointer: "a.b" on a pointer works like "->". */
static unsigned chain_len(const struct expr *e)
{
	unsigned n = 0;

	for (; is_step(e); e = e->l)
		n++;
	return n;
}

void expr_limits(const struct expr *e, struct value_limits *lim)
{
	unsigned steps = chain_len(e);

	if (!e)
		return;
	if (steps) {
		lim->depth = max_u(lim->depth, steps + 1);
		lim->follow_more = max_u(lim->follow_more, steps - 1);
	}
	if (e->kind == E_INDEX || e->kind == E_DEREF)
		lim->follow_scalars = true;
	if (e->kind == E_INDEX && e->r && (e->r->kind == E_INT || e->r->kind == E_UINT)) {
		uint64_t i = e->r->kind == E_INT ? (uint64_t)e->r->i : e->r->u;

		if (e->r->kind == E_INT && e->r->i < 0)
			i = 0;
		if (i < MAX_INDEX)
			lim->arraylimit = max_u(lim->arraylimit, (unsigned)i + 1);
	}
	/* equality with a literal is decided by the literal's bytes and one
	 * more, which says whether the string ends there */
	if (e->kind == E_STR && lim->strlimit < e->len + 1)
		lim->strlimit = e->len + 1;
	expr_limits(e->l, lim);
	expr_limits(e->r, lim);
}
