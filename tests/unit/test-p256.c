/*
 * Unit tests of the p256 templates -- byte for byte what OpenSSL's generic
 * encoders write, and read back -- and of key's use of them: the fast path
 * gives the same files and the same key objects as the generic one.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "key.h"
#include "p256.h"

static void
init(void)
{
	cr_assert(sodium_init() >= 0);
}

TestSuite(p256, .init = init);

/* The halves of a P-256 key, through OpenSSL's parameters. */
static void
halves(const struct key *k, struct p256_keypair *kp)
{
	BIGNUM *d = NULL;
	size_t n = 0;

	cr_assert(EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d));
	cr_assert_eq(BN_bn2binpad(d, kp->scalar, P256_SCALAR_LEN), P256_SCALAR_LEN);
	cr_assert(EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, kp->point,
						  P256_POINT_LEN, &n));
	cr_assert_eq(n, P256_POINT_LEN);
	BN_clear_free(d);
}

/* PEM of der with label, by OpenSSL's PEM writer; NUL-terminated, *len without it. */
static char *
pem_of(const char *label, const unsigned char *der, size_t dlen, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	cr_assert(PEM_write_bio(bio, label, "", der, (long)dlen) > 0);
	n = BIO_get_mem_data(bio, &p);
	cr_assert_not_null(out = malloc((size_t)n + 1));
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

/* OpenSSL's own encoders (never the p256 templates): PKCS#8 PEM and SPKI DER. */
static char *
openssl_pkcs8_pem(const struct key *k, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out;
	long n;

	cr_assert(PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL));
	n = BIO_get_mem_data(bio, &p);
	cr_assert_not_null(out = malloc((size_t)n + 1));
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

Test(p256, templates_are_byte_for_byte_openssls)
{
	struct key k = KEY_INIT;
	struct p256_keypair kp;
	unsigned char der[P256_PKCS8_DER_LEN], sder[P256_SPKI_DER_LEN], *oder = NULL;
	char *ours, *theirs;
	size_t n, on;
	struct err e = ERR_INIT;
	int i, olen;

	for (i = 0; i < 50; i++) {
		cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
		halves(&k, &kp);
		p256_pkcs8_der(&kp, der);
		ours = pem_of("PRIVATE KEY", der, sizeof(der), &n);
		theirs = openssl_pkcs8_pem(&k, &on);
		cr_assert_eq(n, on);
		cr_assert_str_eq(ours, theirs);
		p256_spki_der(kp.point, sder);
		olen = i2d_PUBKEY(k.pkey, &oder);
		cr_assert_eq(olen, P256_SPKI_DER_LEN);
		cr_assert_eq(memcmp(sder, oder, sizeof(sder)), 0);
		OPENSSL_free(oder);
		oder = NULL;
		free(ours);
		free(theirs);
	}
	key_clear(&k);
}

Test(p256, key_export_through_the_templates_is_openssls)
{
	struct key k = KEY_INIT, back = KEY_INIT;
	char *priv, *pub, *theirs, fp[KEY_FINGERPRINT_HEX + 1], ofp[KEY_FINGERPRINT_HEX + 1];
	unsigned char *oder = NULL, md[32];
	size_t plen, publen, on;
	struct err e = ERR_INIT;
	int i, olen;

	for (i = 0; i < 20; i++) {
		cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
		cr_assert_eq(key_private_pem(&k, NULL, 0, &priv, &plen, &e), 0, "%s", e.msg);
		theirs = openssl_pkcs8_pem(&k, &on);
		cr_assert_eq(plen, on);
		cr_assert_str_eq(priv, theirs);
		free(theirs);
		cr_assert_eq(key_public_pem(&k, &pub, &publen, &e), 0);
		cr_assert_not_null(strstr(pub, "-----BEGIN PUBLIC KEY-----\n"));
		/* The kid is SHA-256 of OpenSSL's own SPKI encoding. */
		olen = i2d_PUBKEY(k.pkey, &oder);
		cr_assert(olen > 0);
		crypto_hash_sha256(md, oder, (size_t)olen);
		sodium_bin2hex(ofp, sizeof(ofp), md, sizeof(md));
		OPENSSL_free(oder);
		oder = NULL;
		cr_assert_eq(key_fingerprint(&k, fp, &e), 0);
		cr_assert_str_eq(fp, ofp);
		/* Read back (the fast loader) as the same key, private or public. */
		cr_assert_eq(key_load(&back, (unsigned char *)priv, plen, "priv", NULL, &e), 0);
		cr_assert(back.is_private && back.pem && back.format == KEY_FMT_PKCS8);
		cr_assert_not(back.encrypted);
		cr_assert(key_same_public(&back, &k));
		cr_assert(key_pair_ok(&back));
		cr_assert_eq(key_load(&back, (unsigned char *)pub, publen, "pub", NULL, &e), 0);
		cr_assert(!back.is_private && back.pem && back.format == KEY_FMT_SPKI);
		cr_assert(key_same_public(&back, &k));
		cr_assert_eq(key_fingerprint(&back, ofp, &e), 0);
		cr_assert_str_eq(fp, ofp);
		sodium_free(priv);
		free(pub);
	}
	key_clear(&k);
	key_clear(&back);
}

Test(p256, reads_back_only_the_exact_layout)
{
	struct key k = KEY_INIT, other = KEY_INIT, mixed = KEY_INIT;
	struct p256_keypair kp, kp2, got;
	unsigned char der[P256_PKCS8_DER_LEN], sder[P256_SPKI_DER_LEN], point[P256_POINT_LEN];
	char *pem, *spem, *mpem, *odd;
	size_t n, sn, mn, hl;
	struct err e = ERR_INIT;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_generate(&other, KEY_EC, 0, &e), 0);
	halves(&k, &kp);
	halves(&other, &kp2);
	p256_pkcs8_der(&kp, der);
	p256_spki_der(kp.point, sder);
	pem = pem_of("PRIVATE KEY", der, sizeof(der), &n);
	spem = pem_of("PUBLIC KEY", sder, sizeof(sder), &sn);
	cr_assert_eq(p256_parse_private(pem, n, &got), 0);
	cr_assert_eq(memcmp(&got, &kp, sizeof(kp)), 0);
	cr_assert_eq(p256_parse_public(spem, sn, point), 0);
	cr_assert_eq(memcmp(point, kp.point, sizeof(point)), 0);
	/* Anything but the exact layout is left to the generic loader. */
	cr_assert_eq(p256_parse_private(spem, sn, &got), -1);
	cr_assert_eq(p256_parse_public(pem, n, point), -1);
	cr_assert_eq(p256_parse_private(pem, n - 1, &got), -1);
	/* A blank line inside (OpenSSL refuses the file), or lines folded otherwise. */
	hl = strlen("-----BEGIN PUBLIC KEY-----\n");
	cr_assert_eq(spem[hl + 64], '\n');
	cr_assert_not_null(odd = malloc(sn + 1));
	memcpy(odd, spem, hl + 65);
	odd[hl + 65] = '\n';
	memcpy(odd + hl + 66, spem + hl + 65, sn - hl - 65);
	cr_assert_eq(p256_parse_public(odd, sn + 1, point), -1);
	cr_assert_eq(key_load(&mixed, (unsigned char *)odd, sn + 1, "blank", NULL, &e), -1);
	memcpy(odd, spem, hl + 64);
	memcpy(odd + hl + 64, spem + hl + 65, sn - hl - 65);
	cr_assert_eq(p256_parse_public(odd, sn - 1, point), -1);
	free(odd);
	/* A scalar with someone else's point: read as it is, and key_pair_ok says so. */
	memcpy(got.scalar, kp.scalar, sizeof(got.scalar));
	memcpy(got.point, kp2.point, sizeof(got.point));
	p256_pkcs8_der(&got, der);
	mpem = pem_of("PRIVATE KEY", der, sizeof(der), &mn);
	cr_assert_eq(key_load(&mixed, (unsigned char *)mpem, mn, "mixed", NULL, &e), 0, "%s",
		     e.msg);
	cr_assert(key_same_public(&mixed, &other));
	cr_assert_not(key_pair_ok(&mixed));
	cr_assert(key_pair_ok(&k));
	cr_assert_not(key_pair_ok(&(struct key){.pkey = k.pkey, .is_private = 0}));
	free(pem);
	free(spem);
	free(mpem);
	key_clear(&k);
	key_clear(&other);
	key_clear(&mixed);
}

Test(p256, other_keys_take_the_generic_path)
{
	struct key k = KEY_INIT, back = KEY_INIT;
	struct p256_keypair kp;
	char *priv, *pub;
	size_t plen, publen;
	struct err e = ERR_INIT;

	cr_assert_eq(key_generate(&k, KEY_RSA, 2048, &e), 0);
	cr_assert_eq(key_private_pem(&k, NULL, 0, &priv, &plen, &e), 0);
	cr_assert_eq(key_public_pem(&k, &pub, &publen, &e), 0);
	cr_assert_eq(p256_parse_private(priv, plen, &kp), -1);
	cr_assert_eq(p256_parse_public(pub, publen, kp.point), -1);
	cr_assert_eq(key_load(&back, (unsigned char *)priv, plen, "rsa", NULL, &e), 0);
	cr_assert(key_same_public(&back, &k) && key_pair_ok(&back));
	sodium_free(priv);
	/* An encrypted P-256 key is OpenSSL's PKCS#8, never the template. */
	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_private_pem(&k, "pass", 4, &priv, &plen, &e), 0);
	cr_assert_not_null(strstr(priv, "ENCRYPTED PRIVATE KEY"));
	cr_assert_eq(p256_parse_private(priv, plen, &kp), -1);
	sodium_free(priv);
	free(pub);
	key_clear(&k);
	key_clear(&back);
}
