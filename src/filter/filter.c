/* Per-function conditions: one rule per probe that selected the
 * function; a call is reported when one rule holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch.h"
#include "filter/filter.h"

/* Pending return conditions are a bit mask. */
#define MAX_RULES 64

struct rule {
	struct expr *entry;    /* NULL: holds */
	struct expr *ret;      /* NULL: decided at entry */
};

struct filter {
	struct value_limits lim;   /* what the conditions need decoded */
	bool always;               /* a probe without a condition selected it */
	struct expr *error;        /* --error-if, or NULL */
	unsigned n;
	struct rule rules[];
};

void filter_free(struct filter *f)
{
	if (!f)
		return;
	expr_free(f->error);
	for (unsigned i = 0; i < f->n; i++) {
		expr_free(f->rules[i].entry);
		expr_free(f->rules[i].ret);
	}
	free(f);
}

static int check_one(struct expr *e, const struct func_info *fn, bool on_return,
		     const struct expr_types *ty, char *err, size_t errlen)
{
	/* Without DWARF the arguments are the raw argument registers, and
	 * "argN" are their only names; a site has its values only. */
	unsigned n = fn->desc.site || fn->has_dwarf ? func_nvalues(fn) : arch_int_arg_regs;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	struct expr_scope sc = {
		.params = names,
		.nparams = n,
		.allow_ret = on_return,
		.void_ret = fn->has_dwarf && !fn->has_ret,
		.types = ty,
	};
	char why[256];
	int rc;

	if (!names)
		return -ENOMEM;
	for (unsigned i = 0; fn->has_dwarf && i < n; i++)
		names[i] = fn->params[i].name;
	rc = expr_check(e, &sc, why, sizeof(why));
	if (rc == -EINVAL)
		snprintf(err, errlen, "%s: %s", fn->desc.name, why);
	free(names);
	return rc;
}

static int build_rule(const struct func_info *fn, const struct probe_spec *spec,
		      const struct expr_types *ty, struct rule *r,
		      char *err, size_t errlen)
{
	int rc = probe_conditions(spec, &r->entry, &r->ret, err, errlen);

	if (!rc && r->entry)
		rc = check_one(r->entry, fn, false, ty, err, errlen);
	if (!rc && r->ret)
		rc = check_one(r->ret, fn, true, ty, err, errlen);
	return rc;
}

/* --error-if, left out of f when it does not fit fn. */
static int build_error(struct filter *f, const struct func_info *fn, const char *text,
		       const struct expr_types *ty, filter_misfit_fn misfit, void *ctx)
{
	char why[512], msg[480];
	int rc = expr_parse(text, &f->error, msg, sizeof(msg));

	if (rc == -EINVAL)
		snprintf(why, sizeof(why), "%s: %s", fn->desc.name, msg);
	else if (!rc)
		rc = check_one(f->error, fn, true, ty, why, sizeof(why));
	if (rc == -EINVAL) {
		expr_free(f->error);
		f->error = NULL;
		misfit(ctx, FILTER_ERROR_IF, why);
		return 0;
	}
	if (!rc)
		expr_limits(f->error, &f->lim);
	return rc;
}

int filter_build(const struct func_info *fn, const struct probe_spec *specs,
		 const char *error_if, const struct value_limits *shown,
		 filter_misfit_fn misfit, void *ctx, struct filter **out)
{
	struct expr_types ty;
	struct filter *f;
	bool always = false;
	char why[512];
	int rc = 0;

	*out = NULL;
	for (unsigned i = 0; i < fn->nspecs; i++)
		if (!specs[fn->specs[i]].if_at && !specs[fn->specs[i]].ret_at)
			always = true;
	if (always && !error_if)
		return 0;
	f = calloc(1, sizeof(*f) + fn->nspecs * sizeof(f->rules[0]));
	if (!f)
		return -ENOMEM;
	f->lim = *shown;
	f->always = always;
	rc = filter_types_begin(fn, &ty);
	if (rc)
		goto free_filter;
	for (unsigned i = 0; !always && i < fn->nspecs && f->n < MAX_RULES; i++) {
		struct rule *r = &f->rules[f->n];

		rc = build_rule(fn, &specs[fn->specs[i]], &ty, r, why, sizeof(why));
		if (rc == -EINVAL) {
			expr_free(r->entry);
			expr_free(r->ret);
			*r = (struct rule){ NULL, NULL };
			misfit(ctx, fn->specs[i], why);
			rc = 0;
			continue;
		}
		f->n++;    /* on error too: free what the rule holds */
		if (rc)
			break;
		expr_limits(r->entry, &f->lim);
		expr_limits(r->ret, &f->lim);
	}
	/* only for a function that is traced: misfits count traced ones */
	if (!rc && error_if && (always || f->n))
		rc = build_error(f, fn, error_if, &ty, misfit, ctx);
	filter_types_end(&ty);
	if (!rc && !f->n && !always)
		rc = -ENOENT;
	if (rc)
		goto free_filter;
	if (always && !f->error)
		filter_free(f);      /* --error-if does not fit: nothing to do */
	else
		*out = f;
	return 0;

free_filter:
	filter_free(f);
	return rc;
}

const struct value_limits *filter_limits(const struct filter *f,
					 const struct value_limits *shown)
{
	return f ? &f->lim : shown;
}

static bool holds(const struct expr *e, const struct value *args, unsigned nargs,
		  const struct value *ret, uint64_t dur_ns, struct filter_faults *faults)
{
	bool yes = false;
	int rc = expr_eval(e, args, nargs, ret, dur_ns, &yes);

	if (rc == -EFAULT)
		faults->unreadable++;
	else if (rc)
		faults->invalid++;
	return !rc && yes;
}

enum filter_verdict filter_entry(const struct filter *f, const struct value *args,
				 unsigned nargs, uint64_t *pending,
				 struct filter_faults *faults)
{
	*pending = 0;
	if (!f || f->always)
		return FILTER_REPORT;
	for (unsigned i = 0; i < f->n; i++) {
		const struct rule *r = &f->rules[i];

		if (r->entry && !holds(r->entry, args, nargs, NULL, 0, faults))
			continue;
		if (!r->ret)
			return FILTER_REPORT;
		*pending |= UINT64_C(1) << i;
	}
	return *pending ? FILTER_DEFER : FILTER_REJECT;
}

bool filter_return(const struct filter *f, uint64_t pending,
		   const struct value *args, unsigned nargs,
		   const struct value *ret, uint64_t dur_ns,
		   struct filter_faults *faults)
{
	for (unsigned i = 0; f && i < f->n; i++)
		if ((pending >> i & 1) &&
		    holds(f->rules[i].ret, args, nargs, ret, dur_ns, faults))
			return true;
	return false;
}

bool filter_has_error(const struct filter *f)
{
	return f && f->error;
}

bool filter_error(const struct filter *f, const struct value *args, unsigned nargs,
		  const struct value *ret, uint64_t dur_ns)
{
	struct filter_faults ignored = { 0 };

	return filter_has_error(f) && holds(f->error, args, nargs, ret, dur_ns, &ignored);
}
