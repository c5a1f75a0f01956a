/*
 * p256: the fixed DER layouts of EC P-256 keys, as bytes -- a leaf that knows
 * no key object and no OpenSSL; key.c alone uses it (key_load,
 * key_private_pem and key_spki_der, hence key_public_pem and
 * key_fingerprint, take this path for a P-256 key, every other key the
 * generic one).
 *
 * These templates stay because provision's speed needs them: OpenSSL 3's
 * generic encoders and decoders cost several times the key generation
 * itself in a batch such as tests/bench/provision.sh's 10,000 EC devices
 * (made, then checked by a rerun).  A P-256 key has exactly one
 * DER layout as PKCS#8 (unencrypted, with the public point, as OpenSSL
 * writes it) and one as SubjectPublicKeyInfo (named curve, uncompressed
 * point); the unit tests check that these bytes are identical to OpenSSL's.
 * Only exactly the PEM of those layouts is read back; anything else goes
 * to the generic loader.
 */
#ifndef AKCRED_P256_H
#define AKCRED_P256_H

#include <stddef.h>

#define P256_SPKI_DER_LEN 91
#define P256_PKCS8_DER_LEN 138
#define P256_POINT_LEN 65 /* 0x04 || X || Y */
#define P256_SCALAR_LEN 32

struct p256_keypair {
	unsigned char scalar[P256_SCALAR_LEN]; /* secret: wipe it after use */
	unsigned char point[P256_POINT_LEN];
};

/* DER encodings. */
void p256_spki_der(const unsigned char point[P256_POINT_LEN], unsigned char der[P256_SPKI_DER_LEN]);
void p256_pkcs8_der(const struct p256_keypair *kp, unsigned char der[P256_PKCS8_DER_LEN]);

/*
 * Read back exactly "-----BEGIN PRIVATE KEY-----" (or PUBLIC KEY) with
 * 64-character base64 lines around one of the layouts above, as OpenSSL's
 * PEM writer gives it: 0, or -1 if pem is anything else.  Whether the point
 * is the scalar's is not checked here.
 */
int p256_parse_private(const char *pem, size_t len, struct p256_keypair *kp);
int p256_parse_public(const char *pem, size_t len, unsigned char point[P256_POINT_LEN]);

#endif
