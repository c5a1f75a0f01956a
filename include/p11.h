/*
 * p11: keys on PKCS#11 tokens, named by RFC 7512 URIs ("pkcs11:token=factory;
 * object=sensor-17"), that never leave the token.
 *
 * p11-kit does the URI parsing and the module loading; it is loaded at run
 * time (dlib.h) by the first URI, so that a command that reads only files
 * never pays for it.  The module is the URI's module-path or module-name,
 * else p11_configure()'s (--pkcs11-module, $AKCRED_PKCS11_MODULE), else
 * every module p11-kit has registered.  The URI must match exactly one
 * token and one object on it (a private key unless it says type=).
 *
 * One session per process, opened by the first key and reused by every
 * signature after it (connect refreshes tokens for hours, a batch signs
 * hundreds); logged in once with the PIN from --pin-file, $AKCRED_PIN, the
 * URI's pin-source (a file), its pin-value, or a prompt with echo off, kept
 * in sodium memory only while logging in.  Calls are serialised: one session
 * may not sign for two threads at once.
 *
 * A token key is a struct key (key.h) whose pkey is the public half, read
 * from the token, and whose p11 member is the handle of its private half:
 * p11_sign() signs with it on the token.
 */
#ifndef AKCRED_P11_H
#define AKCRED_P11_H

#include <stddef.h>

#include <openssl/x509.h>

#include "err.h"

struct key;

#define P11_MODULE_ENV "AKCRED_PKCS11_MODULE"
#define P11_PIN_ENV "AKCRED_PIN"
/* The longest signature p11_sign() makes: RSA 4096. */
#define P11_SIG_MAX 512

/* What the commands' --pkcs11-module and --pin-file say (NULL: not given). */
struct p11_opts {
	const char *module;
	const char *pin_file;
};

/* Is s a PKCS#11 URI (and not a file name)?  "pkcs11:", in any case. */
int p11_is_uri(const char *s);
/* Does the URI carry a PIN of its own (pin-value), visible to ps when on argv? */
int p11_uri_has_pin_value(const char *s);
/*
 * The URI as messages and outputs show it: its path part, without the query
 * (module-path, pin-source, pin-value), so that no PIN is ever printed.
 */
void p11_uri_shown(const char *uri, char *buf, size_t size);
/* A key's name (a file, or a URI) as messages and outputs show it: name, or buf. */
const char *p11_name_shown(const char *name, char *buf, size_t size);
/* The module and PIN file for the URIs that come after (copied: o may go). */
void p11_configure(const struct p11_opts *o);

/* Load the key uri names into k (key_clear()ed first). */
int p11_key_load(struct key *k, const char *uri, struct err *e);
/* A token key's private half; freed by key_clear(). */
struct p11_key;
void p11_key_free(struct p11_key *pk);

/*
 * Sign data on the token: EC P-256 with CKM_ECDSA over its SHA-256 (sig is
 * the raw 64-byte R||S), RSA with CKM_SHA256_RSA_PKCS (PKCS#1 v1.5).  sig has
 * room for P11_SIG_MAX bytes.
 */
int p11_sign(const struct p11_key *pk, const unsigned char *data, size_t len, unsigned char *sig,
	     size_t *siglen, struct err *e);

/* Sign certificate cert (all but its signature filled) on the token, with SHA-256. */
int p11_sign_cert(const struct p11_key *pk, X509 *cert, struct err *e);

/*
 * Generate a key pair on the token of uri: type KEY_EC (P-256) or KEY_RSA
 * with bits, the private key sensitive, never extractable and for signing
 * only, both halves labelled with the URI's object and given the 32 bytes
 * of the fingerprint as their CKA_ID (so that id= can select a key by its
 * kid).  An object with that label already on the token refuses
 * (P11_GEN_NEW), or is destroyed once the new pair exists (P11_GEN_REPLACE),
 * or the private key of that label is taken as it is (P11_GEN_REUSE:
 * provision finding the key an interrupted run made).  k is the key:
 * P11_GEN_MADE, or P11_GEN_REUSED; P11_GEN_OLD_LEFT if the new pair is made
 * and whole but an old object could not be destroyed, e naming it -- the new
 * pair is never destroyed once it is whole; -1 with e (and no key made).
 */
enum p11_gen { P11_GEN_NEW, P11_GEN_REPLACE, P11_GEN_REUSE };
enum p11_gen_result { P11_GEN_MADE, P11_GEN_REUSED, P11_GEN_OLD_LEFT };
/* The most objects of one label p11_generate() replaces (one more refuses). */
#define P11_GEN_OLD_MAX 15
#define P11_OBJECT_URI_MAX 384
/*
 * What p11_generate() made, for outputs: the URI that names the key's private
 * half alone (its type= and id= added), and the old objects that remain
 * (P11_GEN_OLD_LEFT), by URIs of the same kind; none of them with a PIN.
 */
struct p11_gen_info {
	char uri[P11_OBJECT_URI_MAX];
	char left[P11_GEN_OLD_MAX][P11_OBJECT_URI_MAX];
	size_t nleft;
};
/* info may be NULL; it is filled when a key is returned. */
int p11_generate(struct key *k, const char *uri, int type, int bits, enum p11_gen how,
		 struct p11_gen_info *info, struct err *e);

/*
 * Open the session on the token uri names and log in now (provision: before
 * its worker threads, so that none of them prompts).
 */
int p11_open(const char *uri, struct err *e);
/*
 * token (a URI naming a token, no object) with ";object=<label>" added,
 * the label percent-encoded (RFC 7512's pchar); -1 with e if it does not fit.
 */
int p11_object_uri(const char *token, const char *label, char *buf, size_t size, struct err *e);

/* Log out, close the session, finalise the module (at exit; harmless if unused). */
void p11_shutdown(void);

#endif
