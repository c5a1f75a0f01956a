/* key: load any key or certificate encoding, generate, export, fingerprint (see key.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <jansson.h>
#include <sodium.h>

#include "b64.h"
#include "fileio.h"
#include "key.h"
#include "p11.h"
#include "p256.h"
#include "banned.h"

/* What the passphrase callback needs to fetch the passphrase lazily. */
struct pass_ctx {
	struct passphrase *pp;
	const char *name;
	struct err *e;
	int asked;
	int failed;
};

static int
need_pass(struct pass_ctx *pc)
{
	pc->asked = 1;
	if (pc->pp == NULL) {
		pc->failed = 1;
		return err_set(
			pc->e, AK_INPUT,
			"'%s' is encrypted: give its passphrase with --passphrase-file FILE, "
			"the " PASSPHRASE_ENV " environment variable or at the prompt",
			pc->name);
	}
	if (passphrase_get(pc->pp, pc->name, pc->e) != 0) {
		pc->failed = 1;
		return -1;
	}
	return 0;
}

/* OpenSSL's pem_password_cb for legacy-encrypted traditional PEM keys. */
static int
pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *pc = u;

	(void)rwflag;
	if (need_pass(pc) != 0)
		return -1;
	if (pc->pp->len > (size_t)size)
		return -1;
	memcpy(buf, pc->pp->value, pc->pp->len);
	return (int)pc->pp->len;
}

/* d2i_* on [p, p+len) that must consume every byte. */
#define WHOLE(call, start, len) ((call) != NULL && (size_t)(p - (start)) == (len))

static EVP_PKEY *
decrypt_pkcs8(const unsigned char *der, size_t len, struct pass_ctx *pc)
{
	const unsigned char *p = der;
	X509_SIG *sig = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pkey = NULL;

	if (!WHOLE(sig = d2i_X509_SIG(NULL, &p, (long)len), der, len)) {
		X509_SIG_free(sig);
		return NULL;
	}
	if (need_pass(pc) == 0) {
		p8 = PKCS8_decrypt(sig, pc->pp->value, (int)pc->pp->len);
		if (p8 == NULL) {
			ERR_clear_error();
			pc->failed = 1;
			err_set(pc->e, AK_INPUT, "wrong passphrase for '%s'", pc->name);
		} else {
			pkey = EVP_PKCS82PKEY(p8);
			PKCS8_PRIV_KEY_INFO_free(p8);
		}
	}
	X509_SIG_free(sig);
	return pkey;
}

/* Decode DER of a known format; fills k. */
/*
 * EVP_PKCS82PKEY asks every decoder of every key type; naming the key type
 * from the AlgorithmIdentifier halves the cost, a share of a whole "akcred
 * jwt mint" that tests/bench/jwt.sh sees.  Other types go the general way.
 */
static EVP_PKEY *
pkcs8_to_pkey(const PKCS8_PRIV_KEY_INFO *p8, const unsigned char *der, size_t len)
{
	const ASN1_OBJECT *oid;
	const char *type = NULL;
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = der;
	size_t left = len;

	if (PKCS8_pkey_get0(&oid, NULL, NULL, NULL, p8)) {
		if (OBJ_obj2nid(oid) == NID_X9_62_id_ecPublicKey)
			type = "EC";
		else if (OBJ_obj2nid(oid) == NID_rsaEncryption)
			type = "RSA";
	}
	if (type == NULL)
		return EVP_PKCS82PKEY(p8);
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", "PrivateKeyInfo", type, EVP_PKEY_KEYPAIR,
					     NULL, NULL);
	if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &p, &left) || left != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	if (pkey == NULL) {
		ERR_clear_error();
		return EVP_PKCS82PKEY(p8);
	}
	return pkey;
}

static int
decode_der_as(struct key *k, enum key_format f, const unsigned char *der, size_t len,
	      struct pass_ctx *pc)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pkey = NULL;
	X509_REQ *req;
	X509 *cert;

	switch (f) {
	case KEY_FMT_X509:
		cert = d2i_X509(NULL, &p, (long)len);
		if (!WHOLE(cert, der, len) || (pkey = X509_get_pubkey(cert)) == NULL) {
			X509_free(cert);
			return -1;
		}
		k->cert = cert;
		break;
	case KEY_FMT_CSR:
		req = d2i_X509_REQ(NULL, &p, (long)len);
		if (!WHOLE(req, der, len) || (pkey = X509_REQ_get_pubkey(req)) == NULL) {
			X509_REQ_free(req);
			return -1;
		}
		/*
		 * The self-signature is what makes a request worth more than a bare
		 * public key: whoever made it held the private key.  One that does
		 * not verify is refused, never read as the key it names.
		 */
		if (X509_REQ_verify(req, pkey) != 1) {
			X509_REQ_free(req);
			pc->failed = 1;
			err_set(pc->e, AK_INPUT,
				"'%s': the certificate request's signature does not verify",
				pc->name);
			goto fail;
		}
		X509_REQ_free(req);
		break;
	case KEY_FMT_SPKI:
		if (!WHOLE(pkey = d2i_PUBKEY(NULL, &p, (long)len), der, len))
			goto fail;
		break;
	case KEY_FMT_PKCS1_PUBLIC:
		if (!WHOLE(pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len), der, len))
			goto fail;
		break;
	case KEY_FMT_PKCS8:
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
		if (!WHOLE(p8, der, len)) {
			PKCS8_PRIV_KEY_INFO_free(p8);
			return -1;
		}
		pkey = pkcs8_to_pkey(p8, der, len);
		PKCS8_PRIV_KEY_INFO_free(p8);
		if (pkey == NULL)
			return -1;
		break;
	case KEY_FMT_PKCS8_ENCRYPTED:
		if ((pkey = decrypt_pkcs8(der, len, pc)) == NULL)
			return -1;
		k->encrypted = 1;
		break;
	case KEY_FMT_RSA_PRIVATE:
		if (!WHOLE(pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)len), der, len))
			goto fail;
		break;
	case KEY_FMT_EC_PRIVATE:
		if (!WHOLE(pkey = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)len), der, len))
			goto fail;
		break;
	default: /* forms that are no DER structure */
		return -1;
	}
	k->pkey = pkey;
	k->format = f;
	k->is_private = f == KEY_FMT_PKCS8 || f == KEY_FMT_PKCS8_ENCRYPTED ||
			f == KEY_FMT_RSA_PRIVATE || f == KEY_FMT_EC_PRIVATE;
	return 0;
fail:
	EVP_PKEY_free(pkey);
	return -1;
}

static const struct {
	const char *label;
	enum key_format format;
} pem_labels[] = {
	{"PUBLIC KEY", KEY_FMT_SPKI},
	{"RSA PUBLIC KEY", KEY_FMT_PKCS1_PUBLIC},
	{"PRIVATE KEY", KEY_FMT_PKCS8},
	{"ENCRYPTED PRIVATE KEY", KEY_FMT_PKCS8_ENCRYPTED},
	{"RSA PRIVATE KEY", KEY_FMT_RSA_PRIVATE},
	{"EC PRIVATE KEY", KEY_FMT_EC_PRIVATE},
	{"CERTIFICATE", KEY_FMT_X509},
	{"X509 CERTIFICATE", KEY_FMT_X509},
	{"CERTIFICATE REQUEST", KEY_FMT_CSR},
	{"NEW CERTIFICATE REQUEST", KEY_FMT_CSR},
};

/* What to say about PEM blocks we know but do not take. */
static const char *
pem_unsupported_hint(const char *label)
{
	if (strcmp(label, "OPENSSH PRIVATE KEY") == 0)
		return ": convert it with 'ssh-keygen -p -m PKCS8 -f FILE'";
	return "";
}

/* Append k to s (which takes it over); k is left empty. */
static int
set_add(struct key_set *s, struct key *k, struct err *e)
{
	struct key *grown;

	if ((grown = realloc(s->keys, (s->n + 1) * sizeof(*grown))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	s->keys = grown;
	s->keys[s->n++] = *k;
	*k = (struct key)KEY_INIT;
	return 0;
}

/* One PEM block (label, header, data) into k. */
static int
load_pem_block(struct key *k, const char *label, const char *header, unsigned char **data,
	       long *len, const char *name, int block, struct pass_ctx *pc)
{
	EVP_CIPHER_INFO cipher;
	char where[32] = "";
	size_t i;

	if (block > 1)
		snprintf(where, sizeof(where), " (PEM block %d)", block);
	for (i = 0; i < sizeof(pem_labels) / sizeof(pem_labels[0]); i++)
		if (strcmp(label, pem_labels[i].label) == 0)
			break;
	if (i == sizeof(pem_labels) / sizeof(pem_labels[0]))
		return err_set(pc->e, AK_INPUT,
			       "'%s' holds a PEM '%s'%s, not a key or certificate akcred reads%s",
			       name, label, where, pem_unsupported_hint(label));
	/* Traditional keys may be encrypted in the PEM layer (Proc-Type/DEK-Info). */
	if (header != NULL && *header != '\0') {
		if (!PEM_get_EVP_CIPHER_INFO((char *)header, &cipher))
			return err_openssl(pc->e, AK_INPUT, "'%s': bad PEM encryption header%s",
					   name, where);
		if (cipher.cipher != NULL) {
			k->encrypted = 1;
			if (!PEM_do_header(&cipher, *data, len, pem_pass_cb, pc)) {
				if (!pc->failed)
					err_set(pc->e, AK_INPUT, "wrong passphrase for '%s'", name);
				ERR_clear_error();
				return -1;
			}
		}
	}
	if (decode_der_as(k, pem_labels[i].format, *data, (size_t)*len, pc) != 0) {
		if (!pc->failed)
			err_openssl(pc->e, AK_INPUT, "'%s': invalid %s%s", name, label, where);
		return -1;
	}
	k->pem = 1;
	return 0;
}

/*
 * Every block of PEM data, in order: a file that holds several keys (a key
 * appended during a rotation, a certificate chain) gives them all, never
 * silently the first.  A block that is not a key or certificate, or one that
 * cannot be read, refuses the whole input; only "EC PARAMETERS" blocks
 * ("openssl ecparam -genkey" writes one before the key) are passed over.
 */
static int
load_pem(struct key_set *s, BIO *bio, const char *name, struct pass_ctx *pc)
{
	char *label = NULL, *header = NULL;
	unsigned char *data = NULL;
	struct key k = KEY_INIT;
	long len = 0;
	int block, rc = 0;

	for (block = 1; rc == 0; block++) {
		if (!PEM_read_bio(bio, &label, &header, &data, &len)) {
			/* The end of the data, unless a block was cut or badly encoded. */
			if (s->n > 0 &&
			    ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
				break;
			ERR_clear_error();
			if (s->n == 0)
				return err_set(pc->e, AK_INPUT,
					       "'%s': no key or certificate in this PEM data",
					       name);
			return err_set(pc->e, AK_INPUT, "'%s': unreadable PEM data after block %d",
				       name, block - 1);
		}
		if (strcmp(label, "EC PARAMETERS") != 0) {
			rc = load_pem_block(&k, label, header, &data, &len, name, block, pc);
			if (rc == 0)
				rc = set_add(s, &k, pc->e);
			key_clear(&k);
		}
		OPENSSL_free(label);
		OPENSSL_free(header);
		OPENSSL_clear_free(data, len > 0 ? (size_t)len : 0);
		label = header = NULL;
		data = NULL;
		len = 0;
	}
	if (rc == 0 && s->n == 0)
		rc = err_set(pc->e, AK_INPUT, "'%s': no key or certificate in this PEM data", name);
	return rc;
}

/*
 * Is data text: printable ASCII, tabs and line breaks only -- and with
 * eight_bit, bytes from 0x80 up too (UTF-8 in a JWK or an authorized_keys
 * comment)?
 */
static int
is_text_of(const unsigned char *data, size_t len, int eight_bit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r') ||
		    data[i] == 0x7f || (data[i] > 0x7f && !eight_bit))
			return 0;
	return 1;
}

static int
is_text(const unsigned char *data, size_t len)
{
	return is_text_of(data, len, 0);
}

/* How many characters of data, skipping those in skip, are in set (*others: not in it). */
static size_t
count_in(const unsigned char *data, size_t len, const char *skip, const char *set, size_t *others)
{
	size_t i, in = 0;

	*others = 0;
	for (i = 0; i < len; i++) {
		if (strchr(skip, data[i]) != NULL)
			continue;
		if (strchr(set, data[i]) != NULL)
			in++;
		else
			(*others)++;
	}
	return in;
}

/*
 * What data that is no key looks like, for the message: named for what it
 * is -- hex or base64 text, DER -- with a hint.  Text is told first: hex
 * text starting with '0' (0x30) is not DER.  The raw points, JWKs and
 * OpenSSH keys that are read never get here.
 */
static void
describe_unknown(const unsigned char *data, size_t len, char *buf, size_t size)
{
	static const char hexd[] = "0123456789abcdefABCDEF";
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	const unsigned char *p = data, *t;
	long olen;
	int tag, class;
	size_t n, other;

	for (t = data; t < data + len && strchr(" \t\r\n", *t) != NULL; t++)
		;
	if (len == 0) {
		snprintf(buf, size, "empty");
	} else if (is_text(data, len)) {
		if ((n = count_in(data, len, " \t\r\n:", hexd, &other)) > 0 && other == 0)
			snprintf(buf, size, "hex text of %zu digits%s", n,
				 n == 130 || n == 128 || n == 66
					 ? ", not a raw P-256 point: 130 digits start with 04, "
					   "66 with 02 or 03"
					 : ": not supported; decode it first, e.g. with 'xxd -r "
					   "-p' (a raw P-256 point is 130, 128 or 66 digits)");
		else if (t < data + len && *t == 'M' &&
			 count_in(data, len, "\r\n", b64, &other) >= 16 && other == 0)
			snprintf(
				buf, size,
				"base64 text without a PEM block: not supported; a public key goes "
				"between '-----BEGIN PUBLIC KEY-----' and '-----END PUBLIC "
				"KEY-----' "
				"lines");
		else
			snprintf(buf, size, "text without a PEM block");
	} else if (data[0] == 0x30 &&
		   !(ASN1_get_object(&p, &olen, &tag, &class, (long)len) & 0x80) &&
		   (size_t)(p - data) + (size_t)olen == len) {
		snprintf(buf, size, "DER data of an unknown structure");
	} else {
		snprintf(buf, size, "binary data, %zu bytes", len);
	}
	ERR_clear_error();
}

static int
load_der(struct key *k, const unsigned char *data, size_t len, const char *name,
	 struct pass_ctx *pc)
{
	static const enum key_format order[] = {
		KEY_FMT_X509,
		KEY_FMT_CSR,
		KEY_FMT_SPKI,
		KEY_FMT_PKCS8,
		KEY_FMT_PKCS8_ENCRYPTED,
		KEY_FMT_RSA_PRIVATE,
		KEY_FMT_EC_PRIVATE,
		KEY_FMT_PKCS1_PUBLIC,
	};
	char what[300];
	size_t i;

	/* Every DER structure we read is a SEQUENCE. */
	if (len < 2 || data[0] != 0x30)
		goto unknown;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ERR_set_mark();
		if (decode_der_as(k, order[i], data, len, pc) == 0) {
			ERR_pop_to_mark();
			k->pem = 0;
			return 0;
		}
		ERR_pop_to_mark();
		if (pc->failed) /* e.g. wrong passphrase: the format was right */
			return -1;
	}
unknown:
	describe_unknown(data, len, what, sizeof(what));
	return err_set(pc->e, AK_INPUT, "'%s' is not a key or certificate (%s)", name, what);
}

/*
 * A certificate signed by another key of the same file makes the file a
 * chain: its issuer's key would count as one of the device's keys, and
 * whoever holds the CA's private key could sign in as the device.  A chain
 * is refused; certificates that are each self-signed (one appended during a
 * rotation) are not a chain.
 */
static int
refuse_chain(const struct key_set *s, const char *name, struct err *e)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		if (s->keys[i].cert == NULL)
			continue;
		for (j = 0; j < s->n; j++) {
			if (j != i && EVP_PKEY_eq(s->keys[j].pkey, s->keys[i].pkey) != 1 &&
			    X509_verify(s->keys[i].cert, s->keys[j].pkey) == 1) {
				ERR_clear_error();
				return err_set(e, AK_INPUT,
					       "'%s' holds a certificate chain (certificate %zu is "
					       "signed by key %zu): give the device's own key or "
					       "certificate alone, never those that issued it",
					       name, i + 1, j + 1);
			}
		}
	}
	ERR_clear_error();
	return 0;
}

/* --- P-256 keys in their fixed layouts (p256.h) ------------------------------ */

/*
 * A P-256 key from its raw halves, taken as they are (scalar NULL: a public
 * key); the point is n bytes, uncompressed or compressed.  NULL if OpenSSL
 * refuses the point, which it does when it is not on the curve.
 */
static EVP_PKEY *
p256_import(const unsigned char *scalar, const unsigned char *point, size_t n)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, n))
		goto out;
	if (scalar != NULL &&
	    ((d = BN_secure_new()) == NULL || BN_bin2bn(scalar, P256_SCALAR_LEN, d) == NULL ||
	     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, scalar ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* its secure part is cleared */
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

_Static_assert(sizeof(((struct key *)0)->point) == P256_POINT_LEN, "struct key's point");

/* The uncompressed point of k if it is a P-256 key that exports it so: 1, else 0. */
static int
p256_point_of(const struct key *k, unsigned char point[P256_POINT_LEN])
{
	const char *curve;
	size_t n = 0;

	if (k->point_len == P256_POINT_LEN) {
		memcpy(point, k->point, P256_POINT_LEN);
		return 1;
	}
	curve = key_curve(k);
	if (curve == NULL || strcmp(curve, "P-256") != 0 ||
	    !EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, point,
					     P256_POINT_LEN, &n) ||
	    n != P256_POINT_LEN || point[0] != 0x04) {
		ERR_clear_error();
		return 0;
	}
	return 1;
}

/*
 * Both halves of k if OpenSSL would write it as the fixed PKCS#8 layout: a
 * P-256 private key, named curve, uncompressed point, public key included.
 * 1, else 0 (kp wiped).
 */
static int
p256_keypair_of(const struct key *k, struct p256_keypair *kp)
{
	char enc[32];
	BIGNUM *d = NULL;
	int pub = 1, ok;

	ok = k->is_private && p256_point_of(k, kp->point) &&
	     EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc),
					    NULL) &&
	     strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) == 0 &&
	     (!EVP_PKEY_get_int_param(k->pkey, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, &pub) ||
	      pub != 0) &&
	     EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
	     BN_bn2binpad(d, kp->scalar, P256_SCALAR_LEN) == P256_SCALAR_LEN;
	BN_clear_free(d);
	ERR_clear_error();
	if (!ok)
		sodium_memzero(kp, sizeof(*kp));
	return ok;
}

/*
 * Exactly the PEM that key_private_pem() (unencrypted) or key_public_pem()
 * writes for a P-256 key, read without OpenSSL's decoders: 1 with k filled as
 * the generic loader fills it, else 0 (the generic loader then decides).
 */
static int
load_p256(struct key *k, const unsigned char *data, size_t len)
{
	struct p256_keypair kp;
	int ok = 0;

	if (p256_parse_private((const char *)data, len, &kp) == 0) {
		if ((k->pkey = p256_import(kp.scalar, kp.point, P256_POINT_LEN)) != NULL) {
			k->format = KEY_FMT_PKCS8;
			k->is_private = 1;
			ok = 1;
		}
	} else if (p256_parse_public((const char *)data, len, kp.point) == 0) {
		if ((k->pkey = p256_import(NULL, kp.point, P256_POINT_LEN)) != NULL) {
			k->format = KEY_FMT_SPKI;
			ok = 1;
		}
	}
	if (ok) {
		memcpy(k->point, kp.point, P256_POINT_LEN);
		k->point_len = P256_POINT_LEN;
	}
	sodium_memzero(&kp, sizeof(kp));
	k->pem = ok;
	return ok;
}

/* --- Keys from their parts: raw points, JWK, OpenSSH (key.h: the rules) --- */

/* Which raw P-256 point form n bytes are (KEY_FMT_POINT...), or -1 for none. */
static int
point_format(const unsigned char *pt, size_t n)
{
	if (n == P256_POINT_LEN && pt[0] == 0x04)
		return KEY_FMT_POINT;
	if (n == P256_POINT_LEN - 1)
		return KEY_FMT_POINT_XY;
	if (n == 33 && (pt[0] == 0x02 || pt[0] == 0x03))
		return KEY_FMT_POINT_COMPRESSED;
	return -1;
}

static int
load_point(struct key *k, const unsigned char *pt, size_t n, int hex, const char *name,
	   struct err *e)
{
	unsigned char full[P256_POINT_LEN];
	int f = point_format(pt, n);

	if (f == KEY_FMT_POINT_XY) {
		full[0] = 0x04;
		memcpy(full + 1, pt, n);
		pt = full;
		n = sizeof(full);
	}
	if ((k->pkey = p256_import(NULL, pt, n)) == NULL)
		return err_set(e, AK_INPUT,
			       "'%s': a raw P-256 point of %zu bytes%s, but not on the curve", name,
			       f == KEY_FMT_POINT_XY ? n - 1 : n, hex ? " in hex" : "");
	k->format = (enum key_format)f;
	k->pem = hex;
	return 0;
}

/* Hex text of a raw point (key.h) into pt: its length, or 0 if data is no such text. */
static size_t
hex_point(const unsigned char *data, size_t len, unsigned char pt[P256_POINT_LEN])
{
	static const char sep[] = " \t\r\n:";
	size_t digits, other, n = 0;
	const char *end;

	digits = count_in(data, len, sep, "0123456789abcdefABCDEF", &other);
	if (other != 0 || (digits != 130 && digits != 128 && digits != 66) ||
	    sodium_hex2bin(pt, P256_POINT_LEN, (const char *)data, len, sep, &n, &end) != 0 ||
	    end != (const char *)data + len || point_format(pt, n) < 0)
		return 0;
	return n;
}

/* RSA parameters in the order JWK (RFC 7518 6.3) names them. */
#define RSA_PARTS 8
static const char *const rsa_params[RSA_PARTS] = {
	OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

/* An RSA key from n, e and, for a private key, d (with p, q, dp, dq, qi or none); NULL parts
 * absent. */
static EVP_PKEY *
rsa_import(BIGNUM *const bn[RSA_PARTS])
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t i;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	for (i = 0; i < RSA_PARTS; i++)
		if (bn[i] != NULL && !OSSL_PARAM_BLD_push_BN(bld, rsa_params[i], bn[i]))
			goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, bn[2] ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <=
		    0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Where a JWK is, for messages: the input's name, and which key of a JWK Set. */
struct jwk_ctx {
	const char *name;
	char where[48];
	struct err *e;
};

/*
 * A JWK member's base64url value (RFC 7518: unpadded) into *out, in sodium
 * memory (sodium_free() it), *len bytes; *out NULL if the member is absent
 * and not required.  -1 with c->e set.
 */
static int
jwk_member(const json_t *jwk, const char *member, int required, unsigned char **out, size_t *len,
	   const struct jwk_ctx *c)
{
	const json_t *v = json_object_get(jwk, member);
	struct err be = ERR_INIT;
	size_t n;

	*out = NULL;
	if (v == NULL && !required)
		return 0;
	if (v == NULL)
		return err_set(c->e, AK_INPUT, "'%s'%s: %s JWK without \"%s\"", c->name, c->where,
			       json_string_value(json_object_get(jwk, "kty")), member);
	if (!json_is_string(v) || (n = json_string_length(v)) == 0)
		return err_set(c->e, AK_INPUT, "'%s'%s: JWK member '%s' is not a base64url string",
			       c->name, c->where, member);
	if ((*out = sodium_malloc(B64URL_DECODED_MAX(n))) == NULL)
		return err_set(c->e, AK_INTERNAL, "out of memory");
	if (b64url_decode(*out, B64URL_DECODED_MAX(n), len, json_string_value(v), n, &be) != 0) {
		sodium_free(*out);
		*out = NULL;
		return err_set(c->e, AK_INPUT, "'%s'%s: JWK member '%s': %s", c->name, c->where,
			       member, be.msg);
	}
	return 0;
}

/* The private members of a JWK (RFC 7518 6.2.2, 6.3.2), wiped in place when done with. */
static const char *const jwk_secret_members[] = {"d", "p", "q", "dp", "dq", "qi"};

static void
jwk_wipe(json_t *jwk)
{
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof(jwk_secret_members) / sizeof(jwk_secret_members[0]); i++)
		if ((v = json_object_get(jwk, jwk_secret_members[i])) != NULL && json_is_string(v))
			sodium_memzero((char *)json_string_value(v), json_string_length(v));
}

static int
jwk_ec(struct key *k, const json_t *jwk, const struct jwk_ctx *c)
{
	static const char *const members[] = {"x", "y", "d"};
	unsigned char *part[3] = {NULL, NULL, NULL}, point[P256_POINT_LEN];
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	size_t i, n;
	int rc = -1;

	if (crv == NULL)
		return err_set(c->e, AK_INPUT, "'%s'%s: EC JWK without a \"crv\" string", c->name,
			       c->where);
	if (strcmp(crv, "P-256") != 0)
		return err_set(c->e, AK_INPUT,
			       "'%s'%s: JWK curve \"%.20s\": akcred reads P-256 only, the curve "
			       "akenza takes",
			       c->name, c->where, crv);
	for (i = 0; i < 3; i++) {
		if (jwk_member(jwk, members[i], i < 2, &part[i], &n, c) != 0)
			goto out;
		/* RFC 7518 6.2.1.2, 6.2.2.1: the full length, leading zeros included. */
		if (part[i] != NULL && n != P256_SCALAR_LEN) {
			err_set(c->e, AK_INPUT,
				"'%s'%s: JWK \"%s\" is %zu bytes, not the 32 of P-256", c->name,
				c->where, members[i], n);
			goto out;
		}
	}
	point[0] = 0x04;
	memcpy(point + 1, part[0], P256_SCALAR_LEN);
	memcpy(point + 1 + P256_SCALAR_LEN, part[1], P256_SCALAR_LEN);
	if ((k->pkey = p256_import(part[2], point, sizeof(point))) == NULL) {
		err_set(c->e, AK_INPUT,
			"'%s'%s: the JWK's x and y are not a point on the P-256 curve", c->name,
			c->where);
		goto out;
	}
	k->is_private = part[2] != NULL;
	/* Signing with a d not of x and y would give tokens under another key's kid. */
	if (k->is_private && !key_pair_ok(k)) {
		err_set(c->e, AK_INPUT, "'%s'%s: the JWK's d is not the private key of its x and y",
			c->name, c->where);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		if (part[i] != NULL)
			sodium_free(part[i]);
	return rc;
}

/*
 * Does an RSA key's d undo its e: a signature it makes verifies?  A JWK's
 * members come apart (d without p and q: no pairwise check applies), and a
 * key whose d belongs to another n would mint tokens that never verify.
 * One private operation: a JWK is read once, not by the thousand.
 */
static int
rsa_d_fits(EVP_PKEY *pkey)
{
	static const unsigned char md[32] = {1};
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok;

	ok = ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_sign(ctx, sig, &siglen, md, sizeof(md)) > 0 &&
	     EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_verify(ctx, sig, siglen, md, sizeof(md)) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static int
jwk_rsa(struct key *k, const json_t *jwk, const struct jwk_ctx *c)
{
	static const char *const members[RSA_PARTS] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
	BIGNUM *bn[RSA_PARTS] = {NULL};
	unsigned char *b;
	size_t i, n, crt = 0;
	int rc = -1;

	if (json_object_get(jwk, "oth") != NULL)
		return err_set(c->e, AK_INPUT,
			       "'%s'%s: RSA JWK with more than two primes (\"oth\"): not supported",
			       c->name, c->where);
	for (i = 0; i < RSA_PARTS; i++) {
		if (jwk_member(jwk, members[i], i < 2, &b, &n, c) != 0)
			goto out;
		if (b == NULL)
			continue;
		bn[i] = i < 2 ? BN_bin2bn(b, (int)n, NULL) : BN_secure_new();
		if (bn[i] != NULL && i >= 2 && BN_bin2bn(b, (int)n, bn[i]) == NULL) {
			BN_clear_free(bn[i]);
			bn[i] = NULL;
		}
		sodium_free(b);
		if (bn[i] == NULL) {
			err_set(c->e, AK_INTERNAL, "out of memory");
			goto out;
		}
		crt += i >= 3;
	}
	if (crt != 0 && (crt != RSA_PARTS - 3 || bn[2] == NULL)) {
		err_set(c->e, AK_INPUT,
			"'%s'%s: RSA JWK with some of d, p, q, dp, dq and qi: a private key needs "
			"d, "
			"and p, q, dp, dq, qi all or none",
			c->name, c->where);
		goto out;
	}
	if ((k->pkey = rsa_import(bn)) == NULL) {
		err_openssl(c->e, AK_INPUT, "'%s'%s: OpenSSL does not take this RSA JWK", c->name,
			    c->where);
		goto out;
	}
	k->is_private = bn[2] != NULL;
	if (k->is_private && !rsa_d_fits(k->pkey)) {
		err_set(c->e, AK_INPUT,
			"'%s'%s: the RSA JWK's d is not the private key of its n and e", c->name,
			c->where);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < RSA_PARTS; i++)
		BN_clear_free(bn[i]);
	return rc;
}

static int
jwk_key(struct key *k, const json_t *jwk, const struct jwk_ctx *c)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	int rc;

	if (!json_is_object(jwk))
		return err_set(c->e, AK_INPUT, "'%s'%s: a JWK is a JSON object", c->name, c->where);
	if (kty == NULL)
		return err_set(c->e, AK_INPUT, "'%s'%s: JWK without a \"kty\" string", c->name,
			       c->where);
	if (strcmp(kty, "EC") == 0)
		rc = jwk_ec(k, jwk, c);
	else if (strcmp(kty, "RSA") == 0)
		rc = jwk_rsa(k, jwk, c);
	else
		return err_set(c->e, AK_INPUT,
			       "'%s'%s: JWK kty \"%.20s\": akcred reads EC (P-256) and RSA keys",
			       c->name, c->where, kty);
	if (rc != 0) {
		key_clear(k);
		return -1;
	}
	k->format = KEY_FMT_JWK;
	k->pem = 1;
	return 0;
}

/* A JWK, or every key of a JWK Set, in order. */
static int
load_jwk(struct key_set *s, const unsigned char *data, size_t len, const char *name, struct err *e)
{
	struct jwk_ctx c = {name, "", e};
	struct key k = KEY_INIT;
	json_error_t je;
	json_t *root, *keys, *jwk;
	size_t i;
	int rc = 0;

	/* Where, not Jansson's text: it quotes the input, which may be a private member. */
	if ((root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return err_set(e, AK_INPUT, "'%s' is not a JWK: invalid JSON at line %d, column %d",
			       name, je.line, je.column);
	/* Text that starts with '{' and parses is an object. */
	if ((keys = json_object_get(root, "keys")) == NULL) {
		if ((rc = jwk_key(&k, root, &c)) == 0)
			rc = set_add(s, &k, e);
		jwk_wipe(root);
	} else if (!json_is_array(keys) || json_array_size(keys) == 0) {
		rc = err_set(e, AK_INPUT,
			     "'%s': a JWK Set's \"keys\" is an array of JWKs, not empty", name);
	} else {
		json_array_foreach(keys, i, jwk)
		{
			snprintf(c.where, sizeof(c.where), " (key %zu of the JWK Set)", i + 1);
			if (rc == 0 && (rc = jwk_key(&k, jwk, &c)) == 0)
				rc = set_add(s, &k, e);
			jwk_wipe(jwk);
		}
	}
	key_clear(&k);
	json_decref(root);
	return rc;
}

/* OpenSSH's key types, as the text of a key line starts; the two akenza's keys have. */
static const char *const openssh_prefixes[] = {"ssh-", "ecdsa-sha2-", "sk-"};
#define OPENSSH_EC "ecdsa-sha2-nistp256"
#define OPENSSH_RSA "ssh-rsa"

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static size_t
token_len(const char *p, const char *end)
{
	const char *t = p;

	while (t < end && !is_blank(*t))
		t++;
	return (size_t)(t - p);
}

static int
openssh_like(const char *p, const char *end)
{
	size_t i, n = token_len(p, end), pn;

	for (i = 0; i < sizeof(openssh_prefixes) / sizeof(openssh_prefixes[0]); i++) {
		pn = strlen(openssh_prefixes[i]);
		if (n > pn && memcmp(p, openssh_prefixes[i], pn) == 0)
			return 1;
	}
	return 0;
}

/*
 * Where the key type of a line [p, end) starts: first, or after
 * authorized_keys options (up to white space outside "quotes", in which \"
 * is a quote), as sshd reads them; NULL if neither is a key type.
 */
static const char *
openssh_type(const char *p, const char *end)
{
	int quoted = 0;

	if (openssh_like(p, end))
		return p;
	for (; p < end && (quoted || !is_blank(*p)); p++) {
		if (quoted && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
	}
	while (p < end && is_blank(*p))
		p++;
	return p < end && openssh_like(p, end) ? p : NULL;
}

/* The next line of [*p, end) without its line break, leading blanks and '\r': 0 at the end. */
static int
next_line(const char **p, const char *end, const char **line, const char **lend)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*lend = nl != NULL ? nl : end;
	for (*line = *p; *line < *lend && is_blank(**line); (*line)++)
		;
	*p = nl != NULL ? nl + 1 : end;
	if (*lend > *line && (*lend)[-1] == '\r')
		(*lend)--;
	return 1;
}

/* Is data OpenSSH public keys: a key type on its first line that is no blank or comment? */
static int
is_openssh(const unsigned char *data, size_t len)
{
	const char *p = (const char *)data, *end = p + len, *line, *lend;

	while (next_line(&p, end, &line, &lend))
		if (line < lend && *line != '#')
			return openssh_type(line, lend) != NULL;
	return 0;
}

/* SSH wire-format strings (RFC 4251 5): a 32-bit length, then the bytes. */
struct ssh_blob {
	const unsigned char *p;
	size_t left;
};

static int
ssh_string(struct ssh_blob *b, const unsigned char **s, size_t *n)
{
	size_t len;

	if (b->left < 4)
		return -1;
	len = (size_t)b->p[0] << 24 | (size_t)b->p[1] << 16 | (size_t)b->p[2] << 8 | b->p[3];
	if (len > b->left - 4)
		return -1;
	*s = b->p + 4;
	*n = len;
	b->p += 4 + len;
	b->left -= 4 + len;
	return 0;
}

/* An mpint (RFC 4251 5) is OpenSSL's MPI format: BN_mpi2bn reads it. */
static BIGNUM *
ssh_mpint(struct ssh_blob *b)
{
	const unsigned char *start = b->p, *s;
	BIGNUM *bn;
	size_t n;

	if (ssh_string(b, &s, &n) != 0 || (bn = BN_mpi2bn(start, (int)(4 + n), NULL)) == NULL)
		return NULL;
	if (BN_is_negative(bn) || BN_is_zero(bn)) {
		BN_free(bn);
		return NULL;
	}
	return bn;
}

static int
same_str(const unsigned char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* The key of an OpenSSH key blob of type type, or NULL with *why. */
static EVP_PKEY *
openssh_blob_key(const unsigned char *blob, size_t len, const char *type, const char **why)
{
	struct ssh_blob b = {blob, len};
	BIGNUM *bn[RSA_PARTS] = {NULL};
	const unsigned char *s, *q;
	size_t n, qn;
	EVP_PKEY *pkey = NULL;

	*why = "the key data is truncated or malformed";
	if (ssh_string(&b, &s, &n) != 0)
		return NULL;
	if (!same_str(s, n, type)) {
		*why = "the key data is of another key type than the line names";
		return NULL;
	}
	if (strcmp(type, OPENSSH_EC) == 0) {
		if (ssh_string(&b, &s, &n) != 0 || ssh_string(&b, &q, &qn) != 0)
			return NULL;
		if (!same_str(s, n, "nistp256")) {
			*why = "the key data names a curve other than nistp256";
			return NULL;
		}
		if (b.left != 0)
			*why = "the key data has bytes after the key";
		else if ((pkey = p256_import(NULL, q, qn)) == NULL)
			*why = "the key's point is not on the P-256 curve";
	} else {
		/* ssh-rsa: e, then n */
		if ((bn[1] = ssh_mpint(&b)) != NULL && (bn[0] = ssh_mpint(&b)) != NULL) {
			if (b.left != 0)
				*why = "the key data has bytes after the key";
			else if ((pkey = rsa_import(bn)) == NULL)
				*why = "OpenSSL does not take the RSA key";
		}
		BN_free(bn[0]);
		BN_free(bn[1]);
	}
	return pkey;
}

/* One line's key: its type at type, then the base64 of the blob, then a comment. */
static int
openssh_line_key(struct key *k, const char *type, const char *end, const char *name, unsigned line,
		 struct err *e)
{
	const char *b64 = type + token_len(type, end), *why;
	unsigned char *blob;
	size_t tn = token_len(type, end), bn, n;
	char tname[sizeof(OPENSSH_EC)];

	if (!(tn == strlen(OPENSSH_EC) && memcmp(type, OPENSSH_EC, tn) == 0) &&
	    !(tn == strlen(OPENSSH_RSA) && memcmp(type, OPENSSH_RSA, tn) == 0))
		return err_set(e, AK_INPUT,
			       "'%s' line %u: OpenSSH key type '%.*s' is not one akcred reads "
			       "(" OPENSSH_EC " or " OPENSSH_RSA ")",
			       name, line, (int)(tn > 60 ? 60 : tn), type);
	memcpy(tname, type, tn);
	tname[tn] = '\0';
	while (b64 < end && is_blank(*b64))
		b64++;
	if ((bn = token_len(b64, end)) == 0)
		return err_set(e, AK_INPUT, "'%s' line %u: no key data after '%s'", name, line,
			       tname);
	if ((blob = malloc(bn)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (sodium_base642bin(blob, bn, b64, bn, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) !=
	    0) {
		free(blob);
		return err_set(e, AK_INPUT,
			       "'%s' line %u: the key data is not base64, or is truncated", name,
			       line);
	}
	k->pkey = openssh_blob_key(blob, n, tname, &why);
	free(blob);
	if (k->pkey == NULL)
		return err_set(e, AK_INPUT, "'%s' line %u: %s", name, line, why);
	k->format = KEY_FMT_OPENSSH;
	k->pem = 1;
	return 0;
}

/* Every key line of OpenSSH text: one public key, or an authorized_keys file. */
static int
load_openssh(struct key_set *s, const unsigned char *data, size_t len, const char *name,
	     struct err *e)
{
	const char *p = (const char *)data, *end = p + len, *line, *lend, *type;
	struct key k = KEY_INIT;
	unsigned n = 0;
	int rc = 0;

	while (rc == 0 && next_line(&p, end, &line, &lend)) {
		n++;
		if (line == lend || *line == '#')
			continue;
		if ((type = openssh_type(line, lend)) == NULL)
			rc = err_set(e, AK_INPUT, "'%s' line %u: not an OpenSSH public key", name,
				     n);
		else if ((rc = openssh_line_key(&k, type, lend, name, n, e)) == 0)
			rc = set_add(s, &k, e);
		key_clear(&k);
	}
	return rc;
}

/* Input without PEM armour, by the rules of key.h. */
static int
load_bare(struct key_set *s, const unsigned char *data, size_t len, const char *name,
	  struct pass_ctx *pc)
{
	unsigned char pt[P256_POINT_LEN];
	struct key k = KEY_INIT;
	const unsigned char *t = data;
	size_t n;
	int rc;

	while (t < data + len && strchr(" \t\r\n", *t) != NULL)
		t++;
	/* A raw point of 64 bytes that is no ASCII text is the point, whatever its bytes. */
	if (is_text(data, len) || (point_format(data, len) < 0 && is_text_of(data, len, 1))) {
		if (t < data + len && *t == '{')
			return load_jwk(s, data, len, name, pc->e);
		if (is_openssh(data, len))
			return load_openssh(s, data, len, name, pc->e);
		if ((n = hex_point(data, len, pt)) > 0)
			rc = load_point(&k, pt, n, 1, name, pc->e);
		else
			rc = load_der(&k, data, len, name, pc); /* says what the text looks like */
	} else if (point_format(data, len) >= 0) {
		rc = load_point(&k, data, len, 0, name, pc->e);
	} else {
		rc = load_der(&k, data, len, name, pc);
	}
	if (rc == 0)
		rc = set_add(s, &k, pc->e);
	key_clear(&k);
	return rc;
}

int
key_load_all(struct key_set *s, const unsigned char *data, size_t len, const char *name,
	     struct passphrase *pp, struct err *e)
{
	struct pass_ctx pc = {pp, name, e, 0, 0};
	struct key k = KEY_INIT;
	BIO *bio;
	int rc;

	key_set_clear(s);
	/* OpenSSL 3.0 crashes later if its implicit set-up ran out of memory: do it now. */
	if (key_init(e) != 0)
		return -1;
	if (load_p256(&k, data, len)) {
		rc = set_add(s, &k, e);
		key_clear(&k);
	} else if (len > 0 && memmem(data, len, "-----BEGIN ", 11) != NULL) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
			return err_openssl(e, AK_INTERNAL, "out of memory");
		rc = load_pem(s, bio, name, &pc);
		BIO_free(bio);
		if (rc == 0)
			rc = refuse_chain(s, name, e);
	} else {
		rc = load_bare(s, data, len, name, &pc);
	}
	ERR_clear_error();
	if (rc != 0)
		key_set_clear(s);
	return rc;
}

/* The one key of s into k (s is emptied), or an error naming the file that holds several. */
static int
take_one(struct key_set *s, struct key *k, const char *name, struct err *e)
{
	int rc = 0;

	if (s->n == 1) {
		*k = s->keys[0];
		s->keys[0] = (struct key)KEY_INIT;
	} else {
		rc = err_set(
			e, AK_INPUT,
			"'%s' holds %zu keys or certificates: give a file with only the one to use",
			name, s->n);
	}
	key_set_clear(s);
	return rc;
}

int
key_load(struct key *k, const unsigned char *data, size_t len, const char *name,
	 struct passphrase *pp, struct err *e)
{
	struct key_set s = KEY_SET_INIT;

	key_clear(k);
	if (key_load_all(&s, data, len, name, pp, e) != 0)
		return -1;
	return take_one(&s, k, name, e);
}

/* How messages name path: standard input is "-" on the command line. */
static const char *
file_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

int
key_load_file(struct key *k, const char *path, struct passphrase *pp, struct err *e)
{
	struct key_set s = KEY_SET_INIT;

	key_clear(k);
	if (key_load_file_all(&s, path, pp, e) != 0)
		return -1;
	return take_one(&s, k, file_name(path), e);
}

int
key_load_file_all(struct key_set *s, const char *path, struct passphrase *pp, struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct key k = KEY_INIT;
	int rc;

	key_set_clear(s);
	if (p11_is_uri(path)) {
		if (p11_key_load(&k, path, e) != 0)
			return -1;
		rc = set_add(s, &k, e);
		key_clear(&k);
		return rc;
	}
	/* Into sodium memory: private keys pass through here, wiped on free. */
	if (key_init(e) != 0 ||
	    fileio_read_ex(path, FILEIO_KEY_MAX, FILEIO_SECRET | FILEIO_STDIN, &b, e) != 0)
		return -1;
	rc = key_load_all(s, b.data, b.len, file_name(path), pp, e);
	fileio_buf_clear(&b);
	return rc;
}

void
key_set_clear(struct key_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		key_clear(&s->keys[i]);
	free(s->keys);
	*s = (struct key_set)KEY_SET_INIT;
}

int
key_set_take(struct key_set *dst, struct key_set *src, struct err *e)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (set_add(dst, &src->keys[i], e) != 0)
			return -1;
	key_set_clear(src);
	return 0;
}

/*
 * OpenSSL 3.0 initialises itself on first use, but when an allocation of
 * that fails inside EVP_PKEY_Q_keygen() it goes on with a NULL lock and
 * crashes, and with threads it can deadlock in its own run-once (both found
 * by tests/cli/errors-malloc.sh).  Initialised explicitly, the failure is
 * reported -- but OPENSSL_init_crypto() does not tell when the default
 * library context failed, so that is asked too.  The configuration file
 * and the error queue (whose first use registers the thread-exit handlers)
 * are set up here as well, in the thread that calls first: left to a worker,
 * an allocation failure inside either made OpenSSL wait on its own
 * run-once, and the batch hang (errors-malloc, 1 run in 20).  Later calls
 * cost a few run-once checks.
 */
int
key_init(struct err *e)
{
	if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_ADD_ALL_CIPHERS |
					 OPENSSL_INIT_ADD_ALL_DIGESTS,
				 NULL) ||
	    OSSL_LIB_CTX_get0_global_default() == NULL)
		return err_openssl(e, AK_CRYPTO, "cannot initialise OpenSSL (out of memory?)");
	/* Only its first use matters; if that fails, later uses fail cleanly. */
	ERR_clear_error();
	/* sodium_malloc (a JWK's members, key files) needs it; it runs once, thread-safe. */
	if (sodium_init() < 0)
		return err_set(e, AK_CRYPTO, "cannot initialise libsodium");
	return 0;
}

int
key_gen_init(struct key_gen *g, enum key_type type, int bits, struct err *e)
{
	key_gen_clear(g);
	if (key_init(e) != 0)
		return -1;
	if (type != KEY_EC && type != KEY_RSA)
		return err_set(e, AK_INTERNAL, "internal error: unknown key type");
	if ((g->ctx = EVP_PKEY_CTX_new_from_name(NULL, type == KEY_EC ? "EC" : "RSA", NULL)) ==
		    NULL ||
	    EVP_PKEY_keygen_init(g->ctx) <= 0 ||
	    (type == KEY_EC ? EVP_PKEY_CTX_set_group_name(g->ctx, "P-256")
			    : EVP_PKEY_CTX_set_rsa_keygen_bits(g->ctx, bits)) <= 0) {
		key_gen_clear(g);
		return err_openssl(e, AK_CRYPTO, "key generation failed");
	}
	g->type = type;
	return 0;
}

int
key_gen_next(struct key_gen *g, struct key *k, struct err *e)
{
	EVP_PKEY *pkey = NULL;

	key_clear(k);
	if (g->ctx == NULL)
		return err_set(e, AK_INTERNAL, "internal error: no key generator");
	if (EVP_PKEY_generate(g->ctx, &pkey) <= 0) {
		EVP_PKEY_free(pkey);
		return err_openssl(e, AK_CRYPTO, "key generation failed");
	}
	k->pkey = pkey;
	k->format = KEY_FMT_PKCS8;
	k->is_private = 1;
	/* The point once, for every encoding of this key that follows. */
	if (g->type == KEY_EC && p256_point_of(k, k->point))
		k->point_len = P256_POINT_LEN;
	return 0;
}

void
key_gen_clear(struct key_gen *g)
{
	EVP_PKEY_CTX_free(g->ctx);
	*g = (struct key_gen)KEY_GEN_INIT;
}

int
key_generate(struct key *k, enum key_type type, int bits, struct err *e)
{
	struct key_gen g = KEY_GEN_INIT;
	int rc;

	key_clear(k);
	if (key_gen_init(&g, type, bits, e) != 0)
		return -1;
	rc = key_gen_next(&g, k, e);
	key_gen_clear(&g);
	return rc;
}

void
key_clear(struct key *k)
{
	EVP_PKEY_free(k->pkey);
	X509_free(k->cert);
	p11_key_free(k->p11);
	*k = (struct key)KEY_INIT;
}

enum key_type
key_type(const struct key *k)
{
	switch (EVP_PKEY_get_base_id(k->pkey)) {
	case EVP_PKEY_EC:
		return KEY_EC;
	case EVP_PKEY_RSA:
		return KEY_RSA;
	default:
		return KEY_OTHER;
	}
}

int
key_bits(const struct key *k)
{
	return EVP_PKEY_get_bits(k->pkey);
}

const char *
key_curve(const struct key *k)
{
	static const struct {
		const char *openssl, *nist;
	} names[] = {{"prime256v1", "P-256"},
		     {"secp384r1", "P-384"},
		     {"secp521r1", "P-521"},
		     {"secp224r1", "P-224"},
		     {"prime192v1", "P-192"}};
	/* Thread-safe (provision and register use threads): known curves are constants. */
	static _Thread_local char other[80];
	char buf[80];
	size_t i;

	if (key_type(k) != KEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, buf, sizeof(buf),
					    NULL))
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(buf, names[i].openssl) == 0)
			return names[i].nist;
	memcpy(other, buf, sizeof(other));
	return other;
}

const char *
key_describe(const struct key *k, char *buf, size_t size)
{
	const char *curve;

	switch (key_type(k)) {
	case KEY_EC:
		curve = key_curve(k);
		snprintf(buf, size, "EC %s", curve ? curve : "(explicit curve)");
		break;
	case KEY_RSA:
		snprintf(buf, size, "RSA %d", key_bits(k));
		break;
	default:
		snprintf(buf, size, "%s", EVP_PKEY_get0_type_name(k->pkey));
		break;
	}
	return buf;
}

const char *
key_format_name(enum key_format f)
{
	static const char *const names[] = {
		[KEY_FMT_SPKI] = "SubjectPublicKeyInfo",
		[KEY_FMT_PKCS1_PUBLIC] = "PKCS#1 RSA public key",
		[KEY_FMT_PKCS8] = "PKCS#8 private key",
		[KEY_FMT_PKCS8_ENCRYPTED] = "encrypted PKCS#8 private key",
		[KEY_FMT_RSA_PRIVATE] = "PKCS#1 RSA private key",
		[KEY_FMT_EC_PRIVATE] = "SEC1 EC private key",
		[KEY_FMT_X509] = "X.509 certificate",
		[KEY_FMT_CSR] = "PKCS#10 certificate request",
		[KEY_FMT_OPENSSH] = "OpenSSH public key",
		[KEY_FMT_JWK] = "JWK",
		[KEY_FMT_POINT] = "raw P-256 point 04||X||Y",
		[KEY_FMT_POINT_XY] = "raw P-256 point X||Y",
		[KEY_FMT_POINT_COMPRESSED] = "raw compressed P-256 point",
		[KEY_FMT_PKCS11] = "PKCS#11 token key",
	};

	return names[f];
}

const char *
key_encoding_name(const struct key *k)
{
	switch (k->format) {
	case KEY_FMT_JWK:
		return "JSON";
	case KEY_FMT_OPENSSH:
		return "OpenSSH";
	case KEY_FMT_PKCS11:
		return "PKCS#11";
	case KEY_FMT_POINT:
	case KEY_FMT_POINT_XY:
	case KEY_FMT_POINT_COMPRESSED:
		return k->pem ? "hex" : "binary";
	default:
		return k->pem ? "PEM" : "DER";
	}
}

/* The names of the key types akenza takes, ours and akenza's: the only place they are spelt. */
static const struct {
	enum key_type type;
	const char *name, *alg, *credential, *credential_x509;
} akenza_names[] = {
	{KEY_EC, "ec", "ES256", "EC256_PEM", "EC256_X509_PEM"},
	{KEY_RSA, "rsa", "RS256", "RSA256_PEM", "RSA256_X509_PEM"},
};
#define N_AKENZA_NAMES (sizeof(akenza_names) / sizeof(akenza_names[0]))
_Static_assert(2 * N_AKENZA_NAMES == KEY_CREDENTIALS, "credential numbering");

const char *
key_type_name(enum key_type t)
{
	size_t i;

	for (i = 0; i < N_AKENZA_NAMES; i++)
		if (akenza_names[i].type == t)
			return akenza_names[i].name;
	return NULL;
}

enum key_type
key_name_type(const char *name)
{
	size_t i;

	for (i = 0; i < N_AKENZA_NAMES; i++)
		if (strcmp(akenza_names[i].name, name) == 0)
			return akenza_names[i].type;
	return KEY_OTHER;
}

const char *
key_type_alg(enum key_type t)
{
	size_t i;

	for (i = 0; i < N_AKENZA_NAMES; i++)
		if (akenza_names[i].type == t)
			return akenza_names[i].alg;
	return NULL;
}

const char *
key_type_credential(enum key_type t, int x509)
{
	size_t i;

	for (i = 0; i < N_AKENZA_NAMES; i++)
		if (akenza_names[i].type == t)
			return x509 ? akenza_names[i].credential_x509 : akenza_names[i].credential;
	return NULL;
}

enum key_type
key_alg_type(const char *alg)
{
	size_t i;

	for (i = 0; alg != NULL && i < N_AKENZA_NAMES; i++)
		if (strcmp(alg, akenza_names[i].alg) == 0)
			return akenza_names[i].type;
	return KEY_OTHER;
}

const char *
key_credential_name(int i)
{
	if (i < 0 || i >= KEY_CREDENTIALS)
		return NULL;
	return i % 2 ? akenza_names[i / 2].credential_x509 : akenza_names[i / 2].credential;
}

int
key_credential_index(const char *name)
{
	int i;

	for (i = 0; i < KEY_CREDENTIALS; i++)
		if (strcmp(name, key_credential_name(i)) == 0)
			return i;
	return -1;
}

int
key_credential_x509(const char *name)
{
	int i = key_credential_index(name);

	return i >= 0 && i % 2 == 1; /* as key_credential_name numbers them */
}

const char *
key_akenza_alg(const struct key *k, const char **why)
{
	const char *curve;

	switch (key_type(k)) {
	case KEY_EC:
		curve = key_curve(k);
		if (curve != NULL && strcmp(curve, "P-256") == 0)
			return key_type_alg(KEY_EC);
		*why = "akenza takes only the P-256 curve for EC keys";
		return NULL;
	case KEY_RSA:
		if (key_bits(k) >= 2048)
			return key_type_alg(KEY_RSA);
		*why = "RSA keys must have at least 2048 bits";
		return NULL;
	default:
		*why = "akenza takes only RSA (2048 bits or more) and EC P-256 keys";
		return NULL;
	}
}

const char *
key_akenza_credential(const struct key *k, int x509)
{
	const char *why;

	if (key_akenza_alg(k, &why) == NULL)
		return NULL;
	return key_type_credential(key_type(k), x509);
}

/*
 * An RSA key's SubjectPublicKeyInfo put together by OpenSSL's ASN.1 encoder
 * (i2d_ASN1_SEQUENCE_ANY, i2d_X509_PUBKEY), not i2d_PUBKEY: the encoder
 * framework behind that costs, on first use, a sixth of a whole "akcred
 * fingerprint" or "akcred jwt mint" of an RSA key (tests/bench/keys.sh and
 * jwt.sh measure both).  The unit tests compare the bytes with
 * i2d_PUBKEY's.  0 for anything but a plain RSA key (the general path).
 */
static int
rsa_spki_der(const struct key *k, unsigned char **der, size_t *len)
{
	ASN1_SEQUENCE_ANY *seq = NULL;
	X509_PUBKEY *pub = NULL;
	unsigned char *rsapub = NULL;
	BIGNUM *bn[2] = {NULL, NULL};
	ASN1_INTEGER *ai;
	ASN1_TYPE *t;
	int i, n, ok = 0;

	if (key_type(k) != KEY_RSA || !EVP_PKEY_is_a(k->pkey, "RSA") ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &bn[0]) ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &bn[1]) ||
	    (seq = sk_ASN1_TYPE_new_null()) == NULL)
		goto out;
	/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
	for (i = 0; i < 2; i++) {
		if ((t = ASN1_TYPE_new()) == NULL)
			goto out;
		if (sk_ASN1_TYPE_push(seq, t) <= 0) {
			ASN1_TYPE_free(t);
			goto out;
		}
		if ((ai = BN_to_ASN1_INTEGER(bn[i], NULL)) == NULL)
			goto out;
		ASN1_TYPE_set(t, V_ASN1_INTEGER, ai);
	}
	if ((n = i2d_ASN1_SEQUENCE_ANY(seq, &rsapub)) <= 0 || (pub = X509_PUBKEY_new()) == NULL ||
	    !X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL, rsapub,
				    n))
		goto out;
	rsapub = NULL; /* pub owns it now */
	if ((n = i2d_X509_PUBKEY(pub, der)) <= 0)
		goto out;
	*len = (size_t)n;
	ok = 1;
out:
	ERR_clear_error();
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	OPENSSL_free(rsapub);
	X509_PUBKEY_free(pub);
	BN_free(bn[0]);
	BN_free(bn[1]);
	return ok;
}

int
key_spki_der(const struct key *k, unsigned char **der, size_t *len, struct err *e)
{
	unsigned char point[P256_POINT_LEN];
	EVP_PKEY *canon = NULL;
	int n;

	*der = NULL;
	if (p256_point_of(k, point)) {
		if ((*der = OPENSSL_malloc(P256_SPKI_DER_LEN)) == NULL)
			return err_set(e, AK_INTERNAL, "out of memory");
		p256_spki_der(point, *der);
		*len = P256_SPKI_DER_LEN;
		return 0;
	}
	if (rsa_spki_der(k, der, len))
		return 0;
	/*
	 * One key, one kid: an EC key is re-encoded with its curve named by OID
	 * and its point uncompressed, as the reference implementation exports
	 * it, whatever form the input used.
	 */
	if (key_type(k) == KEY_EC) {
		if ((canon = EVP_PKEY_dup(k->pkey)) == NULL ||
		    !EVP_PKEY_set_utf8_string_param(
			    canon, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
			    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) ||
		    !EVP_PKEY_set_utf8_string_param(canon, OSSL_PKEY_PARAM_EC_ENCODING,
						    OSSL_PKEY_EC_ENCODING_GROUP)) {
			EVP_PKEY_free(canon);
			return err_openssl(e, AK_CRYPTO, "cannot encode the EC public key");
		}
	}
	n = i2d_PUBKEY(canon ? canon : k->pkey, der);
	EVP_PKEY_free(canon);
	if (n <= 0)
		return err_openssl(e, AK_CRYPTO, "cannot encode the public key");
	*len = (size_t)n;
	return 0;
}

int
key_fingerprint_ok(const char *s)
{
	return strlen(s) == KEY_FINGERPRINT_HEX &&
	       strspn(s, "0123456789abcdef") == KEY_FINGERPRINT_HEX;
}

int
key_fingerprint(const struct key *k, char hex[KEY_FINGERPRINT_HEX + 1], struct err *e)
{
	unsigned char *der, md[32];
	size_t len;

	if (key_spki_der(k, &der, &len, e) != 0)
		return -1;
	/* libsodium's SHA-256: no OpenSSL digest fetch on the fast path. */
	crypto_hash_sha256(md, der, len);
	OPENSSL_free(der);
	sodium_bin2hex(hex, KEY_FINGERPRINT_HEX + 1, md, sizeof(md));
	return 0;
}

int
key_same_public(const struct key *a, const struct key *b)
{
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

/* Copy a memory BIO's contents to a new buffer (secret: sodium memory). */
static int
bio_take(BIO *bio, int secret, char **out, size_t *len, struct err *e)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	*out = secret ? sodium_malloc((size_t)n + 1) : malloc((size_t)n + 1);
	if (*out == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int
key_pair_ok(const struct key *k)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	if (!k->is_private)
		return 0;
	if (key_type(k) != KEY_EC)
		return 1; /* see key.h */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	/* Recomputes the public half from the private one (scalar * G for EC). */
	ok = EVP_PKEY_pairwise_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
key_private_pem(const struct key *k, const char *pass, size_t passlen, char **pem, size_t *len,
		struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;

	if (key_private_pem_buf(k, pass, passlen, &b, e) != 0)
		return -1;
	*pem = (char *)b.data; /* sodium memory: the caller sodium_free()s it */
	*len = b.len;
	return 0;
}

int
key_private_pem_buf(const struct key *k, const char *pass, size_t passlen, struct fileio_buf *out,
		    struct err *e)
{
	unsigned char der[P256_PKCS8_DER_LEN];
	struct p256_keypair kp;
	BIO *bio;
	char *p;
	long n;
	int rc, ok;

	/* BIO memory is cleared when freed (BUF_MEM_free uses OPENSSL_clear_free). */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return err_openssl(e, AK_INTERNAL, "out of memory");
	if (pass == NULL && p256_keypair_of(k, &kp)) {
		/* The bytes OpenSSL's PKCS#8 encoder would give (p256.h), in PEM. */
		p256_pkcs8_der(&kp, der);
		ok = PEM_write_bio(bio, "PRIVATE KEY", "", der, sizeof(der)) > 0;
		sodium_memzero(&kp, sizeof(kp));
		sodium_memzero(der, sizeof(der));
	} else {
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, pass ? EVP_aes_256_cbc() : NULL,
						   (const char *)pass, (int)passlen, NULL, NULL);
	}
	if (!ok)
		rc = err_openssl(e, AK_CRYPTO, "cannot encode the private key");
	else if ((n = BIO_get_mem_data(bio, &p)) < 0 ||
		 fileio_buf_reserve(out, (size_t)n + 1, 1) != 0)
		rc = err_set(e, AK_INTERNAL, "out of memory");
	else {
		memcpy(out->data, p, (size_t)n);
		out->data[n] = '\0';
		out->len = (size_t)n;
		rc = 0;
	}
	BIO_free(bio);
	return rc;
}

int
key_public_pem(const struct key *k, char **pem, size_t *len, struct err *e)
{
	unsigned char *der;
	size_t dlen;
	BIO *bio;
	int rc;

	/* Write the canonical SPKI, so the file hashes to the fingerprint we print. */
	if (key_spki_der(k, &der, &dlen, e) != 0)
		return -1;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(bio, "PUBLIC KEY", "", der, (long)dlen) <= 0)
		rc = err_openssl(e, AK_CRYPTO, "cannot encode the public key");
	else
		rc = bio_take(bio, 0, pem, len, e);
	BIO_free(bio);
	OPENSSL_free(der);
	return rc;
}

static int
add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

int
key_self_signed_pem(const struct key *k, const char *cn, int days, char **pem, size_t *len,
		    struct err *e)
{
	unsigned char serial[16];
	X509 *cert = NULL;
	X509_NAME *name;
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	BIO *bio = NULL;
	int rc = -1;

	/* A random positive 127-bit serial, as RFC 5280 recommends for uniqueness. */
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return err_openssl(e, AK_CRYPTO, "no randomness for the serial number");
	serial[0] &= 0x7f;
	if ((cert = X509_new()) == NULL || !X509_set_version(cert, X509_VERSION_3) ||
	    (bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || !X509_set_serialNumber(cert, sn) ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, NULL) == NULL ||
	    !X509_set_pubkey(cert, k->pkey) || (name = X509_get_subject_name(cert)) == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_issuer_name(cert, name) ||
	    !add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(cert, NID_subject_key_identifier, "hash") ||
	    (k->p11 == NULL && X509_sign(cert, k->pkey, EVP_sha256()) == 0)) {
		err_openssl(e, AK_CRYPTO, "cannot make the certificate");
		goto out;
	}
	/* A token's key signs on the token. */
	if (k->p11 != NULL && p11_sign_cert(k->p11, cert, e) != 0)
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(bio, cert)) {
		err_openssl(e, AK_CRYPTO, "cannot encode the certificate");
		goto out;
	}
	rc = bio_take(bio, 0, pem, len, e);
out:
	BIO_free(bio);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_free(cert);
	return rc;
}

int
key_cert_is_for(const struct key *k, const char *fp, const char *cn)
{
	char cfp[KEY_FINGERPRINT_HEX + 1];
	struct err e = ERR_INIT;
	const X509_NAME *name;
	const X509_NAME_ENTRY *ent;
	unsigned char *v = NULL;
	int n, ok;

	if (k->cert == NULL || key_fingerprint(k, cfp, &e) != 0 || strcmp(cfp, fp) != 0)
		return 0;
	/*
	 * The subject's one attribute, compared as data, not as printed: RFC
	 * 2253 escapes ';', '<' and '>', which device ids may hold.
	 */
	name = X509_get_subject_name(k->cert);
	if (X509_NAME_entry_count(name) != 1 || (ent = X509_NAME_get_entry(name, 0)) == NULL ||
	    OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) != NID_commonName ||
	    (n = ASN1_STRING_to_UTF8(&v, X509_NAME_ENTRY_get_data(ent))) < 0)
		return 0;
	ok = (size_t)n == strlen(cn) && memcmp(v, cn, (size_t)n) == 0;
	OPENSSL_free(v);
	return ok;
}

int
key_cert_subject(const struct key *k, char *buf, size_t size)
{
	BIO *bio;
	char *p;
	long n;

	if (k->cert == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	X509_NAME_print_ex(bio, X509_get_subject_name(k->cert), 0, XN_FLAG_RFC2253);
	n = BIO_get_mem_data(bio, &p);
	snprintf(buf, size, "%.*s", (int)n, p);
	BIO_free(bio);
	return 0;
}

int
key_asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

int
key_cert_validity(const struct key *k, time_t *not_before, time_t *not_after)
{
	if (k->cert == NULL || key_asn1_time(X509_get0_notBefore(k->cert), not_before) != 0 ||
	    key_asn1_time(X509_get0_notAfter(k->cert), not_after) != 0)
		return -1;
	return 0;
}

enum key_cert_time
key_cert_valid_at(const struct key *k, time_t now, long leeway)
{
	time_t nb, na;

	if (k->cert == NULL)
		return KEY_CERT_VALID;
	if (key_cert_validity(k, &nb, &na) != 0)
		return KEY_CERT_UNREADABLE;
	/* In long long: a certificate's times reach 9999, the leeway 100 years. */
	if ((long long)nb - now > leeway)
		return KEY_CERT_NOT_YET_VALID;
	if ((long long)now - na > leeway)
		return KEY_CERT_EXPIRED;
	return KEY_CERT_VALID;
}

int
key_cert_sha1(const struct key *k, char hex[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (k->cert == NULL || !X509_digest(k->cert, EVP_sha1(), md, &n) || n != 20)
		return -1;
	sodium_bin2hex(hex, 41, md, n);
	return 0;
}
