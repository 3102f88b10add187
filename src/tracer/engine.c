/* The ptrace engine as core/engine.h's operations: what cmd/ asks of it,
 * in the order it asks. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tracer/priv.h"
#include "tracer/tracer.h"
#include "util/procfs.h"

static struct tracer *tracer_of(struct engine *e)
{
	return (struct tracer *)e;
}

static const struct tracer *tracer_of_const(const struct engine *e)
{
	return (const struct tracer *)e;
}

/* -p: resolve before attaching, so that bad probes never touch the target. */
static int engine_attach(struct engine *e, pid_t pid)
{
	struct tracer *t = tracer_of(e);
	int err;

	t->pid = pid;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return tracer_fail(t, -ESRCH, "no such process: %d", (int)pid);
	if (procfs_is_kernel_thread(pid)) {
		char comm[64] = "?";

		procfs_comm(pid, comm, sizeof(comm));
		return tracer_fail(t, -EPERM,
				   "process %d (%s) is a kernel thread: it has no user-space code to trace",
				   (int)pid, comm);
	}
	err = tracer_resolve(t);
	if (err == -EACCES || err == -EPERM) {
		tracer_explain_eperm(t, pid);
		return err;
	}
	if (err || t->opts->list)
		return err;
	/* listing its own functions is fine; stopping itself is not */
	if (pid == getpid())
		return tracer_fail(t, -EPERM,
				   "process %d is latch itself: a process cannot trace itself", (int)pid);
	err = tracer_attach(t, pid);
	return err ? err : tracer_plant_probes(t);
}

static int engine_launch(struct engine *e, char **argv)
{
	return tracer_launch(tracer_of(e), argv);
}

static enum run_end engine_run(struct engine *e, double deadline_mono)
{
	struct tracer *t = tracer_of(e);

	/* Summary tables start when tracing does, not at the first event. */
	t->output_err = t->sink->ops->tick(t->sink, real_ns());
	tracer_announce(t);
	return tracer_run(t, deadline_mono);
}

static const struct func_desc *engine_func(const struct engine *e, size_t i)
{
	const struct tracer *t = tracer_of_const(e);
	struct proc *p = proc_get(t, t->pid);

	return p && i < p->nfuncs ? func_desc_of(p->funcs[i]) : NULL;
}

static int engine_finish(struct engine *e, bool kill_launched, struct engine_result *r)
{
	struct tracer *t = tracer_of(e);
	int err = 0;

	if (t->threads.count) {
		if (t->launched && kill_launched)
			kill(t->pid, SIGKILL);
		else
			err = tracer_detach(t);
	}
	if (t->launched && !t->exited && t->pid > 0) {
		int ws = 0;

		wait_task(t->pid, &ws, 0);
		t->exited = true;
		t->exit_status = ws;
	}
	*r = (struct engine_result){
		.n = t->n, .launched = t->launched, .exited = t->exited,
		.exit_status = t->exit_status, .output_err = t->output_err,
	};
	return err;
}

static const char *engine_error(const struct engine *e)
{
	const struct tracer *t = tracer_of_const(e);

	return t->err[0] ? t->err : "internal error";
}

static void tracer_fini(struct tracer *t)
{
	threads_forget(t);
	symtab_free_retired(t->retired);
	t->retired = NULL;
	rate_free(&t->rate);
}

static void engine_destroy(struct engine *e)
{
	struct tracer *t = tracer_of(e);

	tracer_fini(t);
	free(t);
}

static const struct engine_ops ptrace_ops = {
	.attach = engine_attach,
	.launch = engine_launch,
	.run = engine_run,
	.func = engine_func,
	.finish = engine_finish,
	.error = engine_error,
	.destroy = engine_destroy,
};

int ptrace_engine_new(const struct latch_opts *o, struct sink *s,
		      void (*warn)(const char *msg), struct engine **out)
{
	struct tracer *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->engine.ops = &ptrace_ops;
	t->opts = o;
	t->sink = s;
	t->warn = warn;
	*out = &t->engine;
	return 0;
}
