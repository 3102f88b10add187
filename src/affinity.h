/* Where latch itself runs. A ptrace stop costs several times more when the
 * tracee's wake-up crosses CPUs (an idle CPU must be woken), so latch keeps
 * itself on the CPU its busiest tracee runs on. Only latch's own affinity
 * changes; the target's never does. */
#ifndef LATCH_AFFINITY_H
#define LATCH_AFFINITY_H

#include <sys/types.h>

struct affinity;

/* Remember latch's allowed CPUs; 0 or -errno (then following is off). */
int affinity_init(struct affinity **out);
/* Move latch to the CPU thread tid of process pid last ran on, if latch
 * may run there. 0 or -errno. */
int affinity_follow(struct affinity *a, pid_t pid, pid_t tid);
void affinity_fini(struct affinity *a);

#endif
