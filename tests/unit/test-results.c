/* Unit tests of the results journals: which rows count, and what they say of a device. */
#include <criterion/criterion.h>
#include <string.h>

#include "results.h"

#define FP1 "c3ec7461d910707c50dcb9a9a5f53bc890ad0b6b0deed4282ea4f647859cd65f"
#define FP2 "1111111111111111111111111111111111111111111111111111111111111111"

static void
load(struct results *r, const char *data)
{
	struct journal_reader jr = JOURNAL_READER_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(journal_reader_open_mem(&jr, data, strlen(data), "mem", &results_revoked, &e),
		     0, "%s", e.msg);
	cr_assert_eq(results_read(r, &jr, &e), 0, "%s", e.msg);
	journal_reader_close(&jr);
}

Test(results, finds_done_devices_and_their_akenza_ids)
{
	struct results r;
	const char *aid;

	load(&r, "device_id,akenza_device_id,credential_id,fingerprint,revoked\n"
		 "dev-2,A2,C2," FP2 ",2026-11-24T14:13:27Z\n"
		 "dev-1,A1,C1," FP1 ",2026-11-24T14:13:27Z\n"
		 "dev-3,A3,C3,nothex,2026-11-24T14:13:27Z\n"
		 "dev-4,A4,C4," FP1 ",2026-11-24T14:13:27Z");
	cr_assert_eq(r.n, 2, "the bad row and the torn last row do not count: %zu", r.n);
	cr_assert_eq(results_find(&r, "dev-1", FP1, &aid), 1);
	cr_assert_str_eq(aid, "A1");
	cr_assert_eq(results_find(&r, "dev-2", FP1, &aid), 0);
	cr_assert_str_eq(aid, "A2");
	cr_assert_eq(results_find(&r, "dev-3", FP1, &aid), 0);
	cr_assert_null(aid);
	cr_assert_eq(results_find(&r, "dev-4", FP1, NULL), 0);
	results_clear(&r);
	cr_assert_eq(r.n, 0);
}

Test(results, refuses_another_files_header)
{
	struct journal_reader jr = JOURNAL_READER_INIT;
	struct err e = ERR_INIT;
	const char *data = "device_id,akenza_device_id,credential_id,fingerprint,registered\n";

	cr_assert_eq(journal_reader_open_mem(&jr, data, strlen(data), "mem", &results_revoked, &e),
		     -1);
	journal_reader_close(&jr);
}
