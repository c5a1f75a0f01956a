/* Unit tests of tlsclient's explanations, from what its callbacks would have seen. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "tlsclient.h"

static struct tlsclient_info info;
static char msg[512], hint[256];

Test(tlsclient, an_unknown_issuer_names_the_certificate_and_the_ca_to_give)
{
	struct tlsclient t = {0};

	t.host = "broker.example";
	t.info = &info;
	t.verify_err = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	snprintf(t.verify_subject, sizeof(t.verify_subject), "CN=broker.example");
	snprintf(t.verify_issuer, sizeof(t.verify_issuer), "CN=other CA");
	cr_assert_eq(tlsclient_explain(&t, 1, msg, sizeof(msg), hint, sizeof(hint)), 1);
	cr_assert_str_eq(msg, "server certificate rejected: unable to get local issuer certificate "
			      "(certificate 'CN=broker.example', issued by 'CN=other CA')");
	cr_assert(strstr(hint, "(--ca-file/--ca-path) did not issue") != NULL, "%s", hint);
	cr_assert_eq(tlsclient_explain(&t, 0, msg, sizeof(msg), hint, sizeof(hint)), 1);
	cr_assert(strstr(hint, "the system trust store does not know its issuer") != NULL, "%s",
		  hint);
}

Test(tlsclient, an_alert_is_named_and_an_old_server_hinted_at)
{
	struct tlsclient t = {0};

	t.host = "broker.example";
	t.info = &info;
	t.alert = 1;
	t.alert_desc = SSL_AD_PROTOCOL_VERSION;
	cr_assert_eq(tlsclient_explain(&t, 0, msg, sizeof(msg), hint, sizeof(hint)), 1);
	cr_assert_str_eq(msg, "the server refused the TLS handshake with the alert 'protocol "
			      "version'");
	cr_assert(strstr(hint, "older than TLS 1.2") != NULL, "%s", hint);
	t.alert_desc = SSL_AD_ACCESS_DENIED;
	cr_assert_eq(tlsclient_explain(&t, 0, msg, sizeof(msg), hint, sizeof(hint)), 1);
	cr_assert_str_eq(hint, "");
}

Test(tlsclient, nothing_seen_is_nothing_to_explain)
{
	struct tlsclient t = {0};

	t.host = "broker.example";
	t.info = &info;
	cr_assert_eq(tlsclient_explain(&t, 0, msg, sizeof(msg), hint, sizeof(hint)), 0);
	cr_assert_str_eq(hint, "");
	tlsclient_close(&t); /* never opened: nothing to free */
}

Test(tlsclient, a_ca_file_without_a_certificate_is_an_input_error)
{
	char path[] = "/tmp/akcred-ca.XXXXXX";
	struct tlsclient t = {0};
	struct tlsclient_opts o = {"localhost", path, NULL};
	struct err e = ERR_INIT;
	int fd;

	/* A regular file with text but no certificate: not fileio's "not a regular file". */
	cr_assert((fd = mkstemp(path)) >= 0);
	cr_assert_eq(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	cr_assert_eq(tlsclient_open(&t, &o, &info, &e), -1);
	unlink(path);
	cr_assert_eq(e.status, AK_INPUT, "%s", e.msg);
	cr_assert(strstr(e.msg, "no PEM certificate in it") != NULL, "%s", e.msg);
	tlsclient_close(&t);
}
