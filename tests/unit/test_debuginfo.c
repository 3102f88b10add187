/* Where debug information is looked for, and which package a file is
 * from (a dpkg database made up in a temporary directory). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbols/debuginfo.h"

static char dir[] = "/tmp/latch-dpkg-XXXXXX";

static void write_list(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void make_db(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_list("libc6:amd64.list", "/.\n/lib\n/lib/x86_64-linux-gnu\n"
		   "/lib/x86_64-linux-gnu/libc.so.6\n/usr/lib/gconv");
	write_list("libfoo1.list", "/usr/lib/libfoo.so.1");
	write_list("libfoo1.md5sums", "/usr/lib/libbar.so.1\n");
	write_list("libbar1.list", "/usr/lib/libbar.so.10\n");
}

static void remove_db(void)
{
	static const char *const names[] = {
		"libc6:amd64.list", "libfoo1.list", "libfoo1.md5sums",
		"libbar1.list",
	};
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	strcpy(dir, "/tmp/latch-dpkg-XXXXXX");
}

START_TEST(package_by_path)
{
	char pkg[64];

	/* listed without /usr, mapped with it (merged /usr), and the arch
	 * qualifier dropped */
	ck_assert_int_eq(debuginfo_package(dir, "/usr/lib/x86_64-linux-gnu/libc.so.6",
					   pkg, sizeof(pkg)), 0);
	ck_assert_str_eq(pkg, "libc6");
	ck_assert_int_eq(debuginfo_package(dir, "/lib/x86_64-linux-gnu/libc.so.6",
					   pkg, sizeof(pkg)), 0);
	ck_assert_str_eq(pkg, "libc6");
	/* listed with /usr, asked without; the last line has no newline */
	ck_assert_int_eq(debuginfo_package(dir, "/lib/libfoo.so.1", pkg,
					   sizeof(pkg)), 0);
	ck_assert_str_eq(pkg, "libfoo1");
}
END_TEST

START_TEST(package_whole_lines_only)
{
	char pkg[64] = "";

	/* a prefix of a listed path, and a path from a file that is not a
	 * .list, are not owned */
	ck_assert_int_eq(debuginfo_package(dir, "/usr/lib/libbar.so.1", pkg,
					   sizeof(pkg)), -ENOENT);
	ck_assert_int_eq(debuginfo_package(dir, "/lib/x86_64-linux-gnu", pkg,
					   sizeof(pkg)), 0);
	ck_assert_str_eq(pkg, "libc6");
	ck_assert_int_eq(debuginfo_package(dir, "/tmp/prog", pkg, sizeof(pkg)),
			 -ENOENT);
	ck_assert_int_eq(debuginfo_package("/nonexistent/dpkg", "/tmp/prog",
					   pkg, sizeof(pkg)), -ENOENT);
}
END_TEST

START_TEST(search_path)
{
	char *p;

	unsetenv(DEBUGINFO_DIRS_ENV);
	p = debuginfo_search_path(NULL);
	ck_assert_str_eq(p, ":.debug:/usr/lib/debug");
	free(p);
	setenv(DEBUGINFO_DIRS_ENV, "/opt/debug:/usr/lib/debug", 1);
	p = debuginfo_search_path(NULL);
	ck_assert_str_eq(p, ":.debug:/opt/debug:/usr/lib/debug");
	free(p);
	setenv(DEBUGINFO_DIRS_ENV, "", 1);
	p = debuginfo_search_path(NULL);
	ck_assert_str_eq(p, ":.debug:/usr/lib/debug");
	free(p);
	unsetenv(DEBUGINFO_DIRS_ENV);
	/* a process in a container or chroot keeps its debug files inside */
	p = debuginfo_search_path("/proc/42/root");
	ck_assert_str_eq(p, ":.debug:/usr/lib/debug:/proc/42/root/usr/lib/debug");
	free(p);
	setenv(DEBUGINFO_DIRS_ENV, "/opt/debug", 1);
	p = debuginfo_search_path("/proc/42/root");
	ck_assert_str_eq(p, ":.debug:/opt/debug:/proc/42/root/usr/lib/debug");
	free(p);
	unsetenv(DEBUGINFO_DIRS_ENV);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("debuginfo");
	TCase *tc = tcase_create("dpkg");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, make_db, remove_db);
	tcase_add_test(tc, package_by_path);
	tcase_add_test(tc, package_whole_lines_only);
	tcase_add_test(tc, search_path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
