/* Unit tests of the key module: the SubjectPublicKeyInfo built without OpenSSL's encoder. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/x509.h>
#include <sodium.h>

#include "key.h"

#define DATA "tests/data/jwt/"

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(key, .init = setup);

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
	const char *files[] = {DATA "ec_private.pem",	   DATA "ec_public.pem",
			       DATA "ec2_private.pem",	   DATA "rsa_private.pem",
			       DATA "rsa_public.pem",	   DATA "rsa1024_private.pem",
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
