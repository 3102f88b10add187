/* x86-64 for the freestanding agent (src/agent/agent.c): thread identity,
 * clock, system calls and where the saved-register block holds what. */
#ifndef LATCH_AGENT_ARCH_H
#define LATCH_AGENT_ARCH_H

#include <stdint.h>
#include "x86_patch.h"

/* glibc and musl keep the thread's own address at %fs:0. */
static inline uint64_t agent_thread_key(void)
{
	uint64_t v;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

/* The time-stamp counter: 16 ns here against the vDSO clock's 30, and
 * latch converts it (arch_agent_clock calibrates the same counter). */
static inline uint64_t agent_clock(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline long agent_gettid(void)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(186L) : "rcx", "r11", "memory");
	return r;
}

/* The part of the block a record keeps: from r11 to the flags (the
 * integer registers), and with AGENT_COPY_FP xmm0-7 after them. */
#define AGENT_BLK_SP      X86_BLK_RA
#define AGENT_BLK_INT     X86_BLK_R11
#define AGENT_BLK_INT_LEN (X86_BLK_RA - X86_BLK_R11)
#define AGENT_BLK_FP      X86_BLK_XMM0
#define AGENT_BLK_FP_LEN  128

#endif
