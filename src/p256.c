/* p256: the fixed layouts of EC P-256 keys, as bytes (see p256.h). */
#include <stdio.h>
#include <string.h>

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

/*
 * Are the n bytes at b base64 lines as OpenSSL writes them: 64 characters and
 * a line end each, the last one 1 to 64 characters?  Anything else (a blank
 * line, lines folded otherwise) is left to OpenSSL's reader, which refuses
 * some of it: this path must never take a file that path would not.
 */
static int
exact_lines(const char *b, size_t n)
{
	size_t i, line = 0;

	for (i = 0; i < n; i++) {
		if (b[i] != '\n') {
			if (++line > 64)
				return 0;
		} else if (line == 0 || (line != 64 && i + 1 != n)) {
			return 0;
		} else {
			line = 0;
		}
	}
	return n > 0 && line == 0;
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
	if (len < hl + tl || memcmp(pem, head, hl) != 0 || memcmp(pem + len - tl, tail, tl) != 0 ||
	    !exact_lines(pem + hl, len - hl - tl))
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
