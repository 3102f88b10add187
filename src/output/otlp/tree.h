/* Who is whose parent: the spans of each thread's open calls, and the
 * finished spans whose parent is not known yet.
 *
 * A call whose report waits for its return condition ("f ret retval <
 * 0") arrives after the calls it made, with its entry time, just before
 * its return; one that fails the condition never arrives. The depth of
 * each event (open traced calls below it) shows such a hole below a call:
 * then its span, and the spans under it, wait. The late call adopts the
 * spans that started inside it at the depth above it; when the thread
 * goes below the hole without one, the waiting spans take the nearest
 * open call as their parent, as they would have without the hole. */
#ifndef LATCH_OTLP_TREE_H
#define LATCH_OTLP_TREE_H

#include <sys/types.h>
#include "util/hashmap.h"
#include "output/otlp/otlp.h"

struct otlp_tree {
	struct hashmap threads;       /* tid -> struct tree_thread */
	const uint8_t *root_trace;    /* --trace-parent's trace and span, or NULL */
	const uint8_t *root_parent;
	/* A span is finished and its parent known: send it and free its
	 * attributes (also on error). 0 or -errno. */
	int (*emit)(void *ctx, struct otlp_span *s);
	void *ctx;
};

/* A call at depth: s has its name, start and attributes; its ids are
 * set here and the tree owns it. 0 or -ENOMEM (s is freed). */
int otlp_tree_call(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		   struct otlp_span *s);
/* The end of a call at depth: complete (status, end, result) is called
 * on its span when it was seen, which is then sent or left to wait.
 * 0 or -errno. */
int otlp_tree_end(struct otlp_tree *t, pid_t tid, uint64_t call_id, unsigned depth,
		  int (*complete)(void *arg, struct otlp_span *s), void *arg);
/* Tracing stopped: calls still open end at end_ns with mark (an
 * attribute set to true), and every waiting span is sent. */
void otlp_tree_flush(struct otlp_tree *t, uint64_t end_ns, const char *mark);
void otlp_tree_free(struct otlp_tree *t);

#endif
