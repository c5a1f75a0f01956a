/* Unit tests of the http module's retry arithmetic (no network, libcurl not loaded). */
#include <criterion/criterion.h>
#include <string.h>

#include "http.h"

Test(http, retry_after_seconds)
{
	long ms = -1;

	cr_assert_eq(http_retry_after_ms("0", 0, &ms), 0);
	cr_assert_eq(ms, 0);
	cr_assert_eq(http_retry_after_ms("3", 0, &ms), 0);
	cr_assert_eq(ms, 3000);
	cr_assert_eq(http_retry_after_ms("120", 0, &ms), 0);
	cr_assert_eq(ms, 120000);
}

Test(http, retry_after_clamps_huge_values)
{
	long ms = -1;

	cr_assert_eq(http_retry_after_ms("99999999999999999999999", 0, &ms), 0);
	cr_assert_eq(ms, 86400L * 1000);
}

Test(http, retry_after_http_dates)
{
	/* 1994-11-06T08:49:37Z is 784111777. */
	time_t now = 784111777 - 10;
	long ms = -1;

	cr_assert_eq(http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now, &ms), 0);
	cr_assert_eq(ms, 10000);
	cr_assert_eq(http_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", now, &ms), 0);
	cr_assert_eq(ms, 10000);
	cr_assert_eq(http_retry_after_ms("Sun Nov  6 08:49:37 1994", now, &ms), 0);
	cr_assert_eq(ms, 10000);
	/* A date in the past: retry now. */
	cr_assert_eq(http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 100, &ms), 0);
	cr_assert_eq(ms, 0);
}

Test(http, retry_after_rejects_garbage)
{
	long ms = 7;

	cr_assert_eq(http_retry_after_ms("", 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms(NULL, 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms("-1", 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms("1.5", 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms("3 seconds", 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms("tomorrow", 0, &ms), -1);
	cr_assert_eq(http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT junk", 0, &ms), -1);
	cr_assert_eq(ms, 7);
}

Test(http, backoff_grows_exponentially_within_jitter)
{
	unsigned a;
	long d, lo, hi;

	for (a = 1; a <= 6; a++) {
		hi = 100L << (a - 1);
		lo = hi / 2;
		d = http_backoff_ms(a, 100, 1000000, 0);
		cr_assert_eq(d, lo, "attempt %u: %ld", a, d);
		d = http_backoff_ms(a, 100, 1000000, (uint32_t)(hi - lo));
		cr_assert_eq(d, hi, "attempt %u: %ld", a, d);
		d = http_backoff_ms(a, 100, 1000000, 0xffffffffu);
		cr_assert(d >= lo && d <= hi, "attempt %u: %ld", a, d);
	}
}

Test(http, backoff_is_capped)
{
	unsigned a;
	long d;

	for (a = 1; a < 200; a++) {
		d = http_backoff_ms(a, 500, 30000, (uint32_t)a * 2654435761u);
		cr_assert(d >= 250 && d <= 30000, "attempt %u: %ld", a, d);
	}
	cr_assert_eq(http_backoff_ms(100, 500, 30000, 0), 15000);
	cr_assert_eq(http_backoff_ms(100, 500, 30000, 15000), 30000);
}

Test(http, backoff_jitter_spreads)
{
	long seen_lo = 0, seen_hi = 0, d;
	uint32_t r;

	for (r = 0; r < 2000; r++) {
		d = http_backoff_ms(3, 1000, 30000, r * 7919u);
		if (d < 3000)
			seen_lo = 1;
		if (d > 3000)
			seen_hi = 1;
	}
	cr_assert(seen_lo && seen_hi);
}
