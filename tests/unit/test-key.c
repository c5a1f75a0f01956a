/* Unit tests of the key module: generation, encodings, the canonical fingerprint. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "key.h"

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
}

TestSuite(key, .init = setup);

static void
pem_of(EVP_PKEY *pkey, int private, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	cr_assert(private ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
			  : PEM_write_bio_PUBKEY(bio, pkey));
	n = BIO_get_mem_data(bio, &p);
	*out = malloc((size_t)n);
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
}

Test(key, generates_p256_and_rsa)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	const char *why = NULL;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_type(&k), KEY_EC);
	cr_assert_str_eq(key_curve(&k), "P-256");
	cr_assert_str_eq(key_akenza_alg(&k, &why), "ES256");
	cr_assert_str_eq(key_akenza_credential(&k, 0), "EC256_PEM");
	cr_assert_str_eq(key_akenza_credential(&k, 1), "EC256_X509_PEM");
	cr_assert(k.is_private);
	cr_assert_eq(key_generate(&k, KEY_RSA, 2048, &e), 0);
	cr_assert_eq(key_bits(&k), 2048);
	cr_assert_str_eq(key_akenza_alg(&k, &why), "RS256");
	key_clear(&k);
}

Test(key, a_generator_makes_distinct_keys_of_its_type)
{
	struct key_gen g = KEY_GEN_INIT;
	struct key a = KEY_INIT, b = KEY_INIT;
	struct err e = ERR_INIT;
	char fa[KEY_FINGERPRINT_HEX + 1], fb[KEY_FINGERPRINT_HEX + 1], *mine, *theirs;
	size_t mlen, tlen;

	cr_assert_eq(key_gen_next(&g, &a, &e), -1, "a generator that was never set up");
	cr_assert_eq(key_gen_init(&g, KEY_EC, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(key_gen_next(&g, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(key_gen_next(&g, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(key_type(&a), KEY_EC);
	cr_assert_str_eq(key_curve(&b), "P-256");
	cr_assert(a.is_private && b.is_private);
	cr_assert(key_pair_ok(&a) && key_pair_ok(&b));
	cr_assert_eq(key_fingerprint(&a, fa, &e), 0);
	cr_assert_eq(key_fingerprint(&b, fb, &e), 0);
	cr_assert_str_neq(fa, fb);
	/* The point kept from the making gives OpenSSL's own encoding of the key. */
	cr_assert_eq(a.point_len, 65);
	cr_assert_eq(key_public_pem(&a, &mine, &mlen, &e), 0);
	pem_of(a.pkey, 0, &theirs, &tlen);
	cr_assert_eq(mlen, tlen);
	cr_assert_eq(memcmp(mine, theirs, tlen), 0);
	free(mine);
	free(theirs);
	cr_assert_eq(key_gen_init(&g, KEY_RSA, 1024, &e), 0, "%s", e.msg);
	cr_assert_eq(key_gen_next(&g, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(key_type(&a), KEY_RSA);
	cr_assert_eq(key_bits(&a), 1024);
	cr_assert_eq(a.point_len, 0);
	cr_assert_eq(key_gen_init(&g, KEY_OTHER, 0, &e), -1);
	cr_assert_null(g.ctx);
	key_gen_clear(&g);
	key_clear(&a);
	key_clear(&b);
}

Test(key, private_pem_into_one_buffer_is_the_same_pem)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	struct fileio_buf b = FILEIO_BUF_INIT;
	unsigned char *first;
	char *pem;
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_private_pem(&k, NULL, 0, &pem, &len, &e), 0);
	cr_assert_eq(key_private_pem_buf(&k, NULL, 0, &b, &e), 0, "%s", e.msg);
	cr_assert(b.secret);
	cr_assert_eq(b.len, len);
	cr_assert_eq(memcmp(b.data, pem, len), 0);
	cr_assert_eq(b.data[b.len], '\0');
	first = b.data;
	fileio_buf_wipe(&b);
	/* The next key into the same memory, encrypted as well. */
	cr_assert_eq(key_private_pem_buf(&k, "s3cret", 6, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(b.data, first);
	cr_assert(strncmp((char *)b.data, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) == 0);
	sodium_free(pem);
	fileio_buf_clear(&b);
	key_clear(&k);
}

Test(key, refuses_what_akenza_refuses)
{
	struct key k = KEY_INIT;
	const char *why = NULL;

	k.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	cr_assert_null(key_akenza_alg(&k, &why));
	cr_assert(strstr(why, "2048") != NULL);
	cr_assert_null(key_akenza_credential(&k, 0));
	key_clear(&k);
	k.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	cr_assert_null(key_akenza_alg(&k, &why));
	cr_assert(strstr(why, "P-256") != NULL);
	key_clear(&k);
	k.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	cr_assert_null(key_akenza_alg(&k, &why));
	key_clear(&k);
}

Test(key, public_and_private_encodings_give_one_fingerprint)
{
	struct key k = KEY_INIT, pub = KEY_INIT, priv = KEY_INIT;
	struct err e = ERR_INIT;
	char a[65], b[65], c[65], *pem;
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_fingerprint(&k, a, &e), 0);
	cr_assert_eq(strlen(a), 64);
	cr_assert_eq(key_public_pem(&k, &pem, &len, &e), 0);
	cr_assert_eq(key_load(&pub, (unsigned char *)pem, len, "pub", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert_eq(pub.format, KEY_FMT_SPKI);
	cr_assert(!pub.is_private);
	cr_assert_eq(key_fingerprint(&pub, b, &e), 0);
	cr_assert_str_eq(a, b);
	cr_assert_eq(key_private_pem(&k, NULL, 0, &pem, &len, &e), 0);
	cr_assert(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);
	cr_assert_eq(key_load(&priv, (unsigned char *)pem, len, "priv", NULL, &e), 0);
	sodium_free(pem);
	cr_assert_eq(key_fingerprint(&priv, c, &e), 0);
	cr_assert_str_eq(a, c);
	cr_assert(key_same_public(&pub, &priv));
	key_clear(&k);
	key_clear(&pub);
	key_clear(&priv);
}

Test(key, compressed_point_gives_the_uncompressed_fingerprint)
{
	struct key k = KEY_INIT, comp = KEY_INIT;
	struct err e = ERR_INIT;
	EVP_PKEY *dup;
	char a[65], b[65], *pem;
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_fingerprint(&k, a, &e), 0);
	dup = EVP_PKEY_dup(k.pkey);
	cr_assert(EVP_PKEY_set_utf8_string_param(dup, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
						 "compressed"));
	pem_of(dup, 0, &pem, &len);
	EVP_PKEY_free(dup);
	cr_assert_eq(key_load(&comp, (unsigned char *)pem, len, "c", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert_eq(key_fingerprint(&comp, b, &e), 0);
	cr_assert_str_eq(a, b);
	key_clear(&k);
	key_clear(&comp);
}

Test(key, encrypted_pkcs8_needs_the_right_passphrase)
{
	struct key k = KEY_INIT, l = KEY_INIT;
	struct err e = ERR_INIT;
	struct passphrase right = PASSPHRASE_INIT, wrong = PASSPHRASE_INIT;
	char *pem;
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_private_pem(&k, "s3cret", 6, &pem, &len, &e), 0);
	cr_assert(strstr(pem, "ENCRYPTED PRIVATE KEY") != NULL);
	cr_assert_eq(key_load(&l, (unsigned char *)pem, len, "k.pem", NULL, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "'k.pem' is encrypted") != NULL, "%s", e.msg);
	setenv(PASSPHRASE_ENV, "nope", 1);
	cr_assert_eq(key_load(&l, (unsigned char *)pem, len, "k.pem", &wrong, &e), -1);
	cr_assert(strstr(e.msg, "wrong passphrase for 'k.pem'") != NULL, "%s", e.msg);
	setenv(PASSPHRASE_ENV, "s3cret", 1);
	cr_assert_eq(key_load(&l, (unsigned char *)pem, len, "k.pem", &right, &e), 0, "%s", e.msg);
	unsetenv(PASSPHRASE_ENV);
	cr_assert(l.encrypted);
	cr_assert_eq(l.format, KEY_FMT_PKCS8_ENCRYPTED);
	cr_assert(key_same_public(&k, &l));
	sodium_free(pem);
	passphrase_clear(&right);
	passphrase_clear(&wrong);
	key_clear(&k);
	key_clear(&l);
}

Test(key, names_what_is_not_a_key)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	const char *crl = "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
	const unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x05};

	cr_assert_eq(key_load(&k, (const unsigned char *)crl, strlen(crl), "r", NULL, &e), -1);
	cr_assert(strstr(e.msg, "PEM 'X509 CRL', not a key or certificate") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, der, sizeof(der), "d", NULL, &e), -1);
	cr_assert(strstr(e.msg, "DER data of an unknown structure") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, (const unsigned char *)"", 0, "z", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(empty)") != NULL, "%s", e.msg);
	cr_assert_null(k.pkey);
}

/* Hex or base64 text is named for what it looks like, not "text" or "DER"; so are bad points. */
Test(key, names_raw_points_and_encoded_text)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	unsigned char point[65];
	char hex[2 * sizeof(point) + 2];
	const char *b64 = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n";
	const char *words = "not a key at all\n";
	unsigned char *blank;

	/* (0x4141..., 0x4141...) is no point of P-256: read as a point, refused by OpenSSL. */
	memset(point, 0x41, sizeof(point)); /* printable bytes: no NUL to give it away */
	point[0] = 0x04;
	sodium_bin2hex(hex, sizeof(hex), point, sizeof(point));
	strcat(hex, "\n");
	cr_assert_eq(key_load(&k, point, sizeof(point), "p", NULL, &e), -1);
	cr_assert_str_eq(e.msg, "'p': a raw P-256 point of 65 bytes, but not on the curve");
	cr_assert_eq(e.status, AK_INPUT);
	memset(point + 1, 0x01, 64); /* 64 bytes of 0x41 would be text: hex digits */
	cr_assert_eq(key_load(&k, point + 1, 64, "p", NULL, &e), -1);
	cr_assert_str_eq(e.msg, "'p': a raw P-256 point of 64 bytes, but not on the curve");
	/* "04..." starts with '0', 0x30, the tag of a DER SEQUENCE. */
	cr_assert_eq(key_load(&k, (unsigned char *)hex, strlen(hex), "h", NULL, &e), -1);
	cr_assert_str_eq(e.msg, "'h': a raw P-256 point of 65 bytes in hex, but not on the curve");
	hex[0] = '0', hex[1] = '5';
	cr_assert_eq(key_load(&k, (unsigned char *)hex, strlen(hex), "h", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(hex text of 130 digits, not a raw P-256 point: 130 digits start "
				"with 04") != NULL,
		  "%s", e.msg);
	cr_assert_eq(key_load(&k, (unsigned char *)"3059301306\n", 11, "h", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(hex text of 10 digits: not supported; decode it first") != NULL,
		  "%s", e.msg);
	cr_assert_eq(key_load(&k, (const unsigned char *)b64, strlen(b64), "b", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(base64 text without a PEM block") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, (const unsigned char *)words, strlen(words), "t", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(text without a PEM block)") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, (const unsigned char *)"\x30\x05\x01", 3, "d", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(binary data, 3 bytes)") != NULL, "%s", e.msg);
	/* White space alone, not NUL-terminated: nothing past its end is read (ASan). */
	cr_assert_not_null(blank = malloc(2));
	memcpy(blank, "\n\n", 2);
	cr_assert_eq(key_load(&k, blank, 2, "w", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(text without a PEM block)") != NULL, "%s", e.msg);
	free(blank);
	cr_assert_null(k.pkey);
}

/* A file of several keys gives them all, in order; where one key is needed it is refused. */
Test(key, a_file_of_several_keys_gives_every_key)
{
	struct key a = KEY_INIT, b = KEY_INIT, l = KEY_INIT;
	struct key_set s = KEY_SET_INIT, all = KEY_SET_INIT;
	struct err e = ERR_INIT;
	char fa[65], fb[65], f[65], *pa, *pb, *cert, buf[8192];
	size_t la, lb, lc;

	cr_assert_eq(key_generate(&a, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_generate(&b, KEY_RSA, 2048, &e), 0);
	cr_assert_eq(key_fingerprint(&a, fa, &e), 0);
	cr_assert_eq(key_fingerprint(&b, fb, &e), 0);
	cr_assert_eq(key_public_pem(&a, &pa, &la, &e), 0);
	cr_assert_eq(key_self_signed_pem(&b, "dev", 1, &cert, &lc, &e), 0);
	cr_assert_eq(key_public_pem(&b, &pb, &lb, &e), 0);
	/* EC key, junk text between blocks, then a certificate and a public key of another. */
	snprintf(buf, sizeof(buf), "%s# rotated 2026-11-30\n%s%s", pa, cert, pb);
	cr_assert_eq(key_load_all(&s, (unsigned char *)buf, strlen(buf), "f", NULL, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(key_fingerprint(&s.keys[0], f, &e), 0);
	cr_assert_str_eq(f, fa);
	cr_assert_not_null(s.keys[1].cert);
	cr_assert_eq(key_fingerprint(&s.keys[1], f, &e), 0);
	cr_assert_str_eq(f, fb);
	cr_assert_eq(key_fingerprint(&s.keys[2], f, &e), 0);
	cr_assert_str_eq(f, fb);
	cr_assert_eq(key_set_take(&all, &s, &e), 0);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(all.n, 3);
	cr_assert_eq(key_load(&l, (unsigned char *)buf, strlen(buf), "f", NULL, &e), -1);
	cr_assert(strstr(e.msg, "'f' holds 3 keys or certificates") != NULL, "%s", e.msg);
	cr_assert_null(l.pkey);
	/* A bad block after good ones refuses the input: never only the first key. */
	snprintf(buf, sizeof(buf), "%s-----BEGIN PUBLIC KEY-----\nMFkw\n", pa);
	cr_assert_eq(key_load_all(&s, (unsigned char *)buf, strlen(buf), "f", NULL, &e), -1);
	cr_assert(strstr(e.msg, "unreadable PEM data after block 1") != NULL, "%s", e.msg);
	cr_assert_eq(s.n, 0);
	snprintf(buf, sizeof(buf), "%s-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n",
		 pa);
	cr_assert_eq(key_load_all(&s, (unsigned char *)buf, strlen(buf), "f", NULL, &e), -1);
	cr_assert(strstr(e.msg, "PEM 'X509 CRL' (PEM block 2)") != NULL, "%s", e.msg);
	/* One key in the file: key_load takes it as before. */
	cr_assert_eq(key_load(&l, (unsigned char *)pa, la, "a", NULL, &e), 0, "%s", e.msg);
	free(pa);
	free(pb);
	free(cert);
	key_set_clear(&all);
	key_clear(&l);
	key_clear(&a);
	key_clear(&b);
}

/* The certificate-validity rule: notBefore through notAfter inclusive, each widened by leeway. */
Test(key, certificate_validity_with_leeway)
{
	struct key k = KEY_INIT, c = KEY_INIT;
	struct err e = ERR_INIT;
	time_t nb, na;
	char *pem;
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_cert_valid_at(&k, 0, 0), KEY_CERT_VALID); /* not a certificate */
	cr_assert_eq(key_self_signed_pem(&k, "dev", 2, &pem, &len, &e), 0);
	cr_assert_eq(key_load(&c, (unsigned char *)pem, len, "c", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert_eq(key_cert_validity(&c, &nb, &na), 0);
	cr_assert_eq(na - nb, 2 * 86400);
	cr_assert_eq(key_cert_valid_at(&c, nb, 0), KEY_CERT_VALID);
	cr_assert_eq(key_cert_valid_at(&c, na, 0), KEY_CERT_VALID);
	cr_assert_eq(key_cert_valid_at(&c, nb - 1, 0), KEY_CERT_NOT_YET_VALID);
	cr_assert_eq(key_cert_valid_at(&c, na + 1, 0), KEY_CERT_EXPIRED);
	cr_assert_eq(key_cert_valid_at(&c, nb - 60, 60), KEY_CERT_VALID);
	cr_assert_eq(key_cert_valid_at(&c, nb - 61, 60), KEY_CERT_NOT_YET_VALID);
	cr_assert_eq(key_cert_valid_at(&c, na + 60, 60), KEY_CERT_VALID);
	cr_assert_eq(key_cert_valid_at(&c, na + 61, 60), KEY_CERT_EXPIRED);
	key_clear(&c);
	key_clear(&k);
}

Test(key, self_signed_certificate_carries_the_key_and_cn)
{
	struct key k = KEY_INIT, c = KEY_INIT;
	struct err e = ERR_INIT;
	char *pem, subject[128], sha1[41], fa[65], fb[65];
	size_t len;
	time_t nb, na;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_self_signed_pem(&k, "dev-1", 10, &pem, &len, &e), 0);
	cr_assert_eq(key_load(&c, (unsigned char *)pem, len, "c", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert_eq(c.format, KEY_FMT_X509);
	cr_assert_eq(key_cert_subject(&c, subject, sizeof(subject)), 0);
	cr_assert_str_eq(subject, "CN=dev-1");
	cr_assert_eq(key_cert_validity(&c, &nb, &na), 0);
	cr_assert_eq(na - nb, 10 * 86400);
	cr_assert_eq(key_cert_sha1(&c, sha1), 0);
	cr_assert_eq(strlen(sha1), 40);
	cr_assert_eq(key_fingerprint(&k, fa, &e), 0);
	cr_assert_eq(key_fingerprint(&c, fb, &e), 0);
	cr_assert_str_eq(fa, fb);
	key_clear(&k);
	key_clear(&c);
}

/* provision's check of its devices' certificates and rotate's of its new ones. */
Test(key, cert_is_for_its_key_and_exactly_its_cn)
{
	struct key k = KEY_INIT, c = KEY_INIT, other = KEY_INIT;
	struct err e = ERR_INIT;
	char *pem, fp[65], ofp[65];
	size_t len;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_generate(&other, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_fingerprint(&k, fp, &e), 0);
	cr_assert_eq(key_fingerprint(&other, ofp, &e), 0);
	cr_assert_eq(key_self_signed_pem(&k, "dev-1", 10, &pem, &len, &e), 0);
	cr_assert_eq(key_load(&c, (unsigned char *)pem, len, "c", NULL, &e), 0, "%s", e.msg);
	free(pem);
	cr_assert(key_cert_is_for(&c, fp, "dev-1"));
	cr_assert(!key_cert_is_for(&c, ofp, "dev-1"), "another key");
	cr_assert(!key_cert_is_for(&c, fp, "dev-"), "a prefix of the CN");
	cr_assert(!key_cert_is_for(&c, fp, "dev-10"), "a longer CN");
	cr_assert(!key_cert_is_for(&k, fp, "dev-1"), "a key is no certificate");
	key_clear(&c);
	/* Characters that the printed (RFC 2253) form escapes: the CN is compared as data. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const ids[] = {"a;b", "c<d>", "e=f"};

		cr_assert_eq(key_self_signed_pem(&k, ids[i], 10, &pem, &len, &e), 0);
		cr_assert_eq(key_load(&c, (unsigned char *)pem, len, "c", NULL, &e), 0, "%s",
			     e.msg);
		free(pem);
		cr_assert(key_cert_is_for(&c, fp, ids[i]), "CN=%s", ids[i]);
		cr_assert(!key_cert_is_for(&c, fp, "a"), "CN=%s is not CN=a", ids[i]);
		key_clear(&c);
	}
	key_clear(&k);
	key_clear(&other);
}

#define DATA "tests/data/jwt/"

/* key_spki_der must give exactly what OpenSSL's encoder gives. */
static void
same_as_openssl(const char *file)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	unsigned char *ours, *theirs = NULL;
	size_t len;
	int n;

	cr_assert_eq(key_load_file(&k, file, NULL, &e), 0, "%s: %s", file, e.msg);
	cr_assert_eq(key_spki_der(&k, &ours, &len, &e), 0, "%s: %s", file, e.msg);
	n = i2d_PUBKEY(k.pkey, &theirs);
	cr_assert_gt(n, 0);
	cr_assert_eq(len, (size_t)n, "%s: %zu bytes, OpenSSL %d", file, len, n);
	cr_assert_eq(memcmp(ours, theirs, len), 0, "%s: bytes differ", file);
	OPENSSL_free(ours);
	OPENSSL_free(theirs);
	key_clear(&k);
}

Test(key, spki_of_p256_and_rsa_is_openssls)
{
	const char *files[] = {DATA "ec_private.pem",      DATA "ec_public.pem",
			       DATA "ec2_private.pem",     DATA "rsa_private.pem",
			       DATA "rsa_public.pem",      DATA "rsa1024_private.pem",
			       DATA "rsa4096_private.pem", DATA "rsa1032_e3_private.pem",
			       DATA "ec384_private.pem",   DATA "ed25519_private.pem"};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		same_as_openssl(files[i]);
}

Test(key, one_kid_whatever_the_point_encoding)
{
	struct key a = KEY_INIT, b = KEY_INIT;
	struct err e = ERR_INIT;
	char fa[KEY_FINGERPRINT_HEX + 1], fb[KEY_FINGERPRINT_HEX + 1];

	cr_assert_eq(key_load_file(&a, DATA "ec_public.pem", NULL, &e), 0);
	cr_assert_eq(key_load_file(&b, DATA "ec_public_compressed.pem", NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(key_fingerprint(&a, fa, &e), 0);
	cr_assert_eq(key_fingerprint(&b, fb, &e), 0);
	cr_assert_str_eq(fa, fb);
	key_clear(&a);
	key_clear(&b);
}

Test(key, spki_of_generated_keys_is_openssls)
{
	static const int bits[] = {1024, 1040, 2056};
	struct key k;
	struct err e = ERR_INIT;
	unsigned char *ours, *theirs;
	size_t i, len;
	int n;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]) + 1; i++) {
		k = (struct key)KEY_INIT;
		if (i < sizeof(bits) / sizeof(bits[0]))
			cr_assert_eq(key_generate(&k, KEY_RSA, bits[i], &e), 0, "%s", e.msg);
		else
			cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0, "%s", e.msg);
		cr_assert_eq(key_spki_der(&k, &ours, &len, &e), 0);
		theirs = NULL;
		n = i2d_PUBKEY(k.pkey, &theirs);
		cr_assert_eq(len, (size_t)n);
		cr_assert_eq(memcmp(ours, theirs, len), 0);
		OPENSSL_free(ours);
		OPENSSL_free(theirs);
		key_clear(&k);
	}
}

/* key_curve() from another thread (provision and register use threads). */
static void *
curve_in_thread(void *arg)
{
	static char copy[80];
	const char *c = key_curve(arg);

	snprintf(copy, sizeof(copy), "%s", c ? c : "(null)");
	return copy;
}

Test(key, curve_names_are_thread_safe)
{
	struct key k1 = KEY_INIT, k2 = KEY_INIT;
	const char *c1;
	pthread_t t;
	void *c2;

	cr_assert_not_null(k1.pkey = EVP_EC_gen("secp256k1"));
	cr_assert_not_null(k2.pkey = EVP_EC_gen("brainpoolP256r1"));
	c1 = key_curve(&k1);
	cr_assert_str_eq(c1, "secp256k1");
	/* Another thread's answer must not overwrite this one's. */
	cr_assert_eq(pthread_create(&t, NULL, curve_in_thread, &k2), 0);
	cr_assert_eq(pthread_join(t, &c2), 0);
	cr_assert_str_eq(c2, "brainpoolP256r1");
	cr_assert_str_eq(c1, "secp256k1", "overwritten by another thread: %s", c1);
	key_clear(&k1);
	key_clear(&k2);
}

Test(key, akenza_names_come_from_one_table)
{
	static const char *const creds[] = {"EC256_PEM", "EC256_X509_PEM", "RSA256_PEM",
					    "RSA256_X509_PEM"};
	int i;

	cr_assert_str_eq(key_type_alg(KEY_EC), "ES256");
	cr_assert_str_eq(key_type_alg(KEY_RSA), "RS256");
	cr_assert_null(key_type_alg(KEY_OTHER));
	cr_assert_str_eq(key_type_name(KEY_EC), "ec");
	cr_assert_str_eq(key_type_name(KEY_RSA), "rsa");
	cr_assert_null(key_type_name(KEY_OTHER));
	cr_assert_eq(key_name_type("ec"), KEY_EC);
	cr_assert_eq(key_name_type("rsa"), KEY_RSA);
	cr_assert_eq(key_name_type("EC"), KEY_OTHER, "exact names only");
	cr_assert_eq(key_name_type(""), KEY_OTHER);
	cr_assert_eq(key_alg_type("ES256"), KEY_EC);
	cr_assert_eq(key_alg_type("RS256"), KEY_RSA);
	cr_assert_eq(key_alg_type("es256"), KEY_OTHER);
	cr_assert_eq(key_alg_type("HS256"), KEY_OTHER);
	cr_assert_eq(key_alg_type(NULL), KEY_OTHER);
	cr_assert_str_eq(key_type_credential(KEY_EC, 1), "EC256_X509_PEM");
	cr_assert_str_eq(key_type_credential(KEY_RSA, 0), "RSA256_PEM");
	cr_assert_null(key_type_credential(KEY_OTHER, 0));
	for (i = 0; i < KEY_CREDENTIALS; i++) {
		cr_assert_str_eq(key_credential_name(i), creds[i]);
		cr_assert_eq(key_credential_index(creds[i]), i);
	}
	cr_assert_null(key_credential_name(KEY_CREDENTIALS));
	cr_assert_null(key_credential_name(-1));
	cr_assert_eq(key_credential_index("EC256"), -1);
	cr_assert(key_credential_x509("EC256_X509_PEM") && key_credential_x509("RSA256_X509_PEM"));
	cr_assert(!key_credential_x509("EC256_PEM") && !key_credential_x509("RSA256_PEM"));
	cr_assert(!key_credential_x509("X509") && !key_credential_x509(""));
}

/* --- The forms secure elements and other tools hand out ---------------------- */

#define KF "tests/data/keyformats/"

/* The kid of sample key name ("ec", "rsa") as tests/data/keyformats/make.sh had openssl compute it.
 */
static void
sample_kid(const char *name, char kid[KEY_FINGERPRINT_HEX + 1])
{
	FILE *f = fopen(KF "kids", "r");
	char line[160], want[16];

	cr_assert_not_null(f);
	snprintf(want, sizeof(want), "%s ", name);
	kid[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, want, strlen(want)) == 0)
			snprintf(kid, KEY_FINGERPRINT_HEX + 1, "%s", line + strlen(want));
	fclose(f);
	cr_assert_eq(strlen(kid), KEY_FINGERPRINT_HEX, "no kid for %s", name);
}

static void
assert_kid(const struct key *k, const char *name, const char *what)
{
	struct err e = ERR_INIT;
	char want[KEY_FINGERPRINT_HEX + 1], got[KEY_FINGERPRINT_HEX + 1];

	sample_kid(name, want);
	cr_assert_eq(key_fingerprint(k, got, &e), 0, "%s: %s", what, e.msg);
	cr_assert_str_eq(got, want, "%s", what);
}

/* Each sample made by openssl, ssh-keygen or PyJWT gives the kid of the key's SPKI. */
Test(key, every_form_gives_the_kid_of_the_spki)
{
	static const struct {
		const char *file, *keys[2];
		enum key_format format;
		const char *encoding;
		int private;
	} cases[] = {
		{"ec.csr.pem", {"ec"}, KEY_FMT_CSR, "PEM", 0},
		{"ec.csr.der", {"ec"}, KEY_FMT_CSR, "DER", 0},
		{"rsa.newcsr.pem", {"rsa"}, KEY_FMT_CSR, "PEM", 0},
		{"rsa.csr.der", {"rsa"}, KEY_FMT_CSR, "DER", 0},
		{"ec.ssh.pub", {"ec"}, KEY_FMT_OPENSSH, "OpenSSH", 0},
		{"rsa.ssh.pub", {"rsa"}, KEY_FMT_OPENSSH, "OpenSSH", 0},
		{"authorized_keys", {"ec", "rsa"}, KEY_FMT_OPENSSH, "OpenSSH", 0},
		{"ec.jwk", {"ec"}, KEY_FMT_JWK, "JSON", 1},
		{"ec.pub.jwk", {"ec"}, KEY_FMT_JWK, "JSON", 0},
		{"rsa.jwk", {"rsa"}, KEY_FMT_JWK, "JSON", 1},
		{"rsa.pub.jwk", {"rsa"}, KEY_FMT_JWK, "JSON", 0},
		{"set.jwks", {"ec", "rsa"}, KEY_FMT_JWK, "JSON", -1},
		{"ec.point65.bin", {"ec"}, KEY_FMT_POINT, "binary", 0},
		{"ec.point64.bin", {"ec"}, KEY_FMT_POINT_XY, "binary", 0},
		{"ec.point33.bin", {"ec"}, KEY_FMT_POINT_COMPRESSED, "binary", 0},
		{"ec.point65.hex", {"ec"}, KEY_FMT_POINT, "hex", 0},
		{"ec.point64.hex", {"ec"}, KEY_FMT_POINT_XY, "hex", 0},
		{"ec.point33.hex", {"ec"}, KEY_FMT_POINT_COMPRESSED, "hex", 0},
	};
	struct key_set s = KEY_SET_INIT;
	struct err e = ERR_INIT;
	char path[256];
	size_t i, j, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), KF "%s", cases[i].file);
		cr_assert_eq(key_load_file_all(&s, path, NULL, &e), 0, "%s: %s", path, e.msg);
		n = cases[i].keys[1] ? 2 : 1;
		cr_assert_eq(s.n, n, "%s: %zu keys", path, s.n);
		for (j = 0; j < n; j++) {
			assert_kid(&s.keys[j], cases[i].keys[j], path);
			cr_assert_eq(s.keys[j].format, cases[i].format, "%s", path);
			cr_assert_str_eq(key_encoding_name(&s.keys[j]), cases[i].encoding, "%s",
					 path);
			cr_assert_null(s.keys[j].cert, "%s", path);
			/* set.jwks: the EC key public, the RSA key private. */
			cr_assert_eq(s.keys[j].is_private,
				     cases[i].private >= 0 ? cases[i].private : (int)j, "%s", path);
		}
		key_set_clear(&s);
	}
	cr_assert_str_eq(key_format_name(KEY_FMT_CSR), "PKCS#10 certificate request");
	cr_assert_str_eq(key_format_name(KEY_FMT_OPENSSH), "OpenSSH public key");
	cr_assert_str_eq(key_format_name(KEY_FMT_POINT_XY), "raw P-256 point X||Y");
}

/* Sign with k, verify with the key of the openssl-made SPKI file. */
static void
assert_signs(const struct key *k, const char *spki)
{
	struct key pub = KEY_INIT;
	struct err e = ERR_INIT;
	const unsigned char msg[] = "header.payload";
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	cr_assert_eq(key_load_file(&pub, spki, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey), 1);
	cr_assert_eq(EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)), 1);
	cr_assert_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub.pkey), 1);
	cr_assert_eq(EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)), 1, "%s", spki);
	EVP_MD_CTX_free(md);
	key_clear(&pub);
}

Test(key, a_private_jwk_is_a_private_key_that_signs)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(key_load_file(&k, KF "ec.jwk", NULL, &e), 0, "%s", e.msg);
	cr_assert(k.is_private && key_pair_ok(&k));
	assert_signs(&k, KF "ec.spki.pem");
	cr_assert_eq(key_load_file(&k, KF "rsa.jwk", NULL, &e), 0, "%s", e.msg);
	cr_assert(k.is_private);
	assert_signs(&k, KF "rsa.spki.pem");
	key_clear(&k);
}

/* RFC 7518 6.3.2: the CRT members may all be left out; d alone signs. */
Test(key, a_private_rsa_jwk_without_its_primes_signs)
{
	static const char *const crt[] = {"p", "q", "dp", "dq", "qi"};
	json_t *jwk = json_load_file(KF "rsa.jwk", 0, NULL);
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	char *text;
	size_t i;

	cr_assert_not_null(jwk);
	for (i = 0; i < 5; i++)
		cr_assert_eq(json_object_del(jwk, crt[i]), 0);
	cr_assert_not_null(text = json_dumps(jwk, 0));
	cr_assert_eq(key_load(&k, (unsigned char *)text, strlen(text), "in", NULL, &e), 0, "%s",
		     e.msg);
	cr_assert(k.is_private);
	assert_kid(&k, "rsa", "rsa jwk without primes");
	assert_signs(&k, KF "rsa.spki.pem");
	free(text);
	json_decref(jwk);
	key_clear(&k);
}

/* OpenSSL's kid of pkey: SHA-256 of i2d_PUBKEY with the point uncompressed. */
static void
openssl_kid(EVP_PKEY *pkey, char hex[KEY_FINGERPRINT_HEX + 1])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen;
	int n = i2d_PUBKEY(pkey, &der);

	cr_assert_gt(n, 0);
	cr_assert(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL));
	sodium_bin2hex(hex, KEY_FINGERPRINT_HEX + 1, md, sizeof(md));
	OPENSSL_free(der);
}

/*
 * Points of keys OpenSSL makes, in each raw form, binary and hex: the kid is
 * OpenSSL's.  Enough keys that some coordinates have leading zero bytes and
 * some 64-byte points start with 0x30 (a DER SEQUENCE's tag), read as points.
 */
Test(key, raw_points_of_openssl_keys_give_its_kid)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	unsigned char pt[65], comp[33], *in, *enc;
	char want[KEY_FINGERPRINT_HEX + 1], got[KEY_FINGERPRINT_HEX + 1], hex[131];
	size_t n, inlen;
	int i, form, asdigits, seq = 0;
	EVP_PKEY *pkey;

	for (i = 0; i < 600 || seq == 0; i++) {
		cr_assert_lt(i, 5000);
		cr_assert_not_null(pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
		openssl_kid(pkey, want);
		cr_assert(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pt,
							  sizeof(pt), &n) &&
			  n == 65);
		cr_assert(EVP_PKEY_set_utf8_string_param(pkey,
							 OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
							 "compressed"));
		/* A compressed SPKI ends with the 33-byte point. */
		enc = NULL;
		cr_assert_eq(i2d_PUBKEY(pkey, &enc), 59);
		memcpy(comp, enc + 59 - 33, 33);
		OPENSSL_free(enc);
		EVP_PKEY_free(pkey);
		seq += pt[1] == 0x30;
		if (i >= 40 && pt[1] != 0x30)
			continue; /* all forms of 40 keys; then only the 0x30 ones */
		for (form = 0; form < 6; form++) {
			asdigits = form >= 3;
			in = form % 3 == 0 ? pt : form % 3 == 1 ? pt + 1 : comp;
			inlen = form % 3 == 0 ? 65 : form % 3 == 1 ? 64 : 33;
			if (asdigits) {
				sodium_bin2hex(hex, sizeof(hex), in, inlen);
				in = (unsigned char *)hex;
				inlen = strlen(hex);
			}
			cr_assert_eq(key_load(&k, in, inlen, "p", NULL, &e), 0, "%s", e.msg);
			cr_assert_eq(k.format, form % 3 == 0   ? KEY_FMT_POINT
					       : form % 3 == 1 ? KEY_FMT_POINT_XY
							       : KEY_FMT_POINT_COMPRESSED);
			cr_assert_str_eq(key_encoding_name(&k), asdigits ? "hex" : "binary");
			cr_assert_eq(key_fingerprint(&k, got, &e), 0);
			cr_assert_str_eq(got, want);
		}
	}
	key_clear(&k);
}

/* Load data, expecting an input error whose message holds want. */
static void
refused(const void *data, size_t len, const char *want)
{
	struct key_set s = KEY_SET_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(key_load_all(&s, data, len, "in", NULL, &e), -1, "accepted; want %s", want);
	cr_assert_eq(e.status, AK_INPUT, "%s", e.msg);
	cr_assert(strstr(e.msg, want) != NULL, "'%s' lacks '%s'", e.msg, want);
	cr_assert_eq(s.n, 0);
}

static void
refused_str(const char *text, const char *want)
{
	refused(text, strlen(text), want);
}

/* The RSA sample's public members with a d of its own: a private key of another n. */
static void
rsa_with_another_d(void)
{
	static const char *const crt[] = {"p", "q", "dp", "dq", "qi"};
	json_error_t je;
	json_t *j = json_load_file(KF "rsa.jwk", 0, &je);
	char *text;
	size_t i;

	cr_assert_not_null(j, "%s", je.text);
	for (i = 0; i < sizeof(crt) / sizeof(crt[0]); i++)
		json_object_del(j, crt[i]);
	json_object_set_new(j, "d", json_string("AQAB"));
	cr_assert_not_null(text = json_dumps(j, 0));
	refused_str(text, "the RSA JWK's d is not the private key of its n and e");
	free(text);
	json_decref(j);
}

static void
refused_file(const char *file, const char *want)
{
	struct key_set s = KEY_SET_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(key_load_file_all(&s, file, NULL, &e), -1, "%s accepted", file);
	cr_assert_eq(e.status, AK_INPUT, "%s", e.msg);
	cr_assert(strstr(e.msg, want) != NULL, "'%s' lacks '%s'", e.msg, want);
}

Test(key, bad_samples_say_what_is_wrong)
{
	refused_file(KF "ec.offcurve.bin", "a raw P-256 point of 65 bytes, but not on the curve");
	refused_file(KF "ec.badcrv.jwk", "JWK curve \"P-384\": akcred reads P-256 only");
	refused_file(KF "ec.truncated.jwk", "JWK member 'x': ");
	refused_file(KF "ec.ssh.truncated", "line 1: the key data is not base64, or is truncated");
	refused_file(KF "ec.csr.badsig.der",
		     "'" KF "ec.csr.badsig.der': the certificate request's signature does not "
		     "verify");
	refused_file(KF "ed25519.ssh.pub",
		     "line 1: OpenSSH key type 'ssh-ed25519' is not one akcred reads");
}

/* A PEM request whose signature does not verify is refused as the DER one is. */
Test(key, a_pem_request_with_a_bad_signature_is_refused)
{
	FILE *f = fopen(KF "ec.csr.badsig.der", "rb");
	unsigned char der[512];
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	size_t n;
	long len;

	cr_assert_not_null(f);
	n = fread(der, 1, sizeof(der), f);
	fclose(f);
	cr_assert(PEM_write_bio(bio, "CERTIFICATE REQUEST", "", der, (long)n) > 0);
	len = BIO_get_mem_data(bio, &pem);
	refused(pem, (size_t)len, "'in': the certificate request's signature does not verify");
	BIO_free(bio);
}

/* The JWK sample's members, to make bad ones from. */
#define EC_X "\"x\":\"THb_Nn_P5Xx3DCb6tWCyD5Vm7LTBToGgwHAsiOtpBrQ\""
#define EC_Y "\"y\":\"q0SYLX1IaYBGpiLQ4JVSbJZb_rydDL6j0N-GXU-DMQA\""

Test(key, bad_jwks_say_what_is_wrong)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	const char *good = "{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X "," EC_Y
			   ",\"kid\":\"not-the-fingerprint\",\"use\":\"sig\"}";

	/* Members other than the key's own are not read. */
	cr_assert_eq(key_load(&k, (const unsigned char *)good, strlen(good), "in", NULL, &e), 0,
		     "%s", e.msg);
	assert_kid(&k, "ec", "jwk with kid");
	key_clear(&k);
	refused_str("{\"kty\":\"EC\"," EC_X "," EC_Y "}", "EC JWK without a \"crv\" string");
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X "}", "EC JWK without \"y\"");
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X ",\"y\":\"AAAA\"}",
		    "JWK \"y\" is 3 bytes, not the 32 of P-256");
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X ",\"y\":5}",
		    "JWK member 'y' is not a base64url string");
	/* y + 1 in its last character: no longer on the curve. */
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X
		    ",\"y\":\"q0SYLX1IaYBGpiLQ4JVSbJZb_rydDL6j0N-GXU-DMQE\"}",
		    "the JWK's x and y are not a point on the P-256 curve");
	/* A d that is not the scalar of x, y. */
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X "," EC_Y
		    ",\"d\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\"}",
		    "the JWK's d is not the private key of its x and y");
	refused_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X ",\"y\":\"q0SY+X1I\"}",
		    "JWK member 'y': '+' at offset 4 is standard base64, not base64url");
	rsa_with_another_d();
	refused_str("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
		    "JWK kty \"oct\": akcred reads EC (P-256) and RSA keys");
	refused_str("{\"crv\":\"P-256\"}", "JWK without a \"kty\" string");
	refused_str("{\"kty\":\"RSA\",\"e\":\"AQAB\"}", "RSA JWK without \"n\"");
	refused_str("{\"kty\":\"RSA\",\"n\":\"sXch\",\"e\":\"AQAB\",\"d\":\"AQAB\",\"p\":\"AQAB\"}",
		    "a private key needs d, and p, q, dp, dq, qi all or none");
	refused_str("{\"kty\":\"RSA\",\"n\":\"sXch\",\"e\":\"AQAB\",\"oth\":[]}",
		    "more than two primes (\"oth\"): not supported");
	refused_str("{\"keys\":[]}", "a JWK Set's \"keys\" is an array of JWKs, not empty");
	refused_str("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\"," EC_X "," EC_Y "},7]}",
		    "(key 2 of the JWK Set): a JWK is a JSON object");
	refused_str("{\"kty\":\"EC\",\"kty\":\"RSA\"}", "is not a JWK: invalid JSON at line 1");
	refused_str("{\"kty\":\"EC\",", "is not a JWK: invalid JSON");
}

/* A broken private JWK's message says where, never what: Jansson's text would quote d. */
Test(key, a_broken_jwk_is_not_quoted)
{
	const char *jwk = "{\"kty\":\"EC\",\"d\":\"c2VjcmV0IHNjYWxhcg\" \"x\":1}";
	struct key_set s = KEY_SET_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(key_load_all(&s, (const unsigned char *)jwk, strlen(jwk), "in", NULL, &e), -1);
	cr_assert_str_eq(e.msg, "'in' is not a JWK: invalid JSON at line 1, column 40");
}

Test(key, bad_openssh_lines_say_what_is_wrong)
{
	/* "ssh-rsa" on the line, an ecdsa key in the data. */
	refused_str("ssh-rsa AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA== x\n",
		    "line 1: the key data is of another key type than the line names");
	/* The type's string, then nothing. */
	refused_str("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=\n",
		    "line 1: the key data is truncated or malformed");
	refused_str("ecdsa-sha2-nistp256\n", "line 1: no key data after 'ecdsa-sha2-nistp256'");
	refused_str("# keys\nssh-ed25519 AAAA\n", "line 2: OpenSSH key type 'ssh-ed25519'");
	refused_str("sk-ecdsa-sha2-nistp256@openssh.com AAAA\n", "OpenSSH key type 'sk-ecdsa");
}

/* Every line of an authorized_keys file counts: one that is no key refuses the file. */
Test(key, every_line_of_authorized_keys_counts)
{
	FILE *f = fopen(KF "authorized_keys", "rb");
	char buf[4096];
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 64, f);
	fclose(f);
	memcpy(buf + n, "no-pty just words\n", 18);
	refused(buf, n + 18, "'in' line 5: not an OpenSSH public key");
}

Test(key, fingerprint_form_is_64_lowercase_hex_digits)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1];

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(key_fingerprint(&k, fp, &e), 0);
	cr_assert(key_fingerprint_ok(fp));
	key_clear(&k);
	fp[5] = 'A';
	cr_assert_not(key_fingerprint_ok(fp), "uppercase");
	fp[5] = 'g';
	cr_assert_not(key_fingerprint_ok(fp), "not hex");
	cr_assert_not(key_fingerprint_ok(""));
	cr_assert_not(key_fingerprint_ok(
			      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"),
		      "63 digits");
	cr_assert_not(key_fingerprint_ok(
			      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"),
		      "65 digits");
}
