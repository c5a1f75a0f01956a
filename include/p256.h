/*
 * p256: the fixed encodings of EC P-256 keys, written and read directly, for
 * batch provisioning.
 *
 * OpenSSL 3.0's generic encoders and decoders cost 0.1 to 0.8 ms a call
 * (provider look-ups under locks), ten times the key generation itself.  A
 * P-256 key has exactly one DER layout as PKCS#8 (unencrypted, with the
 * public point, as OpenSSL writes it) and one as SubjectPublicKeyInfo (named
 * curve, uncompressed point); this module writes those bytes itself -- the
 * unit tests check that they are identical to OpenSSL's -- and reads back
 * only exactly those layouts, so anything else goes to the generic key_load().
 */
#ifndef AKCRED_P256_H
#define AKCRED_P256_H

#include <stddef.h>

#include "err.h"
#include "key.h"

#define P256_SPKI_DER_LEN 91
#define P256_PKCS8_DER_LEN 138
#define P256_POINT_LEN 65 /* 0x04 || X || Y */
#define P256_SCALAR_LEN 32
/* PEM of either, with room to spare */
#define P256_PEM_MAX 320

struct p256_keypair {
	unsigned char scalar[P256_SCALAR_LEN]; /* secret: keep this struct in sodium memory */
	unsigned char point[P256_POINT_LEN];
};

/* The scalar and point of k, which must be a P-256 private key. */
int p256_from_key(const struct key *k, struct p256_keypair *kp, struct err *e);

/* DER encodings. */
void p256_spki_der(const unsigned char point[P256_POINT_LEN], unsigned char der[P256_SPKI_DER_LEN]);
void p256_pkcs8_der(const struct p256_keypair *kp, unsigned char der[P256_PKCS8_DER_LEN]);
/* PEM of der with label ("PRIVATE KEY", "PUBLIC KEY") into out; returns the length, or 0. */
size_t p256_pem(const char *label, const unsigned char *der, size_t len, char *out, size_t size);
/* The akenza fingerprint of the public point (SHA-256 of its SubjectPublicKeyInfo). */
void p256_fingerprint(const unsigned char point[P256_POINT_LEN], char hex[KEY_FINGERPRINT_HEX + 1]);

/* Read back exactly the PEM p256_pem() writes: 0, or -1 if pem is anything else. */
int p256_parse_private(const char *pem, size_t len, struct p256_keypair *kp);
int p256_parse_public(const char *pem, size_t len, unsigned char point[P256_POINT_LEN]);
/* 1 if point is scalar times the generator (the two halves belong together), else 0. */
int p256_pair_ok(const struct p256_keypair *kp);

#endif
