/* String equality and shell-glob match on decoded strings, which hold
 * only the bytes latch read: a truncated string may go on, so an answer
 * that depends on the unseen bytes is -EFAULT, not a guess. */
#include <errno.h>
#include <string.h>
#include "probe/expr/priv.h"
#include "util/glob.h"

struct text {
	const char *s;
	size_t len;
	bool truncated;
	bool null;
};

static int get_text(const struct rv *r, struct text *t)
{
	memset(t, 0, sizeof(*t));
	if (r->k == R_STR || r->k == R_IDENT) {
		t->s = r->s;
		t->len = r->k == R_STR ? r->len : strlen(r->s);
		return 0;
	}
	/* A NULL char * is decoded as a plain pointer; it is no text. */
	if (r->k == R_VAL && r->v->kind == V_PTR && !r->v->u) {
		t->null = true;
		t->s = "";
		return 0;
	}
	if (r->k != R_VAL || (r->v->kind != V_STR && r->v->kind != V_ENUM))
		return -EINVAL;
	if (r->v->unreadable)
		return -EFAULT;
	/* An enum value with no enumerator of its own matches no name. */
	t->null = !r->v->text;
	t->s = r->v->text ? r->v->text : "";
	t->len = r->v->kind == V_STR ? r->v->len : strlen(t->s);
	t->truncated = r->v->kind == V_STR && r->v->truncated;
	return 0;
}

int expr_text_eq(const struct rv *a, const struct rv *b)
{
	struct text x, y;
	int rc;

	if ((rc = get_text(a, &x)) || (rc = get_text(b, &y)))
		return rc;
	if (x.null || y.null)
		return x.null && y.null;
	if (memcmp(x.s, y.s, x.len < y.len ? x.len : y.len))
		return 0;
	if (!x.truncated && !y.truncated)
		return x.len == y.len;
	/* A truncated string is at least as long as what was read. */
	if (x.truncated && !y.truncated && y.len < x.len)
		return 0;
	if (y.truncated && !x.truncated && x.len < y.len)
		return 0;
	return -EFAULT;
}

/* Does the pattern end in a '*' that is not escaped? */
static bool ends_with_star(const char *p, size_t plen)
{
	size_t bs = 0;

	if (!plen || p[plen - 1] != '*')
		return false;
	while (bs + 1 < plen && p[plen - 2 - bs] == '\\')
		bs++;
	return bs % 2 == 0;
}

int expr_text_glob(const struct rv *text, const struct rv *pattern)
{
	struct text t, p;
	int rc;

	if ((rc = get_text(pattern, &p)))
		return rc;
	if (p.null || (rc = get_text(text, &t)))
		return rc ? rc : -EINVAL;
	if (t.null)
		return 0;
	/* the literal's bytes are NUL-terminated; a \0 inside ends it */
	if (!t.truncated)
		return glob_match_n(p.s, t.s, t.len, false);
	/* Whatever follows, a trailing '*' takes it. */
	if (glob_match_n(p.s, t.s, t.len, false) && ends_with_star(p.s, strlen(p.s)))
		return 1;
	return glob_match_n(p.s, t.s, t.len, true) ? -EFAULT : 0;
}
