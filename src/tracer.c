/* Attaching, launching and the wait loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "proc.h"
#include "tracer.h"

volatile sig_atomic_t tracer_stop_requested;
volatile sig_atomic_t tracer_tick;

#define OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		 PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | \
		 PTRACE_O_TRACEEXIT | PTRACE_O_TRACESYSGOOD)

void tracer_init(struct tracer *t, const struct latch_opts *o, struct sink *s)
{
	memset(t, 0, sizeof(*t));
	t->opts = o;
	t->sink = s;
	t->mem.fd = -1;
}

static void forget_image(struct tracer *t)
{
	traps_forget_all(t);
	free(t->scratch);
	t->scratch = NULL;
	t->nscratch = 0;
	t->syscall_insn = 0;
	t->funcs = NULL;   /* owned by the symtab */
	t->nfuncs = 0;
	if (t->symtab)
		symtab_close(t->symtab);
	t->symtab = NULL;
}

static void tracer_forget_threads(struct tracer *t)
{
	size_t pos = 0;
	struct thread *th;

	while ((th = hashmap_next(&t->threads, &pos, NULL))) {
		free(th->frames);
		free(th);
	}
	hashmap_free(&t->threads);
}

void tracer_fini(struct tracer *t)
{
	tracer_forget_threads(t);
	forget_image(t);
	mem_close(&t->mem);
}

void tracer_explain_eperm(struct tracer *t, pid_t pid)
{
	int tracer = proc_tracer_pid(pid);
	int scope = proc_ptrace_scope();
	char comm[64] = "";

	if (tracer > 0) {
		proc_comm(tracer, comm, sizeof(comm));
		snprintf(t->err, sizeof(t->err),
			 "process %d is already traced by process %d (%s)",
			 (int)pid, tracer, comm);
	} else if (scope == 3) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted: ptrace is disabled (Yama ptrace_scope is 3)");
	} else if (scope >= 1 && geteuid() != 0) {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: Yama ptrace_scope is %d; "
			 "run as root or with CAP_SYS_PTRACE", (int)pid, scope);
	} else {
		snprintf(t->err, sizeof(t->err),
			 "not permitted to trace process %d: it belongs to another user "
			 "or is protected; run as root or with CAP_SYS_PTRACE", (int)pid);
	}
}

int tracer_attach(struct tracer *t, pid_t pid)
{
	bool added = true;
	int err;

	t->pid = pid;
	/* Threads may be created while we attach: repeat until a pass finds
	 * none new. TRACECLONE covers those born after their parent. */
	while (added) {
		pid_t *tids;
		size_t n;

		added = false;
		err = proc_list_tasks(pid, &tids, &n);
		if (err) {
			snprintf(t->err, sizeof(t->err), "no such process: %d", (int)pid);
			return -ESRCH;
		}
		for (size_t i = 0; i < n; i++) {
			if (thread_get(t, tids[i]))
				continue;
			if (ptrace(PTRACE_SEIZE, tids[i], 0, OPTIONS) < 0) {
				err = -errno;
				if (err == -ESRCH && tids[i] != pid)
					continue;   /* the thread just exited */
				free(tids);
				if (err == -EPERM)
					tracer_explain_eperm(t, pid);
				else
					snprintf(t->err, sizeof(t->err), "cannot attach to %d: %s",
						 (int)tids[i], strerror(-err));
				return err;
			}
			if (!thread_add(t, tids[i])) {
				free(tids);
				return -ENOMEM;
			}
			added = true;
		}
		free(tids);
	}
	err = mem_open(&t->mem, pid);
	if (err)
		snprintf(t->err, sizeof(t->err), "cannot open /proc/%d/mem: %s",
			 (int)pid, strerror(-err));
	return err;
}

/* At exec the old image is gone: stop at the new program's entry point,
 * where its shared libraries are mapped, and resolve the probes there. */
static int on_exec(struct tracer *t)
{
	uint64_t entry;
	int err;

	forget_image(t);
	mem_close(&t->mem);
	err = mem_open(&t->mem, t->pid);
	if (!err)
		err = proc_auxv(t->pid, AT_ENTRY, &entry);
	if (!err)
		err = trap_plant(t, entry, TRAP_START, NULL);
	if (err)
		snprintf(t->err, sizeof(t->err), "cannot stop at the program's entry: %s",
			 strerror(-err));
	return err;
}

int tracer_launch(struct tracer *t, char **argv)
{
	int pfd[2], status, exec_errno = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int e;

		close(pfd[0]);
		raise(SIGSTOP);     /* wait to be seized */
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	t->pid = pid;
	t->launched = true;
	if (waitpid(pid, &status, WUNTRACED) < 0 || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SEIZE, pid, 0, OPTIONS | PTRACE_O_EXITKILL) < 0 ||
	    !thread_add(t, pid)) {
		int err = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(pfd[0]);
		tracer_forget_threads(t);
		t->launched = false;
		snprintf(t->err, sizeof(t->err), "cannot trace the command: %s", strerror(-err));
		return err ? err : -EIO;
	}
	kill(pid, SIGCONT);
	/* Run it up to its exec, passing through what comes before. */
	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno != EINTR)
				break;
			if (!tracer_stop_requested)
				continue;
			kill(pid, SIGKILL);
			continue;
		}
		if (!WIFSTOPPED(status))
			break;
		if (status >> 16 == PTRACE_EVENT_EXEC) {
			int err;

			close(pfd[0]);
			err = on_exec(t);
			if (!err && ptrace(PTRACE_CONT, pid, 0, 0) < 0)
				err = -errno;
			return err;
		}
		int sig = status >> 16 ? 0 : WSTOPSIG(status);

		if (sig == SIGSTOP || sig == SIGCONT)
			sig = 0;
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	if (read(pfd[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = tracer_stop_requested ? EINTR : EIO;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	tracer_forget_threads(t);
	t->launched = false;
	snprintf(t->err, sizeof(t->err), "cannot run '%s': %s", argv[0], strerror(exec_errno));
	return -exec_errno;
}

int tracer_resolve(struct tracer *t)
{
	int err = symtab_open(t->pid, &t->symtab);

	if (err) {
		snprintf(t->err, sizeof(t->err), "cannot read the modules of process %d: %s",
			 (int)t->pid, strerror(-err));
		return err;
	}
	return symtab_resolve(t->symtab, t->opts->probes, t->opts->nprobes,
			      &t->funcs, &t->nfuncs, t->err, sizeof(t->err));
}

int tracer_plant_probes(struct tracer *t)
{
	for (size_t i = 0; i < t->nfuncs; i++) {
		struct trap *tr;
		int err = trap_plant(t, t->funcs[i]->addr, TRAP_ENTRY, &tr);

		if (err) {
			snprintf(t->err, sizeof(t->err), "cannot plant a trap in %s at 0x%llx: %s",
				 t->funcs[i]->name, (unsigned long long)t->funcs[i]->addr,
				 strerror(-err));
			return err;
		}
		tr->fn = t->funcs[i];
	}
	return 0;
}

static int resume(struct thread *th, int sig)
{
	th->stop = STOP_NONE;
	return ptrace(PTRACE_CONT, th->tid, 0, sig) < 0 ? -errno : 0;
}

static void warn_once(struct tracer *t, const char *what)
{
	if (!t->warned_step && !t->opts->quiet)
		fprintf(stderr, "latch: %s\n", what);
	t->warned_step = true;
}

/* The program's entry point in launch mode (or after exec). */
static int on_start(struct tracer *t, struct trap *tr)
{
	bool first = !t->started;
	int err = trap_remove(t, tr);

	t->started = true;
	if (!err)
		err = tracer_resolve(t);
	if (!err && t->opts->list) {
		t->want_stop = true;
		return 0;
	}
	if (!err)
		err = tracer_plant_probes(t);
	if (err && !first) {
		/* A later exec'd program without the probes: keep following. */
		warn_once(t, t->err);
		return 0;
	}
	return err;
}

static int on_trap(struct tracer *t, struct thread *th, struct arch_regs *r,
		   struct trap *tr)
{
	int err = 0;

	if (tr->planted && (tr->flags & TRAP_START)) {
		err = on_start(t, tr);
		if (err)
			return err;
	}
	if (!tr->planted) {
		/* Removed after this thread hit it: run the original. */
		arch_rewind_to_trap(r, tr->addr);
		goto resume;
	}
	bool matched = false;

	if (tr->flags & TRAP_RETURN)
		matched = calls_return(t, th, r, tr);
	if (tr->flags & TRAP_ENTRY)
		err = calls_entry(t, th, r, tr);
	else if (!matched && !tr->ret_refs) {
		/* A return site nobody waits for: stop paying for its hits. */
		err = trap_remove(t, tr);
		arch_rewind_to_trap(r, tr->addr);
		goto resume;
	}
	if (err == -ESRCH)
		return err;
	err = trap_step_over(t, th->tid, tr, r);
	if (err == -ESRCH)
		return err;
	if (err) {
		char msg[320];

		snprintf(msg, sizeof(msg), "%s; trap at 0x%llx removed",
			 t->err[0] ? t->err : strerror(-err), (unsigned long long)tr->addr);
		warn_once(t, msg);
		t->err[0] = 0;
		err = trap_remove(t, tr);
		arch_rewind_to_trap(r, tr->addr);
	}
resume:
	if (err == -ESRCH)
		return err;
	err = arch_set_regs(th->tid, r);
	if (!err)
		err = resume(th, 0);
	return err;
}

static int on_sigtrap(struct tracer *t, struct thread *th)
{
	siginfo_t si;
	struct arch_regs r;
	struct trap *tr;
	int err = arch_get_regs(th->tid, &r);

	if (err)
		return err;
	tr = trap_lookup(t, arch_trap_addr(&r));
	/* Asking for the siginfo costs a system call per stop: only when the
	 * pc alone cannot tell a trap hit from a SIGTRAP sent by someone. */
	if (!tr || !tr->planted || tr->ambiguous) {
		if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) < 0)
			return -errno;
		if (!tr || !arch_is_trap_signal(&si))
			return resume(th, SIGTRAP);   /* the program's own */
	}
	return on_trap(t, th, &r, tr);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int on_stop(struct tracer *t, struct thread *th, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	unsigned long msg;

	th->stop = STOP_OTHER;
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		if (ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &msg) == 0) {
			struct thread *c;
			int err = task_is_foreign(t, (pid_t)msg)
					  ? foreign_adopt(t, (pid_t)msg, &c)
					  : (thread_add(t, (pid_t)msg) ? 0 : -ENOMEM);

			if (err)
				return err;
		}
		return resume(th, 0);
	case PTRACE_EVENT_EXEC: {
		size_t pos = 0;
		struct thread *o;
		int err;

		/* Only the exec'ing thread survives, as the leader. */
		while ((o = hashmap_next(&t->threads, &pos, NULL)))
			frames_unwind_all(t, o);
		err = on_exec(t);
		if (err)
			return err;
		if (th->tid != t->pid) {
			th = thread_add(t, t->pid);
			if (!th)
				return -ENOMEM;
		}
		return resume(th, 0);
	}
	case PTRACE_EVENT_EXIT:
		frames_unwind_all(t, th);
		return resume(th, 0);
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			/* Honour the group-stop as if untraced. */
			th->stop = STOP_NONE;
			th->listening = true;
			return ptrace(PTRACE_LISTEN, th->tid, 0, 0) < 0 ? -errno : 0;
		}
		th->listening = false;
		return resume(th, 0);
	default:
		return resume(th, 0);
	}
	if (sig == (SIGTRAP | 0x80))
		return resume(th, 0);
	if (sig == SIGTRAP)
		return on_sigtrap(t, th);
	return resume(th, sig);
}

static int on_status(struct tracer *t, pid_t tid, int status)
{
	struct thread *th = thread_get(t, tid);

	/* A new thread or child can report before its parent's event. */
	if (!th) {
		int err = task_is_foreign(t, tid) ? foreign_adopt(t, tid, &th)
						  : (th = thread_add(t, tid)) ? 0 : -ENOMEM;

		if (err)
			return err;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (tid == t->pid) {
			t->exited = true;
			t->exit_status = status;
		}
		if (th->foreign)
			t->nforeign--;
		thread_remove(t, th);
		if (t->threads.count == t->nforeign)
			t->done = true;
		return 0;
	}
	if (!WIFSTOPPED(status))
		return 0;
	if (th->foreign)
		return foreign_stop(t, th, status);
	return on_stop(t, th, status);
}

/* A stop usually follows within tens of microseconds while the target is
 * busy calling traced functions: polling that long keeps the tracer's CPU
 * awake, so the next stop does not have to wake it. Then block. */
#define SPIN_NS 50000

static pid_t wait_next(int *status)
{
	uint64_t until = mono_ns() + SPIN_NS;

	do {
		pid_t r = waitpid(-1, status, __WALL | WNOHANG);

		if (r != 0)
			return r;
	} while (mono_ns() < until && !tracer_stop_requested && !tracer_tick);
	return waitpid(-1, status, __WALL);
}

enum run_end tracer_run(struct tracer *t, double deadline_mono)
{
	for (;;) {
		int status, err;
		pid_t tid;

		if (t->done)
			return RUN_TARGET_GONE;
		if (tracer_stop_requested || t->want_stop || t->output_err)
			return RUN_STOP_REQUESTED;
		if (tracer_tick) {
			tracer_tick = 0;
			err = t->sink->ops->flush(t->sink);
			if (err) {
				t->output_err = err;
				continue;
			}
			if (deadline_mono > 0 && (double)mono_ns() / 1e9 >= deadline_mono)
				return RUN_STOP_REQUESTED;
		}
		tid = wait_next(&status);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				t->done = true;
				continue;
			}
			snprintf(t->err, sizeof(t->err), "waitpid: %s", strerror(errno));
			return RUN_ERROR;
		}
		t->n.stops++;
		err = on_status(t, tid, status);
		if (err == -ESRCH)
			continue;   /* the thread vanished; its exit follows */
		if (err) {
			if (!t->err[0])
				snprintf(t->err, sizeof(t->err), "%s", strerror(-err));
			return RUN_ERROR;
		}
	}
}
