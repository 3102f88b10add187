/* Caller chains of traced calls (-S). */
#ifndef LATCH_STACK_H
#define LATCH_STACK_H

#include <sys/types.h>
#include "arch.h"
#include "event.h"
#include "mem.h"
#include "symbols.h"

struct tracer;
struct proc;

/* The callers of a function whose entry trap thread tid has just hit
 * (registers r as the trap left them; the thread stays stopped): at most
 * max frames, innermost first, symbolised with st, read from the stack
 * through rd. 0 with what could be unwound (maybe nothing) in *out and
 * *n, freed with stack_free; or -ENOMEM, or -ENOTSUP when libdwfl cannot
 * unwind this process at all, with nothing in *out. */
int stack_capture(struct symtab *st, pid_t tid, const struct arch_regs *r,
		  mem_read_fn rd, void *rdctx, unsigned max,
		  struct stack_frame **out, unsigned *n);

/* -S: the stack of a call event at its entry trap into e->stack. A
 * failure costs only frames, never the call: e keeps what was unwound,
 * and t->warn says why once per program image. */
void stack_for_call(struct tracer *t, struct proc *p, pid_t tid,
		    const struct arch_regs *r,
		    struct event *e);

#endif
