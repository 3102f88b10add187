/* v_mixed: integer and float arguments interleaved, more of each than the
 * ABI has registers for (9 integer-class and 10 vector-class arguments),
 * and a variadic function.  Usage: v_mixed [-w]; prints "expect" lines
 * (vexpect.h). */
#include "vexpect.h"
#include <stdarg.h>

TRACED double v_mix(int a, double b, long c, float d, short e, double f, unsigned g, float h,
		    long i, double j, char k, double l, int m, float n, double o, long p,
		    double q, float r, unsigned long s)
{
	return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r + (double)s;
}
TRACED int v_mix_ret_int(float a, int b, double c, int d) { return (int)(a * b + c * d); }
TRACED long v_ints_then_floats(long a, long b, long c, long d, long e, long f, long g,
			       double x, double y)
{
	return a + b + c + d + e + f + g + (long)(x * y);
}
TRACED int v_var(int n, ...)
{
	va_list ap;
	int s = 0;
	va_start(ap, n);
	for (int k = 0; k < n; k++)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_mix, (void *)v_mix_ret_int, (void *)v_ints_then_floats, (void *)v_var);
	VX_START();

	{
		double r = v_mix(-1, 0.5, 2000000000000L, -1.5f, -3, 1e-10, 4000000000u, 0.1f,
				 -5, -2.25, 'k', 1e20, 7, 3.0f / 7, -0.0, 9, 10.5, -11.75f, 12);
		X("v_mix"); K("a"); I(-1); K("b"); F64(0.5); K("c"); I(2000000000000L); K("d"); F32(-1.5f);
		K("e"); I(-3); K("f"); F64(1e-10); K("g"); U(4000000000u); K("h"); F32(0.1f); K("i"); I(-5);
		K("j"); F64(-2.25); K("k"); CH('k'); K("l"); F64(1e20); K("m"); I(7); K("n"); F32(3.0f / 7);
		K("o"); F64(-0.0); K("p"); I(9); K("q"); F64(10.5); K("r"); F32(-11.75f); K("s"); U(12);
		XR(); F64(r); XE();
	}
	{
		int r = v_mix_ret_int(2.5f, 4, -1.75, 8);
		X("v_mix_ret_int"); K("a"); F32(2.5f); K("b"); I(4); K("c"); F64(-1.75); K("d"); I(8);
		XR(); I(r); XE();
	}
	{
		long r = v_ints_then_floats(1, -2, 3, -4, 5, -6, 7, 1.5, -4.0);
		X("v_ints_then_floats"); K("a"); I(1); K("b"); I(-2); K("c"); I(3); K("d"); I(-4); K("e"); I(5);
		K("f"); I(-6); K("g"); I(7); K("x"); F64(1.5); K("y"); F64(-4.0); XR(); I(r); XE();
	}
	{
		int r = v_var(3, 10, 20, 30);
		X("v_var"); K("n"); I(3); K("..."); JS("..."); XR(); I(r); XE();
	}
	return 0;
}
