/* Caller chains (-S): libdwfl unwinds a thread that latch holds stopped
 * at a traced function's entry, by CFI or, in code without any, by frame
 * pointers (its backends' fallback), reading the stack through latch's
 * own memory reader. symbols/stack_syms.c names the frames. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/stack.h"
#include "symbols/priv.h"

#define PAGE 4096u
#define NPAGES 8            /* stack pages kept during one capture */

/* A page of the stack, read whole: unwinding reads words near each other,
 * and one process_vm_readv per word would cost more than the rest. */
struct page {
	bool used;
	uint64_t base;
	ssize_t len;           /* bytes readable from base; < 0: none */
	uint8_t data[PAGE];
};

/* One per Dwfl, which libdwfl lets attach only once; lives as long as
 * the symtab. Holds the capture in progress for libdwfl's callbacks. */
struct unwinder {
	int attach_err;        /* 0, or why libdwfl cannot unwind here */
	char why[128];
	bool warned;
	bool have_mask;
	uint64_t tag_mask;     /* arch_code_tag_mask, the same for all threads */
	struct frame_syms syms;
	/* the capture in progress */
	pid_t tid;
	uint64_t regs[ARCH_DWARF_NREGS];
	unsigned nregs;
	uint64_t pc;
	mem_read_fn rd;
	void *rdctx;
	struct page pages[NPAGES];
	unsigned next_page;
};

struct walk {
	struct unwinder *u;
	uint64_t ra;           /* the caller's return address, from the entry */
	bool ra_known;
	bool from_caller;      /* the walk starts in the caller, at ra */
	bool missed_caller;    /* the walk from the entry did not reach ra */
	unsigned seen;         /* frames libdwfl has given */
	struct raw_frame *v;
	unsigned n, max;
};

static bool read_word(struct unwinder *u, uint64_t addr, uint64_t *word)
{
	uint64_t base = addr & ~(uint64_t)(PAGE - 1);
	size_t off = (size_t)(addr - base);
	struct page *p = NULL;

	if (off + sizeof(*word) > PAGE)
		return u->rd(u->rdctx, addr, word, sizeof(*word)) == sizeof(*word);
	for (unsigned i = 0; i < NPAGES && !p; i++)
		if (u->pages[i].used && u->pages[i].base == base)
			p = &u->pages[i];
	if (!p) {
		p = &u->pages[u->next_page++ % NPAGES];
		p->used = true;
		p->base = base;
		p->len = u->rd(u->rdctx, base, p->data, PAGE);
	}
	if (p->len < (ssize_t)(off + sizeof(*word)))
		return false;
	memcpy(word, p->data + off, sizeof(*word));
	return true;
}

/* A mem_read_fn over the page cache, for the return address at the entry:
 * the walk reads the same page next. */
static ssize_t cached_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct unwinder *u = ctx;
	uint64_t w;

	if (len != sizeof(w))
		return u->rd(u->rdctx, addr, buf, len);
	if (!read_word(u, addr, &w))
		return -EFAULT;
	memcpy(buf, &w, sizeof(w));
	return sizeof(w);
}

/* libdwfl's callbacks: one thread, the one being unwound, already stopped
 * by latch, so nothing here may ptrace it. */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = u;
	return u->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	*thread_argp = u;
	return tid == u->tid;
}

/* Every word loses the tag bits: libdw (0.188) does not strip pointer
 * authentication codes from saved return addresses, and the other words
 * an unwinder reads are stack addresses, which have none. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			void *arg)
{
	struct unwinder *u = arg;
	uint64_t w;

	(void)dwfl;
	if (!read_word(u, addr, &w))
		return false;
	*result = w & ~u->tag_mask;
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwinder *u = arg;

	if (!dwfl_thread_state_registers(thread, 0, u->nregs, u->regs))
		return false;
	dwfl_thread_state_register_pc(thread, u->pc);
	return true;
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static void unwinder_release(void *p)
{
	struct unwinder *u = p;

	if (!u)
		return;
	frame_syms_free(&u->syms);
	free(u);
}

/* The symtab's unwinder, attached to its Dwfl on first use. 0, -ENOMEM,
 * or the attach error, which stays. */
static int unwinder_get(struct symtab *st, pid_t tid, struct unwinder **out)
{
	struct unwinder *u = symtab_attachment(st);

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		if (!dwfl_attach_state(symtab_dwfl(st), NULL, tid, &callbacks, u)) {
			u->attach_err = -ENOTSUP;
			snprintf(u->why, sizeof(u->why), "%s", dwfl_errmsg(-1));
		}
		symtab_attach(st, u, unwinder_release);
	}
	*out = u;
	return u->attach_err;
}

static int on_frame(Dwfl_Frame *frame, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc;
	bool act = false;
	unsigned i = w->seen++;

	/* Whether a frame is an activation takes unwinding the next one:
	 * not worth it for the last frame taken, which is rarely one. */
	if (!dwfl_frame_pc(frame, &pc, w->n + 1 < w->max ? &act : NULL))
		return DWARF_CB_ABORT;
	if (w->from_caller && i == 0) {
		/* started at ra - 1, for the lookups of a return address */
		pc = w->ra;
		act = false;
	} else if (!w->from_caller && i == 0) {
		return DWARF_CB_OK;   /* the traced function itself */
	} else if (!w->from_caller && i == 1 && w->ra_known && pc != w->ra) {
		w->missed_caller = true;
		return DWARF_CB_ABORT;
	}
	pc &= ~w->u->tag_mask;
	if (!pc)
		return DWARF_CB_ABORT;
	w->v[w->n++] = (struct raw_frame){ pc, act };
	return w->n < w->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* Run one walk from the registers r with the pc as given. Its result
 * says little: libdwfl often ends a complete stack with an error. */
static void walk(struct symtab *st, struct walk *w,
		 const struct arch_regs *r, uint64_t pc)
{
	struct unwinder *u = w->u;

	u->nregs = arch_dwarf_regs(r, u->regs);
	u->pc = pc;
	w->seen = 0;
	w->n = 0;
	(void)dwfl_getthread_frames(symtab_dwfl(st), u->tid, on_frame, w);
}

/* The frames of the thread stopped at the entry of a function. */
static void walk_from_entry(struct symtab *st, struct walk *w,
			    const struct arch_regs *r)
{
	uint64_t entry = arch_trap_addr(r);
	struct arch_regs c = *r;

	w->ra_known = arch_return_address(r, cached_read, w->u, &w->ra) == 0;
	w->ra &= ~w->u->tag_mask;
	arch_set_pc(&c, entry);
	walk(st, w, &c, entry);
	/* At an entry without CFI, x86-64's frame-pointer fallback takes rbp
	 * for the function's own frame, while it is still the caller's, and
	 * so skips the caller. The entry tells exactly where the caller
	 * stands: start over from there. */
	if (!w->ra_known || !(w->missed_caller || w->seen < 2))
		return;
	arch_set_pc(&c, w->ra);
	arch_set_sp(&c, arch_sp_after_return(r));
	w->from_caller = true;
	/* ra - 1: libdwfl takes a first frame's pc as where it stopped, and
	 * the row of CFI that holds at a return address is its call's */
	walk(st, w, &c, w->ra - 1);
}

int stack_capture(struct symtab *st, pid_t tid, const struct arch_regs *r,
		  mem_read_fn rd, void *rdctx, unsigned max,
		  struct stack_frame **out, unsigned *n)
{
	struct walk w = { .max = max };
	struct unwinder *u;
	int err;

	*out = NULL;
	*n = 0;
	if (!max)
		return 0;
	err = unwinder_get(st, tid, &u);
	if (err)
		return err;
	w.u = u;
	w.v = calloc(max, sizeof(*w.v));
	if (!w.v)
		return -ENOMEM;
	u->tid = tid;
	u->rd = rd;
	u->rdctx = rdctx;
	for (unsigned i = 0; i < NPAGES; i++)
		u->pages[i].used = false;   /* the stack has changed since */
	if (!u->have_mask) {
		u->tag_mask = arch_code_tag_mask(tid);
		u->have_mask = true;
	}
	walk_from_entry(st, &w, r);
	err = frame_syms_resolve(&u->syms, st, w.v, w.n, out);
	if (!err)
		*n = w.n;
	free(w.v);
	return err;
}

bool stack_warning(struct symtab *st, int err, char *buf, size_t len)
{
	struct unwinder *u = symtab_attachment(st);

	if (!err || (u && u->warned))
		return false;
	if (u)
		u->warned = true;
	snprintf(buf, len, "cannot unwind stacks (-S): %s",
		 err == -ENOTSUP && u ? u->why : strerror(-err));
	return true;
}
