/* Unit tests of the p256 module: byte for byte what OpenSSL writes, and read back. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"
#include "p256.h"

static void
init(void)
{
	cr_assert(sodium_init() >= 0);
}

TestSuite(p256, .init = init);

Test(p256, encodes_exactly_like_openssl)
{
	struct key k = KEY_INIT, back = KEY_INIT;
	struct p256_keypair kp;
	unsigned char der[P256_PKCS8_DER_LEN], sder[P256_SPKI_DER_LEN];
	char pem[P256_PEM_MAX], spem[P256_PEM_MAX], *opriv, *opub;
	char fp[KEY_FINGERPRINT_HEX + 1], ofp[KEY_FINGERPRINT_HEX + 1];
	size_t n, sn, olen, opublen;
	struct err e = ERR_INIT;
	int i;

	for (i = 0; i < 50; i++) {
		cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
		cr_assert_eq(p256_from_key(&k, &kp, &e), 0, "%s", e.msg);
		p256_pkcs8_der(&kp, der);
		p256_spki_der(kp.point, sder);
		n = p256_pem("PRIVATE KEY", der, sizeof(der), pem, sizeof(pem));
		sn = p256_pem("PUBLIC KEY", sder, sizeof(sder), spem, sizeof(spem));
		cr_assert(n > 0 && sn > 0);
		cr_assert_eq(key_private_pem(&k, NULL, 0, &opriv, &olen, &e), 0);
		cr_assert_eq(key_public_pem(&k, &opub, &opublen, &e), 0);
		cr_assert_eq(n, olen);
		cr_assert_eq(memcmp(pem, opriv, n), 0, "ours:\n%s\nOpenSSL's:\n%s", pem, opriv);
		cr_assert_eq(sn, opublen);
		cr_assert_eq(memcmp(spem, opub, sn), 0, "ours:\n%s\nOpenSSL's:\n%s", spem, opub);
		p256_fingerprint(kp.point, fp);
		cr_assert_eq(key_fingerprint(&k, ofp, &e), 0);
		cr_assert_str_eq(fp, ofp);
		/* And OpenSSL reads ours as the same key. */
		cr_assert_eq(key_load(&back, (unsigned char *)pem, n, "ours", NULL, &e), 0, "%s",
			     e.msg);
		cr_assert(key_same_public(&back, &k));
		sodium_free(opriv);
		free(opub);
	}
	key_clear(&k);
	key_clear(&back);
}

Test(p256, reads_back_and_checks_the_pair)
{
	struct key k = KEY_INIT, other = KEY_INIT;
	struct p256_keypair kp, kp2, got;
	unsigned char der[P256_PKCS8_DER_LEN], sder[P256_SPKI_DER_LEN], point[P256_POINT_LEN];
	char pem[P256_PEM_MAX], spem[P256_PEM_MAX];
	size_t n, sn;
	struct err e = ERR_INIT;

	cr_assert_eq(key_generate(&k, KEY_EC, 0, &e), 0);
	cr_assert_eq(key_generate(&other, KEY_EC, 0, &e), 0);
	cr_assert_eq(p256_from_key(&k, &kp, &e), 0);
	cr_assert_eq(p256_from_key(&other, &kp2, &e), 0);
	p256_pkcs8_der(&kp, der);
	p256_spki_der(kp.point, sder);
	n = p256_pem("PRIVATE KEY", der, sizeof(der), pem, sizeof(pem));
	sn = p256_pem("PUBLIC KEY", sder, sizeof(sder), spem, sizeof(spem));
	cr_assert_eq(p256_parse_private(pem, n, &got), 0);
	cr_assert_eq(memcmp(&got, &kp, sizeof(kp)), 0);
	cr_assert_eq(p256_parse_public(spem, sn, point), 0);
	cr_assert_eq(memcmp(point, kp.point, sizeof(point)), 0);
	cr_assert(p256_pair_ok(&kp));
	/* A scalar with someone else's point is caught. */
	memcpy(got.point, kp2.point, sizeof(got.point));
	cr_assert_not(p256_pair_ok(&got));
	/* Anything but the exact layout is left to the generic loader. */
	cr_assert_eq(p256_parse_private(spem, sn, &got), -1);
	cr_assert_eq(p256_parse_public(pem, n, point), -1);
	cr_assert_eq(p256_parse_private(pem, n - 1, &got), -1);
	pem[40] = pem[40] == 'A' ? 'B' : 'A';
	cr_assert(p256_parse_private(pem, n, &got) == -1 || !p256_pair_ok(&got) ||
		  memcmp(&got, &kp, sizeof(kp)) == 0);
	key_clear(&k);
	key_clear(&other);
}

Test(p256, refuses_other_keys)
{
	struct key k = KEY_INIT;
	struct p256_keypair kp;
	struct err e = ERR_INIT;

	cr_assert_eq(key_generate(&k, KEY_RSA, 2048, &e), 0);
	cr_assert_eq(p256_from_key(&k, &kp, &e), -1);
	key_clear(&k);
}
