/* From probe specs to planted traps: the functions they select in the
 * current program image, each with the conditions that decide which of
 * its calls to report. Nothing here touches the target's memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter/filter.h"
#include "tracer/priv.h"
#include "util/procfs.h"

/* Conditions that do not fit a function selected by their probe. */
struct misfits {
	size_t *fit, *misfit;    /* functions, per spec */
	char (*why)[512];        /* the first reason, per spec */
	size_t error_misfit;     /* the same for --error-if */
	char error_why[512];
};

static void note_misfit(void *ctx, unsigned spec, const char *why)
{
	struct misfits *m = ctx;

	if (spec == FILTER_ERROR_IF) {
		if (!m->error_misfit++)
			snprintf(m->error_why, sizeof(m->error_why), "%s", why);
	} else if (!m->misfit[spec]++) {
		snprintf(m->why[spec], sizeof(m->why[spec]), "%s", why);
	}
}

/* A probe whose condition fits none of its functions is an error; one
 * that fits some is traced there, with a warning for the rest. */
static int judge_misfits(struct tracer *t, const struct misfits *m, bool fatal)
{
	const struct latch_opts *o = t->opts;
	char msg[sizeof(t->err) + 512];

	for (size_t s = 0; s < o->nprobes; s++) {
		if (!m->misfit[s])
			continue;
		if (!m->fit[s] && fatal)
			return tracer_fail(t, -EINVAL, "probe '%s': %s",
					   o->probes[s].text, m->why[s]);
		snprintf(msg, sizeof(msg),
			 "probe '%s': its condition does not fit %zu of the %zu functions it "
			 "selects, which are not traced; e.g. %s", o->probes[s].text,
			 m->misfit[s], m->misfit[s] + m->fit[s], m->why[s]);
		if (t->warn)
			t->warn(msg);
	}
	return 0;
}

/* --error-if that fits none of the traced functions is an error; one
 * that fits some, a warning. */
static int judge_error_misfits(struct tracer *t, const struct misfits *m,
			       size_t nfuncs, bool fatal)
{
	const char *text = t->opts->error_if;
	char msg[sizeof(t->err) + 512];

	if (!m->error_misfit)
		return 0;
	if (m->error_misfit == nfuncs && fatal)
		return tracer_fail(t, -EINVAL, "--error-if '%.60s': %.180s", text, m->error_why);
	snprintf(msg, sizeof(msg),
		 "--error-if '%s' does not fit %zu of the %zu traced functions, whose "
		 "calls it never marks; e.g. %s", text, m->error_misfit, nfuncs,
		 m->error_why);
	if (t->warn)
		t->warn(msg);
	return 0;
}

/* Add to p's traced functions those of all that some condition fits,
 * each with its filter. The first time (fatal), a condition that fits
 * none of its functions is an error; later (libraries loaded), only a
 * warning, and a quiet image (a forked child's) gives none. */
static int add_funcs(struct tracer *t, struct proc *p, struct func_info **all,
		     size_t n, bool fatal, bool quiet)
{
	const struct latch_opts *o = t->opts;
	struct misfits m = {
		.fit = calloc(o->nprobes, sizeof(*m.fit)),
		.misfit = calloc(o->nprobes, sizeof(*m.misfit)),
		.why = calloc(o->nprobes, sizeof(*m.why)),
	};
	size_t before = p->nfuncs;
	struct func_info **funcs = realloc(p->funcs, (before + n + 1) * sizeof(*funcs));
	struct filter **filters = funcs ? realloc(p->filters, (before + n + 1) * sizeof(*filters))
				       : NULL;
	int err = -ENOMEM;

	if (funcs)
		p->funcs = funcs;
	if (filters)
		p->filters = filters;
	if (!m.fit || !m.misfit || !m.why || !funcs || !filters)
		goto free_misfits;
	for (size_t i = 0; i < n; i++) {
		struct filter *f = NULL;

		err = o->list ? 0 : filter_build(all[i], o->probes, o->error_if, &o->limits,
						      note_misfit, &m, &f);
		if (err == -ENOENT)
			continue;
		if (err)
			goto free_misfits;
		for (unsigned k = 0; k < all[i]->nspecs; k++)
			m.fit[all[i]->specs[k]]++;
		p->funcs[p->nfuncs] = all[i];
		p->filters[p->nfuncs++] = f;
	}
	err = 0;
	if (!quiet)
		err = judge_misfits(t, &m, fatal);
	if (!err && !quiet)
		err = judge_error_misfits(t, &m, p->nfuncs - before, fatal);

free_misfits:
	if (err == -ENOMEM)
		tracer_fail(t, err, "out of memory resolving probes");
	free(m.fit);
	free(m.misfit);
	free(m.why);
	return err;
}

int image_resolve(struct tracer *t, struct proc *p, bool first, bool quiet)
{
	struct func_info **all;
	size_t n;
	int err = symtab_open(p->pid, &p->symtab);

	if (err == -ESRCH || err == -ENOENT) {
		/* A zombie still answers kill(pid, 0) but has no memory map. */
		return tracer_fail(t, -ESRCH, "no such process: %d (it has exited)",
				   (int)p->pid);
	}
	if (err)
		return tracer_fail(t, err, "cannot read the modules of process %d: %s",
				   (int)p->pid, strerror(-err));
	symtab_set_notify(p->symtab, quiet ? NULL : t->warn);
	err = symtab_resolve(p->symtab, t->opts->probes, t->opts->nprobes, !first,
			     &all, &n, t->err, sizeof(t->err));
	if (!err)
		err = add_funcs(t, p, all, n, first, quiet);
	/* Checked before any trap is planted: a glob that matches half of
	 * libc would stop a live process on every call it makes. */
	if (!err && !t->opts->list && p->nfuncs > t->opts->max_probes)
		return tracer_fail(t, -E2BIG, "the probes match %zu functions, more than --max-probes %zu: "
				   "narrow them (see -l) or raise the limit",
				   p->nfuncs, t->opts->max_probes);
	return err;
}

int image_resolve_more(struct tracer *t, struct proc *p, size_t *from)
{
	struct func_info **all;
	size_t n;
	int err = symtab_resolve_new(p->symtab, t->opts->probes, t->opts->nprobes,
				     &all, &n);

	*from = p->nfuncs;
	if (!err)
		err = add_funcs(t, p, all, n, false, false);
	if (!err && p->nfuncs > t->opts->max_probes) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the probes match %zu functions with the libraries "
			 "loaded since, more than --max-probes %zu: the new ones are not traced",
			 p->nfuncs, t->opts->max_probes);
		if (t->warn)
			t->warn(msg);
		for (size_t i = *from; i < p->nfuncs; i++)
			filter_free(p->filters[i]);
		p->nfuncs = *from;
	}
	return err;
}

int plant_funcs(struct tracer *t, struct proc *p, size_t from)
{
	size_t planted = 0;
	char why[sizeof(t->err) + 96] = "";
	int err = 0;

	for (size_t i = from; i < p->nfuncs; i++) {
		const struct func_info *fn = p->funcs[i];
		struct trap *tr;

		t->err[0] = 0;
		/* a trap inside an instruction would break it */
		err = fn->desc.site ? trap_check_boundary(t, p, fn->desc.addr - fn->desc.site_off,
							   fn->desc.addr) : 0;
		if (!err)
			err = trap_plant(t, p, fn->desc.addr, fn->desc.site ? TRAP_SITE : TRAP_ENTRY, &tr);
		if (err == -ENOTSUP || err == -EINVAL) {
			/* This function cannot be traced; the others still can.
			 * The last such reason is the error if none can. */
			if (why[0] && t->warn)
				t->warn(why);
			snprintf(why, sizeof(why), "cannot trace %s: %s", func_label(&fn->desc),
				 t->err[0] ? t->err : "its first instruction does not decode");
			continue;
		}
		if (err)
			return tracer_fail(t, err, "cannot plant a trap in %s at 0x%llx: %s",
					   func_label(&fn->desc), (unsigned long long)fn->desc.addr,
					   strerror(-err));
		if (fn->desc.site) {
			tr->site = fn;
			tr->site_filter = p->filters[i];
		} else {
			tr->fn = fn;
			tr->filter = p->filters[i];
		}
		planted++;
	}
	if (!planted && p->nfuncs > from)
		return tracer_fail(t, -ENOTSUP, "%.*s", (int)sizeof(t->err) - 1, why);
	if (why[0] && t->warn)
		t->warn(why);
	return 0;
}

int image_rtld_hit(struct tracer *t, struct proc *p)
{
	size_t from;
	int err = rtld_hit(t, p);

	if (err <= 0)
		return err;
	err = unwind_watch(t, p, true);
	if (!err)
		err = image_resolve_more(t, p, &from);
	if (!err)
		err = plant_funcs(t, p, from);
	/* each function that cannot be traced was warned about */
	return err == -ENOTSUP ? 0 : err;
}

int image_plant(struct tracer *t, struct proc *p)
{
	int err = plant_funcs(t, p, 0);

	/* Without these, probes still work: only later libraries and the
	 * moment of an exception's unwinding are missed. */
	if (!err && rtld_watch(t, p) == -ESRCH)
		err = -ESRCH;
	if (!err && unwind_watch(t, p, false) == -ESRCH)
		err = -ESRCH;
	return err;
}

int tracer_resolve(struct tracer *t, pid_t pid)
{
	struct proc *p = proc_get(t, pid);

	if (!p && proc_add(t, pid, &p))
		return -ENOMEM;
	return image_resolve(t, p, true, false);
}

int tracer_plant_probes(struct tracer *t, pid_t pid)
{
	struct proc *p = proc_get(t, pid);

	return p ? image_plant(t, p) : -ESRCH;
}

/* At exec the old image is gone: stop at the new program's entry point,
 * where its shared libraries are mapped, and resolve the probes there. */
int image_new(struct tracer *t, struct proc *p)
{
	uint64_t entry;
	int err;

	image_forget(t, p);
	mem_close(&p->mem);
	err = mem_open(&p->mem, p->pid);
	if (!err)
		err = procfs_auxv(p->pid, AT_ENTRY, &entry);
	if (!err)
		err = trap_plant(t, p, entry, TRAP_START, NULL);
	if (err)
		return tracer_fail(t, err, "cannot stop at the program's entry: %s",
				   strerror(-err));
	return 0;
}
