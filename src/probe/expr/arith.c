/* Arithmetic and bit operators with C's promotions, defined for every
 * input: signed results wrap instead of overflowing, and what C leaves
 * undefined (division by zero, oversized shifts) is -EDOM. */
#include <errno.h>
#include <string.h>
#include "probe/expr/priv.h"

static int float_op(enum expr_kind k, long double x, long double y, struct rv *out)
{
	out->k = R_FLOAT;
	switch (k) {
	case E_ADD: out->f = x + y; return 0;
	case E_SUB: out->f = x - y; return 0;
	case E_MUL: out->f = x * y; return 0;
	case E_DIV:
		if (y == 0)
			return -EDOM;
		out->f = x / y;
		return 0;
	default:
		return -EINVAL;   /* %, bits and shifts take integers only */
	}
}

/* x OP y on 64-bit patterns; sign says whether they are int64_t. */
static int int_op(enum expr_kind k, uint64_t x, uint64_t y, bool sign,
		  uint64_t *r)
{
	int64_t sx = (int64_t)x, sy = (int64_t)y;

	switch (k) {
	case E_ADD: *r = x + y; return 0;
	case E_SUB: *r = x - y; return 0;
	case E_MUL: *r = x * y; return 0;
	case E_BAND: *r = x & y; return 0;
	case E_BOR: *r = x | y; return 0;
	case E_BXOR: *r = x ^ y; return 0;
	case E_DIV: case E_MOD:
		if (!y)
			return -EDOM;
		if (!sign)
			*r = k == E_DIV ? x / y : x % y;
		else if (sx == INT64_MIN && sy == -1)
			*r = k == E_DIV ? x : 0;   /* wraps, like the rest */
		else
			*r = (uint64_t)(k == E_DIV ? sx / sy : sx % sy);
		return 0;
	default:
		return -EINVAL;
	}
}

int expr_arith(enum expr_kind k, const struct rv *a, const struct rv *b,
	       struct rv *out)
{
	struct rv x, y;
	uint64_t xv, yv, r;
	bool sign;
	int rc;

	if ((rc = expr_number(a, &x)) || (rc = expr_number(b, &y)))
		return rc;
	memset(out, 0, sizeof(*out));
	if (x.k == R_FLOAT || y.k == R_FLOAT)
		return float_op(k, expr_float(&x), expr_float(&y), out);
	xv = x.k == R_INT ? (uint64_t)x.i : x.u;
	yv = y.k == R_INT ? (uint64_t)y.i : y.u;
	if (k == E_SHL || k == E_SHR) {
		/* The result has the left operand's type, as in C. */
		if ((y.k == R_INT && y.i < 0) || yv >= 64)
			return -EDOM;
		out->k = x.k;
		if (k == E_SHL)
			r = xv << yv;
		else
			r = x.k == R_INT ? (uint64_t)(x.i >> yv) : xv >> yv;
	} else {
		sign = x.k == R_INT && y.k == R_INT;
		out->k = sign ? R_INT : R_UINT;
		if ((rc = int_op(k, xv, yv, sign, &r)))
			return rc;
	}
	out->u = r;
	out->i = (int64_t)r;
	return 0;
}
