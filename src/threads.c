/* Traced threads and their pending frames. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "tracer.h"

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct thread *thread_get(struct tracer *t, pid_t tid)
{
	return hashmap_get(&t->threads, (uint64_t)tid);
}

struct thread *thread_add(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_get(t, tid);

	if (th)
		return th;
	th = calloc(1, sizeof(*th));
	if (!th)
		return NULL;
	th->tid = tid;
	if (hashmap_put(&t->threads, (uint64_t)tid, th)) {
		free(th);
		return NULL;
	}
	return th;
}

void thread_remove(struct tracer *t, struct thread *th)
{
	frames_unwind_all(t, th);
	hashmap_del(&t->threads, (uint64_t)th->tid);
	free(th->frames);
	free(th);
}
