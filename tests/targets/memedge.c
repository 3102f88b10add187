/* memedge: arguments at the edge of readable memory, for the value decoder.
 *
 * Usage: memedge
 * Maps two pages, the second PROT_NONE (a guard page), and calls:
 *   edge_str(s)     s: the 6 bytes "abcdef" that end the readable page,
 *                   with no terminator before the guard page
 *   edge_gone(n)    n: a struct node * into the guard page
 *   edge_node(n)    n: a struct node whose v is the readable page's last
 *                   int and whose next and self are in the guard page
 *   walk(n, k)      n: a ring of 3 nodes (next: 0 -> 1 -> 2 -> 0, self:
 *                   each its own address), k = 3
 * Prints "pid N", one line per call with its result, then
 *   checksum C
 * (the same in every run) and exits 0 only if every result was right.
 */
#include <sys/mman.h>
#include "common.h"

struct node {
	int v;
	struct node *next;
	struct node *self;
};

TRACED int edge_str(const char *s) { return (int)strnlen(s, 6); }
TRACED int edge_node(const struct node *n) { return n->v; }
TRACED long edge_gone(const struct node *n) { return (long)((uintptr_t)n & 0xfff); }

TRACED int walk(const struct node *n, int k)
{
	int sum = 0;

	for (int i = 0; i < k; i++, n = n->next)
		sum += n->v * (n->self == n);
	return sum;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct node ring[3];
	unsigned long sum = 0;
	int bad = 0;

	if (m == MAP_FAILED || mprotect(m + pg, (size_t)pg, PROT_NONE) != 0) {
		perror("memedge: mmap");
		return 2;
	}
	t_print_pid(stdout);
	char *s = m + pg - 6;
	memcpy(s, "abcdef", 6);
	int r = edge_str(s);
	printf("edge_str -> %d\n", r);
	bad += r != 6;
	sum = sum * 31 + (unsigned)r;

	long l = edge_gone((const struct node *)(m + pg + 16));
	printf("edge_gone -> %ld\n", l);
	bad += l != 16;
	sum = sum * 31 + (unsigned long)l;

	/* v is the page's last int; the pointers after it are past the end */
	struct node *n = (struct node *)(m + pg - sizeof(int));
	n->v = 41;
	r = edge_node(n);
	printf("edge_node -> %d\n", r);
	bad += r != 41;
	sum = sum * 31 + (unsigned)r;

	for (int i = 0; i < 3; i++)
		ring[i] = (struct node){ .v = i + 1, .next = &ring[(i + 1) % 3], .self = &ring[i] };
	r = walk(&ring[0], 3);
	printf("walk -> %d\n", r);
	bad += r != 6;
	sum = sum * 31 + (unsigned)r;
	printf("checksum %lx bad %d\n", sum, bad);
	return bad ? 1 : 0;
}
