/* Before the target is touched: every name in a condition must mean
 * something for this function, so a typo fails at start, not silently
 * on every call. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/expr/priv.h"

struct checker {
	const struct expr_scope *sc;
	char *err;
	size_t errlen;
};

static int fail(struct checker *c, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "column %u: ", col);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_literal(const struct expr *e)
{
	return e->kind == E_INT || e->kind == E_UINT || e->kind == E_FLOAT ||
	       e->kind == E_STR || e->kind == E_NULL || e->kind == E_DUR;
}

static bool is_comparison(enum expr_kind k)
{
	return k == E_EQ || k == E_NE || k == E_LT || k == E_LE ||
	       k == E_GT || k == E_GE;
}

static bool uses_dur(const struct expr *e)
{
	if (!e)
		return false;
	if (e->kind == E_NAME)
		return e->slot == S_DUR;
	return uses_dur(e->l) || uses_dur(e->r);
}

/* The parameter list, for "expected a parameter (a, b, arg1..arg2)". */
static void list_params(const struct expr_scope *sc, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sc->nparams && n < len; i++)
		if (sc->params && sc->params[i])
			n += (size_t)snprintf(buf + n, len - n, "%s, ", sc->params[i]);
	if (n < len && sc->nparams == 1)
		n += (size_t)snprintf(buf + n, len - n, "arg1");
	else if (n < len && sc->nparams)
		n += (size_t)snprintf(buf + n, len - n, "arg1..arg%u", sc->nparams);
	if (n < len && sc->allow_ret)
		snprintf(buf + n, len - n, "%sretval, dur", sc->nparams ? ", " : "");
}

/* What name means here: 0 with slot and idx, -ENOENT if nothing, or
 * -EINVAL with err when it names something this scope lacks. */
static int resolve(struct checker *c, const struct expr *e,
		   enum expr_slot *slot, unsigned *idx)
{
	const struct expr_scope *sc = c->sc;
	char *end;
	unsigned long n;

	for (unsigned i = 0; sc->params && i < sc->nparams; i++)
		if (sc->params[i] && !strcmp(sc->params[i], e->name)) {
			*slot = S_ARG;
			*idx = i;
			return 0;
		}
	if (!strncmp(e->name, "arg", 3) && e->name[3] >= '1' && e->name[3] <= '9') {
		n = strtoul(e->name + 3, &end, 10);
		if (!*end && n <= sc->nparams) {
			*slot = S_ARG;
			*idx = (unsigned)n - 1;
			return 0;
		}
		if (!*end && !sc->nparams)
			return fail(c, e->col, "expected no argN, found '%s': the function has no parameters",
				    e->name);
		if (!*end)
			return fail(c, e->col, "expected arg1..arg%u, found '%s': the function has %u parameter%s",
				    sc->nparams, e->name, sc->nparams, sc->nparams == 1 ? "" : "s");
	}
	if (!strcmp(e->name, "retval") || !strcmp(e->name, "dur")) {
		if (!sc->allow_ret)
			return fail(c, e->col, "expected a parameter, found '%s', which only a "
				    "return condition knows (write it after 'ret')", e->name);
		if (e->name[0] == 'r' && sc->void_ret)
			return fail(c, e->col, "found 'retval', but the function returns void");
		*slot = e->name[0] == 'r' ? S_RET : S_DUR;
		return 0;
	}
	return -ENOENT;
}

/* parent: the operator e is an operand of, or NULL. */
static int check_name(struct checker *c, struct expr *e, const struct expr *parent)
{
	const struct expr_types *ty = c->sc->types;
	const struct expr *other;
	enum expr_slot slot;
	unsigned idx;
	char list[256];
	int rc = resolve(c, e, &e->slot, &e->idx);

	if (rc != -ENOENT)
		return rc;
	/* An enumerator can only be told from a typo by comparing it with
	 * a value that may have an enum type, so only == and != take one,
	 * and not against a literal or another unknown name. */
	if (parent && (parent->kind == E_EQ || parent->kind == E_NE)) {
		other = parent->l == e ? parent->r : parent->l;
		if (!is_literal(other) &&
		    (other->kind != E_NAME || !resolve(c, other, &slot, &idx)) &&
		    (!ty || !ty->enumerator || ty->enumerator(ty->ctx, e->name))) {
			e->slot = S_ENUM;
			return 0;
		}
	}
	list_params(c->sc, list, sizeof(list));
	return fail(c, e->col, "expected a parameter (%s), found unknown name '%s'",
		    list[0] ? list : "this function has none", e->name);
}

static int check(struct checker *c, struct expr *e, const struct expr *parent,
		 const void **type)
{
	const struct expr_types *ty = c->sc->types;
	const void *lt = NULL, *rt = NULL;
	int rc;

	*type = NULL;
	if (e->kind == E_NAME) {
		if ((rc = check_name(c, e, parent)))
			return rc;
		if (ty && e->slot == S_ARG && ty->param)
			*type = ty->param(ty->ctx, e->idx);
		else if (ty && e->slot == S_RET && ty->ret)
			*type = ty->ret(ty->ctx);
		return 0;
	}
	if (e->l && (rc = check(c, e->l, e, &lt)))
		return rc;
	if (e->r && (rc = check(c, e->r, e, &rt)))
		return rc;
	if (e->kind == E_GLOB && e->r->kind != E_STR)
		return fail(c, e->r->col, "expected a string pattern after '~' at column %u", e->col);
	if ((e->l && e->l->kind == E_DUR) || (e->r && e->r->kind == E_DUR)) {
		const struct expr *d = e->l->kind == E_DUR ? e->l : e->r;

		if (!is_comparison(e->kind) || !uses_dur(d == e->l ? e->r : e->l))
			return fail(c, d->col, "expected a duration to be compared with dur, found it %s",
				    is_comparison(e->kind) ? "compared with something else"
							   : "used in arithmetic");
	}
	if (!ty || !lt)
		return 0;
	if (e->kind == E_FIELD && ty->member) {
		rc = ty->member(ty->ctx, lt, e->name, type);
		if (rc == -EINVAL)
			return fail(c, e->col, "expected a struct or a pointer to one before '%s'",
				    e->arrow ? "->" : ".");
		if (rc)
			return fail(c, e->col, "expected a member of the %s, found '%s'",
				    e->arrow ? "struct it points to" : "struct", e->name);
	} else if ((e->kind == E_INDEX || e->kind == E_DEREF) && ty->element) {
		rc = ty->element(ty->ctx, lt, type);
		if (rc == -ENOTDIR)
			return fail(c, e->col, "a reference stands for the object it refers to: "
				    "use it without '%s'", e->kind == E_INDEX ? "[...]" : "*");
		if (rc)
			return fail(c, e->col, "expected an array or pointer before '%s'",
				    e->kind == E_INDEX ? "[" : "*");
	}
	return 0;
}

int expr_check(struct expr *e, const struct expr_scope *scope,
	       char *err, size_t errlen)
{
	struct checker c = { scope, err, errlen };
	const void *type;

	if (errlen)
		err[0] = '\0';
	return check(&c, e, NULL, &type);
}
