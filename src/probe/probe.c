/* Probe specifications "[LIB:]GLOB [if EXPR] [ret EXPR]", and sites:
 * "[LIB:]FILE:LINE", "[LIB:]0xADDR", "[LIB:]GLOB+OFFSET". */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/probe.h"

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

/* Offset just past the keyword word at text + at, when it is one: the
 * word followed by a space or an operand that cannot continue a name. */
static size_t keyword_end(const char *text, size_t at, const char *word)
{
	size_t n = strlen(word);
	unsigned char next;

	if (strncmp(text + at, word, n))
		return 0;
	next = (unsigned char)text[at + n];
	return isalnum(next) || next == '_' ? 0 : at + n;
}

int probe_conditions(const struct probe_spec *p, struct expr **entry,
		     struct expr **ret, char *err, size_t errlen)
{
	char why[256];
	size_t pos;
	int rc = 0;

	*entry = *ret = NULL;
	if (p->if_at) {
		pos = p->if_at;
		rc = expr_parse_part(p->text, &pos, "ret", entry, why, sizeof(why));
		pos = p->text[pos] ? keyword_end(p->text, pos, "ret") : 0;
	} else {
		pos = p->ret_at;
	}
	if (!rc && pos)
		rc = expr_parse_part(p->text, &pos, NULL, ret, why, sizeof(why));
	if (rc == -EINVAL)
		fail(err, errlen, "probe '%s': %s", p->text, why);
	else if (rc)
		fail(err, errlen, "probe '%s': out of memory", p->text);
	if (rc) {
		expr_free(*entry);
		*entry = NULL;
	}
	return rc;
}

/* What follows the glob: "if EXPR [ret EXPR]" or "ret EXPR". */
static int parse_conditions(struct probe_spec *p, size_t at, char *err, size_t errlen)
{
	struct expr *entry, *ret;
	size_t end = keyword_end(p->text, at, "if");
	int rc;

	if (end) {
		p->if_at = end;
	} else if ((end = keyword_end(p->text, at, "ret"))) {
		p->ret_at = end;
	} else {
		return fail(err, errlen, "probe '%s': column %zu: expected 'if' or 'ret' "
			    "after the function glob", p->text, at + 1);
	}
	rc = probe_conditions(p, &entry, &ret, err, errlen);
	if (!rc && ret && p->kind != PROBE_FUNC)
		rc = fail(err, errlen, "probe '%s': a line or address probe has no return: "
			  "'ret' conditions are for functions", p->text);
	expr_free(entry);
	expr_free(ret);
	return rc;
}

/* A number: decimal, or hex after 0x; the whole of s. */
static bool parse_number(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	return !errno && !*end;
}

/* "FILE:LINE" in the probe's head h (its glob part cut at its end): the
 * last colon, a single one, followed by digits. The spec's text is
 * kept; file and LIB are taken from it. */
static int parse_line(struct probe_spec *out, char *h, char *err, size_t errlen)
{
	char *colon = strrchr(h, ':');
	uint64_t line;
	long sep;

	if (!colon || (colon > h && colon[-1] == ':') || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return 1;
	if (!parse_number(colon + 1, &line) || !line || line > 0xffffffu)
		return fail(err, errlen, "probe '%s': no such line number", out->text);
	*colon = '\0';
	sep = find_separator(h);
	out->kind = PROBE_LINE;
	out->line = (unsigned)line;
	out->src_file = strdup(sep >= 0 ? h + sep + 1 : h);
	if (sep > 0)
		out->lib_glob = strndup(h, (size_t)sep);
	*colon = ':';
	if (!out->src_file || (sep > 0 && !out->lib_glob))
		return -ENOMEM;
	if (!*out->src_file)
		return fail(err, errlen, "probe '%s': no source file before the line number", out->text);
	out->scope = sep > 0 ? SCOPE_LIB : SCOPE_ANY;
	return 0;
}

/* "0xADDR" or "GLOB+OFFSET" as the glob g: 1 when it is neither. */
static int parse_address(struct probe_spec *out, char *g, long sep)
{
	char *plus = strrchr(g, '+');
	uint64_t n;

	if (g[0] == '0' && (g[1] == 'x' || g[1] == 'X')) {
		if (!parse_number(g, &n))
			return 1;
		out->kind = PROBE_ADDR;
		out->offset = n;
		/* a bare address is the executable's */
		if (sep < 0)
			out->scope = SCOPE_EXE;
		return 0;
	}
	if (!plus || plus == g || !parse_number(plus + 1, &n))
		return 1;
	out->kind = PROBE_ADDR;
	out->offset = n;
	out->func_glob = strndup(g, (size_t)(plus - g));
	return out->func_glob ? 0 : -ENOMEM;
}

int probe_parse(const char *text, struct probe_spec *out, char *err,
		size_t errlen)
{
	const char *glob;
	size_t head = 0, gap;
	long sep;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return fail(err, errlen, "empty probe spec");
	while (text[head] && !is_space((unsigned char)text[head]))
		head++;
	gap = head;
	while (text[gap] && is_space((unsigned char)text[gap]))
		gap++;
	if (!head)
		return fail(err, errlen, "probe '%s': whitespace before the function glob", text);

	out->text = strdup(text);
	glob = out->text;
	if (!out->text)
		goto no_memory;
	out->text[head] = '\0';   /* the glob alone, for the checks below */
	rc = parse_line(out, out->text, err, errlen);
	if (rc == -ENOMEM)
		goto no_memory;
	if (rc < 0)
		goto free_spec;
	if (rc == 0) {
		out->text[head] = text[head];
		goto conditions;
	}
	sep = find_separator(glob);
	if (sep >= 0)
		glob += sep + 1;
	rc = -EINVAL;
	if (!*glob) {
		fail(err, errlen, "probe '%s': empty function glob", text);
		goto free_spec;
	}
	out->scope = sep < 0 ? SCOPE_ANY : sep == 0 ? SCOPE_EXE : SCOPE_LIB;
	rc = parse_address(out, (char *)glob, sep);
	if (rc < 0)
		goto no_memory;
	if (rc)
		out->func_glob = strdup(glob);
	if (!out->func_glob && out->kind == PROBE_FUNC)
		goto no_memory;
	rc = -EINVAL;
	if (out->func_glob && check_glob(text, out->func_glob, "function glob", err, errlen))
		goto free_spec;
	if (sep > 0)
		out->lib_glob = strndup(out->text, (size_t)sep);
	out->text[head] = text[head];
	if (sep > 0 && !out->lib_glob)
		goto no_memory;
	if (out->lib_glob && check_glob(text, out->lib_glob, "library glob", err, errlen))
		goto free_spec;
conditions:
	if (text[gap] && (rc = parse_conditions(out, gap, err, errlen)))
		goto free_spec;
	return 0;

no_memory:
	rc = -ENOMEM;
	fail(err, errlen, "probe '%s': out of memory", text);
free_spec:
	probe_free(out);
	return rc;
}

void probe_free(struct probe_spec *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->lib_glob);
	free(p->func_glob);
	free(p->src_file);
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
