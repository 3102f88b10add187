/* Argument and return values at a trap: the ABI says where each value
 * lies, DWARF says what it is (decode*.c). */
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "values/priv.h"
#include "values/values.h"

static const char *const raw_names[] = {
	"arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7", "arg8",
	"arg9", "arg10", "arg11", "arg12", "arg13", "arg14", "arg15", "arg16",
};

static const struct abi_type word_type = { .cls = ABI_INT, .size = 8 };

/* The bytes of a register-passed value: its pieces end to end. Returns
 * how many bytes, or -errno when a register could not be read. */
static ssize_t piece_bytes(const struct values_src *src, const struct abi_loc *loc,
			   struct fp_cache *fc, uint8_t *buf, size_t cap)
{
	size_t at = 0;

	for (unsigned i = 0; i < loc->npieces; i++) {
		const struct abi_piece *p = &loc->piece[i];
		uint8_t reg[16];

		if (p->kind == PIECE_FP && src->fp) {
			arch_fp_reg(src->fp, p->reg, reg);
		} else if (p->kind == PIECE_FP) {
			if (fc->state == 0)
				fc->state = arch_get_fpregs(src->tid, &fc->fp) ?: 1;
			if (fc->state < 0)
				return fc->state;
			arch_fp_reg(&fc->fp, p->reg, reg);
		} else {
			for (unsigned b = 0; b < 8; b++)
				reg[b] = (uint8_t)(p->word >> (8 * b));
			memset(reg + 8, 0, 8);
		}
		if (p->size > sizeof(reg) || at + p->size > cap)
			return -EINVAL;
		memcpy(buf + at, reg, p->size);
		at += p->size;
	}
	return (ssize_t)at;
}

/* A word for a value whose type DWARF does not give. */
static void raw_value(const struct values_src *src, const struct abi_loc *loc,
		      struct value *v)
{
	v->kind = V_UNAVAIL;
	if (loc->kind == LOC_REGS && loc->npieces && loc->piece[0].kind == PIECE_INT) {
		v->kind = V_RAW;
		v->u = loc->piece[0].word;
	} else if (loc->kind == LOC_MEMORY &&
		   src->rd(src->rdctx, loc->addr, &v->u, 8) == 8) {
		v->kind = V_RAW;
	}
}

int val_read(const struct values_src *src, Dwarf_Die *type,
	     const struct abi_loc *loc, struct fp_cache *fc, struct value *v)
{
	const struct dec_pos top = { 0, false };
	uint8_t buf[ABI_MAX_PIECES * 16];
	bool readable;
	ssize_t n;
	int rc;

	if (!type) {
		raw_value(src, loc, v);
		return 0;
	}
	switch (loc->kind) {
	case LOC_REGS:
		n = piece_bytes(src, loc, fc, buf, sizeof(buf));
		if (n < 0) {
			v->kind = V_UNAVAIL;
			return 0;
		}
		return dec_value(src, type, buf, (size_t)n, top, v);
	case LOC_MEMORY:
		rc = dec_at(src, type, loc->addr, top, v, &readable);
		if (!rc && !readable) {
			v->kind = V_UNAVAIL;
			v->unreadable = true;
		}
		return rc;
	case LOC_NONE:
		break;
	}
	v->kind = V_UNAVAIL;
	return 0;
}

/* A clone's parameter: where its DWARF location says it is at the entry
 * pc, when that is one register. Anything else is not trusted. */
static void clone_loc(const struct func_info *fn, const struct param_info *p,
		      const struct arch_regs *r, struct abi_loc *loc)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len;
	Dwarf_Die die = p->loc_die;
	unsigned reg;

	memset(loc, 0, sizeof(*loc));
	loc->kind = LOC_NONE;
	if (!p->has_loc_die || p->optimised_out ||
	    !dwarf_attr(&die, DW_AT_location, &a) ||
	    dwarf_getlocation_addr(&a, fn->dwarf_pc, &expr, &len, 1) != 1 ||
	    len != 1)
		return;
	if (expr[0].atom >= DW_OP_reg0 && expr[0].atom <= DW_OP_reg31)
		reg = expr[0].atom - DW_OP_reg0;
	else if (expr[0].atom == DW_OP_regx)
		reg = (unsigned)expr[0].number;
	else
		return;
	if (p->abi.size <= 16 &&
	    arch_dwarf_reg(r, reg, (unsigned)(p->abi.size ? p->abi.size : 8),
			   &loc->piece[0])) {
		loc->kind = LOC_REGS;
		loc->npieces = 1;
	}
}

static void free_values(struct value *vals, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		value_free(&vals[i]);
	free(vals);
}

static int read_raw_args(const struct values_src *src, struct value **vals,
			 unsigned *nvals)
{
	unsigned n = arch_int_arg_regs;
	struct abi_cursor c;
	struct value *v;

	if (n > sizeof(raw_names) / sizeof(raw_names[0]))
		n = sizeof(raw_names) / sizeof(raw_names[0]);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	arch_abi_start(&c, src->r, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct abi_loc loc;

		arch_abi_next(&c, src->r, &word_type, &loc);
		v[i].name = raw_names[i];
		raw_value(src, &loc, &v[i]);
	}
	*vals = v;
	*nvals = n;
	return 0;
}

int values_read_args(const struct func_info *fn, const struct values_src *src,
		     struct value **vals, unsigned *nvals, uint64_t *ret_buf)
{
	struct fp_cache fc = { .state = 0 };
	struct abi_cursor c;
	struct value *v;
	unsigned n;
	int rc;

	*vals = NULL;
	*nvals = 0;
	*ret_buf = 0;
	if (!fn->has_dwarf && src->raw_args)
		return read_raw_args(src, vals, nvals);
	if (!fn->has_dwarf) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v->kind = V_VARARGS;
		v->name = "...";
		*vals = v;
		*nvals = 1;
		return 0;
	}
	n = fn->nparams + (fn->variadic ? 1 : 0);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	arch_abi_start(&c, src->r, fn->has_ret ? &fn->ret_abi : NULL);
	*ret_buf = c.ret_buf;
	for (unsigned i = 0; i < fn->nparams; i++) {
		const struct param_info *p = &fn->params[i];
		Dwarf_Die t = p->type;
		struct abi_loc loc;

		/* every argument moves the cursor, shown or not */
		if (fn->clone)
			clone_loc(fn, p, src->r, &loc);
		else
			arch_abi_next(&c, src->r, &p->abi, &loc);
		v[i].name = p->name;
		/* An exported function's caller passed every argument where
		 * the ABI says, used or not; a local one's compiler may have
		 * left an unused one out. */
		if (loc.kind == LOC_NONE || (p->optimised_out && fn->local)) {
			v[i].kind = V_UNAVAIL;
			continue;
		}
		rc = val_read(src, p->has_type ? &t : NULL, &loc, &fc, &v[i]);
		if (rc)
			goto free_vals;
	}
	if (fn->variadic) {
		v[n - 1].kind = V_VARARGS;
		v[n - 1].name = "...";
	}
	*vals = v;
	*nvals = n;
	return 0;

free_vals:
	free_values(v, n);
	return rc;
}

int values_read_return(const struct func_info *fn, const struct values_src *src,
		       uint64_t ret_buf, struct value *out)
{
	struct fp_cache fc = { .state = 0 };
	struct abi_loc loc;
	Dwarf_Die t = fn->ret_type;

	memset(out, 0, sizeof(*out));
	if (!fn->has_dwarf) {
		arch_abi_return(src->r, &word_type, 0, &loc);
		raw_value(src, &loc, out);
		return 0;
	}
	if (!fn->has_ret) {
		out->kind = V_NONE;
		return 0;
	}
	if (fn->ret_untrusted) {
		out->kind = V_UNAVAIL;
		return 0;
	}
	arch_abi_return(src->r, &fn->ret_abi, ret_buf, &loc);
	return val_read(src, fn->ret_has_type ? &t : NULL, &loc, &fc, out);
}
