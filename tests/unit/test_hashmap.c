/* The address and thread maps. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include "util/hashmap.h"

START_TEST(put_get_replace_delete)
{
	struct hashmap h = { 0 };
	int a, b;

	ck_assert_ptr_null(hashmap_get(&h, 1));
	ck_assert_int_eq(hashmap_put(&h, 1, &a), 0);
	ck_assert_ptr_eq(hashmap_get(&h, 1), &a);
	ck_assert_int_eq(hashmap_put(&h, 1, &b), 0);
	ck_assert_ptr_eq(hashmap_get(&h, 1), &b);
	ck_assert_uint_eq(h.count, 1);
	ck_assert_ptr_eq(hashmap_del(&h, 1), &b);
	ck_assert_ptr_null(hashmap_get(&h, 1));
	ck_assert_ptr_null(hashmap_del(&h, 1));
	ck_assert_uint_eq(h.count, 0);
	hashmap_free(&h);
}
END_TEST

/* Colliding keys must stay reachable across deletions and growth. */
START_TEST(many_keys_with_deletions)
{
	struct hashmap h = { 0 };
	static int vals[5000];

	for (uint64_t k = 0; k < 5000; k++)
		ck_assert_int_eq(hashmap_put(&h, 0x400000 + k * 4096, &vals[k]), 0);
	for (uint64_t k = 0; k < 5000; k += 2)
		ck_assert_ptr_eq(hashmap_del(&h, 0x400000 + k * 4096), &vals[k]);
	for (uint64_t k = 0; k < 5000; k++)
		ck_assert_ptr_eq(hashmap_get(&h, 0x400000 + k * 4096),
				 k % 2 ? &vals[k] : NULL);
	size_t pos = 0, seen = 0;
	uint64_t key;

	while (hashmap_next(&h, &pos, &key)) {
		ck_assert_uint_eq((key - 0x400000) / 4096 % 2, 1);
		seen++;
	}
	ck_assert_uint_eq(seen, 2500);
	ck_assert_uint_eq(h.count, 2500);
	hashmap_free(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hashmap");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, put_get_replace_delete);
	tcase_add_test(tc, many_keys_with_deletions);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
