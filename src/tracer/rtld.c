/* Libraries loaded and unloaded while latch traces. The dynamic linker
 * calls r_brk (_dl_debug_state) before and after it changes its list of
 * modules, with r_state saying which. At RT_CONSISTENT after a dlopen the
 * new modules are mapped and relocated but their constructors have not
 * run yet; after a dlclose the modules gone are unmapped. */
#include <errno.h>
#include <link.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tracer/priv.h"

/* struct r_debug's fields in the target, a 64-bit process as latch is */
#define R_BRK_OFF offsetof(struct r_debug, r_brk)
#define R_STATE_OFF offsetof(struct r_debug, r_state)

static void found_r_debug(void *ctx, size_t i, uint64_t addr)
{
	uint64_t *at = ctx;

	(void)i;
	/* the executable's copy, if it has one, comes first and wins */
	if (!*at)
		*at = addr;
}

int rtld_watch(struct tracer *t, struct proc *p)
{
	static const char *const names[] = { "_r_debug" };
	uint64_t at = 0, brk = 0;
	int err;

	if (p->rtld.brk || !p->symtab)
		return 0;
	err = symtab_find_symbols(p->symtab, names, 1, false, found_r_debug, &at);
	if (err || !at)
		return err;   /* statically linked: nothing is loaded later */
	if (mem_read(&p->mem, at + R_BRK_OFF, &brk, sizeof(brk)) != (ssize_t)sizeof(brk))
		return -ESRCH;
	if (!brk)
		return 0;     /* a static program that never called dlopen */
	err = trap_plant(t, p, brk, TRAP_RTLD, NULL);
	if (!err)
		p->rtld = (struct rtld){ .r_debug = at, .brk = brk };
	return err;
}

/* A module is gone: its traps, and the functions latch traced in it. */
static void module_gone(void *ctx, uint64_t lo, uint64_t hi)
{
	struct proc *p = ctx;
	size_t kept = 0;

	traps_drop_range(p, lo, hi);
	for (size_t i = 0; i < p->nfuncs; i++) {
		if (p->funcs[i]->desc.addr >= lo && p->funcs[i]->desc.addr < hi) {
			struct filter **v = realloc(p->gone_filters,
						    (p->ngone + 1) * sizeof(*v));

			if (v) {
				p->gone_filters = v;
				v[p->ngone++] = p->filters[i];
			}
			continue;
		}
		p->funcs[kept] = p->funcs[i];
		p->filters[kept++] = p->filters[i];
	}
	p->nfuncs = kept;
}

int rtld_hit(struct tracer *t, struct proc *p)
{
	int32_t state;
	int err;

	if (mem_read(&p->mem, p->rtld.r_debug + R_STATE_OFF, &state, sizeof(state)) !=
	    (ssize_t)sizeof(state))
		return -ESRCH;
	if (state != RT_CONSISTENT)
		return 0;
	err = symtab_refresh(p->symtab, module_gone, p);
	if (err)
		return tracer_fail(t, err, "cannot read the modules loaded since: %s",
				   strerror(-err));
	return 1;
}
