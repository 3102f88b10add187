/* v_ints: integers of every width and signedness, chars as characters,
 * bool and _Bool, typedef'd integers, more integer arguments than
 * registers.  Usage: v_ints [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

typedef unsigned int my_id_t;
typedef long my_off_t;
typedef my_off_t my_off2_t;

TRACED char v_char(char c) { return c; }
TRACED unsigned char v_schar(signed char s, unsigned char u) { return (unsigned char)(u - (unsigned char)s); }
TRACED short v_short(short s, unsigned short us) { return (short)(s + (short)us); }
TRACED unsigned v_int(int i, unsigned u) { return u - (unsigned)i; }
TRACED long v_long(long l, unsigned long ul) { return l ^ (long)ul; }
TRACED unsigned long long v_llong(long long ll, unsigned long long ull) { return ull + (unsigned long long)ll; }
TRACED int64_t v_fixed(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g, uint64_t h)
{
	return a + b + c + d + e + (int64_t)f + g + (int64_t)h;
}
TRACED bool v_bool(bool b, _Bool c) { return b && !c; }
TRACED my_off2_t v_typedef(my_id_t id, my_off_t off, size_t n, ssize_t s) { return (long)id + off + (long)n + s; }
TRACED long v_many(int a, unsigned b, long c, short d, char e, unsigned long f, int g, long h, int i, unsigned short j)
{
	return a + b + c + d + e + (long)f + g + h + i + j;
}
/* narrow returns: the rest of the return register is not part of the value */
TRACED unsigned char v_ret_uchar(int x) { return (unsigned char)(x * 3); }
TRACED signed char v_ret_schar(int x) { return (signed char)(x * 3); }
TRACED short v_ret_short(long x) { return (short)(x * 5); }
TRACED unsigned short v_ret_ushort(long x) { return (unsigned short)(x * 5); }
TRACED int v_ret_int(long x) { return (int)(x * 7); }

static void one_char(char c)
{
	char r = v_char(c);
	X("v_char"); K("c"); CH(c); XR(); CH(r); XE();
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_char, (void *)v_schar, (void *)v_short, (void *)v_int, (void *)v_long,
	       (void *)v_llong, (void *)v_fixed, (void *)v_bool, (void *)v_typedef, (void *)v_many,
	       (void *)v_ret_uchar, (void *)v_ret_schar, (void *)v_ret_short, (void *)v_ret_ushort,
	       (void *)v_ret_int);
	VX_START();

	static const char chars[] = { 'a', '\0', '\n', '\t', '"', '\\', '\'', ' ', '~', '\x7f',
				      '\x01', '\x1f', '\x80', '\xa0', '\xe9', '\xff' };
	for (unsigned k = 0; k < sizeof chars; k++)
		one_char(chars[k]);

	{
		signed char s[] = { -128, -1, 0, 'z', 127 };
		unsigned char u[] = { 255, 0x80, 0, 'A', 10 };
		for (int k = 0; k < 5; k++) {
			unsigned char r = v_schar(s[k], u[k]);
			X("v_schar"); K("s"); CH(s[k]); K("u"); CH(u[k]); XR(); CH(r); XE();
		}
	}
	{
		short s[] = { SHRT_MIN, -1, 0, 12345, SHRT_MAX };
		unsigned short us[] = { USHRT_MAX, 1, 0, 40000, 2 };
		for (int k = 0; k < 5; k++) {
			short r = v_short(s[k], us[k]);
			X("v_short"); K("s"); I(s[k]); K("us"); U(us[k]); XR(); I(r); XE();
		}
	}
	{
		int i[] = { INT_MIN, -1, 0, 7, INT_MAX };
		unsigned u[] = { UINT_MAX, 0, 4000000000u, 1, 0x80000000u };
		for (int k = 0; k < 5; k++) {
			unsigned r = v_int(i[k], u[k]);
			X("v_int"); K("i"); I(i[k]); K("u"); U(u[k]); XR(); U(r); XE();
		}
	}
	{
		long l[] = { LONG_MIN, -1, 0, -1234567890123L, LONG_MAX };
		unsigned long ul[] = { ULONG_MAX, 0, 1, 0x8000000000000000UL, 99 };
		for (int k = 0; k < 5; k++) {
			long r = v_long(l[k], ul[k]);
			X("v_long"); K("l"); I(l[k]); K("ul"); U(ul[k]); XR(); I(r); XE();
		}
	}
	{
		long long ll[] = { LLONG_MIN, -42, LLONG_MAX };
		unsigned long long ull[] = { ULLONG_MAX, 42, 0 };
		for (int k = 0; k < 3; k++) {
			unsigned long long r = v_llong(ll[k], ull[k]);
			X("v_llong"); K("ll"); I(ll[k]); K("ull"); U(ull[k]); XR(); U(r); XE();
		}
	}
	{
		/* int8_t and uint8_t are signed char and unsigned char: chars */
		int8_t a = -100;
		uint8_t b = 200;
		int16_t c = -30000;
		uint16_t d = 60000;
		int32_t e = -2000000000;
		uint32_t f = 3000000000u;
		int64_t g = INT64_MIN + 5;
		uint64_t h = UINT64_MAX - 5;
		int64_t r = v_fixed(a, b, c, d, e, f, g, h);
		X("v_fixed"); K("a"); CH(a); K("b"); CH(b); K("c"); I(c); K("d"); U(d); K("e"); I(e);
		K("f"); U(f); K("g"); I(g); K("h"); U(h); XR(); I(r); XE();
	}
	{
		bool bs[] = { true, false, true };
		_Bool cs[] = { false, true, true };
		for (int k = 0; k < 3; k++) {
			bool r = v_bool(bs[k], cs[k]);
			X("v_bool"); K("b"); B(bs[k]); K("c"); B(cs[k]); XR(); B(r); XE();
		}
	}
	{
		my_id_t id = 4000000000u;
		my_off_t off = -5000000000L;
		size_t n = (size_t)-1 / 4;
		ssize_t s = -7;
		my_off2_t r = v_typedef(id, off, n, s);
		X("v_typedef"); K("id"); U(id); K("off"); I(off); K("n"); U(n); K("s"); I(s); XR(); I(r); XE();
	}
	{
		long r = v_many(-1, 2000000000u, -3000000000L, -4, 'e', 6000000000UL, -7, 8, -9, 65535);
		X("v_many"); K("a"); I(-1); K("b"); U(2000000000u); K("c"); I(-3000000000L); K("d"); I(-4);
		K("e"); CH('e'); K("f"); U(6000000000UL); K("g"); I(-7); K("h"); I(8); K("i"); I(-9);
		K("j"); U(65535); XR(); I(r); XE();
	}
	{
		long xs[] = { 100, -100, 0x12345, -70000 };
		for (int k = 0; k < 4; k++) {
			unsigned char a = v_ret_uchar((int)xs[k]);
			X("v_ret_uchar"); K("x"); I((int)xs[k]); XR(); CH(a); XE();
			signed char b = v_ret_schar((int)xs[k]);
			X("v_ret_schar"); K("x"); I((int)xs[k]); XR(); CH(b); XE();
			short c = v_ret_short(xs[k] * 1000);
			X("v_ret_short"); K("x"); I(xs[k] * 1000); XR(); I(c); XE();
			unsigned short d = v_ret_ushort(xs[k] * 1000);
			X("v_ret_ushort"); K("x"); I(xs[k] * 1000); XR(); U(d); XE();
			int e = v_ret_int(xs[k] * 100000000L);
			X("v_ret_int"); K("x"); I(xs[k] * 100000000L); XR(); I(e); XE();
		}
	}
	return 0;
}
