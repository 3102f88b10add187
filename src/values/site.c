/* Values at a site inside a function (a line or address probe): there
 * the calling convention says nothing, and each parameter and local is
 * where its DWARF location expression puts it at that pc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf/loc.h"
#include "values/priv.h"
#include "values/values.h"

static bool reg_word(void *ctx, unsigned dwreg, uint64_t *val)
{
	const struct values_src *src = ctx;
	struct abi_piece p;

	if (!arch_dwarf_reg(src->r, dwreg, 8, &p) || p.kind != PIECE_INT)
		return false;
	*val = p.word;
	return true;
}

static bool mem_word(void *ctx, uint64_t addr, uint64_t *val)
{
	const struct values_src *src = ctx;

	return src->rd(src->rdctx, addr, val, 8) == 8;
}

static int read_var(const struct values_src *src, const struct dw_loc_env *env,
		    const struct param_info *p, struct fp_cache *fc, struct value *v)
{
	Dwarf_Die die = p->loc_die, type = p->type;
	Dwarf_Die *t = p->has_type ? &type : NULL;
	const struct dec_pos top = { 0, false };
	struct abi_loc loc = { .kind = LOC_NONE };
	struct dw_loc l;
	uint8_t buf[8];
	unsigned size = p->abi.size && p->abi.size <= 16 ? (unsigned)p->abi.size : 8;

	v->kind = V_UNAVAIL;
	if (p->optimised_out)
		return 0;
	dw_var_loc(&die, env, &l);
	switch (l.kind) {
	case DWLOC_MEMORY:
		loc.kind = LOC_MEMORY;
		loc.addr = l.addr;
		break;
	case DWLOC_REG:
		if (arch_dwarf_reg(src->r, l.reg, size, &loc.piece[0])) {
			loc.kind = LOC_REGS;
			loc.npieces = 1;
		}
		break;
	case DWLOC_VALUE:
		for (unsigned b = 0; b < sizeof(buf); b++)
			buf[b] = (uint8_t)(l.value >> (8 * b));
		return t ? dec_value(src, t, buf, size < 8 ? size : 8, top, v) : 0;
	case DWLOC_BYTES:
		return t ? dec_value(src, t, l.bytes, l.len, top, v) : 0;
	case DWLOC_NONE:
		return 0;
	}
	return val_read(src, t, &loc, fc, v);
}

int values_read_site(const struct func_info *fn, const struct values_src *src,
		     struct value **vals, unsigned *nvals)
{
	unsigned n = func_nvalues(fn);
	struct fp_cache fc = { .state = 0 };
	Dwarf_Die frame = fn->frame;
	struct dw_loc_env env = {
		.reg = reg_word, .mem = mem_word, .ctx = (void *)src,
		.mod = fn->mod, .pc = fn->desc.addr,
		.frame = fn->has_frame ? &frame : NULL,
	};
	struct value *v;

	*vals = NULL;
	*nvals = 0;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		int rc;

		v[i].name = fn->params[i].name;
		rc = read_var(src, &env, &fn->params[i], &fc, &v[i]);
		if (rc) {
			for (unsigned k = 0; k <= i; k++)
				value_free(&v[k]);
			free(v);
			return rc;
		}
	}
	*vals = v;
	*nvals = n;
	return 0;
}
