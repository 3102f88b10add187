/* v_fnptrs: pointers into symbols: function pointers to a static and to a
 * global function, NULL, a function pointer returned, pointers to global and
 * static data objects and into the middle of one (sym+0xN), a struct of
 * function pointers by value; a stack pointer has no symbol.
 * Usage: v_fnptrs [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

typedef int (*op_fn)(int);
struct ops { op_fn open; void (*close)(int); int flags; };

int g_table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
int g_counter = 3;
static long s_hidden[4] = { 9, 9, 9, 9 };

__attribute__((noinline, noipa, used)) static int static_handler(int x) { return x + 1; }
__attribute__((noinline, noipa, used)) int global_handler(int x) { return x * 2; }
__attribute__((noinline, noipa, used)) void closer(int x) { g_counter += x; }

TRACED int v_fn(op_fn a, op_fn b, void (*c)(int)) { return (a ? a(1) : 0) + (b ? b(2) : 0) + (c != 0); }
TRACED op_fn v_pick(int which) { return which == 0 ? static_handler : which == 1 ? global_handler : NULL; }
TRACED long v_data(const int *p, void *q, const int *mid, const long *h, int *stack)
{
	return *p + (q != 0) + *mid + *h + *stack;
}
TRACED int v_ops(struct ops o) { return o.flags + (o.open != 0); }

static void ex_fn(op_fn f)
{
	if (f == static_handler)
		SYM((const void *)f, "static_handler");
	else if (f == global_handler)
		SYM((const void *)f, "global_handler");
	else if (!f)
		NUL();
	else
		P((const void *)f);
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_fn, (void *)v_pick, (void *)v_data, (void *)v_ops);
	VX_START();

	{
		int r = v_fn(static_handler, global_handler, closer);
		X("v_fn"); K("a"); ex_fn(static_handler); K("b"); ex_fn(global_handler);
		K("c"); SYM((const void *)closer, "closer"); XR(); I(r); XE();
		r = v_fn(NULL, global_handler, NULL);
		X("v_fn"); K("a"); NUL(); K("b"); ex_fn(global_handler); K("c"); NUL(); XR(); I(r); XE();
	}
	for (int w = 0; w < 3; w++) {
		op_fn f = v_pick(w);
		X("v_pick"); K("which"); I(w); XR(); ex_fn(f); XE();
	}
	{
		int local = 4;
		long r = v_data(&g_counter, g_table, &g_table[4], &s_hidden[1], &local);
		X("v_data"); K("p"); SYM(&g_counter, "g_counter"); K("q"); SYM(g_table, "g_table");
		K("mid"); SYM(&g_table[4], "g_table+0x10"); K("h"); SYM(&s_hidden[1], "s_hidden+0x8");
		K("stack"); P(&local); XR(); I(r); XE();
	}
	{
		struct ops o = { static_handler, closer, 0x11 };
		int r = v_ops(o);
		X("v_ops"); K("o"); O(); K("open"); ex_fn(o.open); K("close"); SYM((const void *)closer, "closer");
		K("flags"); I(0x11); OE(); XR(); I(r); XE();
	}
	return 0;
}
