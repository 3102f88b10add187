/* v_arrays: arrays as struct members: int[4] (by value, in registers),
 * int[40] (cut at -A, default 16), char[N] as a string (short, and all N
 * bytes without a NUL), a flexible array member, a 2-D array, an array of
 * structs, double[3] (an HFA on aarch64, memory on x86-64), float[2], and an
 * array-holding struct returned by value.
 * Usage: v_arrays [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct a4 { int v[4]; };
struct a40 { int n; int v[40]; };
struct named { int id; char name[12]; };
struct flex { int n; int data[]; };
struct m2 { int m[2][3]; };
struct ii { int x, y; };
struct pts { struct ii p[3]; };
struct ad { double v[3]; };
struct af { float v[2]; };
struct a2 { short v[2]; long tag; };

TRACED int v_a4(struct a4 s) { return s.v[0] + s.v[3]; }
TRACED int v_a40(const struct a40 *p) { return p->v[p->n - 1]; }
TRACED int v_named(struct named s, const struct named *p) { return s.id + p->id; }
TRACED int v_flex(const struct flex *f) { return f->data[f->n - 1]; }
TRACED int v_m2(const struct m2 *p, struct m2 s) { return p->m[1][2] + s.m[0][0]; }
TRACED int v_pts(struct pts s) { return s.p[2].y; }
TRACED double v_ad(struct ad s) { return s.v[0] + s.v[1] + s.v[2]; }
TRACED float v_af(struct af s) { return s.v[0] * s.v[1]; }
TRACED struct a4 v_ret_a4(int k) { struct a4 r = { { k, k + 1, k + 2, k + 3 } }; return r; }
TRACED struct a2 v_ret_a2(int k) { struct a2 r = { { (short)k, (short)-k }, k * 1000000000L }; return r; }

static void ex_ints(const int *v, int n)
{
	L();
	for (int k = 0; k < n; k++)
		I(v[k]);
	LE();
}

static void ex_a4(const struct a4 *s) { O(); K("v"); ex_ints(s->v, 4); OE(); }
static void ex_named(const struct named *s)
{
	O(); K("id"); I(s->id); K("name"); CHARS(s->name, sizeof s->name); OE();
}
static void ex_m2(const struct m2 *s)
{
	O(); K("m"); L(); ex_ints(s->m[0], 3); ex_ints(s->m[1], 3); LE(); OE();
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_a4, (void *)v_a40, (void *)v_named, (void *)v_flex, (void *)v_m2, (void *)v_pts,
	       (void *)v_ad, (void *)v_af, (void *)v_ret_a4, (void *)v_ret_a2);
	VX_START();

	{
		struct a4 s = { { -1, 2, -3, 4 } };
		int r = v_a4(s);
		X("v_a4"); K("s"); ex_a4(&s); XR(); I(r); XE();
	}
	{
		struct a40 a;
		a.n = 40;
		for (int k = 0; k < 40; k++)
			a.v[k] = k * k - 100;
		int r = v_a40(&a);
		X("v_a40"); K("p"); TO(&a); O(); K("n"); I(40); K("v"); ex_ints(a.v, 40); OE(); TOE();
		XR(); I(r); XE();
	}
	{
		struct named a, b;
		memset(&a, 0, sizeof a);
		a.id = 1;
		strcpy(a.name, "bob");
		b.id = 2;
		memcpy(b.name, "twelve-bytes", 12);   /* no NUL: all 12 bytes */
		int r = v_named(a, &b);
		X("v_named"); K("s"); ex_named(&a); K("p"); TO(&b); ex_named(&b); TOE(); XR(); I(r); XE();
		memset(a.name, 0, sizeof a.name);
		memcpy(a.name, "a\nb\x80\xc3\xa9", 6);
		r = v_named(a, &b);
		X("v_named"); K("s"); ex_named(&a); K("p"); TO(&b); ex_named(&b); TOE(); XR(); I(r); XE();
	}
	{
		struct flex *f = malloc(sizeof *f + 3 * sizeof(int));
		f->n = 3;
		f->data[0] = 10;
		f->data[1] = 20;
		f->data[2] = 30;
		int r = v_flex(f);
		X("v_flex"); K("f"); TO(f); O(); K("n"); I(3); K("data"); L(); JS("..."); LE(); OE(); TOE();
		XR(); I(r); XE();
		free(f);
	}
	{
		struct m2 a = { { { 1, 2, 3 }, { 4, 5, 6 } } };
		struct m2 b = { { { -1, -2, -3 }, { -4, -5, -6 } } };
		int r = v_m2(&a, b);
		X("v_m2"); K("p"); TO(&a); ex_m2(&a); TOE(); K("s"); ex_m2(&b); XR(); I(r); XE();
	}
	{
		struct pts s = { { { 1, 2 }, { 3, 4 }, { 5, 6 } } };
		int r = v_pts(s);
		X("v_pts"); K("s"); O(); K("p"); L();
		for (int k = 0; k < 3; k++) {
			O(); K("x"); I(s.p[k].x); K("y"); I(s.p[k].y); OE();
		}
		LE(); OE(); XR(); I(r); XE();
	}
	{
		struct ad s = { { 0.5, -0.1, 1e-7 } };
		double r = v_ad(s);
		X("v_ad"); K("s"); O(); K("v"); L(); F64(s.v[0]); F64(s.v[1]); F64(s.v[2]); LE(); OE();
		XR(); F64(r); XE();
	}
	{
		struct af s = { { 0.3f, -7.0f } };
		float r = v_af(s);
		X("v_af"); K("s"); O(); K("v"); L(); F32(s.v[0]); F32(s.v[1]); LE(); OE(); XR(); F32(r); XE();
	}
	{
		struct a4 r = v_ret_a4(-2);
		X("v_ret_a4"); K("k"); I(-2); XR(); ex_a4(&r); XE();
		struct a2 t = v_ret_a2(77);
		X("v_ret_a2"); K("k"); I(77); XR(); O(); K("v"); L(); I(t.v[0]); I(t.v[1]); LE(); K("tag"); I(t.tag);
		OE(); XE();
	}
	return 0;
}
