/* The agent engine's contract between latch and the agent it injects: the
 * shared-memory region's layout, which both sides compile from this file.
 * The agent (agent.c) is freestanding code that runs inside the target:
 * the trampolines call its recorder with a probe and the block of saved
 * registers (arch/<arch>/x86_patch.h lays it out); it appends a record to
 * the calling thread's ring, and latch drains the rings.
 *
 * One single-producer ring per thread, found from the thread pointer
 * through an open-addressed table of slots; a full ring drops the record
 * and counts it, never waits. Nothing here holds a pointer of latch's:
 * the region is mapped at different addresses in latch and the target. */
#ifndef LATCH_AGENT_H
#define LATCH_AGENT_H

#include <stdint.h>

#define AGENT_MAGIC 0x316761686374616cull   /* "latchag1" */
#define AGENT_REC_SIZE 256u

enum agent_rec_kind {
	AGENT_ENTRY = 1,
	AGENT_EXIT = 2,
};

/* One call's entry or return. regs[] is a copy of the block's bytes from
 * the architecture's first copied register on (AGENT_BLK_COPY_*). */
struct agent_rec {
	uint32_t kind;
	uint32_t probe;
	uint64_t clock;          /* the agent's clock (arch: agent_clock) */
	uint64_t sp;             /* pointing at the return address */
	uint64_t ra;             /* the return address */
	uint8_t regs[AGENT_REC_SIZE - 32];
};

/* What a trampoline passes: where its probe's record goes. */
struct agent_probe {
	uint64_t shm;            /* the region, in the target */
	uint32_t index;          /* latch's number for the function */
	uint32_t copy_fp;        /* copy the floating-point registers too */
};

#define AGENT_SLOT_FREE 0ull
#define AGENT_SLOT_GONE 1ull  /* its thread ended: reusable */

/* A thread's ring. head is the thread's, tail latch's: apart, so that
 * they share no cache line. */
struct agent_slot {
	uint64_t key;            /* the thread pointer; or FREE, GONE */
	int32_t tid;
	uint32_t busy;           /* the thread is recording: a signal handler's call is dropped */
	uint64_t head;           /* records written */
	uint64_t dropped;        /* ring full, or busy */
	uint64_t tail_seen;      /* the thread's last look at tail */
	uint8_t pad0[64 - 40];
	uint64_t tail;           /* records drained (latch) */
	uint8_t pad1[64 - 8];
};

struct agent_shm {
	uint64_t magic;
	uint32_t nslots;         /* a power of two */
	uint32_t ring_recs;      /* per slot, a power of two */
	uint64_t slots_off;      /* struct agent_slot[nslots] */
	uint64_t rings_off;      /* nslots rings of ring_recs records */
	uint64_t probes_off;     /* struct agent_probe[nprobes] */
	uint32_t nprobes;
	uint32_t enabled;        /* 0: record nothing */
	/* latch's heartbeat, in the agent's clock: a record later than
	 * heartbeat + stale finds latch gone, and stops recording */
	uint64_t heartbeat;
	uint64_t stale;
	uint64_t lost;           /* records with no slot for their thread */
};

static inline struct agent_slot *agent_slot(struct agent_shm *s, uint32_t i)
{
	return (struct agent_slot *)((char *)s + s->slots_off) + i;
}

static inline struct agent_rec *agent_ring(struct agent_shm *s, uint32_t slot)
{
	return (struct agent_rec *)((char *)s + s->rings_off) + (uint64_t)slot * s->ring_recs;
}

static inline struct agent_probe *agent_probes(struct agent_shm *s)
{
	return (struct agent_probe *)((char *)s + s->probes_off);
}

/* The blob's table of entry points, at its start: offsets from it. */
struct agent_entries {
	uint64_t magic;
	uint64_t enter;          /* void enter(struct agent_probe *, const void *block) */
	uint64_t leave;          /* the same, at a return */
};

#endif
