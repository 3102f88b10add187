/* v_unions: unions by value (integer class, vector class on x86-64, a
 * struct member) and returned by value; every member is shown, each read
 * from the same bytes.  Usage: v_unions [-w]; prints "expect" lines
 * (vexpect.h). */
#include "vexpect.h"

struct ii { int x, y; };
union u_if { int i; float f; };
union u_dl { double d; long l; };
union u_fd { float f; double d; };
union u_s { struct ii p; long l; short s[4]; };

TRACED int v_uif(union u_if u, int after) { return u.i + after; }
TRACED long v_udl(union u_dl u) { return u.l; }
TRACED double v_ufd(union u_fd u, double after) { return u.d + after; }
TRACED long v_us(union u_s u, union u_if v) { return u.l + v.i; }
TRACED union u_if v_ret_uif(int k) { union u_if r; r.i = k; return r; }
TRACED union u_dl v_ret_udl(double k) { union u_dl r; r.d = k; return r; }

static void ex_uif(union u_if u) { O(); K("i"); I(u.i); K("f"); F32(u.f); OE(); }
static void ex_udl(union u_dl u) { O(); K("d"); F64(u.d); K("l"); I(u.l); OE(); }
static void ex_ufd(union u_fd u) { O(); K("f"); F32(u.f); K("d"); F64(u.d); OE(); }
static void ex_us(union u_s u)
{
	O(); K("p"); O(); K("x"); I(u.p.x); K("y"); I(u.p.y); OE(); K("l"); I(u.l);
	K("s"); L(); for (int k = 0; k < 4; k++) I(u.s[k]); LE(); OE();
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_uif, (void *)v_udl, (void *)v_ufd, (void *)v_us, (void *)v_ret_uif,
	       (void *)v_ret_udl);
	VX_START();

	{
		union u_if u;
		u.f = 1.5f;
		int r = v_uif(u, 1);
		X("v_uif"); K("u"); ex_uif(u); K("after"); I(1); XR(); I(r); XE();
		u.i = -1;   /* all bits set: a NaN as a float */
		r = v_uif(u, 2);
		X("v_uif"); K("u"); ex_uif(u); K("after"); I(2); XR(); I(r); XE();
	}
	{
		union u_dl u;
		u.d = -3.25;
		long r = v_udl(u);
		X("v_udl"); K("u"); ex_udl(u); XR(); I(r); XE();
	}
	{
		union u_fd u;
		u.d = 1e10;
		double r = v_ufd(u, 0.5);
		X("v_ufd"); K("u"); ex_ufd(u); K("after"); F64(0.5); XR(); F64(r); XE();
	}
	{
		union u_s u;
		u.p.x = 0x1234;
		u.p.y = -2;
		union u_if v;
		v.i = 0x3f800000;   /* 1.0f */
		long r = v_us(u, v);
		X("v_us"); K("u"); ex_us(u); K("v"); ex_uif(v); XR(); I(r); XE();
	}
	{
		union u_if a = v_ret_uif(0x40490fdb);
		X("v_ret_uif"); K("k"); I(0x40490fdb); XR(); ex_uif(a); XE();
		union u_dl b = v_ret_udl(-0.0);
		X("v_ret_udl"); K("k"); F64(-0.0); XR(); ex_udl(b); XE();
	}
	return 0;
}
