/* v_floats: float, double and long double arguments and returns, more
 * float arguments than vector registers, signed zeros, infinities, NaN,
 * subnormals and extremes.  Usage: v_floats [-w]; prints "expect" lines
 * (vexpect.h). */
#include "vexpect.h"

TRACED float v_f32(float x) { return x * -2.0f; }
TRACED double v_f64(double x) { return x * -2.0; }
TRACED long double v_ld(long double x) { return x * -2.0L; }
TRACED float v_f32_2(float a, float b) { return a - b; }
/* 11 vector-class arguments: the last three on the stack on x86-64 */
TRACED double v_fmany(double a0, double a1, double a2, double a3, double a4, double a5,
		      double a6, double a7, double a8, double a9, float f)
{
	return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 * 3 + a9 * 5 + f * 7;
}
/* 10 floats: the last two on the stack on x86-64 */
TRACED float v_fmany32(float a0, float a1, float a2, float a3, float a4, float a5,
		       float a6, float a7, float a8, float a9)
{
	return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 * 3 + a9 * 5;
}
/* long double: on the stack (x86-64 x87 class) or in q registers (aarch64) */
TRACED long double v_ldmix(float a, long double b, double c, long double d, float e)
{
	return a + b * 2 + c * 3 + d * 4 + e * 5;
}
TRACED double v_ret_f64(int i) { return i / 3.0; }
TRACED float v_ret_f32(int i) { return (float)i / 3.0f; }
TRACED long double v_ret_ld(int i) { return i / 3.0L; }

int main(int argc, char **argv)
{
	VX_FNS((void *)v_f32, (void *)v_f64, (void *)v_ld, (void *)v_f32_2, (void *)v_fmany,
	       (void *)v_fmany32, (void *)v_ldmix, (void *)v_ret_f64, (void *)v_ret_f32, (void *)v_ret_ld);
	VX_START();

	float f32s[] = { 0.1f, 1.5f, -0.0f, 0.0f, 1.0f / 3, 16777216.0f, 1e30f, -1e-30f, FLT_MAX,
			 FLT_MIN, FLT_TRUE_MIN, 3 * FLT_TRUE_MIN, INFINITY, -INFINITY, NAN, 123456789.0f, 100.0f };
	for (unsigned k = 0; k < sizeof f32s / sizeof f32s[0]; k++) {
		float r = v_f32(f32s[k]);
		X("v_f32"); K("x"); F32(f32s[k]); XR(); F32(r); XE();
	}
	double f64s[] = { 0.1, 1.5, -0.0, 1.0 / 3, M_PI, 1e300, -1e-300, DBL_MAX, DBL_MIN,
			  DBL_TRUE_MIN, 5 * DBL_TRUE_MIN, INFINITY, -INFINITY, NAN, 9007199254740993.0,
			  0.30000000000000004, 1e23, 100.0 };
	for (unsigned k = 0; k < sizeof f64s / sizeof f64s[0]; k++) {
		double r = v_f64(f64s[k]);
		X("v_f64"); K("x"); F64(f64s[k]); XR(); F64(r); XE();
	}
	long double lds[] = { 0.1L, 1.5L, -0.0L, 1.0L / 3, 1e4000L, -1e-4000L, LDBL_MAX, LDBL_MIN,
			      LDBL_TRUE_MIN, INFINITY, -INFINITY, NAN, 0.1L + 1e-19L, 100.0L };
	for (unsigned k = 0; k < sizeof lds / sizeof lds[0]; k++) {
		long double r = v_ld(lds[k]);
		X("v_ld"); K("x"); FLD(lds[k]); XR(); FLD(r); XE();
	}
	{
		float r = v_f32_2(2.5f, -0.25f);
		X("v_f32_2"); K("a"); F32(2.5f); K("b"); F32(-0.25f); XR(); F32(r); XE();
	}
	{
		double a[10] = { 0.5, -1.25, 2.0, 3.75, -4.5, 5.0625, 6.1, -7.7, 8.8, 9.9 };
		float f = -0.1f;
		double r = v_fmany(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], f);
		static const char *names[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9" };
		X("v_fmany");
		for (int k = 0; k < 10; k++) {
			K(names[k]); F64(a[k]);
		}
		K("f"); F32(f); XR(); F64(r); XE();
	}
	{
		float a[10] = { 0.5f, -1.25f, 2.0f, 3.75f, -4.5f, 5.0625f, 6.1f, -7.7f, 8.8f, 9.9f };
		float r = v_fmany32(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
		static const char *names[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9" };
		X("v_fmany32");
		for (int k = 0; k < 10; k++) {
			K(names[k]); F32(a[k]);
		}
		XR(); F32(r); XE();
	}
	{
		float a = 1.25f, e = -3.5f;
		long double b = 0.1L, d = -1e-300L;
		double c = 2.2;
		long double r = v_ldmix(a, b, c, d, e);
		X("v_ldmix"); K("a"); F32(a); K("b"); FLD(b); K("c"); F64(c); K("d"); FLD(d); K("e"); F32(e);
		XR(); FLD(r); XE();
	}
	for (int i = -1; i <= 2; i++) {
		double r = v_ret_f64(i);
		X("v_ret_f64"); K("i"); I(i); XR(); F64(r); XE();
		float r32 = v_ret_f32(i);
		X("v_ret_f32"); K("i"); I(i); XR(); F32(r32); XE();
		long double rl = v_ret_ld(i);
		X("v_ret_ld"); K("i"); I(i); XR(); FLD(rl); XE();
	}
	return 0;
}
