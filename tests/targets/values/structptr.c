/* v_structptr: pointers to structs and unions, followed one level: nested
 * struct members shown, pointers inside the pointee not followed (char *
 * inside still a string, a function pointer inside still symbolised), NULL,
 * a pointer that cannot be read (the target never dereferences it), a
 * followed pointer as the return value, a struct by value holding a struct
 * pointer (followed: no pointer was followed before it on that path), and
 * pointers that are never followed (void *, struct **).
 * Usage: v_structptr [-w]; prints "expect" lines (vexpect.h). */
#include "vexpect.h"

struct inner { int a; short b; };
typedef struct inner inner_t;
struct node {
	int id;
	const char *name;
	struct inner in;
	int *ip;
	struct node *next;
	double w;
	void (*cb)(int);
};
struct holder { struct inner *pi; int k; };
union num { long l; double d; };

__attribute__((noinline, noipa, used)) void node_callback(int x) { (void)x; }

TRACED int v_node(const struct node *n) { return n ? n->id : -1; }
TRACED int v_node_bad(const struct node *n) { return n == NULL; }
TRACED int v_inner(const inner_t *p, struct inner *q) { return (p ? p->a : 0) + (q != NULL); }
TRACED struct node *v_next(struct node *n) { return n->next; }
TRACED int v_holder(struct holder h) { return h.pi->a + h.k; }
TRACED long v_num(union num *u) { return u->l; }
TRACED int v_never(void *v, struct node **pp) { return v == (void *)pp; }

static void ex_inner(const struct inner *s) { O(); K("a"); I(s->a); K("b"); I(s->b); OE(); }

/* A followed struct node: its pointers print as addresses (or strings for
 * char *, symbols for function pointers) and are not followed again. */
static void ex_node(const struct node *n)
{
	O(); K("id"); I(n->id); K("name"); S(n->name); K("in"); ex_inner(&n->in);
	K("ip"); P(n->ip); K("next"); P(n->next); K("w"); F64(n->w);
	K("cb");
	if (n->cb)
		SYM((const void *)n->cb, "node_callback");
	else
		NUL();
	OE();
}

static void ex_node_ptr(const struct node *n)
{
	if (!n) {
		NUL();
		return;
	}
	TO(n); ex_node(n); TOE();
}

int main(int argc, char **argv)
{
	VX_FNS((void *)v_node, (void *)v_node_bad, (void *)v_inner, (void *)v_next, (void *)v_holder,
	       (void *)v_num, (void *)v_never);
	VX_START();

	int local = 5;
	struct node tail = { 2, "tail", { -1, -2 }, NULL, NULL, -0.5, NULL };
	struct node head = { 1, "head\n\x80", { 100, 200 }, &local, &tail, 0.1, node_callback };
	{
		int r = v_node(&head);
		X("v_node"); K("n"); ex_node_ptr(&head); XR(); I(r); XE();
		r = v_node(&tail);
		X("v_node"); K("n"); ex_node_ptr(&tail); XR(); I(r); XE();
		r = v_node(NULL);
		X("v_node"); K("n"); NUL(); XR(); I(r); XE();
	}
	{
		/* never dereferenced: address 0x10 and a kernel address */
		const struct node *bad[] = { (const struct node *)0x10, (const struct node *)(uintptr_t)-4096 };
		for (int k = 0; k < 2; k++) {
			int r = v_node_bad(bad[k]);
			X("v_node_bad"); K("n"); BAD(bad[k]); XR(); I(r); XE();
		}
	}
	{
		inner_t a = { 7, 8 };
		struct inner *heap = malloc(sizeof *heap);
		heap->a = -9;
		heap->b = -10;
		int r = v_inner(&a, heap);
		X("v_inner"); K("p"); TO(&a); ex_inner(&a); TOE(); K("q"); TO(heap); ex_inner(heap); TOE();
		XR(); I(r); XE();
		r = v_inner(NULL, (struct inner *)0x20);
		X("v_inner"); K("p"); NUL(); K("q"); BAD((void *)0x20); XR(); I(r); XE();
		free(heap);
	}
	{
		struct node *r = v_next(&head);
		X("v_next"); K("n"); ex_node_ptr(&head); XR(); ex_node_ptr(r); XE();
		r = v_next(&tail);
		X("v_next"); K("n"); ex_node_ptr(&tail); XR(); ex_node_ptr(r); XE();
	}
	{
		struct inner in = { 31, 32 };
		struct holder h = { &in, 33 };
		int r = v_holder(h);
		X("v_holder"); K("h"); O(); K("pi"); TO(&in); ex_inner(&in); TOE(); K("k"); I(33); OE();
		XR(); I(r); XE();
	}
	{
		union num u;
		u.d = 2.5;
		long r = v_num(&u);
		X("v_num"); K("u"); TO(&u); O(); K("l"); I(u.l); K("d"); F64(u.d); OE(); TOE(); XR(); I(r); XE();
	}
	{
		struct node *pp = &head;
		int r = v_never(&head, &pp);
		X("v_never"); K("v"); P(&head); K("pp"); P(&pp); XR(); I(r); XE();
	}
	return 0;
}
