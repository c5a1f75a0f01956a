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

/* akenza's topics of a device, one home for check, connect and the broker plugin. */
Test(devid, builds_the_uplink_topic_and_the_downlink_filter)
{
	struct err e = ERR_INIT;
	char buf[64], small[20];

	cr_assert_eq(devid_uplink_topic("sensor-17", NULL, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "/up/device/id/sensor-17");
	cr_assert_eq(devid_uplink_topic("sensor-17", "env/temp", buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "/up/device/id/sensor-17/env/temp");
	cr_assert_eq(devid_downlink_filter("sensor-17", buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "/down/device/id/sensor-17/#");

	cr_assert_eq(devid_uplink_topic("d", "/abs", buf, sizeof(buf), &e), -1);
	cr_assert_eq(e.status, AK_USAGE);
	cr_assert_eq(devid_uplink_topic("d", "", buf, sizeof(buf), &e), -1);
	cr_assert_eq(devid_uplink_topic("d", "a/+", buf, sizeof(buf), &e), -1);
	cr_assert_eq(devid_uplink_topic("d", "a/#", buf, sizeof(buf), &e), -1);
	cr_assert_eq(devid_uplink_topic("sensor-17", "x", small, sizeof(small), &e), -1,
		     "a topic that does not fit is refused, not cut");
	cr_assert_eq(devid_downlink_filter("sensor-17", small, sizeof(small), &e), -1);
}
