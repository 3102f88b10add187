/* v_bitfields: bit-fields (unsigned, signed and negative, 1-bit, _Bool,
 * wider than 32 bits, straddling a word) by value, by pointer and returned;
 * anonymous struct and union members shown inline in their parent.
 * Usage: v_bitfields [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct bf {
	unsigned a : 3;
	int b : 5;
	unsigned c : 1;
	int d : 12;
	_Bool on : 1;
	unsigned long e : 40;
	long f : 23;
};
struct anon {
	int kind;
	union {
		int i;
		float f;
	};
	struct {
		short x, y;
	};
	unsigned flags : 4;
};

TRACED int v_bf(struct bf s) { return (int)s.a + s.b + (int)s.c + s.d + s.on + (int)s.e + (int)s.f; }
TRACED int v_bfp(const struct bf *p) { return p->d; }
TRACED struct bf v_ret_bf(int k)
{
	struct bf r;
	memset(&r, 0, sizeof r);
	r.a = (unsigned)k & 7;
	r.b = -k;
	r.c = 1;
	r.d = -2000 + k;
	r.on = k & 1;
	r.e = 0xfedcba9876UL;
	r.f = -4000000 + k;
	return r;
}
TRACED int v_anon(struct anon s) { return s.kind + s.i + s.x + s.y + (int)s.flags; }
TRACED int v_anonp(struct anon *p) { return p->kind; }

static void ex_bf(const struct bf *s)
{
	O(); K("a"); U(s->a); K("b"); I(s->b); K("c"); U(s->c); K("d"); I(s->d); K("on"); B(s->on);
	K("e"); U(s->e); K("f"); I(s->f); OE();
}

static void ex_anon(const struct anon *s)
{
	O(); K("kind"); I(s->kind); K("i"); I(s->i); K("f"); F32(s->f); K("x"); I(s->x); K("y"); I(s->y);
	K("flags"); U(s->flags); OE();
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_bf, (void *)v_bfp, (void *)v_ret_bf, (void *)v_anon, (void *)v_anonp);
	VX_START();

	{
		struct bf s;
		memset(&s, 0, sizeof s);
		s.a = 5;
		s.b = -7;
		s.c = 1;
		s.d = -2000;
		s.on = 1;
		s.e = 0xffffffffffUL;
		s.f = -4194304;   /* the minimum of 23 bits */
		int r = v_bf(s);
		X("v_bf"); K("s"); ex_bf(&s); XR(); I(r); XE();
		s.a = 2;
		s.b = 15;
		s.c = 0;
		s.d = 2047;
		s.on = 0;
		s.e = 1;
		s.f = 4194303;
		r = v_bfp(&s);
		X("v_bfp"); K("p"); TO(&s); ex_bf(&s); TOE(); XR(); I(r); XE();
	}
	for (int k = 1; k <= 2; k++) {
		struct bf r = v_ret_bf(k);
		X("v_ret_bf"); K("k"); I(k); XR(); ex_bf(&r); XE();
	}
	{
		struct anon s;
		memset(&s, 0, sizeof s);
		s.kind = 3;
		s.f = 2.5f;
		s.x = -11;
		s.y = 12;
		s.flags = 9;
		int r = v_anon(s);
		X("v_anon"); K("s"); ex_anon(&s); XR(); I(r); XE();
		r = v_anonp(&s);
		X("v_anonp"); K("p"); TO(&s); ex_anon(&s); TOE(); XR(); I(r); XE();
	}
	return 0;
}
