/* Functions of a live process, from ELF symbols and DWARF through
 * libdwfl. Only /proc/PID/maps and the mapped files are read: the process
 * is neither stopped nor traced. */
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/debuginfo.h"
#include "symbols/demangle.h"
#include "dwarf/func.h"
#include "symbols/symbols.h"
#include "symbols/priv.h"

struct cand {
	struct sym_fn f;
	struct mod_entry *mod;
	int ndx;                /* in the module's symbol table */
	unsigned spec;          /* the spec that selected it */
	bool is_site;           /* a line or address probe's site, at site */
	uint64_t site;
};

/* Candidates at one address are one function, or one site. */
static uint64_t cand_addr(const struct cand *c)
{
	return c->is_site ? c->site : c->f.addr;
}

static bool same_cand(const struct cand *a, const struct cand *b)
{
	return a->is_site == b->is_site && cand_addr(a) == cand_addr(b);
}

struct cands {
	struct cand *v;
	size_t n, cap;
};

int sym_report(struct symtab *st)
{
	int rc;

	/* the modules gone take their symbols and debug information */
	dw_index_clear(&st->dwarf);
	sym_addrs_clear(&st->addrs);
	/* libdwfl keeps a module reported again unchanged, adds the new
	 * ones, and drops those not reported again. */
	dwfl_report_begin(st->dwfl);
	rc = sym_files_report(&st->files, st->dwfl);
	if (rc != 0) {
		/* a positive errno, or -1 for a libdwfl error */
		rc = rc > 0 ? -rc : -EIO;
		if (rc == -ENOENT)
			rc = -ESRCH;
	}
	/* Ended even after a failure, which then keeps what was there. */
	if (dwfl_report_end(st->dwfl, NULL, NULL) != 0 && !rc)
		rc = -EIO;
	return rc;
}

/* Nothing can be created in /proc's own directory. */
static char *no_debug_dirs = "/proc/-";

int symtab_open(pid_t pid, struct symtab **out)
{
	struct symtab *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	rc = sym_files_init(&st->files, pid);
	if (rc)
		goto free_st;
	st->debuginfo_path = debuginfo_search_path(sym_files_debug_root(&st->files));
	if (!st->debuginfo_path) {
		rc = -ENOMEM;
		goto free_st;
	}
	st->files.debug_path = st->debuginfo_path;
	/* libdwfl's own search would open what the process names with
	 * plain open(2): its path is one where nothing can ever be found,
	 * left for the debuginfod query that sym_files_find_debuginfo makes
	 * through it. libdwfl reads .gnu_debugdata (MiniDebugInfo) by
	 * itself. */
	st->callbacks = (Dwfl_Callbacks){
		.find_elf = sym_files_find_elf,
		.find_debuginfo = sym_files_find_debuginfo,
		.debuginfo_path = &no_debug_dirs,
	};
	st->dwfl = dwfl_begin(&st->callbacks);
	if (!st->dwfl) {
		rc = -ENOMEM;
		goto free_st;
	}
	rc = sym_report(st);
	if (rc)
		goto end_dwfl;
	sym_exe_read(pid, &st->exe);
	*out = st;
	return 0;

end_dwfl:
	dwfl_end(st->dwfl);
free_st:
	free(st->debuginfo_path);
	sym_files_free(&st->files);
	free(st);
	return rc;
}

void symtab_set_notify(struct symtab *st, void (*notify)(const char *msg))
{
	st->notify = notify;
}

static void free_func(struct func_info *fn)
{
	if (!fn)
		return;
	dw_func_clear(fn);
	free(fn->specs);
	free(fn->desc.name);
	free(fn->desc.module);
	free(fn->desc.where);
	free(fn->desc.label);
	free(fn);
}

void sym_free_funcs(struct func_info **funcs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free_func(funcs[i]);
	free(funcs);
}

void symtab_close(struct symtab *st)
{
	if (!st)
		return;
	while (st->batches) {
		struct func_batch *b = st->batches;

		st->batches = b->next;
		sym_free_funcs(b->funcs, b->n);
		free(b);
	}
	dw_index_clear(&st->dwarf);
	sym_addrs_clear(&st->addrs);
	dwfl_end(st->dwfl);
	sym_bss_free(&st->bss);
	if (st->release)
		st->release(st->attachment);
	free(st->debuginfo_path);
	free(st->noted);
	free(st->exe.path);
	sym_files_free(&st->files);
	sym_forget_known(st);
	free(st);
}

static int add_cand(struct cands *c, const struct sym_fn *f,
		    struct mod_entry *m, int ndx, unsigned spec)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct cand *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct cand){ .f = *f, .mod = m, .ndx = ndx, .spec = spec };
	return 0;
}

struct site_ctx {
	struct cands *c;
	unsigned spec;
};

static int add_site(void *ctx, struct mod_entry *m, int ndx, const struct sym_fn *f,
		    uint64_t addr)
{
	struct site_ctx *x = ctx;
	int rc = add_cand(x->c, f, m, ndx, x->spec);

	if (!rc) {
		x->c->v[x->c->n - 1].is_site = true;
		x->c->v[x->c->n - 1].site = addr;
	}
	return rc;
}

/* GLOB+OFFSET: the site that many bytes into f, which must hold it. */
static int add_offset_site(struct cands *c, const struct probe_spec *spec, unsigned s,
			   struct mod_entry *m, int ndx, const struct sym_fn *f,
			   char *err, size_t errlen)
{
	struct site_ctx x = { c, s };

	if (spec->offset >= f->size) {
		snprintf(err, errlen, "probe '%s': %s is only %llu bytes long", spec->text,
			 f->name, (unsigned long long)f->size);
		return -ENOENT;
	}
	return add_site(&x, m, ndx, f, f->addr + spec->offset);
}

/* Where no site was found, say why in err: -ENOENT. */
static int no_site(const struct probe_spec *spec, bool selected, bool dwarf,
		   bool file_seen, char *err, size_t errlen)
{
	if (spec->kind == PROBE_ADDR)
		snprintf(err, errlen, "probe '%s': 0x%llx is in no function of %s", spec->text,
			 (unsigned long long)spec->offset,
			 spec->scope == SCOPE_EXE ? "the executable" : "the modules it names");
	else if (!dwarf)
		snprintf(err, errlen, "probe '%s': %s has no line information: no module "
			 "%shas DWARF", spec->text, spec->src_file, selected ? "it names " : "");
	else if (!file_seen)
		snprintf(err, errlen, "probe '%s': no source file %s has code in %s", spec->text,
			 spec->src_file, selected && spec->scope == SCOPE_LIB ? "the modules it names"
									      : "the process");
	else
		snprintf(err, errlen, "probe '%s': no code at or after line %u of %s", spec->text,
			 spec->line, spec->src_file);
	return -ENOENT;
}

/* The sites a PROBE_LINE spec, or an address, names in mods. */
static int match_sites(struct symtab *st, struct mod_list *mods,
		       const struct probe_spec *spec, unsigned s, bool new_only,
		       struct cands *c, char *err, size_t errlen)
{
	struct site_ctx x = { c, s };
	bool selected = false, dwarf = false, file_seen = false;
	size_t before = c->n;

	for (size_t m = 0; m < mods->n; m++) {
		struct mod_entry *me = &mods->v[m];
		Dwarf_Addr bias;
		unsigned line;
		int rc;

		if (me->hidden || (new_only && !me->fresh) ||
		    !probe_matches_module(spec, me->path, me->is_main))
			continue;
		selected = true;
		dwarf |= dwfl_module_getdwarf(me->mod, &bias) != NULL;
		rc = sym_find_sites(me, spec, &line, &file_seen, add_site, &x);
		if (rc < 0)
			return rc;
		if (rc && spec->kind == PROBE_LINE && line != spec->line && st->notify) {
			char msg[512];

			snprintf(msg, sizeof(msg), "probe '%s': no code at line %u of %s; "
				 "tracing line %u, the next with code", spec->text, spec->line,
				 spec->src_file, line);
			st->notify(msg);
		}
	}
	if (c->n > before || new_only)
		return 0;
	if (!selected && spec->scope == SCOPE_LIB) {
		if (st->notify) {
			char msg[1024];

			sym_no_module(mods->v, mods->n, spec, msg, sizeof(msg));
			st->notify(msg);
		}
		return 0;
	}
	return no_site(spec, selected, dwarf, file_seen, err, errlen);
}

/* The candidates spec s selects in mods (only in new ones when new_only,
 * where matching nothing is no error). */
static int match_spec(struct symtab *st, struct mod_list *mods,
		      const struct probe_spec *specs, unsigned s, bool new_only,
		      struct cands *c, char *err, size_t errlen)
{
	const struct probe_spec *spec = &specs[s];
	const struct mod_entry *bare = NULL;
	const char *unresolved = NULL;   /* an IFUNC whose choice is unknown */
	bool selected = false;
	size_t before = c->n;
	int rc;

	if (!spec->func_glob)
		return match_sites(st, mods, spec, s, new_only, c, err, errlen);
	for (size_t m = 0; m < mods->n; m++) {
		struct mod_entry *me = &mods->v[m];
		struct sym_fn f;

		if (me->hidden || (new_only && !me->fresh) ||
		    !probe_matches_module(spec, me->path, me->is_main))
			continue;
		selected = true;
		int nfuncs = 0;

		for (int i = 0; i < me->nsyms; i++) {
			if (!sym_function(me->mod, i, &f))
				continue;
			nfuncs++;
			rc = sym_matches(spec->func_glob, me, i, &f);
			if (rc < 0)
				return rc;
			if (rc && f.ifunc && sym_ifunc_target(st, mods, me, &f)) {
				unresolved = f.name;
				continue;
			}
			if (rc && spec->kind == PROBE_ADDR)
				rc = add_offset_site(c, spec, s, me, i, &f, err, errlen);
			else if (rc)
				rc = add_cand(c, &f, me, i, s);
			if (rc < 0)
				return rc;
		}
		/* A stripped executable keeps only imports in .dynsym. With
		 * every module in scope, a stripped library is no reason to
		 * complain; a stripped executable or a module named on
		 * purpose is. */
		if (!nfuncs && !bare && (spec->scope != SCOPE_ANY || me->is_main))
			bare = me;
	}
	if (c->n > before || new_only)
		return 0;
	if (!selected) {
		/* a library loaded later (dlopen) may bring it */
		if (st->notify) {
			char msg[1024];

			sym_no_module(mods->v, mods->n, spec, msg, sizeof(msg));
			st->notify(msg);
		}
		return 0;
	}
	if (bare) {
		sym_no_symbols(bare, st->debuginfo_path, err, errlen);
		return -ENOEXEC;
	}
	if (unresolved) {
		snprintf(err, errlen, "probe '%s': %s is an indirect function (IFUNC) and the "
			 "implementation the process uses cannot be found; name it ('__%s_*' "
			 "in glibc)", spec->text, unresolved, unresolved);
		return -ENOENT;
	}
	rc = sym_no_function(mods->v, mods->n, spec, err, errlen);
	return rc ? rc : -ENOENT;
}

static size_t leading_underscores(const char *s)
{
	return strspn(s, "_");
}

/* Among aliases of one address, show the name a person would call:
 * global before local, unversioned, fewest leading underscores, shortest. */
static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	const char *na = a->f.name, *nb = b->f.name;
	int d;

	if (a->is_site != b->is_site)
		return a->is_site ? 1 : -1;
	if (cand_addr(a) != cand_addr(b))
		return cand_addr(a) < cand_addr(b) ? -1 : 1;
	if (a->f.local != b->f.local)
		return a->f.local ? 1 : -1;
	d = (strchr(na, '@') != NULL) - (strchr(nb, '@') != NULL);
	if (d)
		return d;
	d = (int)leading_underscores(na) - (int)leading_underscores(nb);
	if (d)
		return d;
	if (strlen(na) != strlen(nb))
		return strlen(na) < strlen(nb) ? -1 : 1;
	return strcmp(na, nb);
}

/* The function fn (filled) becomes the site c names inside it. */
static int make_site(const struct cand *c, struct func_info *fn)
{
	Dwfl_Line *l = dwfl_module_getsrc(c->mod->mod, c->site);
	int line = 0;

	fn->desc.site = true;
	fn->desc.site_off = c->site - c->f.addr;
	fn->desc.addr = c->site;
	fn->desc.decl_file = NULL;
	fn->desc.decl_line = 0;
	if (l) {
		Dwarf_Addr at;
		const char *file = dwfl_lineinfo(l, &at, &line, NULL, NULL, NULL);

		/* the line an address is in, not one that merely ends before */
		if (file && line > 0) {
			fn->desc.decl_file = file;
			fn->desc.decl_line = (unsigned)line;
		}
	}
	const char *base = fn->desc.decl_file ? strrchr(fn->desc.decl_file, '/') : NULL;
	char *where, *label;
	int n;

	if (fn->desc.decl_file)
		n = asprintf(&where, "%s:%u", base ? base + 1 : fn->desc.decl_file,
			     fn->desc.decl_line);
	else
		n = asprintf(&where, "%s+0x%llx", fn->desc.name,
			     (unsigned long long)fn->desc.site_off);
	if (n < 0)
		return -ENOMEM;
	fn->desc.where = where;
	if (fn->desc.decl_file)
		n = asprintf(&label, "%s at %s", fn->desc.name, where);
	else
		n = (label = strdup(where)) ? 0 : -1;
	if (n < 0)
		return -ENOMEM;
	fn->desc.label = label;
	return dw_site_fill(c->mod->mod, c->site, fn->desc.decl_line, fn);
}

static int make_func(struct symtab *st, const struct cand *c, struct func_info **out)
{
	struct func_info *fn = calloc(1, sizeof(*fn));
	int rc;

	*out = NULL;
	if (!fn)
		return -ENOMEM;
	fn->desc.name = sym_display_name(c->mod, c->ndx, &c->f);
	fn->desc.module = strdup(c->mod->path);
	fn->desc.addr = c->f.addr;
	if (!fn->desc.name || !fn->desc.module) {
		rc = -ENOMEM;
		goto free_fn;
	}
	fn->clone = dw_func_is_clone(fn->desc.name);
	fn->local = c->f.local;
	rc = dw_func_fill(&st->dwarf, c->mod->mod, fn);
	/* an IFUNC's implementations are often assembly: the prototype is
	 * its resolver's result type */
	if (!rc && !fn->has_dwarf && c->f.resolver)
		rc = dw_func_fill_ifunc(&st->dwarf, c->mod->mod, c->f.resolver, fn);
	if (!rc && c->is_site)
		rc = make_site(c, fn);
	if (rc)
		goto free_fn;
	*out = fn;
	return 0;

free_fn:
	free_func(fn);
	return rc;
}

/* The specs that selected a function, under any of its aliases, each
 * once and in command-line order. */
static int collect_specs(const struct cand *v, size_t n, struct func_info *fn)
{
	fn->specs = calloc(n, sizeof(*fn->specs));
	if (!fn->specs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned at = 0;

		while (at < fn->nspecs && fn->specs[at] < v[i].spec)
			at++;
		if (at < fn->nspecs && fn->specs[at] == v[i].spec)
			continue;
		memmove(fn->specs + at + 1, fn->specs + at, (fn->nspecs - at) * sizeof(*fn->specs));
		fn->specs[at] = v[i].spec;
		fn->nspecs++;
	}
	return 0;
}

static int build_results(struct symtab *st, struct cands *c,
			 struct func_info ***funcs, size_t *nfuncs)
{
	struct func_batch *b = calloc(1, sizeof(*b));
	struct mod_entry **mods = calloc(c->n ? c->n : 1, sizeof(*mods));
	int rc = -ENOMEM;

	if (!b || !mods)
		goto free_batch;
	if (c->n)
		qsort(c->v, c->n, sizeof(c->v[0]), cand_cmp);
	b->funcs = calloc(c->n ? c->n : 1, sizeof(b->funcs[0]));
	if (!b->funcs)
		goto free_batch;
	for (size_t i = 0, end; i < c->n; i = end) {
		for (end = i + 1; end < c->n && same_cand(&c->v[end], &c->v[i]); end++)
			;
		mods[b->n] = c->v[i].mod;
		rc = make_func(st, &c->v[i], &b->funcs[b->n]);
		if (!rc)
			b->n++;
		if (!rc)
			rc = collect_specs(c->v + i, end - i, b->funcs[b->n - 1]);
		if (rc)
			goto free_funcs;
	}
	rc = sym_fill_declared(mods, b->funcs, b->n);
	if (rc)
		goto free_funcs;
	free(mods);
	b->next = st->batches;
	st->batches = b;
	*funcs = b->funcs;
	*nfuncs = b->n;
	return 0;

free_funcs:
	sym_free_funcs(b->funcs, b->n);
free_batch:
	free(mods);
	free(b);
	return rc;
}

static bool noted_module(const struct symtab *st, const Dwfl_Module *mod)
{
	for (size_t i = 0; i < st->nnoted; i++)
		if (st->noted[i] == mod)
			return true;
	return false;
}

/* Did the function at addr get a prototype from a declaration? funcs[0,
 * n) are build_results' functions, in the candidates' order: by address,
 * the sites after them. */
static bool declared(struct func_info *const *funcs, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct func_desc *d = &funcs[mid]->desc;

		if (!d->site && d->addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !funcs[lo]->desc.site && funcs[lo]->desc.addr == addr &&
	       funcs[lo]->has_dwarf;
}

/* Once per module, tell why its functions show raw registers: missing
 * debug information is the usual surprise. Best effort: a note lost to a
 * lack of memory changes nothing else. */
static void note_missing_dwarf(struct symtab *st, const struct cands *c,
			       struct func_info *const *funcs, size_t nfuncs)
{
	char msg[1024];
	Dwarf_Addr bias;

	if (!st->notify)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct mod_entry *me = c->v[i].mod;
		bool has_dwarf, covered;
		Dwfl_Module **v;

		if (noted_module(st, me->mod) || declared(funcs, nfuncs, c->v[i].f.addr))
			continue;
		/* with split DWARF, each unit's .dwo may be there or not; in
		 * a static executable, libc's functions have no unit at all */
		has_dwarf = dwfl_module_getdwarf(me->mod, &bias) != NULL;
		covered = has_dwarf && dwfl_module_addrdie(me->mod, c->v[i].f.addr, &bias);
		if (covered && !dw_func_split_missing(me->mod, c->v[i].f.addr))
			continue;
		v = realloc(st->noted, (st->nnoted + 1) * sizeof(*v));
		if (!v)
			return;
		st->noted = v;
		st->noted[st->nnoted++] = me->mod;
		if (covered)
			debuginfo_note_split(me->path, msg, sizeof(msg));
		else if (has_dwarf)
			debuginfo_note_partial(me->path, c->v[i].f.name, msg, sizeof(msg));
		else
			debuginfo_note(me->mod, me->path, st->debuginfo_path,
				       DEBUGINFO_DPKG_DIR, msg, sizeof(msg));
		st->notify(msg);
	}
}

static int out_of_memory(char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "out of memory resolving probes");
	return -ENOMEM;
}

/* some: a spec that matches nothing is no error unless none matches. */
static int resolve(struct symtab *st, const struct probe_spec *specs,
		   size_t nspecs, bool new_only, bool some, struct func_info ***funcs,
		   size_t *nfuncs, char *err, size_t errlen)
{
	struct mod_list mods;
	struct cands c = { 0 };
	char first[512] = "";
	int rc, missed = 0;

	*funcs = NULL;
	*nfuncs = 0;
	if (err && errlen)
		err[0] = '\0';
	if (sym_list_modules(st->dwfl, &st->exe, &st->files, &mods) != 0)
		return out_of_memory(err, errlen);
	sym_mark_fresh(st, &mods);
	for (size_t s = 0; s < nspecs; s++) {
		rc = match_spec(st, &mods, specs, (unsigned)s, new_only, &c, err, errlen);
		if (some && !missed && (rc == -ENOENT || rc == -ENOEXEC)) {
			missed = rc;
			snprintf(first, sizeof(first), "%s", err ? err : "");
		}
		if (some && (rc == -ENOENT || rc == -ENOEXEC))
			rc = 0;
		if (rc)
			goto free_lists;
	}
	if (missed && !c.n) {
		if (err && errlen)
			snprintf(err, errlen, "%s", first);
		rc = missed;
		goto free_lists;
	}
	if (err && errlen)
		err[0] = '\0';
	rc = build_results(st, &c, funcs, nfuncs);
	if (!rc) {
		note_missing_dwarf(st, &c, *funcs, *nfuncs);
		rc = sym_remember(st, &mods);
	}

free_lists:
	free(c.v);
	sym_free_modules(&mods);
	return rc == -ENOMEM ? out_of_memory(err, errlen) : rc;
}

int symtab_resolve(struct symtab *st, const struct probe_spec *specs,
		   size_t nspecs, bool some, struct func_info ***funcs, size_t *nfuncs,
		   char *err, size_t errlen)
{
	return resolve(st, specs, nspecs, false, some, funcs, nfuncs, err, errlen);
}

int symtab_resolve_new(struct symtab *st, const struct probe_spec *specs,
		       size_t nspecs, struct func_info ***funcs, size_t *nfuncs)
{
	return resolve(st, specs, nspecs, true, false, funcs, nfuncs, NULL, 0);
}

int symtab_describe_at(struct symtab *st, uint64_t look, uint64_t shown,
		       char *buf, size_t len)
{
	Dwfl_Module *mod = sym_module_at(st->dwfl, &st->bss, look);
	GElf_Off off = 0;
	GElf_Sym sym;
	struct cxx_name cxx = { 0 };
	const char *name;

	if (!mod)
		return -ENOENT;
	/* code or data without a sized symbol: libdwfl's nearest one */
	if (sym_addr_name(&st->addrs, mod, look, &name, &off) != 0)
		name = dwfl_module_addrinfo(mod, look, &off, &sym, NULL, NULL, NULL);
	if (!name || !*name)
		return -ENOENT;
	if (demangle_symbol(name, &cxx) == 0)
		name = cxx.display;
	off += shown - look;
	if (off)
		snprintf(buf, len, "%s+0x%" PRIx64, name, (uint64_t)off);
	else
		snprintf(buf, len, "%s", name);
	cxx_name_free(&cxx);
	return 0;
}

int symtab_describe(struct symtab *st, uint64_t addr, char *buf, size_t len)
{
	return symtab_describe_at(st, addr, addr, buf, len);
}

int symtab_source_line(struct symtab *st, uint64_t addr, const char **file,
		       unsigned *line)
{
	Dwfl_Module *mod = dwfl_addrmodule(st->dwfl, addr);
	Dwfl_Line *l = mod ? dwfl_module_getsrc(mod, addr) : NULL;
	int lineno = 0;
	const char *src = l ? dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL) : NULL;

	if (!src)
		return -ENOENT;
	*file = src;
	*line = lineno > 0 ? (unsigned)lineno : 0;
	return 0;
}

Dwfl *symtab_dwfl(struct symtab *st)
{
	return st->dwfl;
}

void *symtab_attachment(struct symtab *st)
{
	return st->attachment;
}

void symtab_attach(struct symtab *st, void *p, void (*release)(void *))
{
	st->attachment = p;
	st->release = release;
}
