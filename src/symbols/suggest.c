/* Error messages of symbol resolution, with "did you mean" suggestions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/priv.h"

#define NSUGGEST 3
#define MAX_NAME 256

struct suggest {
	const char *names[NSUGGEST];
	unsigned dist[NSUGGEST];
	size_t n;
	unsigned limit;
	unsigned *rows;      /* three DP rows of MAX_NAME + 1 */
};

/* Edit distance with adjacent transpositions (optimal string alignment):
 * "mlaloc" is one step from "malloc", as a typist would count. Gives up
 * with limit + 1 once every path is over the limit. */
static unsigned distance(struct suggest *s, const char *a, size_t la,
			 const char *b)
{
	size_t lb = strlen(b);
	unsigned *prev2 = s->rows, *prev = prev2 + MAX_NAME + 1,
		 *cur = prev + MAX_NAME + 1;
	unsigned prev_best = 0;

	if (lb > MAX_NAME || (la > lb ? la - lb : lb - la) > s->limit)
		return s->limit + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned best = cur[0] = (unsigned)i;

		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned d = prev[j - 1] + cost;

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		/* a transposition skips at most one row: give up only when
		 * two rows in a row are over the limit */
		if (best > s->limit && prev_best > s->limit)
			return s->limit + 1;
		prev_best = best;
		unsigned *t = prev2;

		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* A C++ name is as close as its closest scope suffix: "fn" is what one
 * types for "ns::fn". */
static unsigned scoped_distance(struct suggest *s, const char *want,
				size_t wlen, const char *name, bool cxx)
{
	unsigned d = distance(s, want, wlen, name);

	while (cxx && d && (name = sym_next_scope(name))) {
		unsigned sd = distance(s, want, wlen, name);

		if (sd < d)
			d = sd;
	}
	return d;
}

/* name is a suggestion if it, or alt (its form without template
 * arguments, or NULL), is close enough to want. */
static void consider(struct suggest *s, const char *want, size_t wlen,
		     const char *name, const char *alt, bool cxx)
{
	unsigned d = scoped_distance(s, want, wlen, name, cxx);
	size_t at;

	if (alt && d) {
		unsigned ad = scoped_distance(s, want, wlen, alt, cxx);

		if (ad < d)
			d = ad;
	}

	if (d > s->limit)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return;
	/* keep the list sorted by distance, then by name */
	for (at = s->n; at > 0; at--) {
		if (s->dist[at - 1] < d ||
		    (s->dist[at - 1] == d && strcmp(s->names[at - 1], name) < 0))
			break;
	}
	if (at >= NSUGGEST)
		return;
	size_t end = s->n < NSUGGEST ? s->n : NSUGGEST - 1;

	memmove(&s->names[at + 1], &s->names[at], (end - at) * sizeof(s->names[0]));
	memmove(&s->dist[at + 1], &s->dist[at], (end - at) * sizeof(s->dist[0]));
	s->names[at] = name;
	s->dist[at] = d;
	if (s->n < NSUGGEST)
		s->n++;
}

/* How far a name may be from what was typed and still be a suggestion:
 * one slip in a short name, up to three in a long one. */
static unsigned close_enough(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

/* The name a person would have typed for f: a C++ function's demangled
 * name, with its parameters when want has some. NULL when out of memory. */
static const char *typed_name(struct mod_entry *me, int ndx,
			      const struct sym_fn *f, bool with_params,
			      const struct cxx_name **cxx)
{
	if (sym_cxx_name(me, ndx, f, cxx) != 0)
		return NULL;
	if (!*cxx)
		return f->name;
	return with_params ? (*cxx)->full : (*cxx)->display;
}

int sym_no_function(struct mod_entry *mods, size_t nmods,
		    const struct probe_spec *spec, char *err, size_t errlen)
{
	struct suggest s = { .n = 0 };
	const char *want = spec->func_glob;
	size_t wlen = strlen(want);
	int len;

	if (!err || !errlen)
		return 0;
	len = snprintf(err, errlen, "probe '%s' matches no function", spec->text);
	if (wlen > MAX_NAME)
		return 0;
	s.limit = close_enough(wlen);
	s.rows = malloc(3 * (MAX_NAME + 1) * sizeof(*s.rows));
	if (!s.rows)
		return -ENOMEM;
	for (size_t m = 0; m < nmods; m++) {
		struct mod_entry *me = &mods[m];
		struct sym_fn f;

		if (me->hidden || me->nsyms <= 0 ||
		    !probe_matches_module(spec, me->path, me->is_main))
			continue;
		for (int i = 0; i < me->nsyms; i++) {
			const struct cxx_name *cxx;
			bool params = strchr(want, '(') != NULL;
			const char *name;

			if (!sym_function(me->mod, i, &f))
				continue;
			name = typed_name(me, i, &f, params, &cxx);
			if (!name) {
				free(s.rows);
				return -ENOMEM;
			}
			consider(&s, want, wlen, name,
				 cxx && !params ? cxx->bare : NULL,
				 cxx && !cxx->generated);
		}
	}
	for (size_t i = 0; i < s.n && len >= 0 && (size_t)len < errlen; i++)
		len += snprintf(err + len, errlen - (size_t)len, "%s%s%s",
				i ? ", " : "; did you mean: ", s.names[i],
				i + 1 == s.n ? "?" : "");
	/* only a probe naming its library waits for it to be loaded */
	if (!s.n && spec->scope == SCOPE_ANY && len >= 0 && (size_t)len < errlen)
		snprintf(err + len, errlen - (size_t)len,
			 "; for a library loaded later, name it: 'LIB:%s'", spec->func_glob);
	free(s.rows);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void sym_no_module(const struct mod_entry *mods, size_t nmods,
		   const struct probe_spec *spec, char *err, size_t errlen)
{
	size_t len;
	bool first = true;

	if (!err || !errlen)
		return;
	snprintf(err, errlen, "probe '%s': no module matches '%s' yet; waiting for it "
		 "to be loaded, or run by exec (loaded: ", spec->text, spec->lib_glob ? spec->lib_glob : "");
	len = strlen(err);
	for (size_t m = 0; m < nmods && len + 1 < errlen; m++) {
		if (mods[m].hidden)
			continue;
		snprintf(err + len, errlen - len, "%s%s", first ? "" : ", ",
			 base_name(mods[m].path));
		len = strlen(err);
		first = false;
	}
	if (len + 2 <= errlen) {
		strcpy(err + len, ")");
	} else if (errlen > 5) {
		/* cut: make the end say so */
		strcpy(err + errlen - 5, "...)");
	}
}
