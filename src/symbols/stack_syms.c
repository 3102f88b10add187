/* Naming stack frames: "name+0xoff" and file:line of each pc, remembered
 * per symtab. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/priv.h"

#define MAX_SYMS 65536             /* pcs remembered; then start afresh */
#define ACTIVATION (1ull << 63)    /* in a key: pc is no return address */

struct sym {
	char *func;
	char *file;
	unsigned line;
};

void frame_syms_free(struct frame_syms *c)
{
	size_t pos = 0;
	struct sym *s;

	while ((s = hashmap_next(&c->map, &pos, NULL))) {
		free(s->func);
		free(s->file);
		free(s);
	}
	hashmap_free(&c->map);
}

/* A return address is named by its call (pc - 1), which may be the last
 * instruction of its function and is the line the caller is on. */
static int lookup(struct frame_syms *c, struct symtab *st,
		  const struct raw_frame *f, const struct sym **out)
{
	uint64_t key = f->pc | (f->activation ? ACTIVATION : 0);
	uint64_t look = f->activation ? f->pc : f->pc - 1;
	struct sym *s = hashmap_get(&c->map, key);
	const char *file;
	char buf[512];

	if (s)
		goto found;
	if (c->map.count >= MAX_SYMS)
		frame_syms_free(c);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (symtab_describe_at(st, look, f->pc, buf, sizeof(buf)) == 0 &&
	    !(s->func = strdup(buf)))
		goto free_sym;
	if (symtab_source_line(st, look, &file, &s->line) == 0 &&
	    !(s->file = strdup(file)))
		goto free_sym;
	if (hashmap_put(&c->map, key, s))
		goto free_sym;
found:
	*out = s;
	return 0;

free_sym:
	free(s->func);
	free(s->file);
	free(s);
	return -ENOMEM;
}

int frame_syms_resolve(struct frame_syms *c, struct symtab *st,
		       const struct raw_frame *v, unsigned n,
		       struct stack_frame **out)
{
	struct stack_frame *fr;
	unsigned i;

	*out = NULL;
	if (!n)
		return 0;
	fr = calloc(n, sizeof(*fr));
	if (!fr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct sym *s;

		if (lookup(c, st, &v[i], &s))
			goto free_frames;
		fr[i].pc = v[i].pc;
		fr[i].line = s->line;
		if ((s->func && !(fr[i].func = strdup(s->func))) ||
		    (s->file && !(fr[i].file = strdup(s->file))))
			goto free_frames;
	}
	*out = fr;
	return 0;

free_frames:
	stack_free(fr, i + 1);
	return -ENOMEM;
}
