/*
 * Unit tests of provision's decisions that need no whole run: whether a
 * directory's batch is ours to extend, whether a rerun's options agree with
 * it, and how its generated ids are numbered.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "provision.h"
#include "unit-tmpdir.h"

TestSuite(provision, .init = unit_tmpdir_enter, .fini = unit_tmpdir_leave);

static struct provision_opts
opts(const char *dir)
{
	struct provision_opts o;

	memset(&o, 0, sizeof(o));
	o.out_dir = dir;
	o.type = KEY_EC;
	o.bits = 2048;
	o.days = 3650;
	o.jobs = 1;
	return o;
}

/* A batch as provision_batch_read would describe it. */
static struct provision_batch
batch(const char *first, const char *alg, unsigned width, const char *narrow, const char *padded)
{
	struct provision_batch b;

	memset(&b, 0, sizeof(b));
	b.devices = 3;
	snprintf(b.first, sizeof(b.first), "%s", first);
	snprintf(b.algorithm, sizeof(b.algorithm), "%s", alg);
	b.encrypted = -1;
	b.width = width;
	snprintf(b.narrow, sizeof(b.narrow), "%s", narrow);
	snprintf(b.padded, sizeof(b.padded), "%s", padded);
	return b;
}

/* --- provision_batch_width --------------------------------------------------- */

Test(provision, width_of_a_batch_without_numbered_ids_is_the_asked_one)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("gate", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;
	unsigned w;
	int at_least;

	cr_assert_eq(provision_batch_width(&o, &b, "s-", 4, &w, &at_least, &e), 0, "%s", e.msg);
	cr_assert_eq(w, 4);
	cr_assert_eq(at_least, 0);
	cr_assert_eq(provision_batch_width(&o, &b, "s-", 0, &w, &at_least, &e), 0, "%s", e.msg);
	cr_assert_eq(w, 0);
}

Test(provision, width_follows_the_batch)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-001", "EC256_PEM", 3, "s-001", "s-001");
	struct err e = ERR_INIT;
	unsigned w;
	int at_least;

	cr_assert_eq(provision_batch_width(&o, &b, "s-", 0, &w, &at_least, &e), 0, "%s", e.msg);
	cr_assert_eq(w, 3);
	cr_assert_eq(at_least, 1);
	cr_assert_eq(provision_batch_width(&o, &b, "s-", 3, &w, &at_least, &e), 0, "%s", e.msg);
	cr_assert_eq(w, 3);
}

Test(provision, width_asked_differs_from_the_batch)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-001", "EC256_PEM", 3, "s-001", "s-001");
	struct err e = ERR_INIT;
	unsigned w;
	int at_least;

	cr_assert_eq(provision_batch_width(&o, &b, "s-", 5, &w, &at_least, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_not_null(strstr(e.msg, "3 digits ('s-001'): --width 5"), "%s", e.msg);
}

/* s-1 and s-01 in one batch: two numberings, which one is meant is not known. */
Test(provision, width_two_numberings_refused)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 1, "s-1", "s-01");
	struct err e = ERR_INIT;
	unsigned w;
	int at_least;

	cr_assert_eq(provision_batch_width(&o, &b, "s-", 0, &w, &at_least, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_not_null(strstr(e.msg, "in two ways ('s-1' and 's-01')"), "%s", e.msg);
}

/* --- provision_batch_check --------------------------------------------------- */

Test(provision, check_a_new_batch_agrees_with_anything)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;

	memset(&b, 0, sizeof(b));
	o.type = KEY_RSA;
	o.cert = 1;
	o.encrypt = 1;
	cr_assert_eq(provision_batch_check(&o, &b, &e), 0, "%s", e.msg);
}

Test(provision, check_same_options_agree)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	b.encrypted = 0;
	cr_assert_eq(provision_batch_check(&o, &b, &e), 0, "%s", e.msg);
}

Test(provision, check_other_key_type_refused)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	o.type = KEY_RSA;
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_not_null(strstr(e.msg, "it holds EC256_PEM devices ('s-1'), this run makes "
					 "RSA256_PEM"),
			   "%s", e.msg);
}

Test(provision, check_certificates_are_another_algorithm)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	o.cert = 1;
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_not_null(strstr(e.msg, "EC256_X509_PEM"), "%s", e.msg);
}

Test(provision, check_other_rsa_size_refused)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "RSA256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	o.type = KEY_RSA;
	o.bits = 2048;
	b.bits = 3072;
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_not_null(strstr(e.msg, "RSA 3072 keys ('s-1'), this run makes RSA 2048"), "%s",
			   e.msg);
	b.bits = 0; /* not known: nothing to disagree with */
	cr_assert_eq(provision_batch_check(&o, &b, &e), 0, "%s", e.msg);
}

Test(provision, check_encryption_must_agree_both_ways)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	b.encrypted = 1;
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_not_null(strstr(e.msg, "are encrypted ('out/s-1/private.pem'): give --encrypt"),
			   "%s", e.msg);
	o.encrypt = 1;
	cr_assert_eq(provision_batch_check(&o, &b, &e), 0, "%s", e.msg);

	b.encrypted = 0;
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_not_null(strstr(e.msg, "not encrypted ('out/s-1/private.pem'): leave out"), "%s",
			   e.msg);
	b.encrypted = -1; /* not known */
	cr_assert_eq(provision_batch_check(&o, &b, &e), 0, "%s", e.msg);
}

Test(provision, check_a_wrong_passphrase_is_the_batch_s)
{
	struct provision_opts o = opts("out");
	struct provision_batch b = batch("s-1", "EC256_PEM", 0, "", "");
	struct err e = ERR_INIT;

	o.encrypt = 1;
	b.encrypted = 1;
	b.pass_failed = 1;
	err_set(&b.pass_err, AK_INPUT, "wrong passphrase");
	cr_assert_eq(provision_batch_check(&o, &b, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "batch 'out': wrong passphrase");
}

/* --- provision_batch_read: what is there, and whose -------------------------- */

Test(provision, read_a_missing_directory_is_a_new_batch)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;

	cr_assert_eq(provision_batch_read(&o, "s-", &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b.devices, 0);
	cr_assert_eq(b.width, 0);
}

Test(provision, read_an_empty_directory_is_a_new_batch)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;

	cr_assert_eq(mkdir("out", 0700), 0);
	cr_assert_eq(provision_batch_read(&o, "s-", &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b.devices, 0);
}

Test(provision, read_refuses_a_directory_others_may_write)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;

	cr_assert_eq(mkdir("out", 0700), 0);
	cr_assert_eq(chmod("out", 0770), 0);
	cr_assert_eq(provision_batch_read(&o, "s-", &b, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "'out' is writable by group or others (mode 770)");
}

Test(provision, read_refuses_what_is_not_a_directory)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;
	FILE *f = fopen("out", "w");

	cr_assert_not_null(f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(provision_batch_read(&o, "s-", &b, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "'out' is not a directory");
}

/* The manifest tells the first device, its algorithm and the numbering of generated ids. */
Test(provision, read_notes_the_first_device_and_the_numbering)
{
	struct provision_opts o = opts("out");
	struct provision_batch b;
	struct err e = ERR_INIT;
	const char *fp = "d8a727533e1e4767c0ba47c677d40618f1757b9588d314e619df1ff6cff68850";
	FILE *f;

	cr_assert_eq(mkdir("out", 0700), 0);
	cr_assert_not_null(f = fopen("out/manifest.csv", "w"));
	fprintf(f, "device_id,algorithm,fingerprint,public_key,created\n");
	fprintf(f, "gate,EC256_PEM,%s,gate/public.pem,2026-11-24T15:28:17Z\n", fp);
	fprintf(f, "s-100,EC256_PEM,%s,s-100/public.pem,2026-11-24T15:28:17Z\n", fp);
	fprintf(f, "s-07,EC256_PEM,%s,s-07/public.pem,2026-11-24T15:28:17Z\n", fp);
	fprintf(f, "s-x1,EC256_PEM,%s,s-x1/public.pem,2026-11-24T15:28:17Z\n", fp);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(provision_batch_read(&o, "s-", &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b.devices, 4);
	cr_assert_str_eq(b.first, "gate");
	cr_assert_str_eq(b.algorithm, "EC256_PEM");
	cr_assert_eq(b.width, 2);
	cr_assert_str_eq(b.narrow, "s-07");
	cr_assert_str_eq(b.padded, "s-07");
	cr_assert_eq(b.encrypted, -1, "gate's files are not there: not known");
}
