/* A thread's open calls, innermost last, and the rules that tell which
 * of them a new stop ends. Only the stack and its rules: no ptrace, no
 * events (calls.c reports what these decide); tests/unit/test_frames.c
 * covers them. */
#include <errno.h>
#include <stdlib.h>
#include "tracer/priv.h"

void frame_release(struct frame *f)
{
	if (f->held) {
		event_free(f->held);
		free(f->held);
		f->held = NULL;
	}
	for (unsigned i = 0; i < f->nargs; i++)
		value_free(&f->args[i]);
	free(f->args);
	f->args = NULL;
	f->nargs = 0;
}

void frames_forget(struct thread *th)
{
	for (size_t i = 0; i < th->nframes; i++)
		frame_release(&th->frames[i]);
	free(th->frames);
	th->frames = NULL;
	th->nframes = th->cap = 0;
}

int frames_push(struct thread *th, const struct frame *f)
{
	if (th->nframes == th->cap) {
		size_t cap = th->cap ? th->cap * 2 : 16;
		struct frame *v = realloc(th->frames, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		th->frames = v;
		th->cap = cap;
	}
	th->frames[th->nframes++] = *f;
	return 0;
}

struct frame *frames_top(struct thread *th)
{
	return th->nframes ? &th->frames[th->nframes - 1] : NULL;
}

/* Calls whose frames lie below this one's were abandoned (longjmp). An
 * equal one made a tail call and is still pending, unless deeper calls
 * were abandoned too: a tail call leaves none behind, so then the same
 * call site is simply being called again. */
static bool abandons(const struct frame *top, uint64_t sp_after, bool deeper_abandoned)
{
	return top->sp_after < sp_after || (top->sp_after == sp_after && deeper_abandoned);
}

void frames_end_abandoned(struct thread *th, uint64_t sp_after, frame_end_fn end, void *ctx)
{
	bool abandoned = false;
	struct frame *top;

	while ((top = frames_top(th)) && abandons(top, sp_after, abandoned)) {
		end(ctx, th, FRAME_UNWOUND);
		abandoned = true;
	}
}

/* A jump back to a function's first instruction (the head of a loop
 * there, or a tail call to itself) goes on with the call still open: the
 * same function, the same return slot and the same return address. */
bool frames_jumped_back(const struct thread *th, const struct frame *f)
{
	const struct frame *top = th->nframes ? &th->frames[th->nframes - 1] : NULL;

	return top && top->fn == f->fn && top->sp_after == f->sp_after &&
	       top->ra == f->ra;
}

/* A frame whose sp after its return lies below sp is gone; one at sp
 * returning to ra is this return's (several are, after tail calls). */
static enum frame_fate at_return(const struct frame *top, uint64_t sp, uint64_t ra)
{
	if (top->sp_after < sp)
		return FRAME_UNWOUND;
	if (top->sp_after == sp && top->ra == ra)
		return FRAME_RETURNS;
	return FRAME_OPEN;
}

bool frames_end_at_return(struct thread *th, uint64_t sp, uint64_t ra,
			  frame_end_fn end, void *ctx)
{
	enum frame_fate fate;
	bool matched = false;
	struct frame *top;

	while ((top = frames_top(th)) && (fate = at_return(top, sp, ra)) != FRAME_OPEN) {
		end(ctx, th, fate);
		matched |= fate == FRAME_RETURNS;
	}
	return matched;
}

void frames_end_below(struct thread *th, uint64_t sp_after, frame_end_fn end, void *ctx)
{
	struct frame *top;

	while ((top = frames_top(th)) && top->sp_after <= sp_after)
		end(ctx, th, FRAME_UNWOUND);
}
