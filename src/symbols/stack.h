/* Caller chains of traced calls (-S). */
#ifndef LATCH_STACK_H
#define LATCH_STACK_H

#include <sys/types.h>
#include "arch.h"
#include "core/event.h"
#include "util/mem.h"
#include "symbols/symbols.h"

/* The callers of a function whose entry trap thread tid has just hit
 * (registers r as the trap left them; the thread stays stopped): at most
 * max frames, innermost first, symbolised with st, read from the stack
 * through rd. 0 with what could be unwound (maybe nothing) in *out and
 * *n, freed with stack_free; or -ENOMEM, or -ENOTSUP when libdwfl cannot
 * unwind this process at all, with nothing in *out. */
int stack_capture(struct symtab *st, pid_t tid, const struct arch_regs *r,
		  mem_read_fn rd, void *rdctx, unsigned max,
		  struct stack_frame **out, unsigned *n);

/* The warning for stack_capture's failure err on st's process, in buf:
 * true the first time for that program image, then false (and false for
 * err 0), so that a process whose stacks cannot be unwound says so once. */
bool stack_warning(struct symtab *st, int err, char *buf, size_t len);

#endif
