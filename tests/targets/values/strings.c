/* v_strings: strings with every byte value 1..255 (across calls), valid
 * UTF-8 and the ways to be invalid, empty, NULL, lengths around the string
 * limits the tests use (-s 8 and the default 64), an unreadable char *
 * (never dereferenced here), unsigned char *, signed char *, char *,
 * strings as returns and inside a struct.
 * Usage: v_strings [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct msg { int id; const char *text; };

TRACED size_t v_str(const char *s) { return s ? strlen(s) : 0; }
TRACED int v_ustr(const unsigned char *u, signed char *s, char *c) { return (u ? u[0] : 0) + (s ? s[0] : 0) + (c ? c[0] : 0); }
TRACED int v_bad(const char *s, int after) { return s == NULL ? after : after + 1; }
TRACED const char *v_retstr(int i)
{
	static const char *r[] = { "ret\tstring", "", NULL, "\xff\xfe" };
	return r[i];
}
TRACED int v_msg(struct msg m) { return m.id; }

static void one(const char *s)
{
	size_t r = v_str(s);
	X("v_str"); K("s"); S(s); XR(); U(r); XE();
}

static char *filled(size_t n)
{
	char *s = malloc(n + 1);
	for (size_t k = 0; k < n; k++)
		s[k] = (char)('a' + k % 26);
	s[n] = 0;
	return s;
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_str, (void *)v_ustr, (void *)v_bad, (void *)v_retstr, (void *)v_msg);
	VX_START();

	/* every byte value 1..255: 8 strings of 32 bytes (the last of 31) */
	for (int start = 1; start < 256; start += 32) {
		char buf[33];
		int n = 0;
		for (int c = start; c < start + 32 && c < 256; c++)
			buf[n++] = (char)c;
		buf[n] = 0;
		one(buf);
	}
	/* the same bytes in descending order: other neighbours for 0x80-0xff */
	for (int start = 255; start > 0; start -= 32) {
		char buf[33];
		int n = 0;
		for (int c = start; c > start - 32 && c > 0; c--)
			buf[n++] = (char)c;
		buf[n] = 0;
		one(buf);
	}
	/* valid UTF-8: 2, 3 and 4-byte sequences */
	one("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \xf4\x8f\xbf\xbf \xdf\xbf");
	/* invalid: lone continuation, overlong, surrogate, beyond U+10FFFF,
	 * truncated sequences, bytes that never occur */
	one("\x80");
	one("a\xbfz");
	one("\xc0\xaf");
	one("\xc1\xbf");
	one("\xe0\x80\xaf");
	one("\xed\xa0\x80");
	one("\xf4\x90\x80\x80");
	one("\xf8\x88\x80\x80\x80");
	one("\xe2\x82" "A");
	one("\xf0\x9f\x98");
	one("\xfe\xff");
	one("x\xc3");
	one("");
	one(NULL);
	/* around -s 8 and the default 64 */
	size_t lens[] = { 7, 8, 9, 63, 64, 65, 200 };
	for (unsigned k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		char *s = filled(lens[k]);
		one(s);
		free(s);
	}
	/* é split by -s 8: 7 ASCII bytes, then c3 a9 */
	one("abcdefg\xc3\xa9");
	{
		const unsigned char u[] = "unsigned \xe9";
		signed char s[] = "signed";
		char c[] = "plain";
		int r = v_ustr(u, s, c);
		X("v_ustr"); K("u"); S(u); K("s"); S(s); K("c"); S(c); XR(); I(r); XE();
		r = v_ustr(NULL, NULL, NULL);
		X("v_ustr"); K("u"); NUL(); K("s"); NUL(); K("c"); NUL(); XR(); I(r); XE();
	}
	{
		/* never dereferenced */
		const char *bad[] = { (const char *)1, (const char *)0x10, (const char *)(uintptr_t)-4096 };
		for (int k = 0; k < 3; k++) {
			int r = v_bad(bad[k], k);
			X("v_bad"); K("s"); BAD(bad[k]); K("after"); I(k); XR(); I(r); XE();
		}
	}
	for (int i = 0; i < 4; i++) {
		const char *r = v_retstr(i);
		X("v_retstr"); K("i"); I(i); XR(); S(r); XE();
	}
	{
		struct msg m = { 42, "in a struct\n" };
		int r = v_msg(m);
		X("v_msg"); K("m"); O(); K("id"); I(42); K("text"); S(m.text); OE(); XR(); I(r); XE();
		m.text = NULL;
		r = v_msg(m);
		X("v_msg"); K("m"); O(); K("id"); I(42); K("text"); NUL(); OE(); XR(); I(r); XE();
	}
	return 0;
}
