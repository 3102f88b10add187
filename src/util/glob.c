/* Shell globs (*, ?, [...], \ escapes), for probe names and for
 * conditions on strings, which are not NUL-terminated and may have been
 * cut short. */
#include <string.h>
#include "util/glob.h"

/* Parse the bracket expression starting just after '['. Returns the
 * position just after the closing ']', or NULL when there is none. If c is
 * not NULL, *hit says whether it belongs to the class. */
static const char *bracket(const char *p, const unsigned char *c, bool *hit)
{
	bool negate = false, in = false;
	bool first = true;

	if (*p == '!' || *p == '^') {
		negate = true;
		p++;
	}
	/* A ']' right after "[" or "[!" is a member, as in POSIX. */
	while (*p && (first || *p != ']')) {
		unsigned char lo, hi;

		first = false;
		if (*p == '\\' && p[1])
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		if (c && *c >= lo && *c <= hi)
			in = true;
	}
	if (*p != ']')
		return NULL;
	if (hit)
		*hit = in != negate;
	return p + 1;
}

const char *glob_bracket_end(const char *p)
{
	return bracket(p, NULL, NULL);
}

/* Does the token at *pp match c? Advances *pp past the token. An
 * unbalanced '[' is an ordinary character, as in fnmatch. */
static bool token_match(const char **pp, unsigned char c)
{
	const char *p = *pp;
	bool hit;

	switch (*p) {
	case '?':
		*pp = p + 1;
		return true;
	case '[': {
		const char *end = bracket(p + 1, &c, &hit);

		if (end) {
			*pp = end;
			return hit;
		}
		*pp = p + 1;
		return c == '[';
	}
	case '\\':
		if (p[1]) {
			*pp = p + 2;
			return c == (unsigned char)p[1];
		}
		/* A trailing backslash is literal. */
		__attribute__((fallthrough));
	default:
		*pp = p + 1;
		return c == (unsigned char)*p;
	}
}

/* Iterative matcher. Every token other than '*' consumes exactly one
 * character, so on a mismatch only the latest '*' needs to absorb one more
 * character: the earlier ones can never help. That bounds the work at
 * O(len(glob) * len(s)) with no recursion. */
bool glob_match_n(const char *glob, const char *s, size_t len, bool prefix)
{
	const char *p = glob, *star_p = NULL;
	size_t i = 0, star_i = 0;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_i = i;
			continue;
		}
		if (i < len) {
			const char *next = p;

			if (*p && token_match(&next, (unsigned char)s[i])) {
				p = next;
				i++;
				continue;
			}
		} else if (prefix || !*p) {
			/* prefix: the pattern may still match what follows */
			return true;
		}
		if (!star_p || star_i >= len)
			return false;
		p = star_p;
		i = ++star_i;
	}
}

bool glob_match(const char *glob, const char *s)
{
	return glob_match_n(glob, s, strlen(s), false);
}
