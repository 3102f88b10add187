/* A small stack machine for the location expressions compilers emit for
 * variables: registers and their offsets, the frame base and the CFA,
 * constants, arithmetic and computed values. Anything else leaves the
 * variable unavailable rather than guessed. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include "dwarf/loc.h"

#define STACK_MAX 32
#define DEPTH_MAX 4    /* the frame base and the CFA are expressions too */

struct machine {
	uint64_t st[STACK_MAX];
	unsigned n;
};

static bool push(struct machine *m, uint64_t v)
{
	if (m->n == STACK_MAX)
		return false;
	m->st[m->n++] = v;
	return true;
}

static bool eval(const Dwarf_Op *ops, size_t nops, const struct dw_loc_env *env,
		 unsigned depth, struct dw_loc *out);

/* The value an expression leaves: its location's address, or a register's
 * or a computed value (the frame base of DW_OP_fbreg, the CFA). */
static bool eval_value(const Dwarf_Op *ops, size_t nops, const struct dw_loc_env *env,
		       unsigned depth, uint64_t *v)
{
	struct dw_loc l;

	if (depth >= DEPTH_MAX || !eval(ops, nops, env, depth + 1, &l))
		return false;
	switch (l.kind) {
	case DWLOC_MEMORY:
		*v = l.addr;
		return true;
	case DWLOC_VALUE:
		*v = l.value;
		return true;
	case DWLOC_REG:
		return env->reg(env->ctx, l.reg, v);
	default:
		return false;
	}
}

static bool cfa(const struct dw_loc_env *env, unsigned depth, uint64_t *v)
{
	Dwarf_Addr bias;
	Dwarf_CFI *cfis[2];
	bool ok = false;

	cfis[0] = dwfl_module_eh_cfi(env->mod, &bias);
	cfis[1] = NULL;
	for (int i = 0; i < 2 && !ok; i++) {
		Dwarf_Frame *frame = NULL;
		Dwarf_Op *ops;
		size_t nops;

		if (i == 1)
			cfis[1] = dwfl_module_dwarf_cfi(env->mod, &bias);
		if (!cfis[i] || dwarf_cfi_addrframe(cfis[i], env->pc - bias, &frame) != 0)
			continue;
		ok = dwarf_frame_cfa(frame, &ops, &nops) == 0 &&
		     eval_value(ops, nops, env, depth, v);
		free(frame);
	}
	return ok;
}

static bool frame_base(const struct dw_loc_env *env, unsigned depth, uint64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Addr bias;
	Dwarf_Op *ops;
	size_t nops;

	if (!env->frame || !dwarf_attr(env->frame, DW_AT_frame_base, &a) ||
	    !dwfl_module_getdwarf(env->mod, &bias) ||
	    dwarf_getlocation_addr(&a, env->pc - bias, &ops, &nops, 1) != 1)
		return false;
	return eval_value(ops, nops, env, depth, v);
}

/* Binary operators on the top two entries. */
static bool binary(struct machine *m, unsigned atom)
{
	uint64_t b, a;

	if (m->n < 2)
		return false;
	b = m->st[--m->n];
	a = m->st[m->n - 1];
	switch (atom) {
	case DW_OP_and: a &= b; break;
	case DW_OP_or: a |= b; break;
	case DW_OP_xor: a ^= b; break;
	case DW_OP_plus: a += b; break;
	case DW_OP_minus: a -= b; break;
	case DW_OP_mul: a *= b; break;
	case DW_OP_shl: a = b < 64 ? a << b : 0; break;
	case DW_OP_shr: a = b < 64 ? a >> b : 0; break;
	case DW_OP_shra: a = (uint64_t)((int64_t)a >> (b < 64 ? b : 63)); break;
	default: return false;
	}
	m->st[m->n - 1] = a;
	return true;
}

static bool eval(const Dwarf_Op *ops, size_t nops, const struct dw_loc_env *env,
		 unsigned depth, struct dw_loc *out)
{
	struct machine m = { .n = 0 };
	Dwarf_Addr bias = 0;
	uint64_t v;

	out->kind = DWLOC_NONE;
	for (size_t i = 0; i < nops; i++) {
		unsigned atom = ops[i].atom;
		bool ok = true;

		if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
			ok = push(&m, atom - DW_OP_lit0);
		} else if (atom >= DW_OP_reg0 && atom <= DW_OP_reg31) {
			/* a register location is the whole expression */
			out->kind = DWLOC_REG;
			out->reg = atom - DW_OP_reg0;
			return nops == 1;
		} else if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
			ok = env->reg(env->ctx, atom - DW_OP_breg0, &v) &&
			     push(&m, v + (uint64_t)ops[i].number);
		} else {
			switch (atom) {
			case DW_OP_regx:
				out->kind = DWLOC_REG;
				out->reg = (unsigned)ops[i].number;
				return nops == 1;
			case DW_OP_bregx:
				ok = env->reg(env->ctx, (unsigned)ops[i].number, &v) &&
				     push(&m, v + (uint64_t)ops[i].number2);
				break;
			case DW_OP_addr:
				/* a link-time address: the module's bias moves it */
				ok = dwfl_module_getdwarf(env->mod, &bias) &&
				     push(&m, ops[i].number + bias);
				break;
			case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u:
			case DW_OP_const8u: case DW_OP_constu:
			case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s:
			case DW_OP_const8s: case DW_OP_consts:
				ok = push(&m, ops[i].number);
				break;
			case DW_OP_fbreg:
				ok = frame_base(env, depth, &v) &&
				     push(&m, v + (uint64_t)ops[i].number);
				break;
			case DW_OP_call_frame_cfa:
				ok = cfa(env, depth, &v) && push(&m, v);
				break;
			case DW_OP_dup:
				ok = m.n && push(&m, m.st[m.n - 1]);
				break;
			case DW_OP_drop:
				ok = m.n && m.n--;
				break;
			case DW_OP_over:
				ok = m.n >= 2 && push(&m, m.st[m.n - 2]);
				break;
			case DW_OP_swap:
				if ((ok = m.n >= 2)) {
					v = m.st[m.n - 1];
					m.st[m.n - 1] = m.st[m.n - 2];
					m.st[m.n - 2] = v;
				}
				break;
			case DW_OP_deref:
				ok = m.n && env->mem(env->ctx, m.st[m.n - 1], &m.st[m.n - 1]);
				break;
			case DW_OP_neg:
				if ((ok = m.n))
					m.st[m.n - 1] = -m.st[m.n - 1];
				break;
			case DW_OP_not:
				if ((ok = m.n))
					m.st[m.n - 1] = ~m.st[m.n - 1];
				break;
			case DW_OP_plus_uconst:
				if ((ok = m.n))
					m.st[m.n - 1] += ops[i].number;
				break;
			case DW_OP_and: case DW_OP_or: case DW_OP_xor: case DW_OP_plus:
			case DW_OP_minus: case DW_OP_mul: case DW_OP_shl: case DW_OP_shr:
			case DW_OP_shra:
				ok = binary(&m, atom);
				break;
			case DW_OP_nop:
				break;
			case DW_OP_stack_value:
				if (!m.n || i + 1 != nops)
					return false;
				out->kind = DWLOC_VALUE;
				out->value = m.st[m.n - 1];
				return true;
			case DW_OP_implicit_value:
				if (i + 1 != nops)
					return false;
				out->kind = DWLOC_BYTES;
				out->bytes = (const uint8_t *)(uintptr_t)ops[i].number2;
				out->len = (size_t)ops[i].number;
				return true;
			default:
				/* pieces, entry values, TLS, typed stacks */
				return false;
			}
		}
		if (!ok)
			return false;
	}
	if (!m.n)
		return false;
	out->kind = DWLOC_MEMORY;
	out->addr = m.st[m.n - 1];
	return true;
}

bool dw_loc_eval(const Dwarf_Op *ops, size_t nops, const struct dw_loc_env *env,
		 struct dw_loc *out)
{
	if (eval(ops, nops, env, 0, out))
		return true;
	out->kind = DWLOC_NONE;
	return false;
}

void dw_var_loc(Dwarf_Die *die, const struct dw_loc_env *env, struct dw_loc *out)
{
	Dwarf_Attribute a;
	Dwarf_Addr bias;
	Dwarf_Op *ops;
	Dwarf_Block blk;
	Dwarf_Word w;
	size_t nops;

	out->kind = DWLOC_NONE;
	if (dwarf_attr(die, DW_AT_location, &a)) {
		if (dwfl_module_getdwarf(env->mod, &bias) &&
		    dwarf_getlocation_addr(&a, env->pc - bias, &ops, &nops, 1) == 1)
			dw_loc_eval(ops, nops, env, out);
		return;
	}
	if (!dwarf_attr(die, DW_AT_const_value, &a))
		return;
	if (dwarf_formblock(&a, &blk) == 0) {
		out->kind = DWLOC_BYTES;
		out->bytes = blk.data;
		out->len = blk.length;
	} else if (dwarf_formudata(&a, &w) == 0) {
		out->kind = DWLOC_VALUE;
		out->value = w;
	}
}
