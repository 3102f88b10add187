/* C++ symbol names as people write them, from what the C++ runtime's
 * demangler prints (cxa_demangle, symbols/demangle.h). Without a demangler, names
 * stay mangled, and mangled globs still match them. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/demangle.h"

/* Names of generated code around a function: kept whole in the display
 * name, so that a glob for the function does not also trap its thunks. */
static const char *const special_prefixes[] = {
	"non-virtual thunk to ", "virtual thunk to ",
	"covariant return thunk to ", "transaction clone for ",
	"TLS init function for ", "TLS wrapper function for ",
};
#define NPREFIXES (sizeof(special_prefixes) / sizeof(special_prefixes[0]))

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Length of "operator" and its symbol at s[i] when it starts an operator
 * name ("operator()", "operator<<", "operator new"), else 0. */
static size_t operator_len(const char *s, size_t i, size_t end)
{
	static const char op_chars[] = "+-*/%^&|~!=<>,[]";
	size_t j = i + 8;

	if (end - i < 8 || memcmp(s + i, "operator", 8) != 0 ||
	    (i > 0 && ident_char(s[i - 1])) || (j < end && ident_char(s[j])))
		return 0;
	if (j + 1 < end && s[j] == '(' && s[j + 1] == ')')
		return j + 2 - i;
	while (j < end && strchr(op_chars, s[j]))
		j++;
	return j - i;
}

/* Bounds of the name in s[0, end): after the return type of a template
 * function, before the parameter list. A parenthesised group followed by
 * "::" is a scope ("f(int)::{lambda()#1}::operator()"), not parameters.
 * *open is end when there is no parameter list. */
static void name_bounds(const char *s, size_t end, size_t *start, size_t *open)
{
	size_t depth = 0, params = end;
	bool seen_paren = false, in_op = false;

	*start = 0;
	for (size_t i = 0; i < end; i++) {
		size_t op = depth || in_op ? 0 : operator_len(s, i, end);

		if (op) {
			/* "operator< <int>" and "operator char const*" hold
			 * spaces and brackets that are part of the name */
			in_op = true;
			i += op - 1;
			continue;
		}
		switch (s[i]) {
		case '(':
			if (!depth && params == end)
				params = i;
			if (!depth)
				seen_paren = true;
			depth++;
			break;
		case '<': case '[': case '{':
			depth++;
			break;
		case ')': case '>': case ']': case '}':
			if (depth)
				depth--;
			break;
		case ':':
			if (!depth && s[i + 1] == ':') {
				params = end;
				in_op = false;
				i++;
			}
			break;
		case ' ':
			if (!depth && !seen_paren && !in_op)
				*start = i + 1;
			break;
		default:
			break;
		}
	}
	*open = params;
}

/* Trailing " [clone .isra.0]" groups: their end in s, and their suffixes
 * joined (".isra.0.cold") into *clones. */
static size_t strip_clones(const char *s, char **clones)
{
	size_t end = strlen(s), clen = 0;
	char *c = NULL;

	*clones = NULL;
	while (end > 0 && s[end - 1] == ']') {
		const char *p = NULL, *q = s;
		size_t n;
		char *grown;

		while ((q = strstr(q, " [clone ")) && (size_t)(q - s) < end)
			p = q++;
		if (!p || memchr(p + 8, ']', end - 1 - (size_t)(p + 8 - s)))
			break;
		n = end - 1 - (size_t)(p + 8 - s);
		grown = malloc(clen + n + 1);
		if (!grown) {
			free(c);
			return (size_t)-1;
		}
		/* stripped from the end: this one goes in front */
		memcpy(grown, p + 8, n);
		if (c)
			memcpy(grown + n, c, clen);
		grown[n + clen] = '\0';
		free(c);
		c = grown;
		clen += n;
		end = (size_t)(p - s);
	}
	*clones = c;
	return end;
}

/* prefix + s[start, open) without "[abi:cxx11]" tags (they tell ABI
 * versions apart, not functions a person would name) + clones. */
static char *display_name(const char *s, size_t prefix, size_t start,
			  size_t open, const char *clones)
{
	size_t cl = clones ? strlen(clones) : 0;
	char *out = malloc(prefix + open - start + cl + 1), *o = out;

	if (!out)
		return NULL;
	memcpy(o, s, prefix);
	o += prefix;
	for (size_t i = start; i < open; i++) {
		if (s[i] == '[' && !strncmp(s + i, "[abi:", 5)) {
			const char *close = memchr(s + i, ']', open - i);

			if (close) {
				i = (size_t)(close - s);
				continue;
			}
		}
		*o++ = s[i];
	}
	if (cl)
		memcpy(o, clones, cl);
	o[cl] = '\0';
	return out;
}

/* A space between words, or in "operator< <T>", is part of the name. */
static bool keep_space(const char *s, size_t i, size_t start, size_t end)
{
	if (i == start || i + 1 >= end)
		return false;
	return (ident_char(s[i - 1]) && ident_char(s[i + 1])) ||
	       (s[i - 1] == '<' && s[i + 1] == '<');
}

/* prefix + s[start, end), without the spaces a probe cannot hold and
 * needs not: "ns::f(int,char const*)". A space between two words stays
 * ("unsigned long"), for a glob's '?' to stand for. */
static char *full_name(const char *s, size_t prefix, size_t start, size_t end)
{
	char *out = malloc(prefix + end - start + 1);
	size_t o = prefix;

	if (!out)
		return NULL;
	memcpy(out, s, prefix);
	for (size_t i = start; i < end; i++) {
		if (s[i] == ' ' && !keep_space(s, i, start, end))
			continue;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* name without its template argument lists, or NULL (and 0) when it has
 * none; -ENOMEM. The '<' of "operator<" opens no list. */
static int strip_templates(const char *name, char **out)
{
	size_t len = strlen(name), depth = 0, o = 0;
	char *bare;

	*out = NULL;
	if (!strchr(name, '<'))
		return 0;
	bare = malloc(len + 1);
	if (!bare)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		size_t op = depth ? 0 : operator_len(name, i, len);

		if (op) {
			memcpy(bare + o, name + i, op);
			o += op;
			i += op - 1;
		} else if (name[i] == '<') {
			depth++;
		} else if (name[i] == '>' && depth) {
			depth--;
		} else if (!depth) {
			bare[o++] = name[i];
		}
	}
	bare[o] = '\0';
	/* "operator< <int>" keeps a space before its stripped list */
	while (o > 0 && bare[o - 1] == ' ')
		bare[--o] = '\0';
	if (!strcmp(bare, name)) {
		free(bare);
		return 0;
	}
	*out = bare;
	return 0;
}

int demangle_split(const char *demangled, struct cxx_name *out)
{
	size_t prefix = 0, start, open, end;
	char *clones;
	int rc = 0;

	out->display = out->full = out->bare = NULL;
	out->generated = false;
	for (size_t i = 0; i < NPREFIXES; i++) {
		size_t n = strlen(special_prefixes[i]);

		if (!strncmp(demangled, special_prefixes[i], n))
			prefix = n;
	}
	end = strip_clones(demangled, &clones);
	if (end == (size_t)-1)
		return -ENOMEM;
	if (end <= prefix) {
		rc = -EINVAL;
		goto free_clones;
	}
	name_bounds(demangled + prefix, end - prefix, &start, &open);
	start += prefix;
	open += prefix;
	if (open <= start) {
		rc = -EINVAL;
		goto free_clones;
	}
	/* a thunk's words stay in front of the name they lead to */
	out->generated = prefix > 0;
	out->full = full_name(demangled, prefix, start, end);
	out->display = display_name(demangled, prefix, start, open, clones);
	if (!out->full || !out->display ||
	    strip_templates(out->display, &out->bare) != 0) {
		cxx_name_free(out);
		rc = -ENOMEM;
	}
free_clones:
	free(clones);
	return rc;
}

int demangle_symbol(const char *sym, struct cxx_name *out)
{
	char *d;
	int status = 0, rc;

	out->display = out->full = out->bare = NULL;
	if (strncmp(sym, "_Z", 2) != 0)
		return -EINVAL;
	d = cxa_demangle(sym, &status);
	if (!d)
		return status == -1 ? -ENOMEM : -EINVAL;
	rc = demangle_split(d, out);
	free(d);
	return rc;
}

void cxx_name_free(struct cxx_name *n)
{
	free(n->display);
	free(n->full);
	free(n->bare);
	n->display = n->full = n->bare = NULL;
}
