/* Unit tests of the key module: generation, encodings, the canonical fingerprint. */
#include <criterion/criterion.h>
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
	const char *csr =
		"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
	const unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x05};

	cr_assert_eq(key_load(&k, (const unsigned char *)csr, strlen(csr), "r", NULL, &e), -1);
	cr_assert(strstr(e.msg, "PEM 'CERTIFICATE REQUEST'") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, der, sizeof(der), "d", NULL, &e), -1);
	cr_assert(strstr(e.msg, "DER data of an unknown structure") != NULL, "%s", e.msg);
	cr_assert_eq(key_load(&k, (const unsigned char *)"", 0, "z", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(empty)") != NULL, "%s", e.msg);
	cr_assert_null(k.pkey);
}

/* Raw points and hex or base64 text are named for what they look like, not "text" or "DER". */
Test(key, names_raw_points_and_encoded_text)
{
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	unsigned char point[65], comp[33];
	char hex[2 * sizeof(point) + 2];
	const char *b64 = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n";
	const char *words = "not a key at all\n";
	unsigned char *blank;

	memset(point, 0x41, sizeof(point)); /* printable bytes: no NUL to give it away */
	point[0] = 0x04;
	memset(comp, 0x41, sizeof(comp));
	comp[0] = 0x03;
	sodium_bin2hex(hex, sizeof(hex), point, sizeof(point));
	strcat(hex, "\n");
	cr_assert_eq(key_load(&k, point, sizeof(point), "p", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(a raw uncompressed EC point (65 bytes): not supported") != NULL,
		  "%s", e.msg);
	cr_assert_eq(key_load(&k, comp, sizeof(comp), "c", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(a raw compressed EC point (33 bytes)") != NULL, "%s", e.msg);
	/* "04..." starts with '0', 0x30, the tag of a DER SEQUENCE. */
	cr_assert_eq(key_load(&k, (unsigned char *)hex, strlen(hex), "h", NULL, &e), -1);
	cr_assert(strstr(e.msg, "(hex text of 130 digits, like a raw EC point") != NULL, "%s",
		  e.msg);
	cr_assert_null(strstr(e.msg, "unknown structure"), "%s", e.msg);
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
	snprintf(buf, sizeof(buf),
		 "%s-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n",
		 pa);
	cr_assert_eq(key_load_all(&s, (unsigned char *)buf, strlen(buf), "f", NULL, &e), -1);
	cr_assert(strstr(e.msg, "PEM 'CERTIFICATE REQUEST' (PEM block 2)") != NULL, "%s", e.msg);
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
}
