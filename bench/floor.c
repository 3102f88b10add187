/* bench/floor.c: the two-stop floor, x86-64 only.
 *
 *   floor -a ADDR -- PROG [ARGS...]
 *
 * ADDR is the function's symbol value as `nm` prints it (hex). The floor
 * launches PROG under ptrace, plants int3 at the function's entry and, on the
 * first call, at the return address it reads from [rsp], and then makes
 * exactly two ptrace stops per call: entry and return. At each stop it does
 * the least a real tracer must do: PTRACE_GETREGS; at entry also one
 * PTRACE_PEEKDATA for the return address; then it steps over the trap by
 * emulating the displaced instruction in the register set (PTRACE_SETREGS)
 * and resumes with PTRACE_CONT. No single-step, no trap removal, a plain
 * blocking waitpid loop. Both traps stay planted until the target exits.
 *
 * Only a handful of instructions can be emulated (ret, endbr64, nop, push r64,
 * mov/add/sub/cmp between registers or with an immediate); anything else is
 * reported with its bytes and the floor gives up, so a change in the target's
 * code generation shows up loudly instead of producing a wrong number.
 *
 * At the end it prints "floor: N calls, N returns, N stops" on stderr and
 * exits with the target's status.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "bench/floor.c emulates x86-64 instructions only"
#endif

static pid_t child = -1;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("floor: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

/* ---- a tiny x86-64 emulator for the instructions at the trap sites ---- */

enum op { OP_RET, OP_NOP, OP_PUSH, OP_MOV, OP_ADD, OP_SUB, OP_CMP };

struct insn {
	enum op op;
	int len;
	int wide;     /* 64-bit operand size (REX.W) */
	int dst, src; /* register numbers 0..15; src < 0: immediate */
	int64_t imm;
	uint8_t bytes[16];
};

static unsigned long long *reg(struct user_regs_struct *r, int n)
{
	switch (n) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return &r->rsp;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	default: return &r->r15;
	}
}

static void hexbytes(const uint8_t *b, int n, char *out)
{
	for (int i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
}

/* Decode the instruction at the start of b (16 bytes available) or die. */
static void decode(const uint8_t *b, unsigned long addr, const char *what, struct insn *in)
{
	int i = 0, rex = 0;
	memset(in, 0, sizeof *in);
	memcpy(in->bytes, b, 16);

	if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa) {
		in->op = OP_NOP; /* endbr64: a nop without CET enforcement */
		in->len = 4;
		return;
	}
	if (b[0] == 0xc3 || (b[0] == 0xf3 && b[1] == 0xc3)) {
		in->op = OP_RET; /* ret, repz ret */
		in->len = b[0] == 0xc3 ? 1 : 2;
		return;
	}
	if (b[0] == 0x90) {
		in->op = OP_NOP;
		in->len = 1;
		return;
	}
	if (b[i] >= 0x40 && b[i] <= 0x4f)
		rex = b[i++];
	in->wide = !!(rex & 8);
	uint8_t opc = b[i++];
	if (opc >= 0x50 && opc <= 0x57 && !(rex & ~1 & 0xf)) {
		in->op = OP_PUSH;
		in->src = (opc - 0x50) | ((rex & 1) << 3);
		in->len = i;
		return;
	}
	uint8_t modrm = b[i];
	int mod = modrm >> 6, r = ((modrm >> 3) & 7) | ((rex & 4) << 1), m = (modrm & 7) | ((rex & 1) << 3);
	if (mod == 3) {
		i++;
		switch (opc) {
		case 0x89: case 0x01: case 0x29: case 0x39: /* op r/m, r */
			in->op = opc == 0x89 ? OP_MOV : opc == 0x01 ? OP_ADD : opc == 0x29 ? OP_SUB : OP_CMP;
			in->dst = m;
			in->src = r;
			in->len = i;
			return;
		case 0x8b: case 0x03: case 0x2b: case 0x3b: /* op r, r/m */
			in->op = opc == 0x8b ? OP_MOV : opc == 0x03 ? OP_ADD : opc == 0x2b ? OP_SUB : OP_CMP;
			in->dst = r;
			in->src = m;
			in->len = i;
			return;
		case 0x83: case 0x81: { /* add/sub/cmp r/m, imm8/imm32 */
			int ext = (modrm >> 3) & 7;
			if (ext != 0 && ext != 5 && ext != 7)
				break;
			in->op = ext == 0 ? OP_ADD : ext == 5 ? OP_SUB : OP_CMP;
			in->dst = m;
			in->src = -1;
			if (opc == 0x83) {
				in->imm = (int8_t)b[i];
				i += 1;
			} else {
				int32_t v;
				memcpy(&v, b + i, 4);
				in->imm = v;
				i += 4;
			}
			in->len = i;
			return;
		}
		}
	} else if (opc == 0x0f && b[i] == 0x1f && !rex) {
		/* nopl/nopw r/m: 0f 1f modrm [sib] [disp] */
		modrm = b[i + 1];
		mod = modrm >> 6;
		int len = i + 2;
		if (mod != 3 && (modrm & 7) == 4)
			len++;
		if (mod == 1)
			len += 1;
		else if (mod == 2 || (mod == 0 && (modrm & 7) == 5))
			len += 4;
		in->op = OP_NOP;
		in->len = len;
		return;
	}
	char hex[64];
	hexbytes(b, 8, hex);
	die("cannot emulate the instruction at the %s site %#lx: %s(add it to decode())", what, addr, hex);
}

static int parity8(uint64_t v)
{
	return !__builtin_parity((unsigned)(v & 0xff));
}

/* Execute in on r, whose rip points at the instruction. ret_addr is [rsp],
 * already read at the entry stop (needed for OP_RET only). */
static void emulate(pid_t pid, const struct insn *in, struct user_regs_struct *r, unsigned long ret_addr)
{
	uint64_t mask = in->wide ? ~0ULL : 0xffffffffULL;
	int top = in->wide ? 63 : 31;
	uint64_t a, b, res;

	switch (in->op) {
	case OP_NOP:
		r->rip += in->len;
		return;
	case OP_RET:
		r->rip = ret_addr;
		r->rsp += 8;
		return;
	case OP_PUSH:
		r->rsp -= 8;
		if (ptrace(PTRACE_POKEDATA, pid, (void *)r->rsp, (void *)*reg(r, in->src)) < 0)
			die("push: POKEDATA: %s", strerror(errno));
		r->rip += in->len;
		return;
	case OP_MOV:
		*reg(r, in->dst) = *reg(r, in->src) & mask;
		r->rip += in->len;
		return;
	case OP_ADD:
	case OP_SUB:
	case OP_CMP:
		a = *reg(r, in->dst) & mask;
		b = (in->src < 0 ? (uint64_t)in->imm : *reg(r, in->src)) & mask;
		res = (in->op == OP_ADD ? a + b : a - b) & mask;
		unsigned long long fl = r->eflags & ~0x8d5ULL; /* clear OF SF ZF AF PF CF */
		int cf = in->op == OP_ADD ? res < a : a < b;
		int of = in->op == OP_ADD ? (((a ^ res) & (b ^ res)) >> top) & 1
					  : (((a ^ b) & (a ^ res)) >> top) & 1;
		fl |= (unsigned long long)cf << 0;
		fl |= (unsigned long long)parity8(res) << 2;
		fl |= (unsigned long long)(((a ^ b ^ res) >> 4) & 1) << 4;
		fl |= (unsigned long long)(res == 0) << 6;
		fl |= (unsigned long long)((res >> top) & 1) << 7;
		fl |= (unsigned long long)of << 11;
		r->eflags = fl;
		if (in->op != OP_CMP)
			*reg(r, in->dst) = res; /* 32-bit results zero-extend */
		r->rip += in->len;
		return;
	}
}

/* ---- tracee memory ---- */

static void peek16(pid_t pid, unsigned long addr, uint8_t *out)
{
	for (int i = 0; i < 2; i++) {
		errno = 0;
		long w = ptrace(PTRACE_PEEKTEXT, pid, (void *)(addr + 8 * i), NULL);
		if (errno)
			die("PEEKTEXT %#lx: %s", addr + 8 * i, strerror(errno));
		memcpy(out + 8 * i, &w, 8);
	}
}

static void plant(pid_t pid, unsigned long addr, const uint8_t *orig)
{
	long w;
	memcpy(&w, orig, 8);
	w = (w & ~0xffL) | 0xcc;
	if (ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)w) < 0)
		die("POKETEXT %#lx: %s", addr, strerror(errno));
}

/* Load address of the executable: 0 for ET_EXEC, else the start of its
 * first mapping (file offset 0) in /proc/PID/maps. */
static unsigned long load_base(pid_t pid)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	Elf64_Ehdr eh;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, &eh, sizeof eh) != (ssize_t)sizeof eh)
		die("%s: cannot read the ELF header", path);
	close(fd);
	if (eh.e_type == ET_EXEC)
		return 0;
	ssize_t n = readlink(path, exe, sizeof exe - 1);
	if (n < 0)
		die("readlink %s: %s", path, strerror(errno));
	exe[n] = 0;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	unsigned long base = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, off;
		int pos = 0;
		if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %n", &lo, &off, &pos) < 2 || !pos)
			continue;
		char *p = line + pos;
		p[strcspn(p, "\n")] = 0;
		if (off == 0 && strcmp(p, exe) == 0) {
			base = lo;
			break;
		}
	}
	fclose(f);
	if (!base)
		die("no mapping of %s in %s", exe, path);
	return base;
}

int main(int argc, char **argv)
{
	unsigned long sym = 0;
	int opt;

	while ((opt = getopt(argc, argv, "+a:")) != -1) {
		if (opt == 'a')
			sym = strtoul(optarg, NULL, 16);
		else
			goto usage;
	}
	if (!sym || optind >= argc) {
usage:
		fprintf(stderr, "usage: floor -a HEXADDR -- PROG [ARGS...]\n");
		return 2;
	}

	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "floor: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}

	int st;
	if (waitpid(child, &st, 0) < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		die("the target did not stop at exec");
	ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)(long)PTRACE_O_EXITKILL);

	unsigned long entry = load_base(child) + sym, ret_site = 0;
	uint8_t code[16];
	struct insn entry_in, ret_in;
	peek16(child, entry, code);
	decode(code, entry, "entry", &entry_in);
	plant(child, entry, code);

	unsigned long calls = 0, returns = 0, stops = 0;
	struct user_regs_struct r;
	int sig = 0;
	for (;;) {
		if (ptrace(PTRACE_CONT, child, NULL, (void *)(long)sig) < 0)
			die("PTRACE_CONT: %s", strerror(errno));
		sig = 0;
		if (waitpid(child, &st, 0) < 0)
			die("waitpid: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st); /* pass signals through */
			continue;
		}
		stops++;
		if (ptrace(PTRACE_GETREGS, child, NULL, &r) < 0)
			die("GETREGS: %s", strerror(errno));
		unsigned long pc = r.rip - 1;
		r.rip = pc;
		if (pc == entry) {
			errno = 0;
			unsigned long ra = ptrace(PTRACE_PEEKDATA, child, (void *)r.rsp, NULL);
			if (errno)
				die("PEEKDATA [rsp]: %s", strerror(errno));
			if (!ret_site) {
				ret_site = ra;
				peek16(child, ret_site, code);
				decode(code, ret_site, "return", &ret_in);
				plant(child, ret_site, code);
			} else if (ra != ret_site) {
				die("a second call site (%#lx); the floor handles one", ra);
			}
			calls++;
			emulate(child, &entry_in, &r, ra);
		} else if (pc == ret_site) {
			returns++;
			emulate(child, &ret_in, &r, 0);
		} else {
			die("unexpected SIGTRAP at %#lx", pc);
		}
		if (ptrace(PTRACE_SETREGS, child, NULL, &r) < 0)
			die("SETREGS: %s", strerror(errno));
	}
	fprintf(stderr, "floor: %lu calls, %lu returns, %lu stops\n", calls, returns, stops);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "floor: target killed by signal %d\n", WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}
