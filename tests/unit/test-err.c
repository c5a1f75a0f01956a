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
