/* p256: direct encodings of EC P-256 keys (see p256.h). */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "p256.h"
#include "banned.h"

/* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) ... */
static const unsigned char spki_prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

/*
 * PrivateKeyInfo { version 0, { id-ecPublicKey, prime256v1 }, OCTET STRING {
 * ECPrivateKey { version 1, OCTET STRING scalar, [1] { BIT STRING point } } } }
 */
static const unsigned char pkcs8_prefix[] = {0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06,
					     0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
					     0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
					     0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20};
static const unsigned char pkcs8_middle[] = {0xa1, 0x44, 0x03, 0x42, 0x00};

_Static_assert(sizeof(spki_prefix) + P256_POINT_LEN == P256_SPKI_DER_LEN, "SPKI layout");
_Static_assert(sizeof(pkcs8_prefix) + P256_SCALAR_LEN + sizeof(pkcs8_middle) + P256_POINT_LEN ==
		   P256_PKCS8_DER_LEN,
	       "PKCS#8 layout");

int
p256_from_key(const struct key *k, struct p256_keypair *kp, struct err *e)
{
	const char *curve = key_curve(k);
	BIGNUM *d = NULL;
	size_t n = 0;
	int ok;

	if (curve == NULL || strcmp(curve, "P-256") != 0)
		return err_set(e, AK_CRYPTO, "internal error: not a P-256 key");
	ok = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
	     BN_bn2binpad(d, kp->scalar, P256_SCALAR_LEN) == P256_SCALAR_LEN &&
	     EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, kp->point,
					     P256_POINT_LEN, &n) &&
	     n == P256_POINT_LEN && kp->point[0] == 0x04;
	BN_clear_free(d);
	if (!ok)
		return err_openssl(e, AK_CRYPTO, "cannot export the EC key");
	return 0;
}

void
p256_spki_der(const unsigned char point[P256_POINT_LEN], unsigned char der[P256_SPKI_DER_LEN])
{
	memcpy(der, spki_prefix, sizeof(spki_prefix));
	memcpy(der + sizeof(spki_prefix), point, P256_POINT_LEN);
}

void
p256_pkcs8_der(const struct p256_keypair *kp, unsigned char der[P256_PKCS8_DER_LEN])
{
	unsigned char *p = der;

	memcpy(p, pkcs8_prefix, sizeof(pkcs8_prefix));
	p += sizeof(pkcs8_prefix);
	memcpy(p, kp->scalar, P256_SCALAR_LEN);
	p += P256_SCALAR_LEN;
	memcpy(p, pkcs8_middle, sizeof(pkcs8_middle));
	p += sizeof(pkcs8_middle);
	memcpy(p, kp->point, P256_POINT_LEN);
}

size_t
p256_pem(const char *label, const unsigned char *der, size_t len, char *out, size_t size)
{
	char b64[P256_PEM_MAX];
	size_t n = 0, b, i, line;
	int w;

	if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) > sizeof(b64))
		return 0;
	sodium_bin2base64(b64, sizeof(b64), der, len, sodium_base64_VARIANT_ORIGINAL);
	b = strlen(b64);
	w = snprintf(out, size, "-----BEGIN %s-----\n", label);
	if (w < 0 || (size_t)w >= size)
		return 0;
	n = (size_t)w;
	/* 64 characters a line, as RFC 7468 and OpenSSL do. */
	for (i = 0; i < b; i += line) {
		line = b - i < 64 ? b - i : 64;
		if (n + line + 1 >= size)
			return 0;
		memcpy(out + n, b64 + i, line);
		n += line;
		out[n++] = '\n';
	}
	w = snprintf(out + n, size - n, "-----END %s-----\n", label);
	if (w < 0 || (size_t)w >= size - n)
		return 0;
	sodium_memzero(b64, sizeof(b64));
	return n + (size_t)w;
}

void
p256_fingerprint(const unsigned char point[P256_POINT_LEN], char hex[KEY_FINGERPRINT_HEX + 1])
{
	unsigned char der[P256_SPKI_DER_LEN], md[32];

	p256_spki_der(point, der);
	crypto_hash_sha256(md, der, sizeof(der));
	sodium_bin2hex(hex, KEY_FINGERPRINT_HEX + 1, md, sizeof(md));
}

/* The DER inside exactly "-----BEGIN label-----\n<base64 lines>-----END label-----\n". */
static int
unpem(const char *label, const char *pem, size_t len, unsigned char *der, size_t want)
{
	char head[64], tail[64];
	size_t hl, tl, got = 0;
	const char *end;
	int rc;

	hl = (size_t)snprintf(head, sizeof(head), "-----BEGIN %s-----\n", label);
	tl = (size_t)snprintf(tail, sizeof(tail), "-----END %s-----\n", label);
	if (len < hl + tl || memcmp(pem, head, hl) != 0 || memcmp(pem + len - tl, tail, tl) != 0)
		return -1;
	rc = sodium_base642bin(der, want, pem + hl, len - hl - tl, "\n", &got, &end,
			       sodium_base64_VARIANT_ORIGINAL);
	if (rc != 0 || got != want || end != pem + len - tl)
		return -1;
	return 0;
}

int
p256_parse_private(const char *pem, size_t len, struct p256_keypair *kp)
{
	unsigned char der[P256_PKCS8_DER_LEN];
	const unsigned char *p = der;
	int rc = -1;

	if (unpem("PRIVATE KEY", pem, len, der, sizeof(der)) != 0)
		goto out;
	if (memcmp(p, pkcs8_prefix, sizeof(pkcs8_prefix)) != 0)
		goto out;
	p += sizeof(pkcs8_prefix);
	memcpy(kp->scalar, p, P256_SCALAR_LEN);
	p += P256_SCALAR_LEN;
	if (memcmp(p, pkcs8_middle, sizeof(pkcs8_middle)) != 0)
		goto out;
	p += sizeof(pkcs8_middle);
	memcpy(kp->point, p, P256_POINT_LEN);
	rc = kp->point[0] == 0x04 ? 0 : -1;
out:
	sodium_memzero(der, sizeof(der));
	return rc;
}

int
p256_parse_public(const char *pem, size_t len, unsigned char point[P256_POINT_LEN])
{
	unsigned char der[P256_SPKI_DER_LEN];

	if (unpem("PUBLIC KEY", pem, len, der, sizeof(der)) != 0 ||
	    memcmp(der, spki_prefix, sizeof(spki_prefix)) != 0 || der[sizeof(spki_prefix)] != 0x04)
		return -1;
	memcpy(point, der + sizeof(spki_prefix), P256_POINT_LEN);
	return 0;
}

int
p256_pair_ok(const struct p256_keypair *kp)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;
	int ok = 0;

	/* Import both halves as they are, then let OpenSSL recompute scalar * G. */
	if ((d = BN_secure_new()) == NULL || BN_bin2bn(kp->scalar, P256_SCALAR_LEN, d) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, kp->point,
					      P256_POINT_LEN) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0 ||
	    (check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		goto out;
	ok = EVP_PKEY_pairwise_check(check) == 1;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return ok;
}
