/* Tracee memory: writes into a process that has exited must say the
 * tracee vanished (ESRCH), which detach treats as nothing to restore. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util/mem.h"

static char target_byte = 'a';

START_TEST(write_read_then_exited)
{
	int go[2], done[2];
	struct mem m;
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* wait for the parent's write, report the byte, then exit */
		char x;

		if (read(go[0], &x, 1) == 1)
			(void)!write(done[1], &target_byte, 1);
		_exit(0);
	}
	ck_assert_int_eq(mem_open(&m, pid), 0);
	ck_assert_int_eq(mem_write(&m, (uintptr_t)&target_byte, "z", 1), 0);
	ck_assert_int_eq(mem_read(&m, (uintptr_t)&target_byte, &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	/* an unmapped address in a live process is not the process gone */
	ck_assert_int_eq(mem_write(&m, 0x1000, "z", 1), -EIO);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(read(done[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	/* a zombie: still there for kill(pid, 0), but its memory is gone */
	ck_assert_int_eq(waitid(P_PID, pid, NULL, WEXITED | WNOWAIT), 0);
	ck_assert_int_eq(mem_write(&m, (uintptr_t)&target_byte, "y", 1), -ESRCH);
	mem_close(&m);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, write_read_then_exited);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
