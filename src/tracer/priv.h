/* The ptrace engine's own: threads, traps, pending frames and the wait
 * loop, shared by the files of tracer/ only (tracer.h is its face). */
#ifndef LATCH_TRACER_PRIV_H
#define LATCH_TRACER_PRIV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "arch.h"
#include "filter/filter.h"
#include "util/hashmap.h"
#include "util/clock.h"
#include "util/mem.h"
#include "core/engine.h"
#include "core/opts.h"
#include "core/sink.h"
#include "core/rate.h"
#include "symbols/symbols.h"

/* A moment, on both clocks (util/clock.h). */
struct stamp {
	uint64_t mono_ns, real_ns;
};

/* A call whose return has not been seen yet. */
struct frame {
	uint64_t sp_after;      /* sp at the return site */
	uint64_t ra;            /* the return site */
	uint64_t start_mono_ns;
	uint64_t call_id;
	const struct func_info *fn;
	uint64_t ret_buf;       /* where an aggregate result is written */
	/* Not yet reported: its return conditions (pending, of filter)
	 * decide. Holds the CALL event until then. */
	struct event *held;
	const struct filter *filter;   /* the function's */
	uint64_t pending;
	/* The arguments at entry of a reported call, for --error-if. */
	struct value *args;
	unsigned nargs;
	bool dropped;           /* reported to summaries only (--rate) */
};

enum stop_kind {
	STOP_NONE,              /* running, or listening in a group-stop */
	STOP_TRAP,              /* at one of our traps, rewound */
	STOP_SIGNAL,            /* signal-delivery-stop; pending_sig holds it */
	STOP_INTERRUPT,         /* PTRACE_INTERRUPT or a new thread's stop */
	STOP_GROUP,             /* group-stop (SIGSTOP and friends) */
	STOP_EXIT,              /* PTRACE_EVENT_EXIT */
	STOP_OTHER,
};

struct proc;

struct thread {
	pid_t tid;
	pid_t pid;              /* its process (thread group) */
	struct proc *proc;      /* the address space it runs in */
	enum stop_kind stop;    /* a ptrace-stop latch has not resumed */
	bool listening;         /* PTRACE_LISTEN in a group-stop */
	int pending_sig;        /* deliver on resume or detach */
	siginfo_t *held;        /* signals held back (tracer/held.c), oldest first */
	size_t nheld;
	struct frame *frames;
	size_t nframes, cap;
	bool foreign;           /* a child process latch does not follow */
	bool shared_mm;         /* foreign and sharing its parent's memory */
	/* In longjmp, stepped until its stack pointer rises above sp: the
	 * frames it leaves end then, as of when it was entered. */
	struct {
		uint64_t sp;    /* 0: not in longjmp */
		struct stamp at;
		unsigned steps;
	} jump;
};

/* Resumed with PTRACE_SINGLESTEP: holding signals, or in longjmp. */
static inline bool thread_stepping(const struct thread *th)
{
	return th->nheld || th->jump.sp;
}

enum trap_flags {
	TRAP_ENTRY = 1,         /* first instruction of a traced function */
	TRAP_RETURN = 2,        /* return site of pending calls */
	TRAP_START = 4,         /* program entry point, launch mode */
	TRAP_RTLD = 8,          /* the dynamic linker's r_brk (tracer/rtld.c) */
	TRAP_UNWIND = 16,       /* where unwinding has left frames (tracer/unwind.c) */
	TRAP_LONGJMP = 32,      /* the longjmp family's entry (tracer/unwind.c) */
	TRAP_SITE = 64,         /* a line or address probe's site */
};

struct trap {
	uint64_t addr;
	unsigned flags;
	bool planted;           /* false: removed, kept to recognise late hits */
	const struct func_info *fn;
	const struct filter *filter;   /* TRAP_ENTRY: which calls to report */
	const struct func_info *site;  /* TRAP_SITE: its site, which hits to report */
	const struct filter *site_filter;
	unsigned ret_refs;      /* pending frames returning here */
	uint8_t orig[ARCH_INSN_MAX];
	size_t orig_len;
	bool ambiguous;         /* see arch_trap_pc_ambiguous */
	bool planned;
	struct step_plan plan;
};

struct scratch {
	uint64_t base;
	size_t size;
	size_t used;
};


/* The dynamic linker's rendezvous with debuggers (struct r_debug). */
struct rtld {
	uint64_t r_debug;        /* its address; 0: none (static, or not yet) */
	uint64_t brk;            /* r_brk, where TRAP_RTLD is */
};

/* One address space being traced: its memory, the program image mapped
 * in it with the probes resolved there, and the traps planted in it.
 * Threads of a process, and vfork children until they exec, share one. */
struct proc {
	pid_t pid;
	struct mem mem;
	struct symtab *symtab;
	struct func_info **funcs;   /* the functions traced (the symtab's) */
	struct filter **filters;    /* each one's conditions; NULL: none */
	size_t nfuncs;
	/* filters of functions in modules gone, which a frame still open
	 * may hold, until the image goes */
	struct filter **gone_filters;
	size_t ngone;
	struct hashmap traps;    /* address -> struct trap */
	struct scratch *scratch;
	size_t nscratch;
	uint64_t syscall_insn;   /* 0 until found */
	bool started;            /* past the program's entry, probes resolved */
	struct rtld rtld;
	unsigned users;          /* threads running in it */
};

/* Warnings of trouble that may recur on every stop: said once each. */
enum warn_kind {
	WARN_EXEC,              /* an exec'd program without the probes */
	WARN_RTLD,              /* libraries loaded later go untraced */
	WARN_STEP,              /* a trap that cannot be stepped over */
	NWARN,
};

struct tracer {
	struct engine engine;    /* first: what cmd/ holds */
	const struct latch_opts *opts;
	pid_t pid;               /* the process attached to or launched */
	bool launched;
	bool started;            /* attached, or past the first program's entry */
	struct hashmap procs;    /* pid of the memory's owner -> struct proc */
	struct sink *sink;
	struct hashmap threads;  /* tid -> struct thread */
	struct func_batch *retired;  /* functions of images gone (symbols/symbols.h) */
	uint64_t next_call_id;
	/* When the stop being handled was seen: calls end there, not after
	 * latch has decoded them (0 outside a stop). */
	uint64_t stop_mono_ns, stop_real_ns;
	/* Values are printed (not -c alone): decode every call's; otherwise
	 * only those that conditions test. */
	bool decode;
	uint64_t open_reported;  /* pending frames across threads */
	bool stop_reporting;     /* -n reached */
	bool done;               /* every traced thread is gone */
	bool detaching;          /* new children are let go, not followed */
	bool want_stop;          /* -n satisfied: detach */
	int output_err;          /* the sink failed: detach */
	bool warned[NWARN];      /* warn_once: each kind said once */
	void (*warn)(const char *msg);  /* a one-line warning for the user */
	bool exited;
	int exit_status;         /* wait status of the process, if exited */
	struct engine_counts n;  /* seen: hits of entry traps */
	struct rate_window rate;
	struct affinity *affinity;  /* NULL: latch runs where it likes */
	size_t nforeign;         /* foreign entries in threads */
	char err[256];
};

/* The engine's files, lowest layer first. Each calls only the ones above
 * it in this list (tests/layers.py checks it, from the objects' symbols):
 *
 *   frames.c     a thread's open calls and the rules that end them
 *   registry.c   threads, address spaces and what they own; error text
 *   held.c       signals held while a thread runs latch's code
 *   inject.c     system calls run inside the tracee
 *   scratch.c    scratch pages for out-of-line instruction copies
 *   traps.c      trap instructions: planting, removing, stepping over
 *   rtld.c       the dynamic linker's rendezvous: modules changed
 *   unwind.c     hooks where exceptions and cancellation unwind
 *   resolve.c    program images: probes resolved, traps planted
 *   calls.c      reporting: entries, returns and unwinds become events
 *   threads.c    threads that end
 *   process.c    address spaces forked and exec'd
 *   children.c   new tasks: threads, followed children, foreign ones
 *   start.c      attaching and launching
 *   detach.c     letting go, the target restored
 *   tracer.c     the wait loop: every stop, dispatched
 *   engine.c     core/engine.h's operations */

/* frames.c ------------------------------------------------------------ */
enum frame_fate {
	FRAME_OPEN,             /* the call goes on */
	FRAME_RETURNS,          /* this return is the call's */
	FRAME_UNWOUND,          /* its frame is gone: skipped by longjmp or
				 * an exception */
};
/* Free what f holds (its deferred event, its kept arguments). */
void frame_release(struct frame *f);
/* Free a thread's frames without reporting them. */
void frames_forget(struct thread *th);
/* 0 or -ENOMEM. */
int frames_push(struct thread *th, const struct frame *f);
/* The innermost open call, or NULL. */
struct frame *frames_top(struct thread *th);
/* Is the call f, at an entry, the open call top going on (a jump back to
 * the function's first instruction)? */
bool frames_jumped_back(const struct thread *th, const struct frame *f);
/* Ends th's innermost frame as how says (FRAME_RETURNS: at this return;
 * FRAME_UNWOUND: skipped) and removes it from th's frames. */
typedef void (*frame_end_fn)(void *ctx, struct thread *th, enum frame_fate how);
/* At the entry of a call whose sp after its return will be sp_after: end
 * the frames it shows abandoned (longjmp); an equal one is a tail call
 * and stays, unless deeper ones were abandoned too. */
void frames_end_abandoned(struct thread *th, uint64_t sp_after, frame_end_fn end, void *ctx);
/* At a return to ra with stack pointer sp: end the frames it unwinds and
 * those it returns from; true if any returned. */
bool frames_end_at_return(struct thread *th, uint64_t sp, uint64_t ra,
			  frame_end_fn end, void *ctx);
/* Unwinding stopped in the frame whose sp after its return is sp_after:
 * end every frame at or below it. */
void frames_end_below(struct thread *th, uint64_t sp_after, frame_end_fn end, void *ctx);

/* registry.c ---------------------------------------------------------- */
/* Set t's one-line error text and return err (a negative errno), as in
 * `return tracer_fail(t, -ESRCH, "no such process: %d", pid);`. */
int tracer_fail(struct tracer *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The text the failure err left (tracer_fail), or strerror(-err) if it
 * left none, copied to buf; t's text is cleared, for a warning after
 * which tracing carries on. Returns buf. */
const char *tracer_take_error(struct tracer *t, int err, char *buf, size_t len);
struct thread *thread_get(struct tracer *t, pid_t tid);
/* A thread of process pid running in p's memory (p may be NULL for a
 * foreign task until it is classified). */
struct thread *thread_add(struct tracer *t, pid_t tid, pid_t pid, struct proc *p);
/* Drop th and what it owns, its open calls unreported. */
void thread_free(struct tracer *t, struct thread *th);
void threads_forget(struct tracer *t);
void held_forget(struct thread *th);
/* waitpid, retried when a signal interrupts it. */
pid_t wait_task(pid_t pid, int *status, int flags);
struct proc *proc_get(const struct tracer *t, pid_t pid);
/* A new address space of process pid (its memory not opened yet); 0 or
 * -ENOMEM. */
int proc_add(struct tracer *t, pid_t pid, struct proc **out);
/* A thread stops using p; the last one frees it (the memory is gone). */
void proc_unuse(struct tracer *t, struct proc *p);
void procs_forget(struct tracer *t);
/* Forget everything about p's current program image: its traps (as if
 * removed), scratch pages, probes and functions. */
void image_forget(struct tracer *t, struct proc *p);
void probes_forget(struct proc *p);
struct trap *trap_lookup(struct proc *p, uint64_t addr);
void traps_forget_all(struct proc *p);
bool scratch_contains(const struct proc *p, uint64_t addr);

/* held.c: signals due while a thread runs latch's code are held and
 * delivered once it is back in the program's; a thread holding some is
 * resumed with PTRACE_SINGLESTEP. */
enum held_stop {
	HELD_NO_STEP,           /* not a step: a trap hit, or a signal */
	HELD_STEP,              /* a step's SIGTRAP: can carry a signal */
	HELD_NOTIFY,            /* at a handler's first instruction: cannot */
};
/* Hold the signal of th's signal-delivery-stop (a step's is none). */
int held_take(struct thread *th);
/* th leaves its signal-delivery-stop for a stop that cannot carry a
 * signal: the one it was to be given (pending_sig) is held instead. */
int held_take_pending(struct thread *th);
enum held_stop held_classify(const siginfo_t *si);
/* At a step stop (registers r): *sig the signal to resume with (its
 * siginfo set), or 0 to step on. */
int held_next(struct thread *th, enum held_stop kind, const struct arch_regs *r,
	      int *sig);
/* Detach: every held signal queued for delivery once latch is gone. */
int held_release(struct thread *th);

/* inject.c: run a system call in thread tid, stopped at a trap or
 * interrupt stop. */
int inject_syscall(struct tracer *t, struct proc *p, pid_t tid, long nr,
		   const uint64_t args[6], long *ret);

/* scratch.c: a free 64-byte slot in a scratch mapping within branch
 * range of near; all of p's mappings unmapped (at detach). */
int scratch_slot(struct tracer *t, struct proc *p, pid_t tid, uint64_t near,
		 uint64_t *slot);
int scratch_unmap_all(struct tracer *t, struct proc *p, pid_t tid);

/* traps.c ------------------------------------------------------------- */
/* 0 or -errno, with t->err set for -ENOTSUP. */
int trap_plant(struct tracer *t, struct proc *p, uint64_t addr, unsigned flag,
	       struct trap **out);
int trap_remove(struct proc *p, struct trap *tr);
int traps_remove_all(struct proc *p);
/* Forget the traps in [lo, hi), a module gone, as if removed (a thread
 * already stopped on one still finds it), leaving no trap of ours in
 * whatever memory is there now. */
void traps_drop_range(struct proc *p, uint64_t lo, uint64_t hi);
/* Copy from's traps into to (a forked copy of from's memory). */
int traps_copy(struct proc *to, const struct proc *from);
void trap_return_unref(struct proc *p, uint64_t addr);
/* Is addr where an instruction starts, decoding from entry, the start
 * of the function it lies in? 0, or -EINVAL with t->err set. */
int trap_check_boundary(struct tracer *t, struct proc *p, uint64_t entry, uint64_t addr);
/* Let a thread stopped on tr carry on past it (registers r, not yet
 * written back). 0 or -errno. */
int trap_step_over(struct tracer *t, struct proc *p, pid_t tid, struct trap *tr,
		   struct arch_regs *r);

/* rtld.c: libraries loaded and unloaded later. Find the rendezvous and
 * trap r_brk; at a hit, read the modules again and forget the traps and
 * functions of those gone: 1 when the modules changed (resolve.c then
 * traces the new ones), 0 when not yet, or -errno. */
int rtld_watch(struct tracer *t, struct proc *p);
int rtld_hit(struct tracer *t, struct proc *p);

/* unwind.c: trap where C++ exceptions and thread cancellation leave
 * frames (TRAP_UNWIND), and where longjmp starts (TRAP_LONGJMP), in p's
 * modules that have them (only new ones: new_only); a hit ends the frames
 * left behind (frames_unwind_below), at once or once longjmp is done. */
int unwind_watch(struct tracer *t, struct proc *p, bool new_only);

/* resolve.c: program images. Stop at a new one's entry point to resolve
 * the probes there; resolve them (first: the program latch was started
 * on or attached to, where every probe must match; in one exec'd later
 * or forked from that, the probes that match; quiet: no notes a parent's
 * image already gave); plant them with the dynamic linker and unwinder hooks;
 * at r_brk, trace the probes in modules new since. */
int image_new(struct tracer *t, struct proc *p);
int image_resolve(struct tracer *t, struct proc *p, bool first, bool quiet);
int image_plant(struct tracer *t, struct proc *p);
int image_rtld_hit(struct tracer *t, struct proc *p);
/* The probes in the modules p's symtab has not seen yet (libraries
 * loaded since): their functions are appended to p's, from *from. */
int image_resolve_more(struct tracer *t, struct proc *p, size_t *from);
int plant_funcs(struct tracer *t, struct proc *p, size_t from);
/* Resolve t->opts' probes in process pid's current image, with their
 * conditions; then plant them. */
int tracer_resolve(struct tracer *t, pid_t pid);
int tracer_plant_probes(struct tracer *t, pid_t pid);

/* calls.c: reporting. */
int calls_entry(struct tracer *t, struct thread *th, const struct arch_regs *r,
		struct trap *tr);
bool calls_return(struct tracer *t, struct thread *th, const struct arch_regs *r,
		  struct trap *tr);
/* A site's trap was hit: report it, with its values, if its conditions
 * pass. 0 or -errno. */
int calls_hit(struct tracer *t, struct thread *th, const struct arch_regs *r,
	      struct trap *tr);
void frames_unwind_all(struct tracer *t, struct thread *th);
/* End as unwound, at when (NULL: at this stop), the frames of th that a
 * call returning to sp_after (the sp after its return) has left behind:
 * exceptions, cancellation and longjmp. */
void frames_unwind_below(struct tracer *t, struct thread *th, uint64_t sp_after,
			 const struct stamp *when);
/* A process event (EV_FORK, EV_EXEC, EV_EXIT) for pid; status: EV_EXIT's
 * wait status. */
void calls_process_event(struct tracer *t, enum event_type type, pid_t pid,
			 pid_t ppid, int status);
/* The processes latch was pointed at, into *pids: those attached to, or
 * the one launched. How many. */
size_t tracer_targets(const struct tracer *t, const pid_t **pids);
/* Tell the sink which processes are traced (EV_PROCESS), before
 * tracer_run. */
void tracer_announce(struct tracer *t);
/* The user's line that tracing has started: how many functions, in
 * which processes, on how many threads. */
void tracer_say_tracing(struct tracer *t);

/* threads.c ----------------------------------------------------------- */
/* Drop th, its open calls ended as unwound. */
void thread_remove(struct tracer *t, struct thread *th);
/* A task reported its end (wait status): report its process's end if it
 * was the leader, and drop it. */
void thread_exited(struct tracer *t, struct thread *th, int status);

/* process.c ----------------------------------------------------------- */
/* A child with a copy of parent's memory (fork): the same traps, planted
 * in its copy; its own image resolved. 0 or -errno. */
int proc_fork(struct tracer *t, struct proc *parent, pid_t child, struct proc **out);
/* A followed process exec'd: give it its own new image. */
int proc_exec(struct tracer *t, struct thread *th);

/* children.c: a task seen for the first time, created by parent (NULL:
 * unknown yet), classified as a new thread, a followed child (-F) or a
 * foreign one. 0 or -errno. */
int task_adopt(struct tracer *t, struct thread *parent, pid_t tid, struct thread **out);
/* parent reported creating a task (PTRACE_EVENT_CLONE, _FORK, _VFORK):
 * adopt it unless it is known or gone already. 0 or -errno. */
int task_created(struct tracer *t, struct thread *parent);
/* Do tasks a and b run in one address space (kcmp; true without it)? */
bool task_shares_memory(pid_t a, pid_t b);
int foreign_stop(struct tracer *t, struct thread *th, int status);
/* Our traps out of a foreign child's own copy of its parent's memory. */
int foreign_restore(struct thread *th);

/* start.c ------------------------------------------------------------- */
/* 0, or -errno with t->err set. */
int tracer_attach(struct tracer *t, pid_t pid);
/* A one-line reason why pid may not be traced, into t->err. */
void tracer_explain_eperm(struct tracer *t, pid_t pid);
/* Start argv under trace; returns once it has exec'd, stopped before its
 * first instruction. 0, or -errno with t->err set. */
int tracer_launch(struct tracer *t, char **argv);

/* detach.c: restore the target and let it go; 0 or -errno. */
int tracer_detach(struct tracer *t);

/* tracer.c ------------------------------------------------------------ */
enum run_end tracer_run(struct tracer *t, double deadline_mono);

#endif
