/* A freestanding static arm64 program that runs with BTI enforced, for
 * latch's arm64 guest test (tests/aarch64/bti_check.c, guest.sh).
 *
 * Debian's crt files and libc lack the GNU BTI property, so an ordinary
 * program never runs on guarded pages; this one has no libc and no crt
 * (-nostdlib -ffreestanding), every function is built with
 * -mbranch-protection=standard and it is linked with -z force-bti, so the
 * kernel maps its text with PROT_BTI. Built by guest.sh, which checks that
 * the GNU property note says BTI.
 *
 * The traced functions (bti_*) are reached with every BTYPE a compiler
 * produces: 00 (bl), 10 (blr through a function pointer) and 01 (br x16
 * from an asm trampoline), so that their first instruction, the one latch
 * covers with `brk #0` and must step over, is checked as a landing pad:
 *   bti_leaf   a leaf: starts with `bti c` (emulated by latch)
 *   bti_pac    not a leaf: starts with `paciasp` (run out of line)
 *   bti_bkey   not a leaf, B key: starts with `pacibsp` (out of line)
 *   bti_rec    direct recursion: starts with `paciasp`
 *   bti_rec_ind recursion through a function pointer: starts with `bti c`
 *              (shrink-wrapped, its paciasp comes later)
 * Each counts its calls; the program prints the counts and a sum it checks
 * against a closed form, and exits 0 (1 if the sum is wrong).
 *
 * With an argument ("probe"), it instead branches with blr to an
 * instruction that is not a landing pad: with BTI enforced it dies with
 * SIGILL, which is how bti_check proves the enforcement. */

typedef unsigned long u64;
typedef long (*fn1)(long);

#define NOIPA __attribute__((noipa, used))
/* Keep the prologue (paciasp, pacibsp) at the entry: with shrink-wrapping
 * GCC schedules other instructions first and adds a `bti c` before them. */
#define FRAME_FIRST __attribute__((optimize("no-shrink-wrap", "no-schedule-insns2")))

/* Every call to a traced function, by function. */
static volatile long n_leaf, n_pac, n_bkey, n_rec, n_rec_ind;

/* ---- raw syscalls ---- */

static long sys3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2)
			 : "memory", "cc");
	return x0;
}

#define NR_write 64
#define NR_exit_group 94

static __attribute__((noreturn)) void sys_exit(int code)
{
	sys3(NR_exit_group, code, 0, 0);
	for (;;)
		;
}

static u64 slen(const char *s)
{
	u64 n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys3(NR_write, 1, (long)s, (long)slen(s));
}

static void put_num(long v)
{
	char buf[24], *p = buf + sizeof buf;

	*--p = 0;
	if (v == 0)
		*--p = '0';
	int neg = v < 0;
	u64 u = neg ? -(u64)v : (u64)v;
	while (u) {
		*--p = '0' + u % 10;
		u /= 10;
	}
	if (neg)
		*--p = '-';
	put(p);
}

/* ---- asm: entry, a br x16 trampoline, a non-landing-pad target ---- */

/* _start: the kernel enters with BTYPE 0; `bti c` anyway. sp points at
 * argc, argv[0], argv[1], ... */
__asm__(".text\n"
	".globl _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	bti c\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	and sp, x0, #~15\n"
	"	bl start_c\n"
	"	brk #1\n"
	".size _start, .-_start\n"

	/* long tramp_x16(long arg, fn1 f): tail call f(arg) with `br x16`,
	 * so that f is entered with BTYPE 01. */
	".globl tramp_x16\n"
	".type tramp_x16, %function\n"
	"tramp_x16:\n"
	"	bti c\n"
	"	mov x16, x1\n"
	"	br x16\n"
	".size tramp_x16, .-tramp_x16\n"

	/* not_a_pad: a function whose second instruction is no landing
	 * pad; blr to not_a_pad_body must raise a Branch Target exception. */
	".globl not_a_pad\n"
	".type not_a_pad, %function\n"
	"not_a_pad:\n"
	"	bti c\n"
	".globl not_a_pad_body\n"
	"not_a_pad_body:\n"
	"	mov x0, #42\n"
	"	ret\n"
	".size not_a_pad, .-not_a_pad\n");

long tramp_x16(long arg, fn1 f);
long not_a_pad_body(long);

/* ---- traced functions ---- */

/* A leaf (no LR save, so no paciasp): starts with `bti c`. */
NOIPA long bti_leaf(long x)
{
	n_leaf++;
	return 3 * x + 1;
}

/* Function pointers the compiler cannot see through. */
static fn1 volatile p_leaf = bti_leaf;

/* Not a leaf: starts with `paciasp`; calls bti_leaf directly and
 * indirectly. */
FRAME_FIRST NOIPA long bti_pac(long x)
{
	n_pac++;
	return bti_leaf(x) + p_leaf(x + 1);
}

/* The B key: starts with `pacibsp`. */
__attribute__((target("branch-protection=pac-ret+b-key+bti")))
FRAME_FIRST NOIPA long bti_bkey(long x)
{
	n_bkey++;
	return p_leaf(x) - x;
}

/* Direct recursion, sum of 1..n. */
FRAME_FIRST NOIPA long bti_rec(long n)
{
	n_rec++;
	if (n <= 0)
		return 0;
	return n + bti_rec(n - 1);
}

static fn1 volatile p_rec_ind;

/* Recursion through a function pointer: each level entered by blr. */
NOIPA long bti_rec_ind(long n)
{
	n_rec_ind++;
	if (n <= 0)
		return 0;
	return n + p_rec_ind(n - 1);
}

static fn1 volatile p_pac = bti_pac, p_bkey = bti_bkey, p_rec = bti_rec;

#define LOOPS 100
#define DEPTH 12

static void line(const char *name, long v)
{
	put(" ");
	put(name);
	put(" ");
	put_num(v);
}

__attribute__((used, noreturn)) void start_c(u64 *sp)
{
	long argc = (long)sp[0];
	long sum = 0, want = 0;

	p_rec_ind = bti_rec_ind;
	if (argc > 1) {
		/* BTYPE 10 onto `mov`: SIGILL if BTI is enforced. */
		fn1 volatile bad = not_a_pad_body;

		put("bti_target: probe: blr to a non-landing-pad instruction\n");
		bad(0);
		put("bti_target: probe: BTI is NOT enforced\n");
		sys_exit(3);
	}
	for (long i = 0; i < LOOPS; i++) {
		sum += bti_leaf(i);			/* bl */
		sum += p_leaf(i);			/* blr */
		sum += tramp_x16(i, p_leaf);		/* br x16 */
		sum += bti_pac(i);			/* bl */
		sum += p_pac(i);			/* blr */
		sum += tramp_x16(i, p_pac);		/* br x16 */
		sum += p_bkey(i);			/* blr */
		sum += tramp_x16(i, p_bkey);		/* br x16 */
		want += 3 * (3 * i + 1) + 3 * (6 * i + 5) + 2 * (2 * i + 1);
	}
	for (long d = 0; d < DEPTH; d++) {
		sum += bti_rec(d) + p_rec(d) + p_rec_ind(d);
		want += 3 * (d * (d + 1) / 2);
	}
	put("bti_target: sum ");
	put_num(sum);
	put(" calls");
	line("bti_leaf", n_leaf);
	line("bti_pac", n_pac);
	line("bti_bkey", n_bkey);
	line("bti_rec", n_rec);
	line("bti_rec_ind", n_rec_ind);
	put("\n");
	if (sum != want) {
		put("bti_target: wrong sum, expected ");
		put_num(want);
		put("\n");
		sys_exit(1);
	}
	sys_exit(0);
}
