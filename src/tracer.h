/* The ptrace engine: threads, traps, pending frames and the wait loop. */
#ifndef LATCH_TRACER_H
#define LATCH_TRACER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "arch.h"
#include "filter.h"
#include "hashmap.h"
#include "mem.h"
#include "opts.h"
#include "output.h"
#include "rate.h"
#include "symbols.h"

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

struct thread {
	pid_t tid;
	enum stop_kind stop;    /* a ptrace-stop latch has not resumed */
	bool listening;         /* PTRACE_LISTEN in a group-stop */
	int pending_sig;        /* deliver on resume or detach */
	struct frame *frames;
	size_t nframes, cap;
	bool foreign;           /* a child process, not one of the target's */
	bool shared_mm;         /* foreign and sharing the target's memory */
};

enum trap_flags {
	TRAP_ENTRY = 1,         /* first instruction of a traced function */
	TRAP_RETURN = 2,        /* return site of pending calls */
	TRAP_START = 4,         /* program entry point, launch mode */
};

struct trap {
	uint64_t addr;
	unsigned flags;
	bool planted;           /* false: removed, kept to recognise late hits */
	const struct func_info *fn;
	const struct filter *filter;   /* TRAP_ENTRY: which calls to report */
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

struct tracer_counts {
	uint64_t seen;          /* hits of entry traps */
	uint64_t calls;         /* reported: printed, or counted by -c */
	uint64_t filtered;      /* their conditions did not hold */
	uint64_t dropped;       /* past -n or --rate */
	uint64_t returns, unwinds, stops;
	struct filter_faults faults;
};


struct tracer {
	const struct latch_opts *opts;
	pid_t pid;
	bool launched;
	bool started;           /* launch mode: past the program's entry */
	struct mem mem;
	struct symtab *symtab;
	struct func_info **funcs;   /* the functions traced (the symtab's) */
	struct filter **filters;    /* each one's conditions; NULL: none */
	size_t nfuncs;
	struct sink *sink;
	struct hashmap threads;  /* tid -> struct thread */
	struct hashmap traps;    /* address -> struct trap */
	struct scratch *scratch;
	size_t nscratch;
	uint64_t syscall_insn;   /* 0 until found */
	uint64_t next_call_id;
	uint64_t open_reported;  /* pending frames across threads */
	bool stop_reporting;     /* -n reached */
	bool done;               /* every traced thread is gone */
	bool want_stop;          /* -n satisfied: detach */
	int output_err;          /* the sink failed: detach */
	bool warned_step;
	void (*warn)(const char *msg);  /* a one-line warning for the user */
	bool exited;
	int exit_status;         /* wait status of the process, if exited */
	struct tracer_counts n;
	struct rate_window rate;
	struct affinity *affinity;  /* NULL: latch runs where it likes */
	pid_t last_tid;
	size_t nforeign;         /* foreign entries in threads */          /* the thread of the latest stop */
	char err[256];
};

/* Set from signal handlers by cmd/; the wait loop looks at them whenever
 * waitpid is interrupted. */
extern volatile sig_atomic_t tracer_stop_requested;
extern volatile sig_atomic_t tracer_tick;

void tracer_init(struct tracer *t, const struct latch_opts *o, struct sink *s);
void tracer_fini(struct tracer *t);

/* 0, or -errno with t->err set. */
int tracer_attach(struct tracer *t, pid_t pid);
/* A one-line reason why pid may not be traced, into t->err. */
void tracer_explain_eperm(struct tracer *t, pid_t pid);
/* Start argv under trace; returns once it has exec'd, stopped before its
 * first instruction. 0, or -errno with t->err set. */
int tracer_launch(struct tracer *t, char **argv);
/* Resolve t->opts' probes in the current process image, with their
 * conditions (resolve.c). */
int tracer_resolve(struct tracer *t);
void probes_forget(struct tracer *t);
int tracer_plant_probes(struct tracer *t);

enum run_end {
	RUN_TARGET_GONE,
	RUN_STOP_REQUESTED,     /* signal, -d, -n or a closed output */
	RUN_ERROR,
};
enum run_end tracer_run(struct tracer *t, double deadline_mono);
/* Tell the sink which process is traced (EV_PROCESS), before tracer_run. */
void tracer_announce(struct tracer *t);
/* Restore the target and let it go; 0 or -errno. */
int tracer_detach(struct tracer *t);

/* Internal, shared by the tracer's files ------------------------------- */
struct thread *thread_get(struct tracer *t, pid_t tid);
struct thread *thread_add(struct tracer *t, pid_t tid);
void thread_remove(struct tracer *t, struct thread *th);
/* A task reported its end (wait status): record the process's exit
 * status if it was the leader, and drop it. */
void thread_exited(struct tracer *t, struct thread *th, int status);
/* waitpid, retried when a signal interrupts it. */
pid_t wait_task(pid_t pid, int *status, int flags);
void frames_unwind_all(struct tracer *t, struct thread *th);
/* Free a thread's frames without reporting them. */
void frames_forget(struct thread *th);

struct trap *trap_lookup(struct tracer *t, uint64_t addr);
int trap_plant(struct tracer *t, uint64_t addr, unsigned flag, struct trap **out);
int trap_remove(struct tracer *t, struct trap *tr);
int traps_remove_all(struct tracer *t);
void traps_forget_all(struct tracer *t);
void trap_return_ref(struct tracer *t, uint64_t addr);
void trap_return_unref(struct tracer *t, uint64_t addr);
/* Let a thread stopped on tr carry on past it (registers r, not yet
 * written back). 0 or -errno. */
int trap_step_over(struct tracer *t, pid_t tid, struct trap *tr,
		   struct arch_regs *r);

/* Run a system call in thread tid, stopped at a trap or interrupt stop. */
int inject_syscall(struct tracer *t, pid_t tid, long nr,
		   const uint64_t args[6], long *ret);
/* A free 64-byte slot in a scratch mapping within branch range of near. */
int scratch_slot(struct tracer *t, pid_t tid, uint64_t near, uint64_t *slot);
bool scratch_contains(const struct tracer *t, uint64_t addr);
int scratch_unmap_all(struct tracer *t, pid_t tid);

/* Program images (start.c): forget everything about the current one;
 * stop at a new one's entry point to resolve the probes there. */
void image_forget(struct tracer *t);
int image_new(struct tracer *t);
void threads_forget(struct tracer *t);

/* Child processes (children.c). */
bool task_is_foreign(struct tracer *t, pid_t tid);
int foreign_adopt(struct tracer *t, pid_t tid, struct thread **out);
int foreign_stop(struct tracer *t, struct thread *th, int status);

/* Entry and return handling (calls.c). */
int calls_entry(struct tracer *t, struct thread *th, const struct arch_regs *r,
		struct trap *tr);
bool calls_return(struct tracer *t, struct thread *th, const struct arch_regs *r,
		  struct trap *tr);

uint64_t mono_ns(void);
uint64_t real_ns(void);

#endif
