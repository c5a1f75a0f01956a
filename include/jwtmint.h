/*
 * jwtmint: minting akenza device tokens -- compact JWS with RS256 or ES256.
 *
 * jwt_mint() and jwt_signer_*() make exactly the token akenza expects:
 * header {"alg","typ":"JWT","kid"}, claims {"iat","exp","aud"[,"sub"]},
 * compact JSON, base64url without padding, ES256 signatures as raw R||S.
 * The audience and the time bounds are the checker's (jwt.h), so a minted
 * token is one jwt_check() accepts.
 */
#ifndef AKCRED_JWTMINT_H
#define AKCRED_JWTMINT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "err.h"
#include "key.h"

#define JWT_TTL_DEFAULT (20 * 60) /* as the reference client */

struct jwt_mint_opts {
	const char *device_id;
	const char *aud_host; /* NULL: JWT_AUD_HOST_DEFAULT */
	time_t iat;           /* 0: now */
	long ttl;             /* seconds, > 0 */
	int no_kid;           /* leave kid out of the header */
	int sub;              /* add sub = device id */
};

/* Mint a token signed with private key k.  *token is sodium memory: sodium_free() it. */
int jwt_mint(const struct key *k, const struct jwt_mint_opts *o, char **token, size_t *len,
	     struct err *e);

/*
 * A signer prepared once for a key (kid computed, OpenSSL context set up),
 * for minting many tokens quickly: the broker-side tests and the benchmark
 * mint in a loop.  jwt_mint() is jwt_signer_init + jwt_signer_mint +
 * jwt_signer_clear.  A signer is not thread-safe; use one per thread.
 */
struct jwt_signer {
	EVP_PKEY_CTX *ctx; /* EVP_PKEY_sign context, initialised for SHA-256 */
	EVP_MD *md;        /* SHA-256, fetched once */
	const char *alg;   /* "ES256" or "RS256" */
	size_t sig_max;    /* EVP_PKEY_get_size() */
	char kid[KEY_FINGERPRINT_HEX + 1];
	EVP_MD_CTX *mdctx;         /* reused for each token's SHA-256 */
	const struct p11_key *p11; /* a token's key: signed there (p11.h), not by ctx */
};
/* clang-format off */
#define JWT_SIGNER_INIT {NULL, NULL, NULL, 0, "", NULL, NULL}
/* clang-format on */

int jwt_signer_init(struct jwt_signer *s, const struct key *k, struct err *e);
int jwt_signer_mint(struct jwt_signer *s, const struct jwt_mint_opts *o, char **token, size_t *len,
		    struct err *e);
void jwt_signer_clear(struct jwt_signer *s);
/* Room jwt_signer_mint_buf() needs for any token of this signer (device ids up to DEVID_MAX). */
size_t jwt_signer_token_max(const struct jwt_signer *s);
/*
 * Mint into buf (bufsize bytes, NUL-terminated): for callers that mint many
 * tokens into one buffer they keep in sodium memory, without an allocation
 * (and its mmap/mprotect/mlock system calls) per token.
 */
int jwt_signer_mint_buf(struct jwt_signer *s, const struct jwt_mint_opts *o, char *buf,
			size_t bufsize, size_t *len, struct err *e);

#endif
