/* Unit tests of the err module. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "err.h"

/* A failed fopen inside OpenSSL: the reason is errno's, not "system lib". */
Test(err, openssl_system_error_gives_errno_reason)
{
	struct err e = ERR_INIT;
	char want[ERR_MSG_MAX];

	ERR_clear_error();
	ERR_raise_data(ERR_LIB_SYS, ENOENT, "calling fopen(nope.pem, r)");
	ERR_raise(ERR_LIB_X509, ERR_R_SYS_LIB);
	cr_assert_eq(err_openssl(&e, AK_INPUT, "cannot load 'nope.pem'"), -1);
	snprintf(want, sizeof(want), "cannot load 'nope.pem': %s", strerror(ENOENT));
	cr_assert_str_eq(e.msg, want);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_eq(ERR_peek_error(), 0, "the queue is emptied");
}

Test(err, openssl_library_reason_kept)
{
	struct err e = ERR_INIT;

	ERR_clear_error();
	ERR_raise(ERR_LIB_PEM, PEM_R_NO_START_LINE);
	err_openssl(&e, AK_INPUT, "cannot read 'k.pem'");
	cr_assert_str_eq(e.msg, "cannot read 'k.pem': no start line");
}

Test(err, set_fills_status_and_message)
{
	struct err e = ERR_INIT;

	cr_assert_eq(err_set(&e, AK_NETWORK, "cannot connect to '%s': %s", "h", "refused"), -1);
	cr_assert_eq(e.status, AK_NETWORK);
	cr_assert_str_eq(e.msg, "cannot connect to 'h': refused");
}

/* A caller that does not want the details passes NULL: still -1. */
Test(err, null_is_allowed_everywhere)
{
	ERR_clear_error();
	ERR_raise(ERR_LIB_PEM, PEM_R_NO_START_LINE);
	cr_assert_eq(err_set(NULL, AK_INPUT, "x"), -1);
	cr_assert_eq(err_prefix(NULL, "y"), -1);
	cr_assert_eq(err_openssl(NULL, AK_CRYPTO, "z"), -1);
	cr_assert_eq(ERR_peek_error(), 0, "the queue is emptied even without e");
}

Test(err, long_message_truncated_and_terminated)
{
	struct err e = ERR_INIT;
	char big[ERR_MSG_MAX * 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, AK_INPUT, "%s", big);
	cr_assert_eq(strlen(e.msg), ERR_MSG_MAX - 1);
	err_prefix(&e, "file 'k.pem'");
	cr_assert_eq(strlen(e.msg), ERR_MSG_MAX - 1);
	cr_assert_eq(strncmp(e.msg, "file 'k.pem': aaa", 17), 0);
}

Test(err, prefix_keeps_the_status)
{
	struct err e = ERR_INIT;

	err_set(&e, AK_TLS, "certificate has expired");
	cr_assert_eq(err_prefix(&e, "cannot connect to '%s'", "mqtt.akenza.io"), -1);
	cr_assert_eq(e.status, AK_TLS);
	cr_assert_str_eq(e.msg, "cannot connect to 'mqtt.akenza.io': certificate has expired");
	err_prefix(&e, "check");
	cr_assert_str_eq(e.msg,
			 "check: cannot connect to 'mqtt.akenza.io': certificate has expired");
}

/* Nothing queued: the message stands alone, with no dangling ": ". */
Test(err, openssl_empty_queue_adds_nothing)
{
	struct err e = ERR_INIT;

	ERR_clear_error();
	cr_assert_eq(err_openssl(&e, AK_CRYPTO, "cannot sign"), -1);
	cr_assert_eq(e.status, AK_CRYPTO);
	cr_assert_str_eq(e.msg, "cannot sign");
}

/* Of several queued errors, the last (most specific) gives the reason. */
Test(err, openssl_last_queued_reason_wins)
{
	struct err e = ERR_INIT;

	ERR_clear_error();
	ERR_raise(ERR_LIB_ASN1, ERR_R_NESTED_ASN1_ERROR);
	ERR_raise(ERR_LIB_PEM, PEM_R_BAD_END_LINE);
	err_openssl(&e, AK_INPUT, "cannot read 'k.pem'");
	cr_assert_str_eq(e.msg, "cannot read 'k.pem': bad end line");
	cr_assert_eq(ERR_peek_error(), 0);
}

/* Every status has its own lowercase name (JSON output, the man page). */
Test(err, status_names_distinct_and_lowercase)
{
	const char *names[AK_STATUS_MAX + 1];
	int i, j;
	const char *p;

	for (i = 0; i <= AK_STATUS_MAX; i++) {
		names[i] = err_status_name((enum ak_status)i);
		cr_assert_not_null(names[i], "status %d", i);
		cr_assert_neq(strcmp(names[i], "unknown"), 0, "status %d", i);
		cr_assert_neq(names[i][0], '\0', "status %d", i);
		for (p = names[i]; *p != '\0'; p++)
			cr_assert((*p >= 'a' && *p <= 'z') || *p == '-', "status %d: '%s'", i,
				  names[i]);
		for (j = 0; j < i; j++)
			cr_assert_neq(strcmp(names[i], names[j]), 0, "statuses %d and %d", j, i);
	}
	cr_assert_str_eq(err_status_name(AK_OK), "ok");
	cr_assert_str_eq(err_status_name(AK_USAGE), "usage");
	cr_assert_str_eq(err_status_name(AK_INPUT), "input");
	cr_assert_str_eq(err_status_name(AK_NETWORK), "network");
	cr_assert_str_eq(err_status_name(AK_TLS), "tls");
	cr_assert_str_eq(err_status_name(AK_REFUSED), "refused");
	cr_assert_str_eq(err_status_name((enum ak_status)(AK_INTERNAL + 1)), "unknown");
	cr_assert_str_eq(err_status_name((enum ak_status) - 1), "unknown");
}

/* Out of memory and a library that does not load are not crypto failures, but exit 4 too. */
Test(err, internal_is_a_class_of_its_own_with_exit_status_4)
{
	cr_assert_str_eq(err_status_name(AK_INTERNAL), "internal");
	cr_assert_str_eq(err_status_name(AK_CRYPTO), "crypto");
	cr_assert_neq(AK_INTERNAL, AK_CRYPTO);
	cr_assert_eq(err_exit_status(AK_INTERNAL), 4);
	cr_assert_eq(err_exit_status(AK_CRYPTO), 4);
	for (int s = AK_OK; s <= AK_STATUS_MAX; s++)
		cr_assert_eq(err_exit_status((enum ak_status)s), s);
}
