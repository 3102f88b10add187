/* Sites inside functions: the addresses a source line's code starts at,
 * from DWARF line tables, and the functions an address lies in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/priv.h"

/* The function symbol of m whose bytes hold addr (a global one before a
 * local alias): its index, or -1. */
static int function_at(struct mod_entry *m, uint64_t addr, struct sym_fn *out)
{
	int found = -1;

	for (int i = 0; i < m->nsyms; i++) {
		struct sym_fn f;

		if (!sym_function(m->mod, i, &f) || f.ifunc || addr < f.addr ||
		    addr - f.addr >= f.size)
			continue;
		if (found < 0 || (out->local && !f.local)) {
			*out = f;
			found = i;
		}
	}
	return found;
}

/* "firsts.c" names ".../tests/firsts.c"; "tests/firsts.c" too. */
static bool file_matches(const char *path, const char *want)
{
	size_t n = strlen(path), k = strlen(want);

	if (!strcmp(path, want))
		return true;
	return n > k && path[n - k - 1] == '/' && !strcmp(path + n - k, want);
}

struct rows {
	uint64_t *addr;
	size_t n, cap;
	unsigned line;       /* the line they are of; 0: none yet */
	bool file_seen;      /* the file has rows at all */
};

/* A statement row of line l at addr: kept if l is the line wanted, or
 * the nearest after it seen so far. */
static int add_row(struct rows *r, unsigned want, unsigned l, uint64_t addr)
{
	if (l < want || (r->line && l > r->line))
		return 0;
	if (l != r->line) {
		r->line = l;
		r->n = 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		uint64_t *v = realloc(r->addr, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->addr = v;
		r->cap = cap;
	}
	r->addr[r->n++] = addr;
	return 0;
}

static int line_rows(struct mod_entry *m, const struct probe_spec *spec, struct rows *r)
{
	Dwarf_Die *cu = NULL;
	Dwarf_Addr bias;
	int rc = 0;

	while (!rc && (cu = dwfl_module_nextcu(m->mod, cu, &bias))) {
		Dwarf_Lines *lines;
		size_t n;

		if (dwarf_getsrclines(cu, &lines, &n) != 0)
			continue;
		for (size_t i = 0; i < n && !rc; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i);
			const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
			bool stmt = false, end = true;
			Dwarf_Addr a;
			int ln;

			if (!file || dwarf_linebeginstatement(l, &stmt) || !stmt ||
			    dwarf_lineendsequence(l, &end) || end || dwarf_lineno(l, &ln) ||
			    ln <= 0 || dwarf_lineaddr(l, &a) || !file_matches(file, spec->src_file))
				continue;
			r->file_seen = true;
			rc = add_row(r, spec->line, (unsigned)ln, a + bias);
		}
	}
	return rc;
}

int sym_find_sites(struct mod_entry *m, const struct probe_spec *spec,
		   unsigned *line, bool *file_seen, site_found_fn found, void *ctx)
{
	struct rows r = { 0 };
	Dwarf_Addr bias;
	int rc = 0, count = 0;

	*line = 0;
	if (spec->kind == PROBE_ADDR) {
		struct sym_fn f;
		int ndx;

		/* an address as the file gives it: where it is mapped */
		if (!dwfl_module_getelf(m->mod, &bias))
			return 0;
		ndx = function_at(m, spec->offset + bias, &f);
		if (ndx < 0)
			return 0;
		rc = found(ctx, m, ndx, &f, spec->offset + bias);
		return rc ? rc : 1;
	}
	rc = line_rows(m, spec, &r);
	for (size_t i = 0; i < r.n && !rc; i++) {
		struct sym_fn f;
		int ndx = function_at(m, r.addr[i], &f);
		bool first = ndx >= 0;

		/* one site per function: where the line's code starts in it
		 * (the first row of that address) */
		for (size_t k = 0; k < r.n && first; k++)
			first = !(r.addr[k] - f.addr < f.size &&
				  (r.addr[k] < r.addr[i] || (r.addr[k] == r.addr[i] && k < i)));
		if (first) {
			rc = found(ctx, m, ndx, &f, r.addr[i]);
			count++;
		}
	}
	*line = r.line;
	*file_seen |= r.file_seen;
	free(r.addr);
	return rc ? rc : count;
}
