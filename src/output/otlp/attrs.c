/* Span and resource attributes, and decoded values flattened into them.
 *
 * OTLP attributes are flat key/value pairs, so a value tree becomes one
 * attribute per leaf, named by its path from the argument's key (here
 * "latch.arg.r"):
 *
 *   int, char, a register word   int
 *   unsigned                     int; above INT64_MAX, a string of its
 *                                decimal digits
 *   bool                         bool
 *   float, double, long double   double
 *   enum                         string with its name ("RED", "A|B");
 *                                int when it has none
 *   char *                       string with the bytes read, exactly; a
 *                                cut string also gets "KEY.truncated" =
 *                                true; NULL: no attribute; a string that
 *                                could not be read: "<unreadable>"
 *   pointer                      string "0x7ffd1234", or "NULL"; then
 *                                what it points to: struct members as
 *                                "KEY.member" (r->method is
 *                                "latch.arg.r.method"), array elements as
 *                                "KEY.0", anything else as "KEY.*";
 *                                "KEY.sym" = "handler" for a pointer into
 *                                code or data; "KEY.unreadable" = true when
 *                                the pointee could not be read
 *   struct, union                each member as "KEY.member"; anonymous
 *                                members' members as if they were the
 *                                struct's own
 *   array                        each element as "KEY.0", "KEY.1", ...;
 *                                "KEY.truncated" = true when cut
 *   optimised out                string "<optimised out>" ("<unreadable>"
 *                                when its bytes could not be read)
 *   past the depth limit, void,
 *   the "..." of varargs         no attribute
 *
 * Strings that are not valid UTF-8 are repaired when encoded (each stray
 * byte becomes the code point of its value, output/render.h's rule), never
 * here: the attribute keeps the bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/otlp/priv.h"

static struct otlp_attr *attr_add(struct otlp_attrs *a, const char *key,
				  enum otlp_kind kind)
{
	struct otlp_attr *at;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct otlp_attr *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	at = &a->v[a->n];
	memset(at, 0, sizeof(*at));
	at->key = strdup(key);
	if (!at->key)
		return NULL;
	at->kind = kind;
	a->n++;
	return at;
}

int otlp_attrs_str(struct otlp_attrs *a, const char *key, const char *s, size_t len)
{
	struct otlp_attr *at;
	char *copy;

	/* One byte more so that an empty string is not malloc(0)'s NULL. */
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	at = attr_add(a, key, OTLP_STR);
	if (!at) {
		free(copy);
		return -ENOMEM;
	}
	at->s = copy;
	at->len = len;
	return 0;
}

int otlp_attrs_int(struct otlp_attrs *a, const char *key, int64_t i)
{
	struct otlp_attr *at = attr_add(a, key, OTLP_INT);

	if (!at)
		return -ENOMEM;
	at->i = i;
	return 0;
}

int otlp_attrs_double(struct otlp_attrs *a, const char *key, double d)
{
	struct otlp_attr *at = attr_add(a, key, OTLP_DOUBLE);

	if (!at)
		return -ENOMEM;
	at->d = d;
	return 0;
}

int otlp_attrs_bool(struct otlp_attrs *a, const char *key, bool b)
{
	struct otlp_attr *at = attr_add(a, key, OTLP_BOOL);

	if (!at)
		return -ENOMEM;
	at->b = b;
	return 0;
}

void otlp_attrs_clear(struct otlp_attrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].key);
		if (a->v[i].kind == OTLP_STR)
			free(a->v[i].s);
	}
	a->n = 0;
}

void otlp_attrs_free(struct otlp_attrs *a)
{
	otlp_attrs_clear(a);
	free(a->v);
	a->v = NULL;
	a->cap = 0;
}

/* ---- flattening values ---------------------------------------------- */

/* The key of the value being flattened, grown and cut back as the walk
 * goes down and up the tree. */
struct path {
	char *s;
	size_t len, cap;
};

static int path_push(struct path *p, const char *part)
{
	size_t n = strlen(part);

	if (p->len + n + 2 > p->cap) {
		size_t cap = (p->len + n + 2) * 2;
		char *s = realloc(p->s, cap);

		if (!s)
			return -ENOMEM;
		p->s = s;
		p->cap = cap;
	}
	p->s[p->len++] = '.';
	memcpy(p->s + p->len, part, n + 1);
	p->len += n;
	return 0;
}

static void path_pop(struct path *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

static int flatten(struct otlp_attrs *a, struct path *p, const struct value *v);

/* v at key "PATH.part"; the path is back as it was after. */
static int flatten_at(struct otlp_attrs *a, struct path *p, const char *part,
		      const struct value *v)
{
	size_t len = p->len;
	int err = path_push(p, part);

	if (!err)
		err = flatten(a, p, v);
	path_pop(p, len);
	return err;
}

static int flag_at(struct otlp_attrs *a, struct path *p, const char *part)
{
	size_t len = p->len;
	int err = path_push(p, part);

	if (!err)
		err = otlp_attrs_bool(a, p->s, true);
	path_pop(p, len);
	return err;
}

static int flatten_members(struct otlp_attrs *a, struct path *p, const struct value *v)
{
	int err = 0;

	for (unsigned i = 0; i < v->nkids && !err; i++) {
		if (v->kids[i].name)
			err = flatten_at(a, p, v->kids[i].name, &v->kids[i]);
		else
			err = flatten(a, p, &v->kids[i]);
	}
	return err;
}

static int flatten_elements(struct otlp_attrs *a, struct path *p, const struct value *v)
{
	char idx[16];
	int err = 0;

	for (unsigned i = 0; i < v->nkids && !err; i++) {
		snprintf(idx, sizeof(idx), "%u", i);
		err = flatten_at(a, p, idx, &v->kids[i]);
	}
	if (!err && v->truncated)
		err = flag_at(a, p, "truncated");
	return err;
}

static int flatten_pointer(struct otlp_attrs *a, struct path *p, const struct value *v)
{
	char addr[24];
	const struct value *to;
	size_t len = p->len;
	int err;

	if (v->u)
		snprintf(addr, sizeof(addr), "0x%" PRIx64, v->u);
	else
		strcpy(addr, "NULL");
	err = otlp_attrs_str(a, p->s, addr, strlen(addr));
	if (err)
		return err;
	if (v->unreadable)
		return flag_at(a, p, "unreadable");
	if (!v->nkids) {
		if (!v->text)
			return 0;
		err = path_push(p, "sym");
		if (!err)
			err = otlp_attrs_str(a, p->s, v->text, strlen(v->text));
		path_pop(p, len);
		return err;
	}
	/* r->method reads as r.method: a container's parts hang off the
	 * pointer's own key, a scalar pointee needs a name of its own. */
	to = &v->kids[0];
	if (to->kind == V_STRUCT)
		return flatten_members(a, p, to);
	if (to->kind == V_ARRAY)
		return flatten_elements(a, p, to);
	return flatten_at(a, p, "*", to);
}

static int flatten_string(struct otlp_attrs *a, struct path *p, const struct value *v)
{
	int err;

	if (v->unreadable)
		return otlp_attrs_str(a, p->s, "<unreadable>", strlen("<unreadable>"));
	if (!v->text)
		return 0;
	err = otlp_attrs_str(a, p->s, v->text, v->len);
	if (!err && v->truncated)
		err = flag_at(a, p, "truncated");
	return err;
}

static int flatten(struct otlp_attrs *a, struct path *p, const struct value *v)
{
	char num[24];
	const char *s;

	switch (v->kind) {
	case V_INT:
	case V_CHAR:
		return otlp_attrs_int(a, p->s, v->i);
	case V_UINT:
		if (v->u <= INT64_MAX)
			return otlp_attrs_int(a, p->s, (int64_t)v->u);
		snprintf(num, sizeof(num), "%" PRIu64, v->u);
		return otlp_attrs_str(a, p->s, num, strlen(num));
	case V_RAW:
		/* A register word's bits, whatever its type was. */
		return otlp_attrs_int(a, p->s, v->i);
	case V_BOOL:
		return otlp_attrs_bool(a, p->s, v->u != 0);
	case V_ENUM:
		if (!v->text)
			return otlp_attrs_int(a, p->s, v->i);
		return otlp_attrs_str(a, p->s, v->text, strlen(v->text));
	case V_FLOAT:
		return otlp_attrs_double(a, p->s, (double)v->f);
	case V_PTR:
		return flatten_pointer(a, p, v);
	case V_STR:
		return flatten_string(a, p, v);
	case V_STRUCT:
		return flatten_members(a, p, v);
	case V_ARRAY:
		return flatten_elements(a, p, v);
	case V_UNAVAIL:
		s = v->unreadable ? "<unreadable>" : "<optimised out>";
		return otlp_attrs_str(a, p->s, s, strlen(s));
	case V_OPAQUE:
	case V_NONE:
	case V_VARARGS:
		break;
	}
	return 0;
}

int otlp_attrs_value(struct otlp_attrs *a, const char *key, const struct value *v)
{
	struct path p = { 0 };
	size_t n = strlen(key);
	int err;

	p.cap = n + 64;
	p.s = malloc(p.cap);
	if (!p.s)
		return -ENOMEM;
	memcpy(p.s, key, n + 1);
	p.len = n;
	err = flatten(a, &p, v);
	free(p.s);
	return err;
}
