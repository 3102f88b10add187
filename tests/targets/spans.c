/* spans: trees of nested traced calls on three threads, for the OTLP
 * tests (tests/e2e/otlp.py), which compute every span they expect from
 * what this program prints.
 *
 * Usage: spans [-w] [-W FILE] [-t N]
 *   -w       print the pid, then wait until a tracer has patched every
 *            traced function (attach mode)
 *   -W FILE  after the trees, wait (up to 60 s) until FILE exists
 *   -t N     then make N top-level calls sp_tick(n)
 *
 * The main thread and two threads started before -w waits each run the
 * same tree twice (round r = 0, 1), then one top-level sp_leaf, then
 * sp_jump(2) -> sp_jump(1) -> sp_jump(0), which longjmps out of all three.
 * At the end the main thread calls sp_exit, which exits from inside the
 * traced frame (status 0).
 *
 *   sp_root(n, name, it)                      int, negative in round 1
 *     sp_mid(n, delta, scale, flag, mode)     long, negative, beyond 32 bits
 *       sp_leaf(n, v)  sp_leaf(n, v)          int v, some negative
 *     sp_scale(n, x)                          double, negative in round 0
 *     sp_note(n, msg)                         void; in round 1 msg has a
 *                                             quote, a backslash, a tab, a
 *                                             newline and UTF-8
 *     sp_next(n, mode)                        enum mode
 *
 * Every traced function's first argument n numbers the calls of its
 * thread in the order they are made (0, 1, ...).
 * Output, after "pid N":
 *   decl FUNC LINE            the line FUNC is declared on, per function
 *   call TID N PARENT FUNC ARG=ENC... -> RET
 *                             one per call (but sp_tick's): PARENT is the n
 *                             of the traced call it was made in on the same
 *                             thread, or "-"; RET is ret=ENC, "void", or
 *                             "unwound" (left by longjmp or exit).
 *                             A pointer to a struct is followed by its
 *                             members as ARG.MEMBER=ENC.
 *   ticks TID FIRST COUNT US  sp_tick(n) = n for n = FIRST..FIRST+COUNT-1,
 *                             top-level calls on thread TID, which took US
 *                             microseconds
 *   done
 * ENC: i:INTEGER  s:HEX-BYTES  d:DOUBLE (%.17g)  b:true|false  e:ENUMERATOR
 *      p:0xADDRESS
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include "common.h"

#define NTHREADS 3
#define MAXREC 64
#define MAXDEPTH 16

enum mode { MODE_IDLE, MODE_BUSY, MODE_DONE };
static const char *const mode_names[] = { "MODE_IDLE", "MODE_BUSY", "MODE_DONE" };

struct item {
	int id;
	const char *label;
	double weight;
};

struct rec {
	const char *fn;
	int parent;              /* n of the enclosing traced call, or -1 */
	char args[320];
	char ret[48];            /* "" until the call returns */
};

struct ctx {
	int index;
	int tid;
	int seq;                 /* the next call's n */
	int ncalls;              /* recorded calls: the trees' */
	int round;
	int stack[MAXDEPTH];
	int depth;
	jmp_buf jb;
	struct rec rec[MAXREC];
	int tick_first, ticks;
	long tick_us;
};

static __thread struct ctx *cur;
static struct ctx ctxs[NTHREADS];
static pthread_barrier_t start_line;

static int next_n(void)
{
	if (cur->seq >= MAXREC) {
		fprintf(stderr, "spans: more than %d calls on a thread\n", MAXREC);
		exit(98);
	}
	return cur->seq++;
}

static void hex(const char *s, char *out)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = 0;
}

/* The call's record, pushed on the thread's stack of open calls. */
static void enter(int n, const char *fn, const char *fmt, ...)
{
	struct rec *r = &cur->rec[n];
	va_list ap;

	r->fn = fn;
	r->parent = cur->depth ? cur->stack[cur->depth - 1] : -1;
	va_start(ap, fmt);
	vsnprintf(r->args, sizeof r->args, fmt, ap);
	va_end(ap);
	cur->stack[cur->depth++] = n;
}

static void leave(int n, const char *fmt, ...)
{
	va_list ap;

	if (cur->depth == 0 || cur->stack[cur->depth - 1] != n) {
		fprintf(stderr, "spans: call %d returns but is not the innermost\n", n);
		exit(97);
	}
	cur->depth--;
	va_start(ap, fmt);
	vsnprintf(cur->rec[n].ret, sizeof cur->rec[n].ret, fmt, ap);
	va_end(ap);
}

static const int line_sp_leaf = __LINE__; TRACED int sp_leaf(int n, int v)
{
	enter(n, "sp_leaf", "n=i:%d v=i:%d", n, v);
	leave(n, "ret=i:%d", v);
	return v;
}

static const int line_sp_mid = __LINE__; TRACED long sp_mid(int n, int delta, double scale, bool flag, enum mode m)
{
	long r;

	enter(n, "sp_mid", "n=i:%d delta=i:%d scale=d:%.17g flag=b:%s m=e:%s", n, delta, scale,
	      flag ? "true" : "false", mode_names[m]);
	r = sp_leaf(next_n(), delta + 2);
	r += sp_leaf(next_n(), flag ? 7 : -7);
	r = r * 3 - 1000 - (1L << 40);   /* more than 32 bits */
	leave(n, "ret=i:%ld", r);
	return r;
}

static const int line_sp_scale = __LINE__; TRACED double sp_scale(int n, double x)
{
	enter(n, "sp_scale", "n=i:%d x=d:%.17g", n, x);
	leave(n, "ret=d:%.17g", x * 1.5);
	return x * 1.5;
}

static const int line_sp_note = __LINE__; TRACED void sp_note(int n, const char *msg)
{
	char h[128];

	hex(msg, h);
	enter(n, "sp_note", "n=i:%d msg=s:%s", n, h);
	leave(n, "void");
}

static const int line_sp_next = __LINE__; TRACED enum mode sp_next(int n, enum mode m)
{
	enum mode r = (enum mode)((m + 1) % 3);

	enter(n, "sp_next", "n=i:%d m=e:%s", n, mode_names[m]);
	leave(n, "ret=e:%s", mode_names[r]);
	return r;
}

static const int line_sp_root = __LINE__; TRACED int sp_root(int n, const char *name, struct item *it)
{
	char hn[64], hl[64];
	int round = cur->round;
	int r;

	hex(name, hn);
	hex(it->label, hl);
	enter(n, "sp_root", "n=i:%d name=s:%s it=p:%p it.id=i:%d it.label=s:%s it.weight=d:%.17g",
	      n, hn, (void *)it, it->id, hl, it->weight);
	sp_mid(next_n(), -(cur->index * 10 + round + 1), 0.5 * cur->index + 0.25, round == 0,
	       round ? MODE_DONE : MODE_BUSY);
	sp_scale(next_n(), round - 0.75 + cur->index);
	/* what JSON must escape, and UTF-8 */
	sp_note(next_n(), round ? "second \"round\"\t\\ \xc3\xa9\n" : "first round");
	sp_next(next_n(), (enum mode)((cur->index + round) % 3));
	r = round ? -(it->id + 100) : it->id * 10;
	leave(n, "ret=i:%d", r);
	return r;
}

static const int line_sp_jump = __LINE__; TRACED int sp_jump(int n, int depth)
{
	int r;

	enter(n, "sp_jump", "n=i:%d depth=i:%d", n, depth);
	if (depth < 0)
		return -1;   /* never: it keeps the compiler from seeing no way out */
	if (depth == 0)
		longjmp(cur->jb, 1);
	r = sp_jump(next_n(), depth - 1) + 1;
	leave(n, "ret=i:%d", r);
	return r;
}

static const int line_sp_tick = __LINE__; TRACED int sp_tick(int n)
{
	return n;
}

static const int line_sp_exit = __LINE__; TRACED void sp_exit(int n, int code)
{
	(void)n;
	fflush(stdout);
	exit(code);
}

static void run_tree(struct ctx *c)
{
	struct item items[2];
	char names[2][32];

	cur = c;
	c->tid = (int)syscall(SYS_gettid);
	pthread_barrier_wait(&start_line);
	for (int round = 0; round < 2; round++) {
		c->round = round;
		items[round] = (struct item){ c->index * 10 + round + 1,
					      round ? "beta" : "alpha", 1.5 + c->index + round };
		snprintf(names[round], sizeof names[round], "thread %d round %d", c->index, round);
		sp_root(next_n(), names[round], &items[round]);
	}
	sp_leaf(next_n(), -42 - c->index);
	if (setjmp(c->jb) == 0)
		sp_jump(next_n(), 2);
	else
		c->depth = 0;   /* the three sp_jump calls were left by longjmp */
	c->ncalls = c->seq;
}

static void *worker(void *arg)
{
	run_tree(arg);
	return NULL;
}

static void print_calls(const struct ctx *c)
{
	for (int n = 0; n < c->ncalls; n++) {
		const struct rec *r = &c->rec[n];
		char parent[16] = "-";

		if (r->parent >= 0)
			snprintf(parent, sizeof parent, "%d", r->parent);
		printf("call %d %d %s %s %s -> %s\n", c->tid, n, parent, r->fn, r->args,
		       r->ret[0] ? r->ret : "unwound");
	}
	if (c->ticks)
		printf("ticks %d %d %d %ld\n", c->tid, c->tick_first, c->ticks, c->tick_us);
}

int main(int argc, char **argv)
{
	static const void *const fns[] = {
		(void *)sp_leaf, (void *)sp_mid, (void *)sp_scale, (void *)sp_note,
		(void *)sp_next, (void *)sp_root, (void *)sp_jump, (void *)sp_tick,
		(void *)sp_exit,
	};
	const char *go = NULL;
	long ticks = 0;
	pthread_t th[NTHREADS];
	struct timespec t0, t1;
	int opt;

	while ((opt = getopt(argc, argv, "wW:t:")) != -1) {
		switch (opt) {
		case 'w': break;
		case 'W': go = optarg; break;
		case 't': ticks = atol(optarg); break;
		default:
			fprintf(stderr, "usage: spans [-w] [-W FILE] [-t N]\n");
			return 2;
		}
	}
	pthread_barrier_init(&start_line, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		ctxs[i].index = i;
	for (int i = 1; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, &ctxs[i]) != 0) {
			fprintf(stderr, "spans: pthread_create failed\n");
			return 1;
		}
	t_print_pid(stdout);
	if (t_has_arg(argc, argv, "-w"))
		t_wait_traps(fns, sizeof fns / sizeof fns[0], T_ATTACH_TIMEOUT_MS);
	run_tree(&ctxs[0]);
	for (int i = 1; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	if (go && !t_wait_file(go, 60000)) {
		fprintf(stderr, "spans: no %s within 60 s\n", go);
		return 1;
	}
	cur = &ctxs[0];
	cur->tick_first = cur->seq;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < ticks; i++)
		sp_tick(cur->seq++);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cur->ticks = (int)ticks;
	cur->tick_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;

	printf("decl sp_leaf %d\ndecl sp_mid %d\ndecl sp_scale %d\ndecl sp_note %d\n"
	       "decl sp_next %d\ndecl sp_root %d\ndecl sp_jump %d\ndecl sp_tick %d\n"
	       "decl sp_exit %d\n", line_sp_leaf, line_sp_mid, line_sp_scale, line_sp_note,
	       line_sp_next, line_sp_root, line_sp_jump, line_sp_tick, line_sp_exit);
	for (int i = 0; i < NTHREADS; i++)
		print_calls(&ctxs[i]);
	/* the last call, left by exit: printed before it is made */
	printf("call %d %d - sp_exit n=i:%d code=i:0 -> unwound\ndone\n", ctxs[0].tid, cur->seq,
	       cur->seq);
	sp_exit(cur->seq, 0);
	return 1;
}
