/* Probe specifications "[LIB:]GLOB" and the shell-glob matcher. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!err || !errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* The spec is quoted back and may hold a newline or a control
	 * character; the message must stay one harmless line. */
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Demangled C++ names use almost all of printable ASCII ("operator<<",
 * "{lambda(int)#1}", "(anonymous namespace)") and GCC accepts UTF-8
 * identifiers, so only bytes that no symbol carries are refused: controls
 * and the quoting characters that betray a shell-quoting mistake. */
static bool symbol_char(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= 0x20 || c == 0x7f)
		return false;
	return !strchr("\"'`;", c);
}

/* Refuse what cannot match a symbol or file name. Colons come only in
 * "::" pairs: find_separator() already took the one odd colon. */
static int check_glob(const char *text, const char *g, const char *what,
		      char *err, size_t errlen)
{
	const char *p = g;

	while (*p) {
		unsigned char c = (unsigned char)*p;

		if (c == '[') {
			const char *end = glob_bracket_end(p + 1);

			if (!end)
				return fail(err, errlen,
					    "probe '%s': unbalanced '[' in %s "
					    "(write \\[ for a literal bracket)",
					    text, what);
			p = end;
			continue;
		}
		if (c == '\\') {
			if (!p[1])
				return fail(err, errlen,
					    "probe '%s': trailing '\\' in %s",
					    text, what);
			c = (unsigned char)p[1];
			p++;
		}
		if (c == ':') {
			size_t run = strspn(p, ":");

			if (run % 2)
				return fail(err, errlen,
					    "probe '%s': stray ':' in %s "
					    "(only one LIB: prefix is allowed; "
					    "C++ scopes are '::')", text, what);
			p += run;
			continue;
		}
		if (!symbol_char(c)) {
			if (c >= 0x20 && c < 0x7f)
				return fail(err, errlen,
					    "probe '%s': character '%c' cannot "
					    "occur in a %s", text, c, what);
			return fail(err, errlen,
				    "probe '%s': character 0x%02x cannot "
				    "occur in a %s", text, c, what);
		}
		p++;
	}
	return 0;
}

/* Offset of the ':' that ends LIB, or -1. In a run of colons, pairs are
 * C++ scope operators; an odd run starts with the separator, so that
 * "lib:::f" is LIB "lib" with GLOB "::f". */
static long find_separator(const char *s)
{
	const char *p = s;

	while ((p = strchr(p, ':'))) {
		size_t run = strspn(p, ":");

		if (run % 2)
			return p - s;
		p += run;
	}
	return -1;
}

static int check_whitespace(const char *text, char *err, size_t errlen)
{
	size_t head = 0, gap;

	while (text[head] && !is_space((unsigned char)text[head]))
		head++;
	if (!text[head])
		return 0;
	gap = head;
	while (text[gap] && is_space((unsigned char)text[gap]))
		gap++;
	if (head && text[gap])
		return fail(err, errlen,
			    "probe '%s': unexpected text after whitespace; "
			    "conditions ('GLOB if EXPR') are not supported yet",
			    text);
	return fail(err, errlen, "probe '%s': whitespace in spec", text);
}

int probe_parse(const char *text, struct probe_spec *out, char *err,
		size_t errlen)
{
	const char *glob = text;
	long sep;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return fail(err, errlen, "empty probe spec");
	rc = check_whitespace(text, err, errlen);
	if (rc)
		return rc;

	sep = find_separator(text);
	if (sep >= 0)
		glob = text + sep + 1;
	if (!*glob)
		return fail(err, errlen, "probe '%s': empty function glob",
			    text);
	rc = check_glob(text, glob, "function glob", err, errlen);
	if (rc)
		return rc;

	out->text = strdup(text);
	out->func_glob = strdup(glob);
	if (sep > 0)
		out->lib_glob = strndup(text, (size_t)sep);
	if (!out->text || !out->func_glob || (sep > 0 && !out->lib_glob)) {
		probe_free(out);
		fail(err, errlen, "probe '%s': out of memory", text);
		return -ENOMEM;
	}
	out->scope = sep < 0 ? SCOPE_ANY : sep == 0 ? SCOPE_EXE : SCOPE_LIB;
	if (out->lib_glob) {
		rc = check_glob(text, out->lib_glob, "library glob", err,
				errlen);
		if (rc)
			probe_free(out);
	}
	return rc;
}

void probe_free(struct probe_spec *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->lib_glob);
	free(p->func_glob);
	memset(p, 0, sizeof(*p));
}

bool probe_matches_module(const struct probe_spec *p, const char *path,
			  bool is_main)
{
	const char *base;

	switch (p->scope) {
	case SCOPE_ANY:
		return true;
	case SCOPE_EXE:
		return is_main;
	case SCOPE_LIB:
		break;
	}
	if (!path || !p->lib_glob)
		return false;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (glob_match(p->lib_glob, base))
		return true;
	return strchr(p->lib_glob, '/') && glob_match(p->lib_glob, path);
}
