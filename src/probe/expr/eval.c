/* Evaluate a condition on one call. Arithmetic follows C (floats win,
 * then unsigned, wrapping instead of overflowing), but comparisons
 * between signed and unsigned are exact: -1 < 1u holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "probe/expr/priv.h"

struct env {
	const struct value *args;
	unsigned nargs;
	const struct value *ret;
	uint64_t dur;
};

static int eval(const struct env *env, const struct expr *e, struct rv *out);

/* A C++ reference stands for the object it refers to; one that could
 * not be read cannot decide. */
static int referred(int rc, struct rv *r)
{
	const struct value *v = r->k == R_VAL ? r->v : NULL;

	if (rc || !v || v->kind != V_PTR || !v->reference)
		return rc;
	if (v->nkids != 1)
		return -EFAULT;
	r->v = &v->kids[0];
	return 0;
}

static void set_int(struct rv *r, int64_t i)
{
	memset(r, 0, sizeof(*r));
	r->k = R_INT;
	r->i = i;
}

/* A name expr_check did not resolve: by parameter name, argN, retval,
 * dur, else an enumerator name to compare with V_ENUM text. */
static int name_value(const struct env *env, const struct expr *e, struct rv *out)
{
	enum expr_slot slot = e->slot;
	unsigned idx = e->idx;

	memset(out, 0, sizeof(*out));
	if (slot == S_UNRESOLVED) {
		slot = S_ENUM;
		for (unsigned i = 0; i < env->nargs; i++)
			if (env->args[i].name && !strcmp(env->args[i].name, e->name)) {
				slot = S_ARG;
				idx = i;
				break;
			}
		if (slot == S_ENUM && !strncmp(e->name, "arg", 3) &&
		    e->name[3] >= '1' && e->name[3] <= '9') {
			char *end;
			unsigned long n = strtoul(e->name + 3, &end, 10);

			if (!*end) {
				slot = S_ARG;
				idx = n > UINT32_MAX ? UINT32_MAX : (unsigned)n - 1;
			}
		} else if (slot == S_ENUM && !strcmp(e->name, "retval")) {
			slot = S_RET;
		} else if (slot == S_ENUM && !strcmp(e->name, "dur")) {
			slot = S_DUR;
		}
	}
	switch (slot) {
	case S_ARG:
		if (idx >= env->nargs)
			return -EFAULT;
		out->k = R_VAL;
		out->v = &env->args[idx];
		return referred(0, out);
	case S_RET:
		if (!env->ret)
			return -EINVAL;
		out->k = R_VAL;
		out->v = env->ret;
		return referred(0, out);
	case S_DUR:
		out->k = R_UINT;
		out->u = env->dur;
		return 0;
	default:
		out->k = R_IDENT;
		out->s = e->name;
		return 0;
	}
}

static int truth(const struct rv *r, bool *t)
{
	struct rv n;
	int rc;

	if (r->k == R_VAL && (r->v->kind == V_STR || r->v->kind == V_PTR)) {
		rc = expr_is_null(r);
		*t = rc == 0;
		return rc < 0 ? rc : 0;
	}
	if ((rc = expr_number(r, &n)))
		return rc;
	*t = n.k == R_FLOAT ? n.f != 0 : n.k == R_INT ? n.i != 0 : n.u != 0;
	return 0;
}

/* Exact ordering of two numbers: -1, 0, 1, or 2 when unordered (NaN). */
static int compare(const struct rv *a, const struct rv *b)
{
	if (a->k == R_FLOAT || b->k == R_FLOAT) {
		long double x = expr_float(a), y = expr_float(b);

		return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
	}
	if (a->k == R_INT && b->k == R_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->k == R_INT && a->i < 0)
		return -1;
	if (b->k == R_INT && b->i < 0)
		return 1;
	{
		uint64_t x = a->k == R_INT ? (uint64_t)a->i : a->u;
		uint64_t y = b->k == R_INT ? (uint64_t)b->i : b->u;

		return x < y ? -1 : x > y;
	}
}

static int relation(enum expr_kind k, const struct rv *a, const struct rv *b,
		    struct rv *out)
{
	struct rv x, y;
	int rc, c;

	if ((rc = expr_number(a, &x)) || (rc = expr_number(b, &y)))
		return rc;
	c = compare(&x, &y);
	switch (k) {
	case E_LT: set_int(out, c == -1); break;
	case E_LE: set_int(out, c == -1 || c == 0); break;
	case E_GT: set_int(out, c == 1); break;
	case E_GE: set_int(out, c == 1 || c == 0); break;
	case E_EQ: set_int(out, c == 0); break;
	default: set_int(out, c != 0); break;
	}
	return 0;
}

static int equality(enum expr_kind k, const struct rv *a, const struct rv *b,
		    struct rv *out)
{
	int rc;

	if (a->k == R_NULL || b->k == R_NULL)
		rc = expr_is_null(a->k == R_NULL ? b : a);
	else if (a->k == R_STR || a->k == R_IDENT || b->k == R_STR ||
		 b->k == R_IDENT ||
		 (a->k == R_VAL && a->v->kind == V_STR &&
		  b->k == R_VAL && b->v->kind == V_STR))
		rc = expr_is_text(a) && expr_is_text(b) ? expr_text_eq(a, b) : -EINVAL;
	else
		return relation(k, a, b, out);
	if (rc < 0)
		return rc;
	set_int(out, k == E_EQ ? rc : !rc);
	return 0;
}

static int unary(const struct env *env, const struct expr *e, struct rv *out)
{
	struct rv a, n;
	bool t;
	int rc = eval(env, e->l, &a);

	if (rc)
		return rc;
	if (e->kind == E_DEREF)
		return a.k == R_VAL ? referred(expr_index(a.v, 0, out), out) : -EINVAL;
	if (e->kind == E_NOT) {
		if ((rc = truth(&a, &t)))
			return rc;
		set_int(out, !t);
		return 0;
	}
	if ((rc = expr_number(&a, &n)))
		return rc;
	*out = n;
	if (e->kind == E_NEG && n.k == R_FLOAT)
		out->f = -n.f;
	else if (n.k == R_FLOAT)
		return -EINVAL;
	else if (e->kind == E_NEG)
		out->u = 0 - n.u, out->i = (int64_t)(0 - (uint64_t)n.i);
	else
		out->u = ~n.u, out->i = ~n.i;
	return 0;
}

static int postfix(const struct env *env, const struct expr *e, struct rv *out)
{
	struct rv base, idx, n;
	int rc = eval(env, e->l, &base);

	if (rc)
		return rc;
	if (base.k != R_VAL)
		return -EINVAL;
	if (e->kind == E_FIELD)
		return referred(expr_member(base.v, e->name, out), out);
	if ((rc = eval(env, e->r, &idx)) || (rc = expr_number(&idx, &n)))
		return rc;
	if (n.k == R_FLOAT)
		return -EINVAL;
	if (n.k == R_UINT && n.u > INT64_MAX)
		return -EFAULT;
	return referred(expr_index(base.v, n.k == R_INT ? n.i : (int64_t)n.u, out), out);
}

static int eval(const struct env *env, const struct expr *e, struct rv *out)
{
	struct rv a, b;
	bool t;
	int rc;

	memset(out, 0, sizeof(*out));
	switch (e->kind) {
	case E_NAME: return name_value(env, e, out);
	case E_INT: set_int(out, e->i); return 0;
	case E_UINT: case E_DUR: out->k = R_UINT; out->u = e->u; return 0;
	case E_FLOAT: out->k = R_FLOAT; out->f = e->f; return 0;
	case E_NULL: out->k = R_NULL; return 0;
	case E_STR: out->k = R_STR; out->s = e->name; out->len = e->len; return 0;
	case E_FIELD: case E_INDEX: return postfix(env, e, out);
	case E_DEREF: case E_NEG: case E_NOT: case E_BITNOT: return unary(env, e, out);
	case E_AND: case E_OR:
		/* Short-circuit, so "p && p->x" never reads through NULL. */
		if ((rc = eval(env, e->l, &a)) || (rc = truth(&a, &t)))
			return rc;
		if (t == (e->kind == E_AND)) {
			if ((rc = eval(env, e->r, &b)) || (rc = truth(&b, &t)))
				return rc;
		}
		set_int(out, t);
		return 0;
	default:
		break;
	}
	if ((rc = eval(env, e->l, &a)) || (rc = eval(env, e->r, &b)))
		return rc;
	switch (e->kind) {
	case E_EQ: case E_NE:
		return equality(e->kind, &a, &b, out);
	case E_LT: case E_LE: case E_GT: case E_GE:
		return relation(e->kind, &a, &b, out);
	case E_GLOB:
		if (!expr_is_text(&a) || b.k != R_STR)
			return -EINVAL;
		if ((rc = expr_text_glob(&a, &b)) < 0)
			return rc;
		set_int(out, rc);
		return 0;
	default:
		return expr_arith(e->kind, &a, &b, out);
	}
}

int expr_eval(const struct expr *e, const struct value *args, unsigned nargs,
	      const struct value *ret, uint64_t dur_ns, bool *result)
{
	struct env env = { args, nargs, ret, dur_ns };
	struct rv r;
	bool t = false;
	int rc = eval(&env, e, &r);

	if (!rc)
		rc = truth(&r, &t);
	*result = !rc && t;
	return rc;
}
