/* The agent: freestanding, position-independent code that latch maps into
 * a target (no libc, no data of its own, no floating-point or vector
 * registers: the trampolines save only the registers a call may change,
 * and xmm8-15 are not among those they restore). Built by the Makefile
 * into a flat blob that latch embeds. agent.h is the contract. */
#include <stddef.h>
#include "agent/agent.h"
#include "agent_arch.h"

#define barrier() __asm__ volatile("" ::: "memory")

static void copy_words(uint64_t *to, const uint64_t *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] = from[i];
}

static uint32_t hash(uint64_t key, uint32_t mask)
{
	return (uint32_t)((key >> 4) * 0x9e3779b97f4a7c15ull >> 32) & mask;
}

/* The calling thread's slot, claimed the first time: its own key if
 * present, else the first free or gone slot on its probe path. */
static struct agent_slot *slot_of(struct agent_shm *s, uint64_t key)
{
	uint32_t mask = s->nslots - 1, h = hash(key, mask);

	for (uint32_t i = 0; i <= mask; i++) {
		struct agent_slot *sl = agent_slot(s, (h + i) & mask);
		uint64_t k = __atomic_load_n(&sl->key, __ATOMIC_ACQUIRE);

		if (k == key)
			return sl;
		if (k == AGENT_SLOT_FREE)
			break;
	}
	for (uint32_t i = 0; i <= mask; i++) {
		struct agent_slot *sl = agent_slot(s, (h + i) & mask);
		uint64_t k = __atomic_load_n(&sl->key, __ATOMIC_ACQUIRE);

		if ((k == AGENT_SLOT_FREE || k == AGENT_SLOT_GONE) &&
		    __atomic_compare_exchange_n(&sl->key, &k, key, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			sl->tid = (int32_t)agent_gettid();
			return sl;
		}
	}
	return NULL;
}

static void record(struct agent_probe *pr, const uint8_t *blk, uint32_t kind)
{
	struct agent_shm *s = (struct agent_shm *)pr->shm;
	uint64_t now = agent_clock(), head;
	struct agent_slot *sl;
	struct agent_rec *r;

	if (!__atomic_load_n(&s->enabled, __ATOMIC_RELAXED))
		return;
	if (now - __atomic_load_n(&s->heartbeat, __ATOMIC_RELAXED) > s->stale) {
		/* latch is gone (or stopped): nobody drains */
		__atomic_store_n(&s->enabled, 0, __ATOMIC_RELAXED);
		return;
	}
	sl = slot_of(s, agent_thread_key());
	if (!sl) {
		__atomic_fetch_add(&s->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	/* a signal handler's call interrupting this thread's own recording */
	if (sl->busy) {
		sl->dropped++;
		return;
	}
	sl->busy = 1;
	barrier();
	head = sl->head;
	if (head - sl->tail_seen >= s->ring_recs) {
		sl->tail_seen = __atomic_load_n(&sl->tail, __ATOMIC_ACQUIRE);
		if (head - sl->tail_seen >= s->ring_recs) {
			sl->dropped++;
			goto done;
		}
	}
	r = agent_ring(s, (uint32_t)(sl - agent_slot(s, 0))) + (head & (s->ring_recs - 1));
	r->kind = kind;
	r->probe = pr->index;
	r->clock = now;
	r->sp = (uint64_t)(blk + AGENT_BLK_SP);
	r->ra = *(const uint64_t *)(blk + AGENT_BLK_SP);
	copy_words((uint64_t *)r->regs, (const uint64_t *)(blk + AGENT_BLK_INT),
		   AGENT_BLK_INT_LEN / 8);
	if (pr->copy_fp)
		copy_words((uint64_t *)(r->regs + AGENT_BLK_INT_LEN),
			   (const uint64_t *)(blk + AGENT_BLK_FP), AGENT_BLK_FP_LEN / 8);
	__atomic_store_n(&sl->head, head + 1, __ATOMIC_RELEASE);
done:
	barrier();
	sl->busy = 0;
}

static void enter(struct agent_probe *pr, const uint8_t *blk)
{
	record(pr, blk, AGENT_ENTRY);
}

static void leave(struct agent_probe *pr, const uint8_t *blk)
{
	record(pr, blk, AGENT_EXIT);
}

_Static_assert(AGENT_BLK_INT_LEN + AGENT_BLK_FP_LEN <= sizeof(((struct agent_rec *)0)->regs),
	       "a record holds the registers");

/* First in the blob (the linker script puts .agent_entries first); linked
 * at 0, so the functions' addresses are their offsets. */
__attribute__((section(".agent_entries"), used))
static const struct agent_entries entries = {
	.magic = AGENT_MAGIC,
	.enter = (uint64_t)enter,
	.leave = (uint64_t)leave,
};
