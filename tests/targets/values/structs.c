/* v_structs: structs passed and returned by value, in every ABI class:
 * integer registers, vector registers, both, memory (x86-64) or by
 * reference (aarch64 > 16 bytes), homogeneous float aggregates, a struct
 * that no longer fits in the registers left (it goes on the stack and the
 * next scalar may still take a register), struct arguments after struct
 * arguments, and returns in registers and in memory (x86-64 rdi/rax,
 * aarch64 x8: the value is read at the return trap).
 * Usage: v_structs [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct ii { int x, y; };
struct dd { double a, b; };
struct fff { float a, b, c; };
struct dl { double d; long l; };
struct ld { long l; double d; };
struct csi { char c; short s; int i; };
struct big { long a, b, c; int d; };
struct hfa4 { float a, b, c, d; };
struct hfa3d { double a, b, c; };
struct ll { long a, b; };
struct fd { float f; double d; };

TRACED int v_ii(struct ii s, int after) { return s.x * 10 + s.y + after; }
TRACED double v_dd(struct dd s, double after) { return s.a - s.b + after; }
TRACED float v_fff(struct fff s, float after) { return s.a + s.b * s.c + after; }
TRACED long v_dl_ld(struct dl s, struct ld t) { return (long)s.d + s.l + t.l + (long)t.d; }
TRACED int v_csi(struct csi s, int after) { return s.c + s.s + s.i + after; }
TRACED long v_big(struct big b, int after) { return b.a + b.b + b.c + b.d + after; }
TRACED float v_hfa4(struct hfa4 h, float after) { return h.a + h.b + h.c + h.d + after; }
TRACED double v_hfa3d(struct hfa3d h, double after) { return h.a + h.b + h.c + after; }
TRACED double v_fd(struct fd s, int after) { return s.f + s.d + after; }
TRACED int v_after(struct dd a, struct big b, struct ii c, int after)
{
	return (int)a.a + (int)b.a + c.x + after;
}
/* five integer registers taken: s needs two, goes on the stack */
TRACED long v_spill_int(long a, long b, long c, long d, long e, struct ll s, long f)
{
	return a + b + c + d + e + s.a * 2 + s.b * 3 + f * 4;
}
/* seven vector registers taken on x86-64: s needs two */
TRACED double v_spill_sse(double a, double b, double c, double d, double e, double f, double g,
			  struct dd s, double h)
{
	return a + b + c + d + e + f + g + s.a * 2 + s.b * 3 + h * 4;
}
TRACED struct ii v_ret_ii(int k) { struct ii r = { k, -k }; return r; }
TRACED struct dd v_ret_dd(double k) { struct dd r = { k, k / 4 }; return r; }
TRACED struct fff v_ret_fff(float k) { struct fff r = { k, k * 2, -k }; return r; }
TRACED struct dl v_ret_dl(long k) { struct dl r = { k / 8.0, k * 3 }; return r; }
TRACED struct ld v_ret_ld(long k) { struct ld r = { k * 5, k / 16.0 }; return r; }
TRACED struct csi v_ret_csi(int k) { struct csi r = { (char)('a' + k), (short)(-300 * k), 70000 * k }; return r; }
TRACED struct hfa4 v_ret_hfa4(float k) { struct hfa4 r = { k, k + 1, k + 2, k + 3 }; return r; }
TRACED struct hfa3d v_ret_hfa3d(double k) { struct hfa3d r = { k, k * 10, k * 100 }; return r; }
TRACED struct big v_ret_big(long k) { struct big r = { k, k * 2, k * 3, (int)-k }; return r; }
TRACED struct big v_ret_big2(struct big b, int k)
{
	struct big r = { b.d + k, b.c, b.b, (int)b.a };
	return r;
}
TRACED struct ll v_ret_ll(long a, long b) { struct ll r = { b, a }; return r; }

static void ex_ii(struct ii s) { O(); K("x"); I(s.x); K("y"); I(s.y); OE(); }
static void ex_dd(struct dd s) { O(); K("a"); F64(s.a); K("b"); F64(s.b); OE(); }
static void ex_fff(struct fff s) { O(); K("a"); F32(s.a); K("b"); F32(s.b); K("c"); F32(s.c); OE(); }
static void ex_dl(struct dl s) { O(); K("d"); F64(s.d); K("l"); I(s.l); OE(); }
static void ex_ld(struct ld s) { O(); K("l"); I(s.l); K("d"); F64(s.d); OE(); }
static void ex_csi(struct csi s) { O(); K("c"); CH(s.c); K("s"); I(s.s); K("i"); I(s.i); OE(); }
static void ex_big(struct big s)
{
	O(); K("a"); I(s.a); K("b"); I(s.b); K("c"); I(s.c); K("d"); I(s.d); OE();
}
static void ex_hfa4(struct hfa4 s)
{
	O(); K("a"); F32(s.a); K("b"); F32(s.b); K("c"); F32(s.c); K("d"); F32(s.d); OE();
}
static void ex_hfa3d(struct hfa3d s) { O(); K("a"); F64(s.a); K("b"); F64(s.b); K("c"); F64(s.c); OE(); }
static void ex_ll(struct ll s) { O(); K("a"); I(s.a); K("b"); I(s.b); OE(); }
static void ex_fd(struct fd s) { O(); K("f"); F32(s.f); K("d"); F64(s.d); OE(); }

int main(int argc, char **argv)
{
	VX_FNS((void *)v_ii, (void *)v_dd, (void *)v_fff, (void *)v_dl_ld, (void *)v_csi, (void *)v_big,
	       (void *)v_hfa4, (void *)v_hfa3d, (void *)v_fd, (void *)v_after, (void *)v_spill_int,
	       (void *)v_spill_sse, (void *)v_ret_ii, (void *)v_ret_dd, (void *)v_ret_fff,
	       (void *)v_ret_dl, (void *)v_ret_ld, (void *)v_ret_csi, (void *)v_ret_hfa4,
	       (void *)v_ret_hfa3d, (void *)v_ret_big, (void *)v_ret_big2, (void *)v_ret_ll);
	VX_START();

	{
		struct ii s = { 3, -4 };
		int r = v_ii(s, 99);
		X("v_ii"); K("s"); ex_ii(s); K("after"); I(99); XR(); I(r); XE();
	}
	{
		struct dd s = { 0.1, -2.5 };
		double r = v_dd(s, 1e-5);
		X("v_dd"); K("s"); ex_dd(s); K("after"); F64(1e-5); XR(); F64(r); XE();
	}
	{
		struct fff s = { 1.5f, -0.1f, 3.0f };
		float r = v_fff(s, 0.25f);
		X("v_fff"); K("s"); ex_fff(s); K("after"); F32(0.25f); XR(); F32(r); XE();
	}
	{
		struct dl s = { 2.75, -77 };
		struct ld t = { 1000000000000L, -0.5 };
		long r = v_dl_ld(s, t);
		X("v_dl_ld"); K("s"); ex_dl(s); K("t"); ex_ld(t); XR(); I(r); XE();
	}
	{
		struct csi s = { 'Q', -1234, 567890 };
		int r = v_csi(s, -1);
		X("v_csi"); K("s"); ex_csi(s); K("after"); I(-1); XR(); I(r); XE();
	}
	{
		struct big b = { 1, -2, 3000000000L, -4 };
		long r = v_big(b, 55);
		X("v_big"); K("b"); ex_big(b); K("after"); I(55); XR(); I(r); XE();
	}
	{
		struct hfa4 h = { 0.5f, -1.5f, 2.5f, 1e-3f };
		float r = v_hfa4(h, 10.0f);
		X("v_hfa4"); K("h"); ex_hfa4(h); K("after"); F32(10.0f); XR(); F32(r); XE();
	}
	{
		struct hfa3d h = { 0.1, 0.2, 0.3 };
		double r = v_hfa3d(h, -1.0);
		X("v_hfa3d"); K("h"); ex_hfa3d(h); K("after"); F64(-1.0); XR(); F64(r); XE();
	}
	{
		struct fd s = { 0.75f, -1e100 };
		double r = v_fd(s, 3);
		X("v_fd"); K("s"); ex_fd(s); K("after"); I(3); XR(); F64(r); XE();
	}
	{
		struct dd a = { 7.5, 8.5 };
		struct big b = { 11, 12, 13, 14 };
		struct ii c = { 21, 22 };
		int r = v_after(a, b, c, 31);
		X("v_after"); K("a"); ex_dd(a); K("b"); ex_big(b); K("c"); ex_ii(c); K("after"); I(31);
		XR(); I(r); XE();
	}
	{
		struct ll s = { 0x1111111111L, -0x2222222222L };
		long r = v_spill_int(1, 2, 3, 4, 5, s, 6);
		X("v_spill_int"); K("a"); I(1); K("b"); I(2); K("c"); I(3); K("d"); I(4); K("e"); I(5);
		K("s"); ex_ll(s); K("f"); I(6); XR(); I(r); XE();
	}
	{
		struct dd s = { -0.125, 64.0 };
		double r = v_spill_sse(1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, s, 8.5);
		X("v_spill_sse"); K("a"); F64(1.5); K("b"); F64(2.5); K("c"); F64(3.5); K("d"); F64(4.5);
		K("e"); F64(5.5); K("f"); F64(6.5); K("g"); F64(7.5); K("s"); ex_dd(s); K("h"); F64(8.5);
		XR(); F64(r); XE();
	}
	for (int k = 1; k <= 2; k++) {
		struct ii a = v_ret_ii(k * 7);
		X("v_ret_ii"); K("k"); I(k * 7); XR(); ex_ii(a); XE();
		struct dd b = v_ret_dd(k * 0.3);
		X("v_ret_dd"); K("k"); F64(k * 0.3); XR(); ex_dd(b); XE();
		struct fff c = v_ret_fff(k * 0.7f);
		X("v_ret_fff"); K("k"); F32(k * 0.7f); XR(); ex_fff(c); XE();
		struct dl d = v_ret_dl(k * -9L);
		X("v_ret_dl"); K("k"); I(k * -9L); XR(); ex_dl(d); XE();
		struct ld e = v_ret_ld(k * 11L);
		X("v_ret_ld"); K("k"); I(k * 11L); XR(); ex_ld(e); XE();
		struct csi f = v_ret_csi(k);
		X("v_ret_csi"); K("k"); I(k); XR(); ex_csi(f); XE();
		struct hfa4 g = v_ret_hfa4(k * 0.1f);
		X("v_ret_hfa4"); K("k"); F32(k * 0.1f); XR(); ex_hfa4(g); XE();
		struct hfa3d h = v_ret_hfa3d(k * 0.01);
		X("v_ret_hfa3d"); K("k"); F64(k * 0.01); XR(); ex_hfa3d(h); XE();
		struct big i = v_ret_big(k * 1000000000001L);
		X("v_ret_big"); K("k"); I(k * 1000000000001L); XR(); ex_big(i); XE();
		struct big in = { -1, -2, -3, k };
		struct big j = v_ret_big2(in, 40 + k);
		X("v_ret_big2"); K("b"); ex_big(in); K("k"); I(40 + k); XR(); ex_big(j); XE();
		struct ll l = v_ret_ll(k, -k * 100000000000L);
		X("v_ret_ll"); K("a"); I(k); K("b"); I(-k * 100000000000L); XR(); ex_ll(l); XE();
	}
	return 0;
}
