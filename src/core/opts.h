/* Everything the command line decides. */
#ifndef LATCH_OPTS_H
#define LATCH_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "core/value.h"

struct probe_spec;

/* -f; the sinks are output/output.h's. */
enum output_format { FMT_TEXT, FMT_JSON, FMT_CHROME, FMT_FOLDED };

/* The clock that starts each text line, as strace's -t, -tt, -ttt. */
enum text_clock {
	CLOCK_HMS_US,              /* 16:29:13.790083 (-tt; the default) */
	CLOCK_NONE,                /* -r alone */
	CLOCK_HMS,                 /* 16:29:13 (-t) */
	CLOCK_EPOCH_US,            /* 1796660953.790083 (-ttt) */
};

struct text_style {
	enum text_clock clock;
	bool relative;             /* -r: seconds since the previous line */
};

struct latch_opts {
	pid_t *pids;               /* -p, --pidof; NULL in launch mode */
	size_t npids;
	char **argv;               /* launch mode: COMMAND ARG... */
	struct probe_spec *probes;
	size_t nprobes;
	bool list;                 /* -l */
	const char *output_path;   /* -o */
	enum output_format format; /* -f */
	struct text_style style;   /* -t, -r */
	unsigned long max_calls;   /* -n; 0 = unlimited */
	double duration;           /* -d seconds; 0 = unlimited */
	struct value_limits limits; /* -s, -A, --depth */
	size_t max_probes;         /* --max-probes: functions to trap at most */
	unsigned long rate;        /* --rate: printed calls per second; 0 = any */
	unsigned stack_depth;      /* -S: caller frames per call; 0 = none */
	bool follow_forks;         /* -F */
	bool no_returns;
	bool no_qos;               /* --no-qos: let CPUs idle while tracing */
	bool quiet;
	bool summary;              /* -c */
	bool verbose;              /* -v: with -c, print each call too */
	double summary_interval;   /* --summary-interval seconds; 0 = only at the end */
	const char *error_if;      /* --error-if: a return condition marking errors */
	/* OpenTelemetry export */
	const char *otlp_url;      /* --otlp: NULL = none */
	const char *otlp_file;     /* --otlp-file */
	const char *otlp_protocol; /* --otlp-protocol; NULL: from the environment */
	const char *service_name;  /* --service-name */
	const char *trace_parent;  /* --trace-parent */
};

#define LATCH_DEFAULT_STRLIMIT 64
#define LATCH_DEFAULT_ARRAYLIMIT 16
#define LATCH_DEFAULT_DEPTH 2
#define LATCH_DEFAULT_MAX_PROBES 1000
#define LATCH_DEFAULT_STACK 16
#define LATCH_MAX_STACK 1000

#endif
