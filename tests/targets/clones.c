/* clones: static functions that GCC at -O2 specialises into clones with
 * their own calling convention (.constprop, .isra), which latch must
 * name as such and show only where DWARF says the values are.
 *
 * Prints "pid N", then per call "call NAME a=A p.a=PA -> R", NAME without
 * the clone suffix.
 */
#include "common.h"

struct s { int a, b; };

/* every caller passes factor 7 and tag "xy": constant propagation drops
 * them from the clone's signature */
static __attribute__((noinline)) int scaled(const struct s *p, int factor,
					    const char *tag)
{
	return p->a * factor + (tag[0] == 'x');
}

/* b is never used: the clone's callers need not pass it */
static __attribute__((noinline)) int unused_second(int a, int b)
{
	(void)b;
	return a * 3;
}

int main(void)
{
	volatile int k = 3;
	struct s v = { 2, 5 };

	t_print_pid(stdout);
	for (int i = 0; i < 3; i++) {
		int r1, r2;

		v.a = i + 2;
		r1 = scaled(&v, 7, "xy");
		printf("call scaled a=0 p.a=%d -> %d\n", v.a, r1);
		r2 = unused_second(i, k);
		printf("call unused_second a=%d p.a=0 -> %d\n", i, r2);
	}
	return 0;
}
