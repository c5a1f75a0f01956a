/* Unit tests of the timeutil module. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

Test(timeutil, iso8601)
{
	char buf[TIMEUTIL_ISO_LEN];

	cr_assert_str_eq(timeutil_iso8601(0, buf), "1970-01-01T00:00:00Z");
	cr_assert_str_eq(timeutil_iso8601(1764000000, buf), "2025-11-24T16:00:00Z");
}

Test(timeutil, parses_durations_with_units)
{
	struct {
		const char *s;
		long secs;
	} ok[] = {{"0", 0},        {"90", 90},     {"90s", 90},         {"20m", 1200},
		  {"1h30m", 5400}, {"2d", 172800}, {"1d2h3m4s", 93784}, {"1m30", 90}};
	struct err e = ERR_INIT;
	size_t i;
	long v;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(timeutil_parse_duration(ok[i].s, &v, &e), 0, "%s: %s", ok[i].s, e.msg);
		cr_assert_eq(v, ok[i].secs, "%s", ok[i].s);
	}
}

Test(timeutil, refuses_bad_durations)
{
	const char *bad[] = {"",
			     "m",
			     "20x",
			     "-5",
			     "1m1h",
			     "1h1h",
			     "1.5h",
			     " 1m",
			     "1m ",
			     "1 m",
			     "99999999999999999999",
			     "40000d",
			     "1y",
			     "5s5",
			     "1h5s30"};
	struct err e;
	size_t i;
	long v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(timeutil_parse_duration(bad[i], &v, &e), -1, "accepted '%s'", bad[i]);
		cr_assert_eq(e.status, AK_USAGE);
	}
}

Test(timeutil, parses_epoch_and_iso8601_utc)
{
	struct err e = ERR_INIT;
	time_t t;

	cr_assert_eq(timeutil_parse_time("1764000000", &t, &e), 0);
	cr_assert_eq(t, 1764000000);
	cr_assert_eq(timeutil_parse_time("2025-11-24T16:00:00Z", &t, &e), 0);
	cr_assert_eq(t, 1764000000);
	cr_assert_eq(timeutil_parse_time("2025-11-24T16:00:00+00:00", &t, &e), 0);
	cr_assert_eq(t, 1764000000);
	cr_assert_eq(timeutil_parse_time("2024-02-29T00:00:00Z", &t, &e), 0);
}

Test(timeutil, refuses_bad_times)
{
	const char *bad[] = {"",
			     "now",
			     "-1",
			     "2025-11-24",
			     "2025-11-24T16:00:00",
			     "2025-11-24 16:00:00Z",
			     "2025-02-30T00:00:00Z",
			     "2025-11-24T24:00:00Z",
			     "2025-11-24T16:00:00+01:00",
			     "1969-12-31T23:59:59Z",
			     "99999999999999",
			     "2025-13-01T00:00:00Z",
			     "2023-02-29T00:00:00Z"};
	struct err e;
	size_t i;
	time_t t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(timeutil_parse_time(bad[i], &t, &e), -1, "accepted '%s'", bad[i]);
	}
}

Test(timeutil, formats_durations)
{
	char buf[TIMEUTIL_REL_LEN];

	cr_assert_str_eq(timeutil_duration(0, buf, sizeof(buf)), "0s");
	cr_assert_str_eq(timeutil_duration(1200, buf, sizeof(buf)), "20m");
	cr_assert_str_eq(timeutil_duration(1032, buf, sizeof(buf)), "17m12s");
	cr_assert_str_eq(timeutil_duration(86400 + 5, buf, sizeof(buf)), "1d5s");
	cr_assert_str_eq(timeutil_duration(-90, buf, sizeof(buf)), "-1m30s");
}

Test(timeutil, relative_times)
{
	char buf[TIMEUTIL_REL_LEN];

	cr_assert_str_eq(timeutil_relative(1032, 0, buf, sizeof(buf)), "in 17m12s");
	cr_assert_str_eq(timeutil_relative(0, 240, buf, sizeof(buf)), "4m ago");
	cr_assert_str_eq(timeutil_relative(5, 5, buf, sizeof(buf)), "now");
	/* Two units at most once past an hour. */
	cr_assert_str_eq(timeutil_relative(0, 3 * 86400 + 7200 + 61, buf, sizeof(buf)), "3d2h ago");
	cr_assert_str_eq(timeutil_relative(3600 + 61, 0, buf, sizeof(buf)), "in 1h1m");
}

Test(timeutil, relative_times_at_the_extremes_do_not_overflow)
{
	char buf[TIMEUTIL_REL_LEN];

	/* iat -2 and exp INT64_MAX in a hostile token: 2^63 + 1 seconds apart. */
	cr_assert_str_eq(timeutil_relative(INT64_MAX, -2, buf, sizeof(buf)),
			 "in 106751991167300d15h");
	cr_assert_str_eq(timeutil_relative(-2, INT64_MAX, buf, sizeof(buf)),
			 "106751991167300d15h ago");
	cr_assert_str_eq(timeutil_relative(INT64_MAX, INT64_MIN, buf, sizeof(buf)),
			 "in 213503982334601d7h");
	cr_assert_str_eq(timeutil_relative(INT64_MIN, INT64_MAX, buf, sizeof(buf)),
			 "213503982334601d7h ago");
	cr_assert_str_eq(timeutil_duration(LLONG_MIN, buf, sizeof(buf)),
			 "-106751991167300d15h30m8s");
}

Test(timeutil, rate_never_shows_zero_for_a_slow_batch)
{
	char b[32];

	cr_assert_str_eq(timeutil_rate(975, 5, "key", b, sizeof(b)), "195 keys/s");
	cr_assert_str_eq(timeutil_rate(16, 5, "key", b, sizeof(b)), "3.2 keys/s");
	cr_assert_str_eq(timeutil_rate(2, 5, "key", b, sizeof(b)), "2.5 s/key");
	cr_assert_str_eq(timeutil_rate(1, 40, "key", b, sizeof(b)), "40.0 s/key");
	cr_assert_str_eq(timeutil_rate(975, 5, NULL, b, sizeof(b)), "195/s");
	cr_assert_str_eq(timeutil_rate(2, 5, NULL, b, sizeof(b)), "0.4/s");
	cr_assert_str_eq(timeutil_rate(1, 40, NULL, b, sizeof(b)), "0.025/s");
	cr_assert_str_eq(timeutil_rate(0, 5, "key", b, sizeof(b)), "");
	cr_assert_str_eq(timeutil_rate(3, 0, "key", b, sizeof(b)), "");
}

Test(timeutil, now_ms_is_the_monotonic_clock)
{
	struct timespec a, b;
	double t, before, after;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t = timeutil_now_ms();
	clock_gettime(CLOCK_MONOTONIC, &b);
	before = (double)a.tv_sec * 1000.0 + (double)a.tv_nsec / 1e6;
	after = (double)b.tv_sec * 1000.0 + (double)b.tv_nsec / 1e6;
	cr_assert(t >= before && t <= after, "%f not in [%f, %f]", t, before, after);
	cr_assert_geq(timeutil_now_ms(), t);
}
