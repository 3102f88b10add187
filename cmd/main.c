/* latch: the command line. Only cmd/ exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "args.h"
#include "core/engine.h"
#include "core/opts.h"
#include "output/output.h"
#include "probe/probe.h"
#include "tracer/tracer.h"
#include "util/clock.h"
#include "util/latency.h"

static void on_stop_signal(int sig)
{
	(void)sig;
	engine_stop_requested = 1;
}

static void on_tick(int sig)
{
	(void)sig;
	engine_tick = 1;
}

/* No SA_RESTART: the signals must interrupt waitpid. */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &tick, NULL);
}

/* -c: the table; -c -v: each call too, then the table. */
static int open_output(const struct latch_opts *o, FILE *out, struct sink **s)
{
	struct sink *calls, *summary;
	int err;

	/* -l prints a list, not a trace: nothing around it, in any format. */
	if (o->list)
		return sink_open(FMT_TEXT, NULL, out, s);
	if (!o->summary)
		return sink_open(o->format, &o->style, out, s);
	err = summary_sink_open(o->format, out,
				(uint64_t)(o->summary_interval * 1e9), &summary);
	if (err || !o->verbose) {
		*s = summary;
		return err;
	}
	err = sink_open(o->format, &o->style, out, &calls);
	if (err)
		goto destroy_summary;
	err = tee_sink_open(calls, summary, s);
	if (err)
		goto destroy_calls;
	return 0;

destroy_calls:
	calls->ops->destroy(calls);
destroy_summary:
	summary->ops->destroy(summary);
	return err;
}

static void warn(const char *msg)
{
	fprintf(stderr, "latch: %s\n", msg);
}

/* Whether the closing counts are printed: not after an error. */
static bool closing_counts;

static void report(const char *msg)
{
	if (closing_counts)
		warn(msg);
}

/* The output, and the spans of --otlp and --otlp-file beside it. 0, or
 * -errno with err set. */
static int open_sinks(const struct latch_opts *o, FILE *out, FILE *otlp_file,
		      struct sink **s, char *err, size_t errlen)
{
	struct otlp_sink_config oc = {
		.url = o->otlp_url,
		.protocol = o->otlp_protocol,
		.file = otlp_file,
		.service_name = o->service_name,
		.trace_parent = o->trace_parent,
		.error_if = o->error_if,
		.no_returns = o->no_returns,
		.warn = o->quiet ? NULL : warn,
		.report = report,
	};
	struct sink *output, *spans;
	int rc = open_output(o, out, &output);

	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	if (o->list || (!o->otlp_url && !otlp_file)) {
		*s = output;
		return 0;
	}
	rc = otlp_sink_open(&oc, &spans, err, errlen);
	if (rc)
		goto destroy_output;
	/* the spans first: a tee's first sink never sees calls that only
	 * summaries count */
	rc = tee_sink_open(spans, output, s);
	if (!rc)
		return 0;
	snprintf(err, errlen, "out of memory");
	spans->ops->destroy(spans);
destroy_output:
	output->ops->destroy(output);
	return rc;
}

/* Several processes: a heading before each one's functions. */
static void print_list(const struct engine *e, const struct latch_opts *o, FILE *out)
{
	const struct func_desc *f;
	pid_t pid, last = 0;

	for (size_t i = 0; (f = e->ops->func(e, i, &pid)); i++) {
		if (o->npids > 1 && pid != last)
			fprintf(out, "%sprocess %d:\n", last ? "\n" : "", (int)pid);
		last = pid;
		if (f->site)
			fprintf(out, "%s in ", f->where);
		fprintf(out, "%s  [%s 0x%llx]\n", f->signature ? f->signature : f->name,
			f->module, (unsigned long long)f->addr);
	}
}

/* -c alone prints no calls: they are counted. */
static void print_counts(const struct engine_counts *n, bool counted)
{
	const struct filter_faults *f = &n->faults;
	char faults[96] = "", hits[32] = "";

	if (f->unreadable && f->invalid)
		snprintf(faults, sizeof(faults), " (%llu unreadable, %llu invalid)",
			 (unsigned long long)f->unreadable, (unsigned long long)f->invalid);
	else if (f->unreadable || f->invalid)
		snprintf(faults, sizeof(faults), " (%llu %s)",
			 (unsigned long long)(f->unreadable + f->invalid),
			 f->unreadable ? "unreadable" : "invalid");
	if (n->hits)
		snprintf(hits, sizeof(hits), " %llu hits,", (unsigned long long)n->hits);
	fprintf(stderr, "latch: %llu calls seen, %llu %s, %llu filtered%s, %llu dropped; "
		"%llu returns, %llu unwinds,%s %llu stops\n",
		(unsigned long long)n->seen, (unsigned long long)n->calls,
		counted ? "counted" : "printed",
		(unsigned long long)n->filtered, faults, (unsigned long long)n->dropped,
		(unsigned long long)n->returns, (unsigned long long)n->unwinds, hits,
		(unsigned long long)n->stops);
}

static int fail(const struct engine *e)
{
	fprintf(stderr, "latch: %s\n", e->ops->error(e));
	return EXIT_RUNTIME;
}

static int output_failed(const struct latch_opts *o, int err)
{
	fprintf(stderr, "latch: cannot write %s: %s\n",
		o->output_path ? o->output_path : "standard output", strerror(-err));
	return EXIT_RUNTIME;
}

static int wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_RUNTIME;
}

/* -p: the process ended while traced; say how, as strace's "+++" lines do. */
static void print_target_end(pid_t pid, int ws)
{
	char sig[32];

	if (WIFEXITED(ws)) {
		fprintf(stderr, "latch: process %d exited with status %d\n", (int)pid,
			WEXITSTATUS(ws));
	} else if (WIFSIGNALED(ws)) {
		render_signal(sig, sizeof(sig), WTERMSIG(ws));
		fprintf(stderr, "latch: process %d was killed by %s%s\n", (int)pid, sig,
			WCOREDUMP(ws) ? " (core dumped)" : "");
	}
}

/* Launch mode, -d or -n done: latch lets the command go and waits. */
static void say_running_on(const struct latch_opts *o, double deadline)
{
	if (deadline && (double)mono_ns() / 1e9 >= deadline)
		fprintf(stderr, "latch: detached after -d %g s; waiting for the command, "
			"which runs on untraced, to exit\n", o->duration);
	else
		fprintf(stderr, "latch: detached; waiting for the command, which runs on "
			"untraced, to exit\n");
}

int main(int argc, char **argv)
{
	struct latch_opts o = { 0 };
	struct engine *eng = NULL;
	struct engine_result res = { 0 };
	struct sink *sink = NULL;
	FILE *out = stdout, *otlp_file = NULL;
	char why[512];
	enum run_end end = RUN_TARGET_GONE;
	int status = 0, err, err2, output_err, qos = -1;
	double deadline = 0;

	parse_args(argc, argv, &o);
	if (o.output_path && !(out = fopen(o.output_path, "we"))) {
		fprintf(stderr, "latch: cannot open %s: %s\n", o.output_path, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (o.otlp_file && !o.list && !(otlp_file = fopen(o.otlp_file, "we"))) {
		fprintf(stderr, "latch: cannot open %s: %s\n", o.otlp_file, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (open_sinks(&o, out, otlp_file, &sink, why, sizeof(why))) {
		fprintf(stderr, "latch: %s\n", why);
		return EXIT_RUNTIME;
	}
	install_signals();
	if (ptrace_engine_new(&o, sink, o.quiet ? NULL : warn, &eng)) {
		fprintf(stderr, "latch: out of memory\n");
		return EXIT_RUNTIME;
	}
	err = o.npids ? eng->ops->attach(eng, o.pids, o.npids) : eng->ops->launch(eng, o.argv);
	if (err) {
		status = fail(eng);
	} else if (o.npids && o.list) {
		print_list(eng, &o, out);
	} else {
		if (o.duration > 0)
			deadline = (double)mono_ns() / 1e9 + o.duration;
		if (!o.no_qos && !o.list)
			qos = latency_hold();   /* best effort: needs root */
		end = eng->ops->run(eng, deadline);
		latency_release(qos);
		if (end == RUN_ERROR)
			status = fail(eng);
		else if (o.list)
			print_list(eng, &o, out);
		else if (end == RUN_STOP_REQUESTED && !o.npids && !o.quiet && !engine_stop_requested)
			say_running_on(&o, deadline);
	}
	/* A command that never got to run main is not let run it. */
	if (eng->ops->finish(eng, o.list || end == RUN_ERROR || err, &res) && !status)
		status = fail(eng);
	if (res.launched && !status && !o.list)
		status = wait_status(res.exit_status);
	output_err = res.output_err;
	err2 = sink->ops->flush(sink);
	if (err2 && !output_err)
		output_err = err2;
	/* A closed pipe is the reader's way to say enough; any other write
	 * error lost events, and the counts would be of calls never written. */
	if (output_err && output_err != -EPIPE)
		status = output_failed(&o, output_err);
	closing_counts = !o.quiet && !o.list && !err && end != RUN_ERROR &&
			 (!output_err || output_err == -EPIPE);
	if (closing_counts && o.npids == 1 && res.exited)
		print_target_end(o.pids[0], res.exit_status);
	if (closing_counts)
		print_counts(&res.n, o.summary && !o.verbose);
	sink->ops->destroy(sink);     /* --otlp's counts come after ours */
	if (out != stdout && fclose(out) == EOF && !output_err)
		status = output_failed(&o, -errno);
	if (otlp_file)
		fclose(otlp_file);
	eng->ops->destroy(eng);
	for (size_t i = 0; i < o.nprobes; i++)
		probe_free(&o.probes[i]);
	free(o.probes);
	free(o.pids);
	return status;
}
