/* Where unwinding leaves traced frames behind, found at the moment it
 * happens rather than at the thread's next trap. Each hook is called
 * from the frame unwinding stops in, so every traced call made from that
 * frame or deeper is over:
 *   __cxa_begin_catch  a C++ catch clause starts (libstdc++);
 *   _Unwind_Resume     a cleanup (destructors) of a frame being unwound is
 *                      done and unwinding goes on (libgcc_s);
 *   __call_tls_dtors   a thread cancelled or exiting by pthread_exit is
 *                      back in start_thread, below its whole stack.
 * The longjmp family is trapped at its entry instead: where it goes is in
 * the jmp_buf, mangled by glibc's pointer guard, so the thread is stepped
 * until its stack pointer is the one setjmp saved (tracer.c). */
#include <errno.h>
#include "tracer/priv.h"

static const char *const hooks[] = {
	"__cxa_begin_catch", "_Unwind_Resume", "__call_tls_dtors",
	"longjmp", "_longjmp", "siglongjmp", "__longjmp_chk",
};
#define NUNWIND 3   /* the first ones: TRAP_UNWIND; the rest TRAP_LONGJMP */

struct planting {
	struct tracer *t;
	struct proc *p;
	int err;
};

static void plant_hook(void *ctx, size_t i, uint64_t addr)
{
	struct planting *x = ctx;
	int err = trap_plant(x->t, x->p, addr, i < NUNWIND ? TRAP_UNWIND : TRAP_LONGJMP, NULL);
	/* A hook that cannot be planted costs only the moment: the frames
	 * still end at the thread's next trap or exit. */
	if (err == -ESRCH || err == -ENOMEM)
		x->err = x->err ? x->err : err;
	x->t->err[0] = 0;
}

int unwind_watch(struct tracer *t, struct proc *p, bool new_only)
{
	struct planting x = { t, p, 0 };
	int err;

	if (!p->symtab || t->opts->no_returns)
		return 0;
	err = symtab_find_symbols(p->symtab, hooks, sizeof(hooks) / sizeof(hooks[0]),
				  new_only, plant_hook, &x);
	return err ? err : x.err;
}

