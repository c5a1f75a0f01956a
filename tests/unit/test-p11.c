/*
 * Unit tests of the p11 module: what is a URI, and, on a SoftHSM2 token of
 * the test's own (skipped without softhsm2), keys found, their public halves
 * and signatures that OpenSSL verifies with them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "key.h"
#include "p11.h"
#include "unit-tmpdir.h"

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

Test(p11, a_uri_is_told_by_its_scheme_alone)
{
	cr_assert(p11_is_uri("pkcs11:token=a;object=b"));
	cr_assert(p11_is_uri("PKCS11:object=b"));
	cr_assert(p11_is_uri("pkcs11:"));
	cr_assert_not(p11_is_uri("pkcs11"));
	cr_assert_not(p11_is_uri("./pkcs11:object=b"));
	cr_assert_not(p11_is_uri("key.pem"));
	cr_assert_not(p11_is_uri(NULL));
}

Test(p11, a_pin_value_is_seen_only_in_the_query)
{
	cr_assert(p11_uri_has_pin_value("pkcs11:object=a?pin-value=1234"));
	cr_assert_not(p11_uri_has_pin_value("pkcs11:object=a?pin-source=file:/x"));
	cr_assert_not(p11_uri_has_pin_value("pkcs11:object=pin-value"));
	cr_assert_not(p11_uri_has_pin_value("key.pem"));
}

/* Messages show a URI without its query and without a pin-value anywhere in it. */
Test(p11, a_shown_uri_never_holds_its_pin)
{
	static const struct {
		const char *uri, *shown;
	} cases[] = {
		{"pkcs11:token=a;object=b", "pkcs11:token=a;object=b"},
		{"pkcs11:token=a;object=b?pin-value=1234&module-path=/m.so",
		 "pkcs11:token=a;object=b"},
		{"pkcs11:token=a;pin-value=1234;object=b", "pkcs11:token=a;object=b"},
		{"PKCS11:PIN-VALUE=1234;token=a", "PKCS11:token=a"},
		{"pkcs11:token=a;object=b;pin-value=1234", "pkcs11:token=a;object=b"},
	};
	char buf[128], tiny[10];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p11_uri_shown(cases[i].uri, buf, sizeof(buf));
		cr_assert_str_eq(buf, cases[i].shown, "%s", cases[i].uri);
	}
	p11_uri_shown("pkcs11:token=abcdefgh;pin-value=1234", tiny, sizeof(tiny));
	cr_assert_str_eq(tiny, "pkcs11:to");
	cr_assert_str_eq(p11_name_shown("key.pem", buf, sizeof(buf)), "key.pem");
}

Test(p11, a_uri_that_does_not_parse_is_a_usage_error)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(p11_key_load(&k, "pkcs11:id=%zz?pin-value=secret", &e), -1);
	cr_assert_eq(e.status, AK_USAGE);
	cr_assert(strstr(e.msg, "not a PKCS#11 URI 'pkcs11:id=%zz'") != NULL, "%s", e.msg);
	/* The query, which may hold a PIN, is never shown. */
	cr_assert_null(strstr(e.msg, "secret"));
}

/* A token "unit" with a P-256 and an RSA key made by keygen's code path. */
static void
token_setup(void)
{
	FILE *f;

	if (access(SOFTHSM, R_OK) != 0 || system("command -v softhsm2-util >/dev/null") != 0)
		cr_skip_test("no SoftHSM2 (Debian package softhsm2)");
	unit_tmpdir_enter();
	cr_assert_eq(mkdir("tokens", 0700), 0);
	cr_assert_not_null(f = fopen("softhsm2.conf", "w"));
	fprintf(f, "directories.tokendir = %s/tokens\nlog.level = ERROR\n", unit_tmpdir);
	cr_assert_eq(fclose(f), 0);
	setenv("SOFTHSM2_CONF", "softhsm2.conf", 1);
	setenv("AKCRED_PIN", "1234", 1);
	cr_assert_eq(system("softhsm2-util --init-token --free --label unit --pin 1234 "
			    "--so-pin 5678 >/dev/null"),
		     0);
	p11_configure(&(struct p11_opts){.module = SOFTHSM});
}

static void
token_teardown(void)
{
	p11_shutdown();
	unsetenv("AKCRED_PIN");
	unit_tmpdir_leave();
}

/* Does sig (raw R||S for EC) verify over data with k's public half? */
static int
verifies(const struct key *k, const unsigned char *data, size_t len, const unsigned char *sig,
	 size_t siglen)
{
	unsigned char der[256], *p = der;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *es = NULL;
	int ok, n;

	if (key_type(k) == KEY_EC) {
		cr_assert_eq(siglen, 64);
		cr_assert_not_null(es = ECDSA_SIG_new());
		cr_assert(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
					 BN_bin2bn(sig + 32, 32, NULL)));
		cr_assert((n = i2d_ECDSA_SIG(es, &p)) > 0);
		ECDSA_SIG_free(es);
		sig = der;
		siglen = (size_t)n;
	}
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

TestSuite(p11_token, .init = token_setup, .fini = token_teardown);

Test(p11_token, generated_keys_sign_and_are_found_again_with_the_same_kid)
{
	static const unsigned char msg[] = "header.claims";
	const char *uris[] = {"pkcs11:token=unit;object=ec", "pkcs11:token=unit;object=rsa"};
	char fp[KEY_FINGERPRINT_HEX + 1], fp2[KEY_FINGERPRINT_HEX + 1];
	unsigned char sig[P11_SIG_MAX];
	struct key k = KEY_INIT, again = KEY_INIT;
	struct err e = ERR_INIT;
	size_t siglen, i;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(p11_generate(&k, uris[i], i == 0 ? KEY_EC : KEY_RSA, 2048, P11_GEN_NEW,
					  NULL, &e),
			     0, "%s", e.msg);
		cr_assert(k.is_private);
		cr_assert_not_null(k.p11);
		cr_assert_eq(k.format, KEY_FMT_PKCS11);
		cr_assert_eq(key_bits(&k), i == 0 ? 256 : 2048);
		cr_assert_eq(p11_sign(k.p11, msg, sizeof(msg) - 1, sig, &siglen, &e), 0, "%s",
			     e.msg);
		cr_assert(verifies(&k, msg, sizeof(msg) - 1, sig, siglen));
		/* A signature over other data does not verify: the check can fail. */
		cr_assert_not(verifies(&k, msg, sizeof(msg) - 2, sig, siglen));
		cr_assert_eq(key_fingerprint(&k, fp, &e), 0);
		cr_assert_eq(key_load_file(&again, uris[i], NULL, &e), 0, "%s", e.msg);
		cr_assert_eq(key_fingerprint(&again, fp2, &e), 0);
		cr_assert_str_eq(fp2, fp);
		cr_assert(key_same_public(&k, &again));
		key_clear(&again);
		key_clear(&k);
	}
	/* The label is taken now. */
	cr_assert_eq(p11_generate(&k, uris[0], KEY_EC, 0, P11_GEN_NEW, NULL, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "already has an object labelled 'ec'") != NULL, "%s", e.msg);
}

Test(p11_token, one_session_serves_every_key_of_the_run)
{
	struct key a = KEY_INIT, b = KEY_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(p11_generate(&a, "pkcs11:token=unit;object=a", KEY_EC, 0, P11_GEN_NEW, NULL,
				  &e),
		     0, "%s", e.msg);
	/* The PIN was read once: without it now, a second key still loads. */
	unsetenv("AKCRED_PIN");
	cr_assert_eq(key_load_file(&b, "pkcs11:token=unit;object=a", NULL, &e), 0, "%s", e.msg);
	key_clear(&b);
	/* Another token is refused, not opened beside it. */
	cr_assert_eq(key_load_file(&b, "pkcs11:token=other;object=a", NULL, &e), -1);
	cr_assert(strstr(e.msg, "one run uses one token") != NULL, "%s", e.msg);
	key_clear(&a);
}

Test(p11_token, missing_and_ambiguous_objects_say_so)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(p11_generate(&k, "pkcs11:token=unit;object=x", KEY_EC, 0, P11_GEN_NEW, NULL,
				  &e),
		     0);
	cr_assert_eq(p11_generate(&k, "pkcs11:token=unit;object=y", KEY_EC, 0, P11_GEN_NEW, NULL,
				  &e),
		     0);
	key_clear(&k);
	cr_assert_eq(key_load_file(&k, "pkcs11:token=unit;object=z", NULL, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "no object matches 'pkcs11:token=unit;object=z' on token 'unit'");
	cr_assert_eq(key_load_file(&k, "pkcs11:token=unit", NULL, &e), -1);
	cr_assert_str_eq(e.msg, "2 objects match 'pkcs11:token=unit' on token 'unit', add id= or "
				"object=");
	cr_assert_eq(key_load_file(&k, "pkcs11:token=unit;object=x;type=public", NULL, &e), 0);
	cr_assert_not(k.is_private);
	cr_assert_null(k.p11);
	key_clear(&k);
}

Test(p11_token, half_a_pair_replaced_leaves_no_error_behind)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;

	if (system("command -v pkcs11-tool >/dev/null") != 0)
		cr_skip_test("no pkcs11-tool (Debian package opensc)");
	/* A private key alone with no id: what a run killed inside the generation leaves. */
	cr_assert_eq(system("pkcs11-tool --module " SOFTHSM " --token-label unit --login "
			    "--pin 1234 --keypairgen --key-type EC:prime256v1 --label half "
			    ">/dev/null 2>&1 && pkcs11-tool --module " SOFTHSM " --token-label "
			    "unit --login --pin 1234 --delete-object --type pubkey --label half "
			    ">/dev/null 2>&1"),
		     0);
	cr_assert_eq(p11_generate(&k, "pkcs11:token=unit;object=half", KEY_EC, 0, P11_GEN_REUSE,
				  NULL, &e),
		     P11_GEN_MADE, "%s", e.msg);
	cr_assert_eq(e.status, AK_OK);
	cr_assert_str_eq(e.msg, "");
	cr_assert_not_null(k.p11);
	key_clear(&k);
}
