/* Unit tests of the devsession module's decisions: refresh point, backoff, what ends it. */
#include <criterion/criterion.h>

#include "devsession.h"

Test(devsession, refreshes_a_fifth_of_the_lifetime_before_exp)
{
	cr_assert_eq(devsession_refresh_ms(20 * 60 * 1000L), 16 * 60 * 1000L);
	/* Short lifetimes too: the tests' three seconds refresh after 2.4. */
	cr_assert_eq(devsession_refresh_ms(3000), 2400);
	cr_assert_eq(devsession_refresh_ms(1000), 800);
}

Test(devsession, refresh_margin_is_at_most_five_minutes)
{
	cr_assert_eq(devsession_refresh_ms(24 * 3600 * 1000L), 24 * 3600 * 1000L - 300000L);
	cr_assert_eq(devsession_refresh_ms(25 * 60 * 1000L), 20 * 60 * 1000L);
	cr_assert_eq(devsession_refresh_ms(30 * 60 * 1000L), 25 * 60 * 1000L);
}

/* rnd 0 draws the shortest wait, half of the full one. */
Test(devsession, backoff_doubles_with_jitter_up_to_its_cap)
{
	unsigned i, r;
	long lo, d;

	cr_assert_eq(devsession_backoff_ms(1, 0, 0), DEVSESSION_BACKOFF_BASE_MS / 2);
	cr_assert_eq(devsession_backoff_ms(2, 0, 0), DEVSESSION_BACKOFF_BASE_MS);
	cr_assert_eq(devsession_backoff_ms(3, 0, 0), 2 * DEVSESSION_BACKOFF_BASE_MS);
	cr_assert_eq(devsession_backoff_ms(30, 0, 0), DEVSESSION_BACKOFF_CAP_MS / 2);
	for (i = 1; i <= 12; i++) {
		lo = devsession_backoff_ms(i, 0, 0);
		for (r = 1; r < 100000; r = r * 7 + 3) {
			d = devsession_backoff_ms(i, 0, r);
			cr_assert(d >= lo && d <= 2 * lo, "attempt %u, rnd %u: %ld", i, r, d);
		}
	}
}

Test(devsession, refused_logins_wait_longer)
{
	cr_assert_eq(devsession_backoff_ms(1, 1, 0), DEVSESSION_REFUSED_BASE_MS / 2);
	cr_assert_eq(devsession_backoff_ms(20, 1, 0), DEVSESSION_REFUSED_CAP_MS / 2);
	cr_assert_gt(devsession_backoff_ms(1, 1, 0), 2 * devsession_backoff_ms(1, 0, 0));
}

Test(devsession, retries_what_waiting_can_mend)
{
	cr_assert(!devsession_fatal(AK_NETWORK));
	cr_assert(!devsession_fatal(AK_TLS)); /* a proxy that closes mid-handshake */
	cr_assert(!devsession_fatal(AK_REFUSED));
	cr_assert(devsession_fatal(AK_INPUT)); /* CA certificates that do not load */
	cr_assert(devsession_fatal(AK_INTERNAL));
}
