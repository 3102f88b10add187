/* x86-64: decide how a thread stopped on a trap gets past the instruction
 * the trap covers, without removing the trap (other threads keep running
 * through it) and without single-stepping: emulate it in the tracer, run a
 * relocated copy from a scratch slot, or refuse. Also disassembly for
 * display. Capstone decodes; x86_step_apply (x86_emulate.c) performs. */
#include <capstone/capstone.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "x86_step.h"

/* jmp qword ptr [rip+0] followed by the absolute destination: reaches any
 * address and changes no register or flag. */
#define JUMP_ABS_LEN 14
/* push imm32 (sign-extended low half), then mov dword ptr [rsp+4], imm32
 * (high half): stores a 64-bit return address without touching flags. */
#define PUSH_RET_LEN 13

/* One handle for the life of the process: opening one costs far more than
 * a decode. The tracer decodes from one thread; capstone handles are not
 * meant to be shared by concurrent decoders. */
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;
static csh cs_handle;
static int cs_status = -EAGAIN;

static void cs_init(void)
{
	cs_err e = cs_open(CS_ARCH_X86, CS_MODE_64, &cs_handle);

	if (e != CS_ERR_OK) {
		cs_status = e == CS_ERR_MEM ? -ENOMEM : -ENOSYS;
		return;
	}
	if (cs_option(cs_handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
		cs_close(&cs_handle);
		cs_status = -ENOSYS;
		return;
	}
	cs_status = 0;
}

/* Leak checkers and valgrind see a clean exit. */
__attribute__((destructor)) static void cs_fini(void)
{
	if (cs_status == 0) {
		cs_close(&cs_handle);
		cs_status = -ESHUTDOWN;
	}
}

static int decoder(csh *h)
{
	pthread_once(&cs_once, cs_init);
	if (cs_status)
		return cs_status;
	*h = cs_handle;
	return 0;
}

static bool decode_one(csh h, const uint8_t *code, size_t avail,
		       uint64_t addr, cs_insn *ci)
{
	const uint8_t *p = code;
	size_t n = avail;
	uint64_t a = addr;

	return avail && cs_disasm_iter(h, &p, &n, &a, ci);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Index into enum x86_gpr for a 64-bit general-purpose register, else -1:
 * narrower registers have zero- or merge-extension rules the emulator does
 * not model. */
static int gpr_of(x86_reg r)
{
	static const x86_reg map[X86_GPR_COUNT] = {
		X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
		X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
		X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
	};

	for (int i = 0; i < X86_GPR_COUNT; i++)
		if (map[i] == r)
			return i;
	return -1;
}

static int reg_operand(const cs_x86 *x, int i)
{
	if (i >= x->op_count || x->operands[i].type != X86_OP_REG)
		return -1;
	return gpr_of(x->operands[i].reg);
}

static int refuse(struct x86_plan *plan, const char *why)
{
	plan->kind = X86_REFUSE;
	snprintf(plan->why, sizeof plan->why, "%s", why);
	return 0;
}

static int emulate_as(struct x86_plan *plan, int op)
{
	plan->kind = X86_EMULATE;
	plan->op = op;
	return 0;
}

static const struct { unsigned id; int cc; } jcc_table[] = {
	{ X86_INS_JO, 0x0 }, { X86_INS_JNO, 0x1 }, { X86_INS_JB, 0x2 },
	{ X86_INS_JAE, 0x3 }, { X86_INS_JE, 0x4 }, { X86_INS_JNE, 0x5 },
	{ X86_INS_JBE, 0x6 }, { X86_INS_JA, 0x7 }, { X86_INS_JS, 0x8 },
	{ X86_INS_JNS, 0x9 }, { X86_INS_JP, 0xa }, { X86_INS_JNP, 0xb },
	{ X86_INS_JL, 0xc }, { X86_INS_JGE, 0xd }, { X86_INS_JLE, 0xe },
	{ X86_INS_JG, 0xf },
};

static int jcc_code(unsigned id)
{
	for (size_t i = 0; i < sizeof jcc_table / sizeof jcc_table[0]; i++)
		if (jcc_table[i].id == id)
			return jcc_table[i].cc;
	return -1;
}

/* Every pc-relative branch is emulated: a relocated copy would branch
 * relative to the slot. */
static int plan_rel_branch(const cs_insn *ci, struct x86_plan *plan, int op,
			   int64_t imm)
{
	const cs_x86 *x = &ci->detail->x86;

	/* 66 on a near branch: Intel ignores it, AMD truncates rip to 16
	 * bits and shortens the displacement; the decoder picks one. */
	if (x->prefix[2] == X86_PREFIX_OPSIZE)
		return refuse(plan, "operand-size prefix on a branch: Intel and AMD disagree");
	/* jecxz is 67 e3; on anything else 67 would truncate the count or
	 * target to 32 bits, a form no compiler emits. */
	if (x->prefix[3] == X86_PREFIX_ADDRSIZE && op != X86_EMU_JECXZ)
		return refuse(plan, "address-size prefix on a relative branch");
	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return refuse(plan, "relative branch without a target operand");
	plan->target = (uint64_t)x->operands[0].imm;
	plan->imm = imm;
	return emulate_as(plan, op);
}

/* Do two decodings name the same operands? Rip-relative memory is compared
 * by the address it reaches, since that is what relocation preserves. */
static bool same_operands(const cs_insn *a, const cs_insn *b)
{
	const cs_x86 *x = &a->detail->x86, *y = &b->detail->x86;

	if (x->op_count != y->op_count)
		return false;
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *o = &x->operands[i], *p = &y->operands[i];

		if (o->type != p->type || o->size != p->size)
			return false;
		switch (o->type) {
		case X86_OP_REG:
			if (o->reg != p->reg)
				return false;
			break;
		case X86_OP_IMM:
			if (o->imm != p->imm)
				return false;
			break;
		case X86_OP_MEM:
			if (o->mem.segment != p->mem.segment ||
			    o->mem.base != p->mem.base ||
			    o->mem.index != p->mem.index ||
			    o->mem.scale != p->mem.scale)
				return false;
			if (o->mem.base == X86_REG_RIP) {
				if (a->address + a->size + (uint64_t)o->mem.disp !=
				    b->address + b->size + (uint64_t)p->mem.disp)
					return false;
			} else if (o->mem.disp != p->mem.disp) {
				return false;
			}
			break;
		default:
			return false;
		}
	}
	return true;
}

static bool decodes_as(csh h, const cs_insn *ci, unsigned want_id,
		       const uint8_t *code, uint64_t at, cs_insn *check)
{
	if (!decode_one(h, code, ci->size, at, check))
		return false;
	return check->size == ci->size && check->id == want_id &&
	       same_operands(ci, check);
}

/* The rip-relative memory operand, or NULL. *why is set when the
 * instruction addresses memory relative to the pc in a way that is not
 * relocated (eip-relative, or an encoding the decoder did not report). */
static const cs_x86_op *pc_relative(const cs_insn *ci, const char **why)
{
	const cs_x86 *x = &ci->detail->x86;
	unsigned mo = x->encoding.modrm_offset;

	*why = NULL;
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *o = &x->operands[i];

		if (o->type != X86_OP_MEM)
			continue;
		if (o->mem.base == X86_REG_RIP)
			return o;
		if (o->mem.base == X86_REG_EIP) {
			*why = "eip-relative operand (address-size prefix)";
			return NULL;
		}
	}
	/* ModRM mod=00 rm=101 is rip-relative whatever the decoder lists; a
	 * copy that kept the old displacement would silently touch the wrong
	 * memory. */
	if (mo && mo < ci->size && ci->bytes[mo] == x->modrm &&
	    (x->modrm & 0xc7) == 0x05)
		*why = "rip-relative encoding the decoder did not report";
	return NULL;
}

/* code[0..ci->size) is a copy of ci's bytes, perhaps with its ModRM reg
 * field changed so that it decodes as want_id, that will run at new_addr.
 * Rewrites its rip-relative displacement so that it reaches what ci
 * reached, and checks the result by decoding it. 0, -ERANGE when new_addr
 * is out of reach, -ENOEXEC when the copy does not decode as intended. */
static int relocate(csh h, const cs_insn *ci, const cs_x86_op *rip,
		    unsigned want_id, uint8_t *code, uint64_t new_addr,
		    cs_insn *check)
{
	unsigned size = ci->size, hint;
	uint64_t target;
	int64_t disp;
	uint32_t old;

	if (!rip)
		return decodes_as(h, ci, want_id, code, new_addr, check) ?
		       0 : -ENOEXEC;
	target = ci->address + size + (uint64_t)rip->mem.disp;
	disp = (int64_t)(target - (new_addr + size));
	if (disp < INT32_MIN || disp > INT32_MAX)
		return -ERANGE;
	old = (uint32_t)rip->mem.disp;
	/* capstone 4's disp_offset is right for plain encodings but not for
	 * every prefixed or VEX one, so try it first and then every place that
	 * holds the old displacement; decoding the result decides. */
	hint = ci->detail->x86.encoding.disp_offset;
	for (int k = -1; k + 4 <= (int)size; k++) {
		unsigned off = k < 0 ? hint : (unsigned)k;

		if (off == 0 || off + 4 > size || (k >= 0 && off == hint))
			continue;
		if (get_le32(code + off) != old)
			continue;
		put_le(code + off, (uint64_t)disp, 4);
		if (decodes_as(h, ci, want_id, code, new_addr, check))
			return 0;
		put_le(code + off, old, 4);
	}
	return -ENOEXEC;
}

static size_t put_jump_abs(uint8_t *p, uint64_t dest)
{
	static const uint8_t jmp_rip0[6] = { 0xff, 0x25, 0, 0, 0, 0 };

	memcpy(p, jmp_rip0, sizeof jmp_rip0);
	put_le(p + sizeof jmp_rip0, dest, 8);
	return JUMP_ABS_LEN;
}

static int plan_ool(csh h, const cs_insn *ci, const uint8_t *insn,
		    struct x86_plan *plan, cs_insn *check)
{
	const char *why;
	const cs_x86_op *rip = pc_relative(ci, &why);
	int err;

	if (why)
		return refuse(plan, why);
	memcpy(plan->code, insn, ci->size);
	err = relocate(h, ci, rip, ci->id, plan->code, plan->slot_addr, check);
	if (err == -ERANGE) {
		refuse(plan, "scratch slot out of rip-relative reach");
		return -ERANGE;
	}
	if (err)
		return refuse(plan, "relocated copy does not decode as the original");
	plan->code_len = ci->size + put_jump_abs(plan->code + ci->size,
						 plan->addr + plan->len);
	plan->kind = X86_OOL;
	return 0;
}

/* call through memory (PLT/GOT calls, vtables). A relocated copy would push
 * the slot's address, and the tracer cannot read the pointer to emulate it,
 * so the slot pushes the original return address itself and then jumps
 * through the same operand: FF /2 becomes FF /4. */
static int plan_call_mem(csh h, const cs_insn *ci, const uint8_t *insn,
			 struct x86_plan *plan, cs_insn *check)
{
	const cs_x86 *x = &ci->detail->x86;
	const cs_x86_op *m = &x->operands[0];
	unsigned mo = x->encoding.modrm_offset;
	uint64_t ret = plan->addr + plan->len;
	uint8_t *c = plan->code;
	const cs_x86_op *rip;
	const char *why;
	int err;

	if (x->prefix[2] == X86_PREFIX_OPSIZE)
		return refuse(plan, "operand-size prefix on a call: Intel and AMD disagree");
	/* The push happens before the jump reads its operand. */
	if (m->mem.base == X86_REG_RSP || m->mem.index == X86_REG_RSP)
		return refuse(plan, "call through an rsp-based operand");
	rip = pc_relative(ci, &why);
	if (why)
		return refuse(plan, why);
	if (!mo || mo >= ci->size || (insn[mo] & 0x38) != 0x10)
		return refuse(plan, "indirect call without the expected ModRM byte");
	if (!plan->slot_addr)
		return -ENOSPC;

	c[0] = 0x68;
	put_le(c + 1, ret, 4);
	c[5] = 0xc7; c[6] = 0x44; c[7] = 0x24; c[8] = 0x04;
	put_le(c + 9, ret >> 32, 4);
	memcpy(c + PUSH_RET_LEN, insn, ci->size);
	c[PUSH_RET_LEN + mo] = (uint8_t)((c[PUSH_RET_LEN + mo] & ~0x38) | 0x20);
	err = relocate(h, ci, rip, X86_INS_JMP, c + PUSH_RET_LEN,
		       plan->slot_addr + PUSH_RET_LEN, check);
	if (err == -ERANGE) {
		refuse(plan, "scratch slot out of rip-relative reach");
		return -ERANGE;
	}
	if (err)
		return refuse(plan, "indirect call could not be rewritten as a jump");
	/* The jump never falls through, so no jump back is needed. */
	plan->code_len = PUSH_RET_LEN + ci->size;
	plan->kind = X86_OOL;
	return 0;
}

static int classify(csh h, const cs_insn *ci, const uint8_t *insn,
		    struct x86_plan *plan, cs_insn *check)
{
	const cs_x86 *x = &ci->detail->x86;
	bool no_slot = plan->slot_addr == 0;
	int a, b, cc;

	switch (ci->id) {
	case X86_INS_NOP:
	case X86_INS_ENDBR64:
	case X86_INS_ENDBR32:
		return emulate_as(plan, X86_EMU_NOP);
	case X86_INS_INT3:
	case X86_INS_INT1:
		return refuse(plan, "the original instruction is itself a breakpoint");
	case X86_INS_XBEGIN:
		return refuse(plan, "xbegin: transactions are not relocated");
	case X86_INS_LCALL:
		return refuse(plan, "far call: it would push the slot's address");
	case X86_INS_MOV:
		a = reg_operand(x, 0);
		b = reg_operand(x, 1);
		if (x->op_count == 2 && a >= 0 && b >= 0) {
			plan->reg_a = a;
			plan->reg_b = b;
			return emulate_as(plan, X86_EMU_MOV);
		}
		break;
	case X86_INS_JMP:
		if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
			return plan_rel_branch(ci, plan, X86_EMU_JMP, 0);
		a = reg_operand(x, 0);
		if (a >= 0 && x->prefix[2] != X86_PREFIX_OPSIZE) {
			plan->reg_a = a;
			return emulate_as(plan, X86_EMU_JMP_REG);
		}
		break;
	case X86_INS_CALL:
		if (x->op_count != 1)
			break;
		if (x->operands[0].type == X86_OP_IMM)
			return plan_rel_branch(ci, plan, X86_EMU_CALL, 0);
		if (x->prefix[2] == X86_PREFIX_OPSIZE)
			return refuse(plan, "operand-size prefix on a call: Intel and AMD disagree");
		if (x->operands[0].type == X86_OP_MEM)
			return plan_call_mem(h, ci, insn, plan, check);
		a = reg_operand(x, 0);
		if (a < 0)
			return refuse(plan, "call through an unexpected operand");
		plan->reg_a = a;
		return emulate_as(plan, X86_EMU_CALL_REG);
	case X86_INS_JRCXZ:
		return plan_rel_branch(ci, plan, X86_EMU_JRCXZ, 0);
	case X86_INS_JECXZ:
		return plan_rel_branch(ci, plan, X86_EMU_JECXZ, 0);
	case X86_INS_LOOP:
		return plan_rel_branch(ci, plan, X86_EMU_LOOP, X86_LOOP);
	case X86_INS_LOOPE:
		return plan_rel_branch(ci, plan, X86_EMU_LOOP, X86_LOOPE);
	case X86_INS_LOOPNE:
		return plan_rel_branch(ci, plan, X86_EMU_LOOP, X86_LOOPNE);
	case X86_INS_PUSH:
		/* With a slot the CPU does the push: exact by construction. */
		a = reg_operand(x, 0);
		if (no_slot && x->op_count == 1 && a >= 0) {
			plan->reg_a = a;
			return emulate_as(plan, X86_EMU_PUSH);
		}
		break;
	case X86_INS_SUB:
		a = reg_operand(x, 0);
		if (no_slot && x->op_count == 2 && a >= 0 &&
		    x->operands[1].type == X86_OP_IMM) {
			plan->reg_a = a;
			/* The decoder reports the immediate sign-extended to
			 * the operand size, as the CPU uses it. */
			plan->imm = x->operands[1].imm;
			return emulate_as(plan, X86_EMU_SUB_IMM);
		}
		break;
	default:
		cc = jcc_code(ci->id);
		if (cc >= 0)
			return plan_rel_branch(ci, plan, X86_EMU_JCC, cc);
		break;
	}
	if (no_slot) {
		snprintf(plan->why, sizeof plan->why, "needs a scratch slot");
		return -ENOSPC;
	}
	return plan_ool(h, ci, insn, plan, check);
}

int x86_step_plan(const uint8_t *insn, size_t avail, uint64_t addr,
		   uint64_t slot_addr, struct x86_plan *plan)
{
	cs_insn *ci, *check;
	csh h;
	int err;

	if (!insn || !plan)
		return -EINVAL;
	memset(plan, 0, sizeof *plan);
	plan->kind = X86_REFUSE;
	plan->addr = addr;
	plan->slot_addr = slot_addr;
	err = decoder(&h);
	if (err)
		return err;
	ci = cs_malloc(h);
	if (!ci)
		return -ENOMEM;
	check = cs_malloc(h);
	if (!check) {
		err = -ENOMEM;
		goto free_ci;
	}
	if (!decode_one(h, insn, avail, addr, ci)) {
		snprintf(plan->why, sizeof plan->why, "bytes do not decode");
		err = -EINVAL;
		goto free_check;
	}
	plan->len = ci->size;
	err = classify(h, ci, insn, plan, check);
free_check:
	cs_free(check, 1);
free_ci:
	cs_free(ci, 1);
	return err;
}

int x86_disasm(const uint8_t *insn, size_t avail, uint64_t addr,
		char *buf, size_t buflen, unsigned *len)
{
	cs_insn *ci;
	csh h;
	int err;

	if (!insn || (!buf && buflen))
		return -EINVAL;
	err = decoder(&h);
	if (err)
		return err;
	ci = cs_malloc(h);
	if (!ci)
		return -ENOMEM;
	if (!decode_one(h, insn, avail, addr, ci)) {
		err = -EINVAL;
		goto free_ci;
	}
	/* Truncation is acceptable for display. */
	if (buflen)
		snprintf(buf, buflen, "%s%s%s", ci->mnemonic,
			 ci->op_str[0] ? " " : "", ci->op_str);
	if (len)
		*len = ci->size;
	err = 0;
free_ci:
	cs_free(ci, 1);
	return err;
}

/* What a displaced instruction may not be: anything that transfers
 * control (its copy would go elsewhere or push the copy's address), or
 * that the kernel or a debugger treats by its address. */
static bool moves_control(csh h, const cs_insn *ci)
{
	static const int groups[] = { CS_GRP_JUMP, CS_GRP_CALL, CS_GRP_RET, CS_GRP_INT,
				      CS_GRP_IRET, CS_GRP_BRANCH_RELATIVE };

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (cs_insn_group(h, ci, groups[i]))
			return true;
	return ci->id == X86_INS_XBEGIN || ci->id == X86_INS_SYSCALL;
}

int x86_relocate(const uint8_t *insn, size_t avail, uint64_t addr, uint64_t new_addr,
		 uint8_t out[X86_INSN_MAX], unsigned *len, const char **why)
{
	const cs_x86_op *rip;
	cs_insn *ci, *check;
	csh h;
	int err = decoder(&h);

	*why = NULL;
	if (err)
		return err;
	ci = cs_malloc(h);
	check = ci ? cs_malloc(h) : NULL;
	err = -ENOMEM;
	if (!check)
		goto free_insns;
	err = -EINVAL;
	if (!decode_one(h, insn, avail, addr, ci)) {
		*why = "its code does not decode";
		goto free_insns;
	}
	*len = ci->size;
	err = -ENOTSUP;
	if (moves_control(h, ci)) {
		*why = "a branch among the instructions a jump would displace";
		goto free_insns;
	}
	rip = pc_relative(ci, why);
	if (*why)
		goto free_insns;
	memcpy(out, insn, ci->size);
	err = relocate(h, ci, rip, ci->id, out, new_addr, check);
	if (err == -ERANGE)
		*why = "a pc-relative operand out of reach of the copy";
	else if (err)
		*why = "a relocated copy that does not decode as the original";
	if (err)
		err = -ENOTSUP;
free_insns:
	if (check)
		cs_free(check, 1);
	if (ci)
		cs_free(ci, 1);
	return err;
}

int x86_scan(const uint8_t *code, size_t size, uint64_t addr, struct x86_insn_info *v,
	     size_t cap, size_t *n)
{
	cs_insn *ci;
	csh h;
	int err = decoder(&h);
	size_t at = 0, k = 0;

	if (err)
		return err;
	ci = cs_malloc(h);
	if (!ci)
		return -ENOMEM;
	while (at < size) {
		const cs_x86 *x;
		struct x86_insn_info *o;

		err = -EINVAL;
		if (!decode_one(h, code + at, size - at, addr + at, ci))
			goto free_ci;
		err = -E2BIG;
		if (k == cap)
			goto free_ci;
		o = &v[k++];
		x = &ci->detail->x86;
		*o = (struct x86_insn_info){ .addr = addr + at, .len = ci->size };
		if (cs_insn_group(h, ci, CS_GRP_RET))
			o->kind = X86_I_RET;
		else if (cs_insn_group(h, ci, CS_GRP_JUMP) || cs_insn_group(h, ci, CS_GRP_CALL)) {
			bool direct = x->op_count == 1 && x->operands[0].type == X86_OP_IMM;
			bool call = cs_insn_group(h, ci, CS_GRP_CALL);

			o->kind = call ? (direct ? X86_I_CALL : X86_I_CALL_IND)
				       : (direct ? (ci->id == X86_INS_JMP ? X86_I_JMP : X86_I_JCC)
						 : X86_I_JMP_IND);
			if (direct)
				o->target = (uint64_t)x->operands[0].imm;
		} else if (ci->id == X86_INS_ENDBR64) {
			o->kind = X86_I_ENDBR;
		} else if (ci->id == X86_INS_INT3 || ci->id == X86_INS_UD2 ||
			   ci->id == X86_INS_HLT) {
			o->kind = X86_I_STOP;
		}
		at += ci->size;
	}
	*n = k;
	err = 0;
free_ci:
	cs_free(ci, 1);
	return err;
}
