/*
 * key: device keys and certificates -- loading any encoding, generating,
 * exporting, and the akenza fingerprint.
 *
 * The format of an input is detected from its content, never from a file
 * name, by these rules in this order, each of which leaves no doubt:
 *   - a "-----BEGIN " line: PEM, each block by its label (a PKCS#10
 *     "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST" included);
 *   - text -- no control characters but tabs and line breaks; bytes from
 *     0x80 up (UTF-8) only when the input is not of a binary raw point's
 *     length and prefix below -- whose first character after white space is
 *     '{': a JWK (RFC 7517), or a JWK Set if it has "keys" -- every key of
 *     the set, in order;
 *   - text whose first line that is neither blank nor a '#' comment has an
 *     OpenSSH key type ("ssh-...", "ecdsa-sha2-...", "sk-...") first or after
 *     authorized_keys options: OpenSSH public keys, one a line, every line;
 *   - text that is hex digits alone (white space and ':' between them
 *     allowed) of exactly 130 ("04" first), 128 or 66 ("02"/"03" first)
 *     digits: a raw P-256 point, as the binary forms below;
 *   - binary data (not printable ASCII alone) of exactly 65 bytes starting
 *     0x04 (04||X||Y), 64 bytes (X||Y, as an ATECC608 reports it: never DER,
 *     no DER key akenza takes is 64 bytes) or 33 bytes starting 0x02/0x03
 *     (compressed): a raw P-256 point;
 *   - anything else binary: DER, by trying each structure (certificate,
 *     certificate request, SubjectPublicKeyInfo, the private key forms,
 *     PKCS#1) and requiring that it consumes every byte.
 * The point of an EC key given raw, as a JWK or in OpenSSH form must be on
 * the curve (OpenSSL checks it as it builds the key).  A certificate request's self-signature
 * is verified: a request whose signature does not verify is refused, since
 * it proves nobody held the private key.  A JWK's members other than the
 * key's own (kid, alg, use, ...) are not read: the kid of every key is its
 * fingerprint, as for every other form, and jwt verify picks from a JWK Set
 * by it as from a PEM bundle.  Only EC P-256 and RSA are read from the JWK,
 * OpenSSH and raw forms (the keys akenza takes).
 *
 * The fingerprint is the lowercase hex SHA-256 of the DER
 * SubjectPublicKeyInfo, always re-encoded in one canonical form (named
 * curve, uncompressed point) so that every encoding of one key gives the
 * same kid.
 */
#ifndef AKCRED_KEY_H
#define AKCRED_KEY_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "err.h"
#include "fileio.h"
#include "passphrase.h"

enum key_type { KEY_OTHER = 0, KEY_EC, KEY_RSA };

enum key_format {
	KEY_FMT_SPKI,         /* SubjectPublicKeyInfo, "PUBLIC KEY" */
	KEY_FMT_PKCS1_PUBLIC, /* "RSA PUBLIC KEY" */
	KEY_FMT_PKCS8,        /* "PRIVATE KEY" */
	KEY_FMT_PKCS8_ENCRYPTED,
	KEY_FMT_RSA_PRIVATE,      /* PKCS#1 "RSA PRIVATE KEY" */
	KEY_FMT_EC_PRIVATE,       /* SEC1 "EC PRIVATE KEY" */
	KEY_FMT_X509,             /* certificate */
	KEY_FMT_CSR,              /* PKCS#10 certificate request, its signature verified */
	KEY_FMT_OPENSSH,          /* OpenSSH public key (a line of authorized_keys) */
	KEY_FMT_JWK,              /* JWK, alone or in a JWK Set; private if it has "d" */
	KEY_FMT_POINT,            /* raw P-256 point 04||X||Y */
	KEY_FMT_POINT_XY,         /* raw P-256 point X||Y */
	KEY_FMT_POINT_COMPRESSED, /* raw P-256 point 02/03||X */
	KEY_FMT_PKCS11,           /* a key on a PKCS#11 token (p11.h), named by a "pkcs11:" URI */
};

#define KEY_FINGERPRINT_HEX 64

struct key {
	EVP_PKEY *pkey;
	X509 *cert; /* when the input was a certificate */
	enum key_format format;
	int pem; /* input was text: PEM, JSON, OpenSSH, hex (else DER, binary) */
	int is_private;
	int encrypted; /* the input was passphrase-protected */
	/* A token's private key (p11.h): pkey is then its public half, and p11 signs. */
	struct p11_key *p11;
	/*
	 * A P-256 key's uncompressed public point, when known from its making
	 * or its file (point_len 65, else 0): OpenSSL converts the point to
	 * affine coordinates, a field inversion, each time it is asked, and a
	 * new device asks three times (both PEMs and the fingerprint).
	 */
	unsigned char point[65];
	size_t point_len;
};
/* clang-format off */
#define KEY_INIT {NULL, NULL, KEY_FMT_SPKI, 0, 0, 0, NULL, {0}, 0}
/* clang-format on */

/*
 * Load a key or certificate from data.  pp may be NULL: an encrypted key then
 * fails with a message that says how to give a passphrase.  name is used in
 * messages only.
 */
int key_load(struct key *k, const unsigned char *data, size_t len, const char *name,
	     struct passphrase *pp, struct err *e);
/* Read path ("-": stdin) and key_load() it; a "pkcs11:" URI is a token's key (p11.h). */
int key_load_file(struct key *k, const char *path, struct passphrase *pp, struct err *e);

/*
 * Every key and certificate of an input, in the order of its PEM blocks
 * (DER holds one).  key_load() is key_load_all() that refuses, with a
 * message saying so, an input that holds more than one: where one key is
 * needed (signing, uploading) a file of several is never read as its first.
 * A PEM block that is not a key or certificate refuses the whole input.
 */
struct key_set {
	struct key *keys;
	size_t n;
};
/* clang-format off */
#define KEY_SET_INIT {NULL, 0}
/* clang-format on */

int key_load_all(struct key_set *s, const unsigned char *data, size_t len, const char *name,
		 struct passphrase *pp, struct err *e);
int key_load_file_all(struct key_set *s, const char *path, struct passphrase *pp, struct err *e);
/* Move every key of src to the end of dst (src is left empty); -1 with e, out of memory. */
int key_set_take(struct key_set *dst, struct key_set *src, struct err *e);
void key_set_clear(struct key_set *s);
/* Generate: KEY_EC (P-256, bits ignored) or KEY_RSA with bits. */
/* Initialise OpenSSL and libsodium now, reporting a failure (key_generate, key_gen_init and
 * key_load_all do; threaded callers first). */
int key_init(struct err *e);
int key_generate(struct key *k, enum key_type type, int bits, struct err *e);
/*
 * A generator of many keys of one type and size: key_generate sets up an
 * OpenSSL context for each key (its look-ups and parameters cost as much as
 * a P-256 key itself); a batch keeps one per thread (a context is not to be
 * shared between threads).
 */
struct key_gen {
	EVP_PKEY_CTX *ctx;
	enum key_type type;
};
/* clang-format off */
#define KEY_GEN_INIT {NULL, KEY_OTHER}
/* clang-format on */
int key_gen_init(struct key_gen *g, enum key_type type, int bits, struct err *e);
/* A new key pair in k (cleared first). */
int key_gen_next(struct key_gen *g, struct key *k, struct err *e);
void key_gen_clear(struct key_gen *g);
void key_clear(struct key *k);

enum key_type key_type(const struct key *k);
/* RSA modulus bits, or the curve's bits for EC. */
int key_bits(const struct key *k);
/* "P-256" style curve name for EC keys ("prime256v1" becomes "P-256"), else NULL. */
const char *key_curve(const struct key *k);
/* "EC P-256", "RSA 2048", "ED25519", ... into buf. */
const char *key_describe(const struct key *k, char *buf, size_t size);
const char *key_format_name(enum key_format f);
/* How the input was written: "PEM", "DER", "JSON", "OpenSSH", "hex" or "binary". */
const char *key_encoding_name(const struct key *k);

/*
 * The JWS algorithm akenza would use with this key ("ES256" or "RS256"), or
 * NULL with *why saying why akenza will not take it.
 */
const char *key_akenza_alg(const struct key *k, const char **why);
/* akenza's credential algorithm name: EC256_PEM, RSA256_X509_PEM, ... (NULL if unsupported). */
const char *key_akenza_credential(const struct key *k, int x509);

/*
 * akenza's names, from the one table of them: for each key type akenza
 * takes, the JWS alg and the REST API's credential algorithms (x509: the key
 * uploaded as a certificate).  NULL, or KEY_OTHER, for anything else.
 */
const char *key_type_alg(enum key_type t);
/* Our own names of those types, as --type and the JSON outputs spell them: "ec", "rsa". */
const char *key_type_name(enum key_type t);
enum key_type key_name_type(const char *name);
const char *key_type_credential(enum key_type t, int x509);
enum key_type key_alg_type(const char *alg);
/* The credential algorithms numbered 0 .. KEY_CREDENTIALS - 1 (NULL beyond; -1: no such name). */
#define KEY_CREDENTIALS 4
const char *key_credential_name(int i);
int key_credential_index(const char *name);
/* Is name one of the X509 credential algorithms (a certificate uploaded)?  1 or 0. */
int key_credential_x509(const char *name);

/* Canonical DER SubjectPublicKeyInfo (OPENSSL_free() it). */
int key_spki_der(const struct key *k, unsigned char **der, size_t *len, struct err *e);
/* The akenza fingerprint (kid): 64 lowercase hex digits and a NUL. */
int key_fingerprint(const struct key *k, char hex[KEY_FINGERPRINT_HEX + 1], struct err *e);
/* 1 if s is a fingerprint as key_fingerprint() writes it: 64 lowercase hex digits. */
int key_fingerprint_ok(const char *s);
/* Do the public halves of a and b match? */
int key_same_public(const struct key *a, const struct key *b);
/*
 * Does private key k's public half belong to its private half?  For EC (a
 * file can carry any point beside a scalar) the point is recomputed; an RSA
 * key is taken as it is (1), as before p256.c became a leaf: OpenSSL's RSA
 * pairwise check costs about 64 ms a key, 10 CPU-minutes on a provision
 * rerun of 10,000 RSA devices.  0 for a public key.
 */
int key_pair_ok(const struct key *k);

/* Private key as PKCS#8 PEM in sodium memory (sodium_free() it); encrypted if pass != NULL. */
int key_private_pem(const struct key *k, const char *pass, size_t passlen, char **pem, size_t *len,
		    struct err *e);
/*
 * The same into out (NUL-terminated, out->len bytes), sodium memory kept from
 * one call to the next (fileio_buf_reserve): a batch that encodes a key per
 * device maps, locks and frees that memory once per thread, not per key.
 * The caller wipes it (fileio_buf_wipe) and frees it (fileio_buf_clear).
 */
int key_private_pem_buf(const struct key *k, const char *pass, size_t passlen,
			struct fileio_buf *out, struct err *e);
/* Public key as SPKI PEM (free() it). */
int key_public_pem(const struct key *k, char **pem, size_t *len, struct err *e);
/*
 * Self-signed X.509 certificate, CN = cn, valid from now for days days; PEM
 * (free() it).  Every device certificate akcred makes (keygen, provision,
 * rotate) is one of these, valid KEY_CERT_DAYS_DEFAULT days unless the
 * command's --days says otherwise (1 to KEY_CERT_DAYS_MAX).
 */
int key_self_signed_pem(const struct key *k, const char *cn, int days, char **pem, size_t *len,
			struct err *e);
#define KEY_CERT_DAYS_DEFAULT 3650
#define KEY_CERT_DAYS_MAX 36500
/* Is k a certificate of the key with fingerprint fp, for subject CN=cn exactly?  1 or 0. */
int key_cert_is_for(const struct key *k, const char *fp, const char *cn);

/* Certificate details (k->cert != NULL). */
int key_cert_subject(const struct key *k, char *buf, size_t size);
int key_cert_validity(const struct key *k, time_t *not_before, time_t *not_after);
/* The one ASN1_TIME conversion: t as seconds since the epoch (UTC); -1 if unreadable. */
int key_asn1_time(const ASN1_TIME *t, time_t *out);

/*
 * The one rule for a certificate used as a device key (jwt verify, check's
 * local checks, the broker plugin, all through jwt_check): valid from
 * notBefore through notAfter inclusive (RFC 5280 4.1.2.5), each end widened
 * by leeway seconds -- the clock skew the token's own times get.  A key that
 * is no certificate is KEY_CERT_VALID; times that cannot be read are not.
 */
enum key_cert_time {
	KEY_CERT_VALID = 0,
	KEY_CERT_NOT_YET_VALID,
	KEY_CERT_EXPIRED,
	KEY_CERT_UNREADABLE,
};
enum key_cert_time key_cert_valid_at(const struct key *k, time_t now, long leeway);
int key_cert_sha1(const struct key *k, char hex[41]);

#endif
