/* Unit tests of the devid module. */
#include <criterion/criterion.h>
#include <string.h>

#include "devid.h"

Test(devid, accepts_ordinary_ids)
{
	struct err e = ERR_INIT;

	cr_assert_eq(devid_check("device-001", &e), 0);
	cr_assert_eq(devid_check("70B3D57ED005A1B2", &e), 0);
	cr_assert_eq(devid_check("a_b.c:d@e", &e), 0);
}

Test(devid, rejects_topic_and_path_characters)
{
	const char *bad[] = {"a/b", "a+b",     "a#b", "a b", "a\tb", ".",
			     "..",  ".hidden", "",    "a,b", "a\"b", "caf\xc3\xa9"};
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(devid_check(bad[i], &e), -1, "accepted '%s'", bad[i]);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert_neq(e.msg[0], '\0');
	}
}

Test(devid, caps_the_length)
{
	char id[DEVID_MAX + 2];
	struct err e = ERR_INIT;

	memset(id, 'a', sizeof(id));
	id[DEVID_MAX] = '\0';
	cr_assert_eq(devid_check(id, &e), 0);
	id[DEVID_MAX] = 'a';
	id[DEVID_MAX + 1] = '\0';
	cr_assert_eq(devid_check(id, &e), -1);
	cr_assert(strstr(e.msg, "longer") != NULL);
}
