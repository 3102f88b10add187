/* The agent (src/agent/agent.c) as the Makefile builds it into a blob,
 * run for real on this x86-64 host: the blob mapped in an executable
 * page, a function patched with x86_patch's trampolines calling its
 * recorder, and the records read back from the rings as latch reads
 * them: one per entry and return with the call's registers, one ring per
 * thread, drops counted when a ring is full, nothing once the heartbeat
 * is stale. */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../../../src/agent/agent.h"
#include "../../../arch/x86_64/x86_patch.h"

extern const unsigned char agent_blob[];
extern const size_t agent_blob_len;

#define NSLOTS 8
#define RECS 4

/* int add(int a, int b) as gcc -O0 writes it (as in test_x86_patch). */
static const uint8_t add_o0[] = {
	0x55, 0x48, 0x89, 0xe5, 0x89, 0x7d, 0xfc, 0x89, 0x75, 0xf8,
	0x8b, 0x55, 0xfc, 0x8b, 0x45, 0xf8, 0x01, 0xd0, 0x5d, 0xc3,
};

static struct {
	uint8_t *code;              /* blob, function, trampolines */
	struct agent_shm *shm;
	int (*add)(int, int);
} w;

static void setup(void)
{
	size_t rings = (size_t)NSLOTS * RECS * sizeof(struct agent_rec);
	size_t size = 4096 + NSLOTS * sizeof(struct agent_slot) + rings;
	const struct agent_entries *ent;
	struct agent_probe *pr;
	struct x86_patch p;
	uint8_t buf[X86_PATCH_CODE_MAX];
	uint64_t fn, tramp, stub;
	size_t len;

	w.code = mmap(NULL, 16384, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w.shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(w.code, MAP_FAILED);
	ck_assert_ptr_ne(w.shm, MAP_FAILED);
	memcpy(w.code, agent_blob, agent_blob_len);
	ent = (const struct agent_entries *)w.code;
	ck_assert_uint_eq(ent->magic, AGENT_MAGIC);

	*w.shm = (struct agent_shm){
		.magic = AGENT_MAGIC, .nslots = NSLOTS, .ring_recs = RECS,
		.probes_off = 512, .nprobes = 1,
		.slots_off = 4096, .rings_off = 4096 + NSLOTS * sizeof(struct agent_slot),
		.enabled = 1, .stale = ~0ull >> 1,
	};
	pr = agent_probes(w.shm);
	*pr = (struct agent_probe){ .shm = (uint64_t)w.shm, .index = 7 };

	fn = (uint64_t)w.code + 4096;
	tramp = fn + 1024;
	stub = fn + 2048;
	memcpy((void *)fn, add_o0, sizeof(add_o0));
	ck_assert_int_eq(x86_patch_plan((void *)fn, sizeof(add_o0), fn, NULL, 0, &p), 0);
	ck_assert_int_eq(x86_patch_code((void *)fn, fn, &p.entry, 0, tramp, (uint64_t)pr,
					(uint64_t)w.code + ent->enter, buf, &len), 0);
	memcpy((void *)tramp, buf, len);
	ck_assert_int_eq(x86_patch_code((void *)fn, fn, &p.exit[0], 1, stub, (uint64_t)pr,
					(uint64_t)w.code + ent->leave, buf, &len), 0);
	memcpy((void *)stub, buf, len);
	ck_assert_int_eq(x86_patch_jump(p.exit[0].addr, stub, (uint8_t *)p.exit[0].addr), 0);
	ck_assert_int_eq(x86_patch_jump(p.entry.addr, tramp, (uint8_t *)p.entry.addr), 0);
	w.add = (int (*)(int, int))fn;
}

static void teardown(void)
{
	munmap(w.code, 16384);
	munmap(w.shm, 4096 + NSLOTS * sizeof(struct agent_slot) +
		      (size_t)NSLOTS * RECS * sizeof(struct agent_rec));
}

/* The slot of thread tid, or NULL. */
static struct agent_slot *slot_of_tid(pid_t tid)
{
	for (uint32_t i = 0; i < NSLOTS; i++)
		if (agent_slot(w.shm, i)->key > AGENT_SLOT_GONE && agent_slot(w.shm, i)->tid == tid)
			return agent_slot(w.shm, i);
	return NULL;
}

static uint64_t reg(const struct agent_rec *r, unsigned blk_off)
{
	uint64_t v;

	memcpy(&v, r->regs + (blk_off - X86_BLK_R11), 8);
	return v;
}

START_TEST(calls_are_recorded_with_their_registers)
{
	struct agent_slot *sl;
	const struct agent_rec *r;

	ck_assert_int_eq(w.add(2, 3), 5);
	sl = slot_of_tid((pid_t)syscall(SYS_gettid));
	ck_assert_ptr_nonnull(sl);
	ck_assert_uint_eq(sl->head, 2);
	r = agent_ring(w.shm, (uint32_t)(sl - agent_slot(w.shm, 0)));
	ck_assert_uint_eq(r[0].kind, AGENT_ENTRY);
	ck_assert_uint_eq(r[0].probe, 7);
	ck_assert_uint_eq(reg(&r[0], X86_BLK_RDI), 2);
	ck_assert_uint_eq(reg(&r[0], X86_BLK_RSI), 3);
	ck_assert_uint_eq(r[1].kind, AGENT_EXIT);
	ck_assert_uint_eq((uint32_t)reg(&r[1], X86_BLK_RAX), 5);
	/* the return is seen with the entry's stack: the pairing latch uses */
	ck_assert_uint_eq(r[1].sp, r[0].sp);
	ck_assert_uint_eq(r[1].ra, r[0].ra);
	/* a call's sp at its entry: 8 past a multiple of 16 */
	ck_assert_uint_eq(r[0].sp % 16, 8);
	ck_assert_uint_ge(r[1].clock, r[0].clock);
}
END_TEST

START_TEST(a_full_ring_drops_and_counts)
{
	struct agent_slot *sl;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(w.add(i, 1), i + 1);
	sl = slot_of_tid((pid_t)syscall(SYS_gettid));
	ck_assert_ptr_nonnull(sl);
	ck_assert_uint_eq(sl->head, RECS);
	ck_assert_uint_eq(sl->dropped, 2);
	/* drained: room again */
	__atomic_store_n(&sl->tail, sl->head, __ATOMIC_RELEASE);
	ck_assert_int_eq(w.add(1, 1), 2);
	ck_assert_uint_eq(sl->head, RECS + 2);
	ck_assert_uint_eq(sl->dropped, 2);
}
END_TEST

static void *caller(void *arg)
{
	int *tid = arg;

	*tid = (int)syscall(SYS_gettid);
	return (void *)(intptr_t)(w.add(*tid, 1) == *tid + 1);
}

START_TEST(each_thread_has_its_own_ring)
{
	pthread_t th[4];
	int tids[4];
	void *ok;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, caller, &tids[i]), 0);
	for (int i = 0; i < 4; i++) {
		struct agent_slot *sl;

		ck_assert_int_eq(pthread_join(th[i], &ok), 0);
		ck_assert_ptr_eq(ok, (void *)1);
		sl = slot_of_tid(tids[i]);
		ck_assert_ptr_nonnull(sl);
		ck_assert_uint_eq(sl->head, 2);
	}
}
END_TEST

START_TEST(a_stale_heartbeat_stops_recording)
{
	w.shm->stale = 1;   /* one clock tick: stale by the time it is read */
	ck_assert_int_eq(w.add(20, 22), 42);
	ck_assert_ptr_null(slot_of_tid((pid_t)syscall(SYS_gettid)));
	ck_assert_uint_eq(w.shm->enabled, 0);
	ck_assert_int_eq(w.add(1, 2), 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("x86_agent");
	TCase *tc = tcase_create("native");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, calls_are_recorded_with_their_registers);
	tcase_add_test(tc, a_full_ring_drops_and_counts);
	tcase_add_test(tc, each_thread_has_its_own_ring);
	tcase_add_test(tc, a_stale_heartbeat_stops_recording);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
