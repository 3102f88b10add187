/* How a condition reaches into a decoded value tree: members, elements,
 * pointees and scalars. Whatever the decoder could not read answers
 * -EFAULT, never a guess. */
#include <errno.h>
#include <string.h>
#include "probe/expr/priv.h"

static void set_val(struct rv *out, const struct value *v)
{
	memset(out, 0, sizeof(*out));
	out->k = R_VAL;
	out->v = v;
}

/* The followed pointee of a V_PTR. */
static int pointee(const struct value *p, const struct value **out)
{
	if (!p->u || p->unreadable || !p->nkids)
		return -EFAULT;
	*out = &p->kids[0];
	return 0;
}

static int missing(const struct value *v)
{
	return v->kind == V_UNAVAIL || v->kind == V_OPAQUE ? -EFAULT : -EINVAL;
}

int expr_member(const struct value *base, const char *name, struct rv *out)
{
	const struct value *v = base;
	int rc;

	if (v->kind == V_PTR && (rc = pointee(v, &v)))
		return rc;
	if (v->kind != V_STRUCT)
		return missing(v);
	for (unsigned k = 0; k < v->nkids; k++)
		if (v->kids[k].name && !strcmp(v->kids[k].name, name)) {
			set_val(out, &v->kids[k]);
			return 0;
		}
	/* The type was checked up front; a member absent here was not
	 * decoded (past the depth limit), so it is unknown, not wrong. */
	return -EFAULT;
}

int expr_index(const struct value *base, int64_t i, struct rv *out)
{
	const struct value *v;
	int rc;

	if (i < 0)
		return -EINVAL;
	switch (base->kind) {
	case V_ARRAY:
		if ((uint64_t)i >= base->nkids)
			return -EFAULT;
		set_val(out, &base->kids[i]);
		return 0;
	case V_PTR:
		/* Only the pointee itself was read, not its neighbours. */
		if (i || (rc = pointee(base, &v)))
			return i ? -EFAULT : rc;
		set_val(out, v);
		return 0;
	case V_STR:
		if (!base->text || (uint64_t)i > base->len ||
		    ((uint64_t)i == base->len && base->truncated))
			return -EFAULT;
		memset(out, 0, sizeof(*out));
		out->k = R_INT;
		out->i = (uint64_t)i < base->len ? (unsigned char)base->text[i] : 0;
		return 0;
	default:
		return missing(base);
	}
}

int expr_number(const struct rv *in, struct rv *out)
{
	const struct value *v = in->v;

	memset(out, 0, sizeof(*out));
	switch (in->k) {
	case R_INT: case R_UINT: case R_FLOAT:
		*out = *in;
		return 0;
	case R_NULL:
		out->k = R_UINT;
		return 0;
	case R_STR: case R_IDENT:
		return -EINVAL;
	case R_VAL:
		break;
	}
	switch (v->kind) {
	case V_INT: case V_CHAR: case V_ENUM:
		out->k = R_INT;
		out->i = v->i;
		return 0;
	case V_UINT: case V_BOOL: case V_RAW: case V_PTR: case V_STR:
		out->k = R_UINT;
		out->u = v->u;
		return 0;
	case V_FLOAT:
		out->k = R_FLOAT;
		out->f = v->f;
		return 0;
	default:
		return missing(v);
	}
}

long double expr_float(const struct rv *n)
{
	if (n->k == R_FLOAT)
		return n->f;
	return n->k == R_INT ? (long double)n->i : (long double)n->u;
}

int expr_is_null(const struct rv *in)
{
	struct rv n;
	int rc;

	if (in->k == R_NULL)
		return 1;
	if (in->k == R_STR)
		return 0;
	if (in->k == R_VAL && in->v->kind == V_STR)
		return !in->v->text && !in->v->unreadable;
	if ((rc = expr_number(in, &n)))
		return rc;
	if (n.k == R_FLOAT)
		return -EINVAL;
	return n.u == 0 && n.i == 0;
}

bool expr_is_text(const struct rv *r)
{
	/* a NULL char * is decoded as a plain null pointer */
	return r->k == R_STR || r->k == R_IDENT ||
	       (r->k == R_VAL && (r->v->kind == V_STR || r->v->kind == V_ENUM ||
				  (r->v->kind == V_PTR && !r->v->u)));
}
