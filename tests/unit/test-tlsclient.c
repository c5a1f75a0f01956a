/* Unit tests of tlsclient's explanations, from what its callbacks would have seen. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/pem.h>
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

/* A self-signed certificate in PEM, CN=cn, into path. */
static void
write_cert(const char *path, const char *cn)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	FILE *f;

	cr_assert(k != NULL && x != NULL);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	cr_assert(X509_sign(x, k, EVP_sha256()) > 0);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(PEM_write_X509(f, x), 1);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
}

Test(tlsclient, contexts_share_the_store_of_an_unchanged_ca_file)
{
	char path[] = "/tmp/akcred-ca.XXXXXX";
	struct tlsclient a = {0}, b = {0}, c = {0}, d = {0};
	struct tlsclient_opts o = {"localhost", path, NULL}, op = {"localhost", path, "/tmp"};
	struct err e = ERR_INIT;
	int fd;

	cr_assert((fd = mkstemp(path)) >= 0);
	close(fd);
	write_cert(path, "first CA");
	cr_assert_eq(tlsclient_open(&a, &o, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(tlsclient_open(&b, &o, &info, &e), 0, "%s", e.msg);
	cr_assert_eq(SSL_CTX_get_cert_store(a.ctx), SSL_CTX_get_cert_store(b.ctx));
	/* A file that changed is read again: the new CA, not the old one. */
	write_cert(path, "second CA, a longer name");
	cr_assert_eq(tlsclient_open(&c, &o, &info, &e), 0, "%s", e.msg);
	cr_assert_neq(SSL_CTX_get_cert_store(c.ctx), SSL_CTX_get_cert_store(a.ctx));
	cr_assert_eq(X509_STORE_get0_objects(SSL_CTX_get_cert_store(c.ctx)) != NULL, 1);
	/* With --ca-path the store is the context's own: OpenSSL adds to it. */
	cr_assert_eq(tlsclient_open(&d, &op, &info, &e), 0, "%s", e.msg);
	cr_assert_neq(SSL_CTX_get_cert_store(d.ctx), SSL_CTX_get_cert_store(c.ctx));
	unlink(path);
	tlsclient_close(&a);
	tlsclient_close(&b);
	tlsclient_close(&c);
	tlsclient_close(&d);
}
