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

/* Can latch stop pid and its threads? 0, or -errno with the error set. */
static int check_target(struct tracer *t, pid_t pid)
{
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return tracer_fail(t, -ESRCH, "no such process: %d", (int)pid);
	if (procfs_is_kernel_thread(pid)) {
		char comm[64] = "?";

		procfs_comm(pid, comm, sizeof(comm));
		return tracer_fail(t, -EPERM,
				   "process %d (%s) is a kernel thread: it has no user-space code to trace",
				   (int)pid, comm);
	}
	return 0;
}

/* With several processes, an error names the one it is about. */
static int fail_in(struct tracer *t, pid_t pid, size_t n, int err)
{
	char why[sizeof(t->err)];

	if (n > 1 && !strstr(t->err, "process"))
		tracer_fail(t, err, "process %d: %s", (int)pid,
			    tracer_take_error(t, err, why, sizeof(why)));
	return err;
}

/* -p: resolve in every process before attaching to any, so that bad
 * probes never touch a target. */
static int engine_attach(struct engine *e, const pid_t *pids, size_t n)
{
	struct tracer *t = tracer_of(e);
	int err = 0;

	t->pid = pids[0];
	for (size_t i = 0; i < n; i++) {
		err = check_target(t, pids[i]);
		if (err)
			return fail_in(t, pids[i], n, err);
		err = tracer_resolve(t, pids[i]);
		if (err == -EACCES || err == -EPERM)
			tracer_explain_eperm(t, pids[i]);
		if (err)
			return fail_in(t, pids[i], n, err);
		/* listing its own functions is fine; stopping itself is not */
		if (pids[i] == getpid() && !t->opts->list)
			return tracer_fail(t, -EPERM, "process %d is latch itself: a process "
					   "cannot trace itself", (int)pids[i]);
	}
	if (t->opts->list)
		return 0;
	for (size_t i = 0; i < n; i++) {
		err = tracer_attach(t, pids[i]);
		if (!err)
			err = tracer_plant_probes(t, pids[i]);
		if (err)
			return fail_in(t, pids[i], n, err);
	}
	return 0;
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
	if (!t->launched)
		tracer_say_tracing(t);
	return tracer_run(t, deadline_mono);
}

static const struct func_desc *engine_func(const struct engine *e, size_t i, pid_t *pid)
{
	const struct tracer *t = tracer_of_const(e);
	const pid_t *pids;
	size_t n = tracer_targets(t, &pids);

	for (size_t k = 0; k < n; k++) {
		struct proc *p = proc_get(t, *pid = pids[k]);

		if (p && i < p->nfuncs)
			return func_desc_of(p->funcs[i]);
		i -= p ? p->nfuncs : 0;
	}
	return NULL;
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
	t->decode = !o->summary || o->verbose || o->otlp_url || o->otlp_file;
	t->sink = s;
	t->warn = warn;
	*out = &t->engine;
	return 0;
}
