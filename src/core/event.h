/* Event records: the only thing output formats consume. */
#ifndef LATCH_EVENT_H
#define LATCH_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/value.h"

/* A traced function as a sink sees it: its name and where it is. The
 * symbols layer owns it (symbols/symbols.h's struct func_info holds it)
 * for as long as an event can point at it. */
struct func_desc {
	char *name;              /* as displayed: the symbol name, or a C++
				  * one demangled without its parameters
				  * ("ns::Parser::parse"); clones keep their
				  * suffix ("f.isra.0") */
	char *module;            /* path of the module's file */
	uint64_t addr;           /* run-time entry address (load bias applied) */
	char *signature;         /* "int parse(const char *s, int n)", or NULL */
	const char *decl_file;   /* where DWARF says it is defined, or NULL;
				  * borrowed from the debug info: NULL once
				  * the process's image is gone; a site's
				  * own source line */
	unsigned decl_line;
	/* A site (a line or address probe) inside the function name: addr
	 * is the site's, site_off bytes past the function's entry. */
	bool site;
	uint64_t site_off;
	char *where;             /* a site: "firsts.c:123", or "scale+0x8"
				  * without line information */
	char *label;             /* a site: "scale at firsts.c:123" (or its
				  * where without a line), which summaries
				  * and pictures name it by */
};

/* What a summary or picture names fn by. */
static inline const char *func_label(const struct func_desc *fn)
{
	return fn->label ? fn->label : fn->name;
}

/* One caller of a traced call. */
struct stack_frame {
	uint64_t pc;       /* return address in the caller (the call site's next insn) */
	char *func;        /* "name+0xoff" (C++ demangled without params), or NULL when no symbol */
	char *file;        /* source file from DWARF line info, or NULL */
	unsigned line;     /* 0 when unknown */
};

enum event_type {
	EV_CALL,
	EV_RETURN,
	EV_UNWIND,   /* the call was skipped by longjmp, an exception or exit */
	EV_HIT,      /* a site was reached: no return, no duration */
	EV_PROCESS,  /* the traced process, before its first call */
	EV_FORK,     /* a child followed with -F, before its first call */
	EV_EXEC,     /* a traced process runs a new program */
	EV_EXIT,     /* a traced process has ended */
};

/* EV_PROCESS, EV_FORK, EV_EXEC, EV_EXIT: what is known of the process;
 * any pointer may be NULL. */
struct event_process {
	const char *exe;           /* /proc/PID/exe */
	const char *command_line;  /* argv joined by spaces */
	const char *comm;
	bool several;              /* EV_PROCESS: events will come from other
				    * processes too (-F, several -p) */
	pid_t ppid;                /* EV_FORK: the parent */
	int status;                /* EV_EXIT: its wait status */
};

struct event {
	enum event_type type;
	uint64_t ts_ns;        /* CLOCK_REALTIME, ns since the epoch */
	pid_t pid;
	pid_t tid;
	unsigned depth;        /* open traced calls below this one on the thread */
	uint64_t call_id;      /* pairs a call with its return or unwind */
	const struct func_desc *fn;
	unsigned nargs;        /* EV_CALL, EV_HIT */
	struct value *args;
	/* EV_HIT: the last nlocals of args are the locals in scope there, the
	 * others the parameters of the function it lies in */
	unsigned nlocals;
	struct value ret;      /* EV_RETURN; V_NONE for void */
	uint64_t dur_ns;       /* EV_RETURN, EV_UNWIND */
	bool error;            /* EV_RETURN: --error-if holds */
	const struct event_process *proc;   /* EV_PROCESS and the others above */
	bool dropped;          /* --rate dropped it: count it in summaries, do not print it */
	struct stack_frame *stack;
	unsigned nstack;       /* EV_CALL with -S: callers, innermost first */
};

/* When the call that end (EV_RETURN or EV_UNWIND) ends, the call having
 * started at start_ns: the end's own real time (the stop at the return,
 * which comes before the thread's next call and after its callees'
 * ends), or start plus its duration when the clock stepped back. */
uint64_t event_end_ns(const struct event *end, uint64_t start_ns);
/* Deep copy for sinks that hold an event; 0 or -ENOMEM. */
int event_copy(struct event *dst, const struct event *src);
void event_free(struct event *e);
/* Frees n frames and the array; (NULL, 0) is fine. */
void stack_free(struct stack_frame *v, unsigned n);

#endif
