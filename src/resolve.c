/* From probe specs to planted traps: the functions they select in the
 * current program image, each with the conditions that decide which of
 * its calls to report. Nothing here touches the target's memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "tracer.h"

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

void probes_forget(struct tracer *t)
{
	for (size_t i = 0; i < t->nfuncs; i++)
		filter_free(t->filters[i]);
	free(t->filters);
	free(t->funcs);   /* the functions belong to the symtab */
	t->filters = NULL;
	t->funcs = NULL;
	t->nfuncs = 0;
}

/* A probe whose condition fits none of its functions is an error; one
 * that fits some is traced there, with a warning for the rest. */
static int judge_misfits(struct tracer *t, const struct misfits *m)
{
	const struct latch_opts *o = t->opts;
	char msg[sizeof(t->err) + 512];

	for (size_t s = 0; s < o->nprobes; s++) {
		if (!m->misfit[s])
			continue;
		if (!m->fit[s]) {
			snprintf(t->err, sizeof(t->err), "probe '%s': %s",
				 o->probes[s].text, m->why[s]);
			return -EINVAL;
		}
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
static int judge_error_misfits(struct tracer *t, const struct misfits *m)
{
	const char *text = t->opts->error_if;
	char msg[sizeof(t->err) + 512];

	if (!m->error_misfit)
		return 0;
	if (m->error_misfit == t->nfuncs) {
		snprintf(t->err, sizeof(t->err), "--error-if '%.60s': %.180s", text, m->error_why);
		return -EINVAL;
	}
	snprintf(msg, sizeof(msg),
		 "--error-if '%s' does not fit %zu of the %zu traced functions, whose "
		 "calls it never marks; e.g. %s", text, m->error_misfit, t->nfuncs,
		 m->error_why);
	if (t->warn)
		t->warn(msg);
	return 0;
}

/* Keep the functions some condition fits, each with its filter. */
static int build_filters(struct tracer *t, struct func_info **all, size_t n)
{
	const struct latch_opts *o = t->opts;
	struct misfits m = {
		.fit = calloc(o->nprobes, sizeof(*m.fit)),
		.misfit = calloc(o->nprobes, sizeof(*m.misfit)),
		.why = calloc(o->nprobes, sizeof(*m.why)),
	};
	int err = -ENOMEM;

	t->funcs = calloc(n ? n : 1, sizeof(*t->funcs));
	t->filters = calloc(n ? n : 1, sizeof(*t->filters));
	if (!m.fit || !m.misfit || !m.why || !t->funcs || !t->filters)
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
		t->funcs[t->nfuncs] = all[i];
		t->filters[t->nfuncs++] = f;
	}
	err = judge_misfits(t, &m);
	if (!err)
		err = judge_error_misfits(t, &m);

free_misfits:
	if (err == -ENOMEM)
		snprintf(t->err, sizeof(t->err), "out of memory resolving probes");
	free(m.fit);
	free(m.misfit);
	free(m.why);
	return err;
}

int tracer_resolve(struct tracer *t)
{
	struct func_info **all;
	size_t n;
	int err = symtab_open(t->pid, &t->symtab);

	if (err == -ESRCH || err == -ENOENT) {
		/* A zombie still answers kill(pid, 0) but has no memory map. */
		snprintf(t->err, sizeof(t->err), "no such process: %d (it has exited)",
			 (int)t->pid);
		return -ESRCH;
	}
	if (err) {
		snprintf(t->err, sizeof(t->err), "cannot read the modules of process %d: %s",
			 (int)t->pid, strerror(-err));
		return err;
	}
	symtab_set_notify(t->symtab, t->warn);
	err = symtab_resolve(t->symtab, t->opts->probes, t->opts->nprobes,
			     &all, &n, t->err, sizeof(t->err));
	if (!err)
		err = build_filters(t, all, n);
	/* Checked before any trap is planted: a glob that matches half of
	 * libc would stop a live process on every call it makes. */
	if (!err && !t->opts->list && t->nfuncs > t->opts->max_probes) {
		snprintf(t->err, sizeof(t->err),
			 "the probes match %zu functions, more than --max-probes %zu: "
			 "narrow them (see -l) or raise the limit",
			 t->nfuncs, t->opts->max_probes);
		return -E2BIG;
	}
	return err;
}

int tracer_plant_probes(struct tracer *t)
{
	size_t planted = 0;
	char why[sizeof(t->err) + 96] = "";
	int err = 0;

	for (size_t i = 0; i < t->nfuncs; i++) {
		const struct func_info *fn = t->funcs[i];
		struct trap *tr;

		t->err[0] = 0;
		err = trap_plant(t, fn->addr, TRAP_ENTRY, &tr);
		if (err == -ENOTSUP || err == -EINVAL) {
			/* This function cannot be traced; the others still can. */
			snprintf(why, sizeof(why), "cannot trace %s: %s", fn->name,
				 t->err[0] ? t->err : "its first instruction does not decode");
			if (t->warn)
				t->warn(why);
			continue;
		}
		if (err) {
			snprintf(t->err, sizeof(t->err), "cannot plant a trap in %s at 0x%llx: %s",
				 fn->name, (unsigned long long)fn->addr, strerror(-err));
			return err;
		}
		tr->fn = fn;
		tr->filter = t->filters[i];
		planted++;
	}
	if (!planted && t->nfuncs) {
		snprintf(t->err, sizeof(t->err), "%.*s", (int)sizeof(t->err) - 1, why);
		return -ENOTSUP;
	}
	return 0;
}
