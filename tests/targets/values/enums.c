/* v_enums: enums by name: a plain enum (its enumerators are not all powers
 * of two: WHITE is 3) with known and unknown values, a flags enum (every
 * enumerator 0 or a power of two) with one, several and unknown bits, a
 * signed enum, enums as returns and as struct members, a typedef'd enum.
 * Usage: v_enums [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

enum color { RED, GREEN, BLUE, WHITE };
enum perm { P_NONE = 0, P_READ = 1, P_WRITE = 2, P_EXEC = 4, P_SYNC = 0x100 };
enum sgn { NEG = -2, ZERO = 0, POS = 3 };
typedef enum color color_t;
struct pix { enum color c; enum perm p; int n; };

TRACED enum color v_color(enum color c) { return (enum color)((c + 1) % 4); }
TRACED enum perm v_perm(enum perm p) { return (enum perm)(p & ~P_WRITE); }
TRACED enum sgn v_sgn(enum sgn s) { return s == NEG ? POS : NEG; }
TRACED color_t v_tcolor(color_t c, int k) { return (color_t)(c + k); }
TRACED int v_pix(struct pix p) { return (int)p.c + (int)p.p + p.n; }

static const char *color_name(int c)
{
	static const char *names[] = { "RED", "GREEN", "BLUE", "WHITE" };
	return c >= 0 && c < 4 ? names[c] : NULL;
}

static void ex_color(int c)
{
	if (color_name(c))
		JS(color_name(c));
	else
		I(c);
}

/* flag names in enumerator order, then unknown bits in hex */
static void ex_perm(unsigned p)
{
	static const struct { unsigned v; const char *n; } f[] = {
		{ P_READ, "P_READ" }, { P_WRITE, "P_WRITE" }, { P_EXEC, "P_EXEC" }, { P_SYNC, "P_SYNC" },
	};
	char buf[128] = "";
	if (p == 0) {
		JS("P_NONE");
		return;
	}
	for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++) {
		if (p & f[k].v) {
			if (buf[0])
				strcat(buf, "|");
			strcat(buf, f[k].n);
			p &= ~f[k].v;
		}
	}
	if (p)
		sprintf(buf + strlen(buf), "%s0x%x", buf[0] ? "|" : "", p);
	JS(buf);
}

static void ex_sgn(int s)
{
	if (s == NEG)
		JS("NEG");
	else if (s == ZERO)
		JS("ZERO");
	else if (s == POS)
		JS("POS");
	else
		I(s);
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_color, (void *)v_perm, (void *)v_sgn, (void *)v_tcolor, (void *)v_pix);
	VX_START();

	{
		int cs[] = { RED, GREEN, WHITE, 7, 3 };
		for (int k = 0; k < 5; k++) {
			enum color r = v_color((enum color)cs[k]);
			X("v_color"); K("c"); ex_color(cs[k]); XR(); ex_color(r); XE();
		}
	}
	{
		/* flags with a known bit and an unknown one: the unknown bit is
		 * only ever shown next to a name (alone, 0x40 could be a number) */
		unsigned ps[] = { P_NONE, P_READ, P_READ | P_WRITE, P_READ | P_WRITE | P_EXEC,
				  P_EXEC | P_SYNC, P_READ | 0x40, P_WRITE | P_SYNC | 0x10 | 0x20000 };
		for (unsigned k = 0; k < sizeof ps / sizeof ps[0]; k++) {
			enum perm r = v_perm((enum perm)ps[k]);
			X("v_perm"); K("p"); ex_perm(ps[k]); XR(); ex_perm(r); XE();
		}
	}
	{
		int ss[] = { NEG, ZERO, POS, -5 };
		for (int k = 0; k < 4; k++) {
			enum sgn r = v_sgn((enum sgn)ss[k]);
			X("v_sgn"); K("s"); ex_sgn(ss[k]); XR(); ex_sgn(r); XE();
		}
	}
	{
		color_t r = v_tcolor(BLUE, 1);
		X("v_tcolor"); K("c"); ex_color(BLUE); K("k"); I(1); XR(); ex_color(r); XE();
		r = v_tcolor(BLUE, 10);
		X("v_tcolor"); K("c"); ex_color(BLUE); K("k"); I(10); XR(); ex_color(r); XE();
	}
	{
		struct pix p = { WHITE, P_READ | P_EXEC, -3 };
		int r = v_pix(p);
		X("v_pix"); K("p"); O(); K("c"); ex_color(p.c); K("p"); ex_perm(p.p); K("n"); I(p.n); OE();
		XR(); I(r); XE();
	}
	return 0;
}
