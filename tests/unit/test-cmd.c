/*
 * Unit tests of the option-value parsers of src/cmd.c: ranges, junk,
 * overflow, and that a refusal is a usage error (status 2) whose message
 * names the option.  The unit-test binary links the command objects (all
 * but main.c) for these.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "timeutil.h"

static void
quiet(void)
{
	cr_redirect_stderr();
}

TestSuite(cmd, .init = quiet);

/* --- cmd_parse_uint ------------------------------------------------------------ */

Test(cmd, uint_in_range)
{
	unsigned long v = 0;

	cr_assert_eq(cmd_parse_uint("count", "1", 1, 100, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(cmd_parse_uint("count", "100", 1, 100, &v), 0);
	cr_assert_eq(v, 100);
	cr_assert_eq(cmd_parse_uint("count", "007", 1, 100, &v), 0);
	cr_assert_eq(v, 7);
}

Test(cmd, uint_out_of_range_names_the_range)
{
	unsigned long v = 42;

	cr_assert_eq(cmd_parse_uint("count", "101", 1, 100, &v), AK_USAGE);
	cr_assert_eq(v, 42, "the destination is left alone");
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --count must be from 1 to 100, not '101'\n");
}

Test(cmd, uint_below_range)
{
	unsigned long v = 42;

	cr_assert_eq(cmd_parse_uint("count", "0", 1, 100, &v), AK_USAGE);
	cr_assert_eq(v, 42);
}

Test(cmd, uint_junk_refused)
{
	static const char *const junk[] = {"",   "-1",   "+1",  " 1",  "1 ",
					   "1x", "0x10", "1e3", "1.0", "ten"};
	unsigned long v = 42;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		cr_assert_eq(cmd_parse_uint("count", junk[i], 0, ULONG_MAX, &v), AK_USAGE, "'%s'",
			     junk[i]);
		cr_assert_eq(v, 42, "'%s'", junk[i]);
	}
}

Test(cmd, uint_junk_message)
{
	unsigned long v;

	cr_assert_eq(cmd_parse_uint("jobs", "-1", 1, 64, &v), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --jobs wants a number, not '-1'\n");
}

/* strtoul saturates at ULONG_MAX: a number that big is out of any range below it. */
Test(cmd, uint_overflow_refused)
{
	unsigned long v = 42;

	cr_assert_eq(cmd_parse_uint("count", "99999999999999999999999999", 0, ULONG_MAX - 1, &v),
		     AK_USAGE);
	cr_assert_eq(v, 42);
	cr_assert_eq(cmd_parse_uint("count", "18446744073709551616", 0, 1000000, &v), AK_USAGE);
	cr_assert_eq(v, 42);
}

/* --- cmd_parse_duration ---------------------------------------------------------- */

Test(cmd, duration_forms)
{
	long s = -1;

	cr_assert_eq(cmd_parse_duration("lifetime", "90", 1, &s), 0);
	cr_assert_eq(s, 90);
	cr_assert_eq(cmd_parse_duration("lifetime", "20m", 1, &s), 0);
	cr_assert_eq(s, 1200);
	cr_assert_eq(cmd_parse_duration("lifetime", "1h30m", 1, &s), 0);
	cr_assert_eq(s, 5400);
	cr_assert_eq(cmd_parse_duration("lifetime", "2d1s", 1, &s), 0);
	cr_assert_eq(s, 2 * 86400 + 1);
	/* A bare number, last, is seconds. */
	cr_assert_eq(cmd_parse_duration("lifetime", "20m5", 1, &s), 0);
	cr_assert_eq(s, 1205);
	cr_assert_eq(cmd_parse_duration("leeway", "0", 0, &s), 0);
	cr_assert_eq(s, 0);
}

Test(cmd, duration_below_minimum)
{
	long s;

	cr_assert_eq(cmd_parse_duration("lifetime", "0s", 1, &s), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --lifetime must be at least 1s, not '0s'\n");
}

Test(cmd, duration_junk_refused)
{
	static const char *const junk[] = {"",   "m",   "20x",  "1m1h", "1h1h",
					   "-5", "5 m", "1.5h", "h1"};
	long s;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(cmd_parse_duration("lifetime", junk[i], 0, &s), AK_USAGE, "'%s'",
			     junk[i]);
}

Test(cmd, duration_junk_message_names_the_option)
{
	long s;

	cr_assert_eq(cmd_parse_duration("leeway", "1m1h", 0, &s), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --leeway: '1m1h' is not a duration (units d, h, m, s, "
				"largest first, each once)\n");
}

Test(cmd, duration_overflow_refused)
{
	static const char *const big[] = {"99999999999999999999999", "99999999999999999999d",
					  "106751991167300d", "9223372036854775807"};
	char s[64];
	long secs;
	size_t i;

	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		cr_assert_eq(cmd_parse_duration("lifetime", big[i], 0, &secs), AK_USAGE, "'%s'",
			     big[i]);
	/* The largest accepted, and one second more. */
	snprintf(s, sizeof(s), "%ld", (long)TIMEUTIL_DURATION_MAX);
	cr_assert_eq(cmd_parse_duration("lifetime", s, 0, &secs), 0, "'%s'", s);
	cr_assert_eq(secs, TIMEUTIL_DURATION_MAX);
	snprintf(s, sizeof(s), "%ld", (long)TIMEUTIL_DURATION_MAX + 1);
	cr_assert_eq(cmd_parse_duration("lifetime", s, 0, &secs), AK_USAGE, "'%s'", s);
}

/* --- cmd_parse_time ------------------------------------------------------------------ */

Test(cmd, time_forms)
{
	time_t t = 0;

	cr_assert_eq(cmd_parse_time("at", "1795510800", &t), 0);
	cr_assert_eq(t, 1795510800);
	cr_assert_eq(cmd_parse_time("at", "2026-11-24T09:00:00Z", &t), 0);
	cr_assert_eq(t, 1795510800);
	cr_assert_eq(cmd_parse_time("at", "2026-11-24T09:00:00+00:00", &t), 0);
	cr_assert_eq(t, 1795510800);
	cr_assert_eq(cmd_parse_time("at", "9999-12-31T23:59:59Z", &t), 0);
	cr_assert_eq(t, (time_t)253402300799LL);
}

/* 0 means "now" to the jwt module: refused rather than silently replaced. */
Test(cmd, time_epoch_zero_refused)
{
	time_t t = 7;

	cr_assert_eq(cmd_parse_time("iat", "0", &t), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --iat: time '0' (1970-01-01T00:00:00Z) is not usable\n");
}

Test(cmd, time_epoch_zero_as_iso_refused)
{
	time_t t = 7;

	cr_assert_eq(cmd_parse_time("iat", "1970-01-01T00:00:00Z", &t), AK_USAGE);
}

Test(cmd, time_junk_and_overflow_refused)
{
	static const char *const junk[] = {"",
					   "now",
					   "-1",
					   "1.5",
					   "2026-11-24",
					   "2026-11-24 09:00:00Z",
					   "2026-11-24T09:00:00",
					   "2026-11-24T09:00:00+01:00",
					   "2026-02-30T00:00:00Z",
					   "2026-11-24T24:00:00Z",
					   "1969-12-31T23:59:59Z",
					   "253402300800",
					   "99999999999999999999999"};
	time_t t;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(cmd_parse_time("at", junk[i], &t), AK_USAGE, "'%s'", junk[i]);
}

Test(cmd, time_junk_message_names_the_option)
{
	time_t t;

	cr_assert_eq(cmd_parse_time("at", "2026-02-30T00:00:00Z", &t), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --at: '2026-02-30T00:00:00Z' is not a valid UTC time\n");
}

/* --- cmd_parse_key_type, cmd_parse_rsa_bits ------------------------------------------ */

Test(cmd, key_types)
{
	enum key_type type = KEY_RSA;

	cr_assert_eq(cmd_parse_key_type("ec", &type), 0);
	cr_assert_eq(type, KEY_EC);
	cr_assert_eq(cmd_parse_key_type("rsa", &type), 0);
	cr_assert_eq(type, KEY_RSA);
}

/* Exact names only: a security tool does not guess. */
Test(cmd, key_type_exact_names_only)
{
	static const char *const junk[] = {"", "EC", "RSA", "e", "ecdsa", "rsa ", "ed25519"};
	enum key_type type = KEY_EC;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(cmd_parse_key_type(junk[i], &type), AK_USAGE, "'%s'", junk[i]);
}

Test(cmd, key_type_message)
{
	enum key_type type;

	cr_assert_eq(cmd_parse_key_type("ed25519", &type), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --type must be ec or rsa, not 'ed25519'\n");
}

Test(cmd, rsa_sizes_akenza_takes)
{
	unsigned long bits = 0;

	cr_assert_eq(cmd_parse_rsa_bits("2048", &bits), 0);
	cr_assert_eq(bits, 2048);
	cr_assert_eq(cmd_parse_rsa_bits("3072", &bits), 0);
	cr_assert_eq(bits, 3072);
	cr_assert_eq(cmd_parse_rsa_bits("4096", &bits), 0);
	cr_assert_eq(bits, 4096);
}

Test(cmd, rsa_sizes_refused)
{
	static const char *const junk[] = {"0",     "1024",
					   "2047",  "2049",
					   "8192",  "1048577",
					   "",      "2k",
					   "-2048", "99999999999999999999999"};
	unsigned long bits;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(cmd_parse_rsa_bits(junk[i], &bits), AK_USAGE, "'%s'", junk[i]);
}

Test(cmd, rsa_below_2048_says_why)
{
	unsigned long bits;

	cr_assert_eq(cmd_parse_rsa_bits("1024", &bits), AK_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: --bits must be 2048, 3072 or 4096, not '1024': akenza "
				"needs at least 2048\n");
}

/* --- cmd_plural, cmd_distance ---------------------------------------------------------- */

Test(cmd, plural)
{
	cr_assert_str_eq(cmd_plural(0, "device", "devices"), "devices");
	cr_assert_str_eq(cmd_plural(1, "device", "devices"), "device");
	cr_assert_str_eq(cmd_plural(2, "device", "devices"), "devices");
}

Test(cmd, distance_counts_a_transposition_once)
{
	cr_assert_eq(cmd_distance("keygen", "keygen"), 0);
	cr_assert_eq(cmd_distance("kegyen", "keygen"), 1);
	cr_assert_eq(cmd_distance("keygn", "keygen"), 1);
	cr_assert_eq(cmd_distance("chek", "check"), 1);
	cr_assert_eq(cmd_distance("", "ab"), 2);
}

/* --- cmd_lookup, cmd_suggest: exact names only, a suggestion for a near miss --------- */

Test(cmd, lookup_exact_names_only)
{
	const struct cmd_entry *c = cmd_lookup(cmd_table, "keygen");

	cr_assert_not_null(c);
	cr_assert_str_eq(c->name, "keygen");
	cr_assert_null(cmd_lookup(cmd_table, "key"), "a prefix is never guessed");
	cr_assert_null(cmd_lookup(cmd_table, "Keygen"));
	cr_assert_null(cmd_lookup(cmd_table, ""));
}

Test(cmd, suggest_a_near_miss_only)
{
	const char *s = cmd_suggest(cmd_table, "kegyen");

	cr_assert_not_null(s);
	cr_assert_str_eq(s, "keygen");
	cr_assert_null(cmd_suggest(cmd_table, "frobnicate"));
}
