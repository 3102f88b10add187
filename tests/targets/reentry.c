/* reentry: functions whose first instruction is the head of a loop, so
 * that the loop's back-edge jumps to the entry trap (gcc makes this of
 * both at -O1 and -O2, on x86-64 and aarch64).
 *
 * Usage: reentry
 * countdown(&x) is called 3 times with x = 50 (49 jumps back to its entry
 * each), then a second thread runs spin_until(&flag, 1), which spins until
 * main sets the flag 50 ms later. Prints "pid N", "countdown 0" (x after
 * the last call), "spun", "calls 4"; exit 0. A tracer that takes a jump
 * back to the entry for a call reports 150 or thousands of calls instead
 * of 4.
 */
#include <pthread.h>
#include "common.h"

TRACED void countdown(volatile int *p) { while (--*p > 0); }
TRACED void spin_until(volatile int *flag, int n) { while (*flag != n); }

static volatile int flag;

static void *spinner(void *arg)
{
	(void)arg;
	spin_until(&flag, 1);
	return NULL;
}

int main(void)
{
	volatile int x = 0;
	pthread_t th;

	t_print_pid(stdout);
	for (int i = 0; i < 3; i++) {
		x = 50;
		countdown(&x);
	}
	printf("countdown %d\n", x);
	pthread_create(&th, NULL, spinner, NULL);
	t_sleep_ms(50);
	flag = 1;
	pthread_join(th, NULL);
	printf("spun\ncalls 4\n");
	return 0;
}
