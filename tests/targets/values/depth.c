/* v_depth: nesting for --depth: structs three and four levels deep, by
 * value, by pointer and returned, and arrays (a nesting level too) inside
 * structs.  The expect lines give the whole value; tests/e2e/values.py
 * replaces what lies past --depth with "{...}".
 * Usage: v_depth [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct l4 { int d; };
struct l3 { int c; struct l4 in; };
struct l2 { int b; struct l3 in; };
struct l1 { int a; struct l2 in; };
struct la { int n; int v[2]; struct { int w[2]; } s; };

TRACED int v_deep3(struct l2 s) { return s.b + s.in.c; }
TRACED int v_deep4(struct l1 s) { return s.a + s.in.in.in.d; }
TRACED int v_deepp(const struct l1 *p) { return p->in.b; }
TRACED struct l2 v_ret_deep(int k) { struct l2 r = { k, { k * 2, { k * 3 } } }; return r; }
TRACED int v_la(struct la s) { return s.n + s.s.w[1]; }

static void ex_l3(const struct l3 *s) { O(); K("c"); I(s->c); K("in"); O(); K("d"); I(s->in.d); OE(); OE(); }
static void ex_l2(const struct l2 *s) { O(); K("b"); I(s->b); K("in"); ex_l3(&s->in); OE(); }
static void ex_l1(const struct l1 *s) { O(); K("a"); I(s->a); K("in"); ex_l2(&s->in); OE(); }

int main(int argc, char **argv)
{
	VX_FNS((void *)v_deep3, (void *)v_deep4, (void *)v_deepp, (void *)v_ret_deep, (void *)v_la);
	VX_START();

	{
		struct l2 s = { 2, { 3, { 4 } } };
		int r = v_deep3(s);
		X("v_deep3"); K("s"); ex_l2(&s); XR(); I(r); XE();
	}
	{
		struct l1 s = { 1, { 2, { 3, { 4 } } } };
		int r = v_deep4(s);
		X("v_deep4"); K("s"); ex_l1(&s); XR(); I(r); XE();
		r = v_deepp(&s);
		X("v_deepp"); K("p"); TO(&s); ex_l1(&s); TOE(); XR(); I(r); XE();
	}
	{
		struct l2 r = v_ret_deep(5);
		X("v_ret_deep"); K("k"); I(5); XR(); ex_l2(&r); XE();
	}
	{
		struct la s = { 7, { 8, 9 }, { { 10, 11 } } };
		int r = v_la(s);
		X("v_la"); K("s"); O(); K("n"); I(7); K("v"); L(); I(8); I(9); LE(); K("s"); O(); K("w"); L(); I(10);
		I(11); LE(); OE(); OE(); XR(); I(r); XE();
	}
	return 0;
}
