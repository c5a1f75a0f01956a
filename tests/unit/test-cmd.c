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
#include <stdlib.h>
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

/* --- cmd_parse: options bound by the table ------------------------------------------ */

struct demo_opts {
	const char *name, *host;
	unsigned long count;
	long ttl, wait;
	time_t at;
	enum key_type type;
	int json, force;
};

static const struct cmd_option demo_options[] = {
	CMD_OPT("name", CMD_STRING, struct demo_opts, name, "NAME", NULL, "a name",
		.flags = CMD_REQUIRED),
	CMD_OPT("host", CMD_STRING, struct demo_opts, host, "HOST", NULL, "a host",
		.defstr = "example.org"),
	CMD_OPT("count", CMD_UINT, struct demo_opts, count, "N", NULL, "a count", .def = 3,
		.min = 1, .max = 9, .letter = 'c'),
	CMD_OPT("ttl", CMD_DURATION, struct demo_opts, ttl, "DURATION", NULL, "a lifetime",
		.def = 1200, .min = 1, .max = 3600),
	CMD_OPT("wait", CMD_DURATION, struct demo_opts, wait, "DURATION", NULL, "a wait",
		.needs = "json force"),
	CMD_OPT("at", CMD_TIME, struct demo_opts, at, "TIME", NULL, "a time"),
	CMD_OPT("type", CMD_PARSE, struct demo_opts, type, "ec|rsa", NULL, "a key type",
		.defstr = "rsa", .parse = cmd_opt_key_type),
	CMD_OPT("json", CMD_FLAG, struct demo_opts, json, NULL, NULL, "JSON", .excludes = "host"),
	CMD_OPT("force", CMD_FLAG, struct demo_opts, force, NULL, NULL, "force", .letter = 'f'),
	CMD_OPT_END,
};

static const struct cmd_entry demo_entry = {
	.name = "demo",
	.summary = "a command for the tests",
	.usage = "--name NAME",
	.options = demo_options,
	.opts_size = sizeof(struct demo_opts),
};

/* Parse a NULL-terminated argv by demo_entry; the status, with *o and *ind filled. */
static int
demo_parse(struct demo_opts *o, int *ind, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	/* getopt_long permutes the pointers, never the strings. */
	for (; args[argc] != NULL && argc < 31; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	*ind = 0;
	return cmd_parse(&demo_entry, argc, argv, o, ind);
}

Test(cmd, parse_sets_the_tables_defaults_then_argv)
{
	const char *argv[] = {"demo", "--name", "n1", NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, argv), AK_OK);
	cr_assert_eq(ind, 3);
	cr_assert_str_eq(o.name, "n1");
	cr_assert_str_eq(o.host, "example.org");
	cr_assert_eq(o.count, 3);
	cr_assert_eq(o.ttl, 1200);
	cr_assert_eq(o.type, KEY_RSA, "a CMD_PARSE default goes through its parser");
	cr_assert_eq(o.json, 0);
	cr_assert(cmd_given("name"));
	cr_assert(!cmd_given("count"), "a default is not given");
	cr_assert(!cmd_given("no-such-option"));
}

Test(cmd, parse_stores_each_kind)
{
	const char *argv[] = {"demo",   "--name=x", "-c",   "9",
			      "--ttl",  "1h",       "--at", "2026-11-24T09:00:00Z",
			      "--type", "ec",       "-f",   "--wait",
			      "5m",     "--json",   NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, argv), AK_OK);
	cr_assert_str_eq(o.name, "x");
	cr_assert_eq(o.count, 9);
	cr_assert_eq(o.ttl, 3600);
	cr_assert_eq(o.wait, 300);
	cr_assert_eq(o.at, 1795510800);
	cr_assert_eq(o.type, KEY_EC);
	cr_assert_eq(o.force, 1);
	cr_assert_eq(o.json, 1);
	cr_assert(cmd_given("count"), "given by its letter");
	cr_assert(cmd_given("force"));
}

Test(cmd, parse_refuses_values_out_of_the_tables_range)
{
	const char *big[] = {"demo", "--name", "x", "--count", "10", NULL};
	const char *zero[] = {"demo", "--name", "x", "--count", "0", NULL};
	const char *long_ttl[] = {"demo", "--name", "x", "--ttl", "61m", NULL};
	const char *bad_type[] = {"demo", "--name", "x", "--type", "dsa", NULL};
	const char *bad_time[] = {"demo", "--name", "x", "--at", "yesterday", NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, big), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, zero), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, long_ttl), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, bad_type), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, bad_time), AK_USAGE);
}

Test(cmd, parse_applies_required_excludes_and_needs)
{
	const char *none[] = {"demo", NULL};
	const char *both[] = {"demo", "--name", "x", "--json", "--host", "h", NULL};
	const char *half[] = {"demo", "--name", "x", "--wait", "1s", "--json", NULL};
	const char *all[] = {"demo", "--name", "x", "--wait", "1s", "--json", "--force", NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, none), AK_USAGE, "--name is required");
	cr_assert_eq(demo_parse(&o, &ind, both), AK_USAGE, "--json excludes --host");
	cr_assert_eq(demo_parse(&o, &ind, half), AK_USAGE, "--wait needs --force too");
	cr_assert_eq(demo_parse(&o, &ind, all), AK_OK);
}

Test(cmd, parse_refuses_abbreviations_unknown_options_and_operands)
{
	const char *abbrev[] = {"demo", "--nam", "x", NULL};
	const char *unknown[] = {"demo", "--name", "x", "--frob", NULL};
	const char *missing[] = {"demo", "--name", NULL};
	const char *operand[] = {"demo", "--name", "x", "extra", NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, abbrev), AK_USAGE, "getopt_long's prefix match refused");
	cr_assert_eq(demo_parse(&o, &ind, unknown), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, missing), AK_USAGE);
	cr_assert_eq(demo_parse(&o, &ind, operand), AK_USAGE, "no .operands: none taken");
}

Test(cmd, parse_help_stops_the_command, .init = cr_redirect_stdout)
{
	const char *argv[] = {"demo", "--help", NULL};
	struct demo_opts o;
	int ind;

	cr_assert_eq(demo_parse(&o, &ind, argv), AK_OK);
	cr_assert_eq(ind, -1, "the command does not run after --help");
}

Test(cmd, help_shows_the_defaults_the_table_sets)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cmd_print_help(f, &demo_entry, "demo");
	fclose(f);
	cr_assert_str_eq(text, "usage: akcred demo --name NAME\n"
			       "\n"
			       "a command for the tests\n"
			       "\n"
			       "options:\n"
			       "      --name NAME            a name\n"
			       "      --host HOST            a host (default example.org)\n"
			       "  -c, --count N              a count (default 3)\n"
			       "      --ttl DURATION         a lifetime (default 20m)\n"
			       "      --wait DURATION        a wait\n"
			       "      --at TIME              a time\n"
			       "      --type ec|rsa          a key type (default rsa)\n"
			       "      --json                 JSON\n"
			       "  -f, --force                force\n"
			       "  -h, --help                 show this help\n"
			       "\n"
			       "see akcred-demo(1)\n");
	free(text);
}

/* The number of options of e, whose destinations must fit (cmd_parse() relies on it). */
static size_t
check_entry_options(const struct cmd_entry *e)
{
	const struct cmd_option *o;
	size_t n = 0;

	cr_assert_not_null(e->exec, "%s runs", e->name);
	cr_assert_eq(cmd_entry_check(e), AK_OK, "%s", e->name);
	for (o = e->options; o != NULL && o->name != NULL; o++)
		n++;
	return n;
}

Test(cmd, every_tables_destinations_fit_their_kinds)
{
	const struct cmd_entry *const *t, *const *c;
	size_t n = 0;

	for (t = cmd_table; *t != NULL; t++) {
		if ((*t)->children == NULL)
			n += check_entry_options(*t);
		for (c = (*t)->children; c != NULL && *c != NULL; c++)
			n += check_entry_options(*c);
	}
	cr_assert_gt(n, 50);
}

struct small_opts {
	int n;
};

static const struct cmd_option wrong_kind[] = {
	CMD_OPT("n", CMD_UINT, struct small_opts, n, "N", NULL, "an int is not an unsigned long"),
	CMD_OPT_END,
};

Test(cmd, parse_refuses_a_table_whose_destinations_do_not_fit)
{
	const struct cmd_entry too_small = {.name = "small",
					    .options = demo_options,
					    .opts_size = sizeof(int)};
	const struct cmd_entry kind = {.name = "kind",
				       .options = wrong_kind,
				       .opts_size = sizeof(struct small_opts)};
	char *argv[] = {(char *)"small", NULL};
	struct demo_opts o;
	int ind = 0;

	cr_assert_eq(cmd_entry_check(&too_small), AK_INTERNAL);
	cr_assert_eq(cmd_entry_check(&kind), AK_INTERNAL);
	memset(&o, 0, sizeof(o));
	cr_assert_eq(cmd_parse(&too_small, 1, argv, &o, &ind), AK_INTERNAL,
		     "nothing is written before the table is checked");
	cr_assert_null(o.host, "no default was stored");
}

/* --- what every batch command prints the same way ------------------------------ */

Test(cmd, json_run_names_the_status_and_what_stopped_the_run)
{
	json_t *done = json_object(), *stopped = json_object();

	cmd_json_run(done, AK_NEGATIVE, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(done, "status")), "negative");
	cr_assert_null(json_object_get(done, "error"), "no error for a run that went to the end");
	cmd_json_run(stopped, AK_REFUSED, "akenza refused the API key (HTTP 401)");
	cr_assert_str_eq(json_string_value(json_object_get(stopped, "status")), "refused");
	cr_assert_str_eq(json_string_value(json_object_get(stopped, "error")),
			 "akenza refused the API key (HTTP 401)");
	/* Not UTF-8 (a path, a message cut inside a character): still there, escaped. */
	cmd_json_run(done, AK_INPUT, "cannot read 'caf\xe9.csv'");
	cr_assert_str_eq(json_string_value(json_object_get(done, "error")),
			 "cannot read 'caf\\xe9.csv'");
	json_decref(done);
	json_decref(stopped);
}

Test(cmd, stopped_says_why_and_how_many_devices_a_batch_left)
{
	struct err e = ERR_INIT;

	err_set(&e, AK_TLS, "certificate problem");
	cr_assert_eq(cmd_stopped(&e, 1, 0), AK_TLS);
	cr_assert_eq(cmd_stopped(&e, 5, 2), AK_TLS);
	fflush(stderr);
	cr_assert_stderr_eq_str("akcred: certificate problem\n"
				"akcred: certificate problem\n"
				"akcred: stopped: 3 of 5 devices not done\n");
}

Test(cmd, note_is_indented_below_its_device_and_escaped)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cmd_print_note(f, 4, "");
	cmd_print_note(f, 4, "gone since it was listed");
	cmd_print_note(f, 0, "evil\x1b[2Jtext");
	fclose(f);
	cr_assert_str_eq(text, "    note: gone since it was listed\n"
			       "note: evil\\x1b[2Jtext\n");
	free(text);
}
