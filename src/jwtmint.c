/*
 * jwtmint: minting akenza device tokens (see jwtmint.h).
 *
 * The header and claims are printed as compact JSON (every value is ours or
 * validated, so nothing needs escaping), encoded as base64url, and the
 * SHA-256 of the signing input is signed with EVP_PKEY_sign on a context
 * prepared once per key.  ES256 comes out of OpenSSL as a DER
 * ECDSA-Sig-Value and is turned into the raw 64-byte R||S that JWS requires
 * (RFC 7518 section 3.4).  The audience and the time bounds are jwt.c's, the
 * rules the checker applies: nothing is minted that it would refuse.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "b64.h"
#include "jwt.h"
#include "jwtmint.h"
#include "p11.h"
#include "timeutil.h"
#include "banned.h"

void
jwt_signer_clear(struct jwt_signer *s)
{
	EVP_PKEY_CTX_free(s->ctx);
	EVP_MD_free(s->md);
	EVP_MD_CTX_free(s->mdctx);
	*s = (struct jwt_signer)JWT_SIGNER_INIT;
}

int
jwt_signer_init(struct jwt_signer *s, const struct key *k, struct err *e)
{
	const char *why = NULL;
	char desc[64];

	*s = (struct jwt_signer)JWT_SIGNER_INIT;
	if (sodium_init() < 0)
		return err_set(e, AK_CRYPTO, "cannot initialise libsodium");
	if (!k->is_private)
		return err_set(e, AK_INPUT, "a private key is needed to sign, not a %s",
			       k->cert ? "certificate" : "public key");
	if ((s->alg = key_akenza_alg(k, &why)) == NULL)
		return err_set(e, AK_INPUT, "a %s key cannot sign akenza tokens: %s",
			       key_describe(k, desc, sizeof(desc)), why);
	if (key_fingerprint(k, s->kid, e) != 0)
		return -1;
	s->sig_max = (size_t)EVP_PKEY_get_size(k->pkey);
	if (k->p11 != NULL) {
		/* The token hashes and signs; its session is already open (p11.h). */
		s->p11 = k->p11;
		return 0;
	}
	/* Prepared once: fetching the algorithm per token costs more than hashing it. */
	if ((s->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (s->mdctx = EVP_MD_CTX_new()) == NULL ||
	    (s->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(s->ctx) <= 0 || EVP_PKEY_CTX_set_signature_md(s->ctx, s->md) <= 0 ||
	    (key_type(k) == KEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(s->ctx, RSA_PKCS1_PADDING) <= 0)) {
		jwt_signer_clear(s);
		return err_openssl(e, AK_CRYPTO, "cannot set up signing");
	}
	return 0;
}

/* DER ECDSA-Sig-Value -> raw R||S, each left-padded to 32 bytes. */
static int
es256_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[JWT_ES256_SIG_LEN])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int ok;

	/* OpenSSL's own parser: no second DER reader on the signing path. */
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL || (size_t)(p - der) != len) {
		ECDSA_SIG_free(sig);
		return -1;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* Header and claims JSON are far below this (device id and host are bounded). */
#define JSON_PART_MAX 1024

size_t
jwt_signer_token_max(const struct jwt_signer *s)
{
	return 2 * B64URL_ENCODED_LEN(JSON_PART_MAX) + 2 + B64URL_ENCODED_LEN(s->sig_max) + 1;
}

int
jwt_signer_mint_buf(struct jwt_signer *s, const struct jwt_mint_opts *o, char *tok, size_t toksize,
		    size_t *len, struct err *e)
{
	char aud[JWT_AUD_MAX], hjson[JSON_PART_MAX], cjson[JSON_PART_MAX];
	unsigned char md[32], der[1024], sig[1024];
	size_t hlen, clen, n, derlen = sizeof(der), siglen;
	unsigned int mdlen = 0;
	time_t iat;
	int rc = -1, hl, cl;

	*len = 0;
	if (o->ttl <= 0 || o->ttl > TIMEUTIL_DURATION_MAX)
		return err_set(e, AK_INPUT, "the lifetime must be from 1s to 100 years");
	if (jwt_audience(o->aud_host, o->device_id, aud, sizeof(aud), e) != 0)
		return -1;
	iat = o->iat != 0 ? o->iat : time(NULL);
	if (iat < 0 || (long long)iat > JWT_TIME_MAX)
		return err_set(e, AK_INPUT, "iat is out of range");
	/* jwt_check() refuses an exp after 9999: never mint one. */
	if ((long long)iat + o->ttl > JWT_TIME_MAX)
		return err_set(e, AK_INPUT,
			       "exp = iat + the lifetime is after 9999-12-31T23:59:59Z");

	/*
	 * Header and claims are printed, not built with Jansson: every value is
	 * ours or validated (alg and kid are constants and hex, the audience
	 * passed devid_check and jwt_aud_host_check, which refuse '"', '\\' and
	 * control characters), so nothing needs escaping, and Jansson's
	 * allocations cost a fifth of an ES256 signature.  The unit tests parse
	 * the result back with Jansson.
	 */
	if (strpbrk(aud, "\"\\") != NULL) {
		err_set(e, AK_INTERNAL, "internal error: the audience needs JSON escaping");
		goto out;
	}
	if (o->no_kid)
		hl = snprintf(hjson, sizeof(hjson), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", s->alg);
	else
		hl = snprintf(hjson, sizeof(hjson),
			      "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", s->alg, s->kid);
	cl = snprintf(cjson, sizeof(cjson), "{\"iat\":%lld,\"exp\":%lld,\"aud\":\"%s\"%s%s%s}",
		      (long long)iat, (long long)iat + o->ttl, aud, o->sub ? ",\"sub\":\"" : "",
		      o->sub ? o->device_id : "", o->sub ? "\"" : "");
	if (hl < 0 || (size_t)hl >= sizeof(hjson) || cl < 0 || (size_t)cl >= sizeof(cjson)) {
		err_set(e, AK_INTERNAL, "internal error: the token's JSON is too long");
		goto out;
	}
	hlen = (size_t)hl;
	clen = (size_t)cl;
	if (B64URL_ENCODED_LEN(hlen) + 1 + B64URL_ENCODED_LEN(clen) + 1 +
		    B64URL_ENCODED_LEN(s->sig_max) + 1 >
	    toksize) {
		err_set(e, AK_CRYPTO, "the token does not fit its buffer");
		goto out;
	}
	n = b64url_encode(tok, toksize, (const unsigned char *)hjson, hlen);
	tok[n++] = '.';
	n += b64url_encode(tok + n, toksize - n, (const unsigned char *)cjson, clen);

	if (s->p11 != NULL) {
		/* ES256 comes back from the token as R||S already, its length checked there. */
		if (p11_sign(s->p11, (const unsigned char *)tok, n, sig, &siglen, e) != 0)
			goto out;
	} else if (!EVP_DigestInit_ex2(s->mdctx, s->md, NULL) ||
		   !EVP_DigestUpdate(s->mdctx, tok, n) ||
		   !EVP_DigestFinal_ex(s->mdctx, md, &mdlen) ||
		   EVP_PKEY_sign(s->ctx, der, &derlen, md, mdlen) <= 0) {
		err_openssl(e, AK_CRYPTO, "cannot sign the token");
		goto out;
	} else if (key_alg_type(s->alg) == KEY_EC) {
		if (es256_der_to_raw(der, derlen, sig) != 0) {
			err_set(e, AK_CRYPTO, "cannot convert the ECDSA signature to R||S");
			goto out;
		}
		siglen = JWT_ES256_SIG_LEN;
	} else {
		memcpy(sig, der, derlen);
		siglen = derlen;
	}
	tok[n++] = '.';
	n += b64url_encode(tok + n, toksize - n, sig, siglen);
	*len = n;
	rc = 0;
out:
	if (rc != 0)
		sodium_memzero(tok, toksize);
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(der, sizeof(der));
	return rc;
}

int
jwt_signer_mint(struct jwt_signer *s, const struct jwt_mint_opts *o, char **token, size_t *len,
		struct err *e)
{
	size_t size = jwt_signer_token_max(s);
	char *tok;

	*token = NULL;
	*len = 0;
	/* The token is a password: it lives in locked, guarded memory. */
	if ((tok = sodium_malloc(size)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory for the token");
	if (jwt_signer_mint_buf(s, o, tok, size, len, e) != 0) {
		sodium_free(tok);
		return -1;
	}
	*token = tok;
	return 0;
}

int
jwt_mint(const struct key *k, const struct jwt_mint_opts *o, char **token, size_t *len,
	 struct err *e)
{
	struct jwt_signer s;
	int rc;

	*token = NULL;
	*len = 0;
	if (jwt_signer_init(&s, k, e) != 0)
		return -1;
	rc = jwt_signer_mint(&s, o, token, len, e);
	jwt_signer_clear(&s);
	return rc;
}
