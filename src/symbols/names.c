/* The names a function symbol is matched and shown by: as in the symbol
 * table, without a version, and for C++ demangled. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/priv.h"

int sym_cxx_name(struct mod_entry *m, int ndx, const struct sym_fn *f,
		 const struct cxx_name **out)
{
	struct sym_cxx *c;
	int rc;

	*out = NULL;
	/* only C++ names need the cache: C names cost nothing to match */
	if (strncmp(f->name, "_Z", 2) != 0 || ndx < 0 || ndx >= m->nsyms)
		return 0;
	if (!m->cxx) {
		m->cxx = calloc((size_t)m->nsyms, sizeof(*m->cxx));
		if (!m->cxx)
			return -ENOMEM;
	}
	c = &m->cxx[ndx];
	if (!c->done) {
		rc = demangle_symbol(f->name, &c->n);
		if (rc == -ENOMEM)
			return rc;
		c->done = true;
	}
	if (c->n.display)
		*out = &c->n;
	return 0;
}

/* Versioned .symtab entries ("realpath@GLIBC_2.2.5") match by the name
 * before the '@' too. */
static bool versioned_matches(const char *glob, const char *name)
{
	const char *at;
	char buf[256];

	if (glob_match(glob, name))
		return true;
	at = strchr(name, '@');
	if (!at || at == name || (size_t)(at - name) >= sizeof(buf) ||
	    strchr(glob, '@'))
		return false;
	memcpy(buf, name, (size_t)(at - name));
	buf[at - name] = '\0';
	return glob_match(glob, buf);
}

const char *sym_next_scope(const char *name)
{
	int depth = 0;

	for (const char *p = name; *p; p++) {
		switch (*p) {
		case '<': case '(': case '[': case '{':
			depth++;
			break;
		case '>': case ')': case ']': case '}':
			if (depth)
				depth--;
			break;
		case ':':
			if (!depth && p[1] == ':')
				return p + 2;
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* A glob with "::" matches a C++ name from any scope down, as a debugger
 * would: "Parser::*" selects "ns::Parser::parse". A glob without one
 * matches the whole name only, so "parse" does not trap every method of
 * that name in every library. */
static bool scoped_match(const char *glob, const char *name, bool generated)
{
	if (glob_match(glob, name))
		return true;
	if (generated || !strstr(glob, "::"))
		return false;
	while ((name = sym_next_scope(name)))
		if (glob_match(glob, name))
			return true;
	return false;
}

int sym_matches(const char *glob, struct mod_entry *m, int ndx,
		const struct sym_fn *f)
{
	const struct cxx_name *cxx;
	int rc;

	if (versioned_matches(glob, f->name))
		return 1;
	rc = sym_cxx_name(m, ndx, f, &cxx);
	if (rc || !cxx)
		return rc;
	if (scoped_match(glob, cxx->display, cxx->generated) ||
	    scoped_match(glob, cxx->full, cxx->generated))
		return 1;
	/* "ns::Box::get" names every instance of the template */
	return cxx->bare && !strchr(glob, '<') &&
	       scoped_match(glob, cxx->bare, cxx->generated);
}

char *sym_display_name(struct mod_entry *m, int ndx, const struct sym_fn *f)
{
	const struct cxx_name *cxx;

	if (sym_cxx_name(m, ndx, f, &cxx) != 0)
		return NULL;
	return strdup(cxx ? cxx->display : f->name);
}
