/* Keeping CPUs out of deep idle while tracing. Each traced call costs two
 * ptrace stops, and each stop wakes the tracer or the tracee; when that
 * wake-up has to bring a CPU out of an idle state (HLT in a VM) it costs
 * tens to hundreds of microseconds instead of a few. A PM QoS CPU latency
 * request of 0 avoids that for as long as latch holds it; the kernel drops
 * it when latch exits, however it exits. The target is not touched. */
#ifndef LATCH_LATENCY_H
#define LATCH_LATENCY_H

/* Returns a handle >= 0, or -errno (no /dev/cpu_dma_latency, not root). */
int latency_hold(void);
void latency_release(int handle);

#endif
