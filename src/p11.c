/*
 * p11: keys on PKCS#11 tokens (see p11.h).
 *
 * p11-kit parses the URI and loads the module; the token is then driven
 * through the module's own function list.  Everything here is process-wide
 * state -- one module list, one session, one login -- behind one lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <sodium.h>

#include "dlib.h"
#include "jwt.h"
#include "key.h"
#include "p11.h"
#include "passphrase.h"
#include "banned.h"

/* clang-format off */
#define P11KIT_FUNCS(X)                                                                            \
	X(p11_kit_uri_new) X(p11_kit_uri_parse) X(p11_kit_uri_free) X(p11_kit_uri_message)         \
	X(p11_kit_uri_get_attributes) X(p11_kit_uri_get_attribute)                                 \
	X(p11_kit_uri_match_module_info) X(p11_kit_uri_match_slot_info)                            \
	X(p11_kit_uri_match_token_info) X(p11_kit_uri_get_slot_id) X(p11_kit_uri_get_pin_value)    \
	X(p11_kit_uri_get_pin_source) X(p11_kit_uri_get_module_name)                               \
	X(p11_kit_uri_get_module_path) X(p11_kit_module_load) X(p11_kit_module_initialize)         \
	X(p11_kit_module_finalize) X(p11_kit_module_release) X(p11_kit_module_get_name)            \
	X(p11_kit_modules_load_and_initialize) X(p11_kit_modules_finalize_and_release)             \
	X(p11_kit_message) X(p11_kit_be_quiet)
/* clang-format on */
P11KIT_FUNCS(DLIB_DECLARE)
static const struct dlib_sym p11kit_syms[] = {P11KIT_FUNCS(DLIB_ENTRY){NULL, NULL}};

static int
p11kit_init(struct err *e)
{
	(void)e;
	/* Modules do not print: p11-kit's messages are asked for (p11_kit_message) instead. */
	p_p11_kit_be_quiet();
	return 0;
}

static struct dlib libp11kit = DLIB_INIT("p11-kit", "libp11-kit.so.0", "libp11-kit0",
					 "version 0.23.10 or newer is needed", p11kit_syms,
					 p11kit_init);

struct p11_key {
	CK_OBJECT_HANDLE handle;
	CK_KEY_TYPE type; /* CKK_EC or CKK_RSA */
};

static struct {
	pthread_mutex_t lock;
	struct p11_opts opts;
	CK_FUNCTION_LIST **mods; /* NULL-terminated */
	int registered;          /* mods came from p11-kit's registry */
	CK_FUNCTION_LIST *mod;   /* the session's */
	CK_SESSION_HANDLE session;
	CK_TOKEN_INFO token;
	char label[33]; /* the token's, for messages */
	int open, logged_in;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The names of the return values a user may meet; the rest by number. */
static const char *
rv_name(CK_RV rv, char buf[32])
{
	static const struct {
		CK_RV rv;
		const char *name;
	} names[] = {
		{CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
		{CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
		{CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
		{CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
		{CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
		{CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
		{CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
		{CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
		{CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
		{CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
		{CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
		{CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
		{CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
		{CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
		{CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rv == rv)
			return names[i].name;
	snprintf(buf, 32, "CK_RV 0x%lx", (unsigned long)rv);
	return buf;
}

static int
rv_fail(struct err *e, CK_RV rv, enum ak_status status, const char *what)
{
	char buf[32];

	return err_set(e, status, "%s on token '%s': %s", what, st.label, rv_name(rv, buf));
}

int
p11_is_uri(const char *s)
{
	return s != NULL && strncasecmp(s, "pkcs11:", 7) == 0;
}

/*
 * The URI as messages show it: without its query, and without a pin-value
 * among its path attributes either (p11-kit takes one there too).
 */
void
p11_uri_shown(const char *uri, char *buf, size_t size)
{
	const char *p = uri, *end = uri + strcspn(uri, "?");
	size_t n = 0, len;
	int first = 1;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (p11_is_uri(uri)) {
		n = (size_t)snprintf(buf, size, "%.7s", uri);
		p += 7;
	}
	while (p < end && n < size) {
		len = strcspn(p, ";?");
		if (p + len > end)
			len = (size_t)(end - p);
		if (strncasecmp(p, "pin-value=", 10) != 0) {
			n += (size_t)snprintf(buf + n, size - n, "%s%.*s", first ? "" : ";",
					      (int)len, p);
			first = 0;
		}
		p += len + (p[len] == ';');
	}
}

const char *
p11_name_shown(const char *name, char *buf, size_t size)
{
	if (!p11_is_uri(name))
		return name;
	p11_uri_shown(name, buf, size);
	return buf;
}

static int
uri_parse(const char *uri, P11KitUri **out, struct err *e)
{
	char shown[256];
	int rc;

	*out = NULL;
	if (dlib_load(&libp11kit, e) != 0)
		return -1;
	if ((*out = p_p11_kit_uri_new()) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if ((rc = p_p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, *out)) != P11_KIT_URI_OK) {
		p11_uri_shown(uri, shown, sizeof(shown));
		p_p11_kit_uri_free(*out);
		*out = NULL;
		return err_set(e, AK_USAGE, "not a PKCS#11 URI '%s': %s", shown,
			       p_p11_kit_uri_message(rc));
	}
	return 0;
}

int
p11_uri_has_pin_value(const char *s)
{
	struct err e = ERR_INIT;
	P11KitUri *u;
	int has;

	if (!p11_is_uri(s) || uri_parse(s, &u, &e) != 0)
		return 0;
	has = p_p11_kit_uri_get_pin_value(u) != NULL;
	p_p11_kit_uri_free(u);
	return has;
}

void
p11_configure(const struct p11_opts *o)
{
	pthread_mutex_lock(&st.lock);
	st.opts = *o;
	pthread_mutex_unlock(&st.lock);
}

/* A blank-padded PKCS#11 string as a C string. */
static void
padded(const unsigned char *s, size_t n, char *out)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The modules to look in, with st.lock held: once per process. */
static int
load_modules(P11KitUri *u, struct err *e)
{
	const char *path = p_p11_kit_uri_get_module_path(u);
	CK_FUNCTION_LIST *m;
	const char *why;
	CK_RV rv;

	if (st.mods != NULL)
		return 0;
	if (path == NULL && p_p11_kit_uri_get_module_name(u) == NULL)
		path = st.opts.module != NULL ? st.opts.module : getenv(P11_MODULE_ENV);
	if (path != NULL && path[0] == '\0')
		path = NULL; /* an empty variable is no module: p11-kit's registered ones */
	if (path == NULL) {
		/* p11-kit's registered modules (p11-kit(8): /usr/share/p11-kit/modules). */
		st.mods = p_p11_kit_modules_load_and_initialize(0);
		if (st.mods == NULL || st.mods[0] == NULL) {
			why = p_p11_kit_message();
			if (st.mods != NULL)
				p_p11_kit_modules_finalize_and_release(st.mods);
			st.mods = NULL;
			return err_set(
				e, AK_INPUT,
				"no PKCS#11 module: give --pkcs11-module PATH, set " P11_MODULE_ENV
				" or register one with p11-kit%s%s",
				why != NULL ? ": " : "", why != NULL ? why : "");
		}
		st.registered = 1;
		return 0;
	}
	/* Unmanaged: akcred is the module's one user in this process, and calls it directly. */
	if ((m = p_p11_kit_module_load(path, P11_KIT_MODULE_UNMANAGED)) == NULL) {
		why = p_p11_kit_message();
		return err_set(e, AK_INPUT, "cannot load the PKCS#11 module '%s': %s", path,
			       why != NULL ? why : "unknown reason");
	}
	if ((rv = p_p11_kit_module_initialize(m)) != CKR_OK) {
		why = p_p11_kit_message();
		p_p11_kit_module_release(m);
		return err_set(e, AK_INPUT, "cannot initialise the PKCS#11 module '%s': %s", path,
			       why != NULL ? why : "unknown reason");
	}
	if ((st.mods = calloc(2, sizeof(*st.mods))) == NULL) {
		p_p11_kit_module_finalize(m);
		p_p11_kit_module_release(m);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	st.mods[0] = m;
	return 0;
}

/* Does module m have the URI's module-name (if it has one)? */
static int
module_named(P11KitUri *u, CK_FUNCTION_LIST *m)
{
	const char *want = p_p11_kit_uri_get_module_name(u);
	char *name;
	int same;

	if (want == NULL || !st.registered)
		return 1;
	name = p_p11_kit_module_get_name(m);
	same = name != NULL && strcmp(name, want) == 0;
	free(name);
	return same;
}

struct token_match {
	CK_FUNCTION_LIST *mod;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO info;
	unsigned long n;
};

/* Every initialised token of m that the URI matches, counted into t. */
static void
match_tokens(P11KitUri *u, CK_FUNCTION_LIST *m, struct token_match *t)
{
	CK_SLOT_ID want = p_p11_kit_uri_get_slot_id(u), *slots = NULL;
	CK_ULONG n = 0, i;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_INFO mi;

	if (m->C_GetInfo(&mi) != CKR_OK || !p_p11_kit_uri_match_module_info(u, &mi) ||
	    m->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0 ||
	    (slots = calloc(n, sizeof(*slots))) == NULL ||
	    m->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		if ((want != (CK_SLOT_ID)-1 && slots[i] != want) ||
		    m->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
		    !p_p11_kit_uri_match_slot_info(u, &si) ||
		    m->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !(ti.flags & CKF_TOKEN_INITIALIZED) || !p_p11_kit_uri_match_token_info(u, &ti))
			continue;
		if (t->n++ == 0) {
			t->mod = m;
			t->slot = slots[i];
			t->info = ti;
		}
	}
	free(slots);
}

/* The PIN, from the first of its sources that is there, into pp. */
static int
get_pin(P11KitUri *u, struct passphrase *pp, struct err *e)
{
	const char *source = p_p11_kit_uri_get_pin_source(u),
		   *value = p_p11_kit_uri_get_pin_value(u);
	char what[64];

	pp->file = st.opts.pin_file;
	if (pp->file == NULL && getenv(P11_PIN_ENV) == NULL) {
		if (source != NULL) {
			/* RFC 7512: a URI, of which akcred reads the file: form, or a path. */
			pp->file = strncmp(source, "file:", 5) == 0 ? source + 5 : source;
		} else if (value != NULL) {
			return passphrase_set(pp, value, strlen(value), e) == 0
				       ? 0
				       : err_prefix(e, "the URI's pin-value");
		}
	}
	snprintf(what, sizeof(what), "token '%s'", st.label);
	return passphrase_get(pp, what, e);
}

static int
login(P11KitUri *u, struct err *e)
{
	struct passphrase pp = {.noun = "PIN", .env = P11_PIN_ENV, .option = "--pin-file"};
	CK_RV rv;

	if (!(st.token.flags & CKF_LOGIN_REQUIRED) || st.logged_in)
		return 0;
	if (st.token.flags & CKF_USER_PIN_LOCKED)
		return err_set(e, AK_INPUT, "the PIN of token '%s' is locked", st.label);
	if (st.token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		/* A PIN pad: the token asks. */
		rv = st.mod->C_Login(st.session, CKU_USER, NULL, 0);
	} else {
		if (get_pin(u, &pp, e) != 0)
			return -1;
		rv = st.mod->C_Login(st.session, CKU_USER, (unsigned char *)pp.value, pp.len);
		passphrase_clear(&pp);
	}
	switch (rv) {
	case CKR_OK:
	case CKR_USER_ALREADY_LOGGED_IN:
		st.logged_in = 1;
		return 0;
	case CKR_PIN_INCORRECT:
		return err_set(e, AK_INPUT, "wrong PIN for token '%s'", st.label);
	case CKR_PIN_LOCKED:
		return err_set(e, AK_INPUT, "the PIN of token '%s' is locked (too many wrong PINs)",
			       st.label);
	case CKR_PIN_LEN_RANGE:
		return err_set(e, AK_INPUT, "wrong PIN for token '%s': its length is out of range",
			       st.label);
	default:
		return rv_fail(e, rv, AK_CRYPTO, "cannot log in");
	}
}

/*
 * The session on the token the URI matches, with st.lock held: opened by
 * the first key, reused by the next ones -- which must be on the same token.
 * login() follows where a private key is wanted (public objects need no PIN).
 */
static int
open_session(P11KitUri *u, const char *uri, struct err *e)
{
	struct token_match t = {0};
	char shown[256];
	size_t i, named;
	CK_RV rv;

	p11_uri_shown(uri, shown, sizeof(shown));
	if (st.open) {
		if (!p_p11_kit_uri_match_token_info(u, &st.token))
			return err_set(e, AK_USAGE,
				       "'%s' is not on token '%s': one run uses one token", shown,
				       st.label);
		return 0;
	}
	if (load_modules(u, e) != 0)
		return -1;
	for (i = 0, named = 0; st.mods[i] != NULL; i++)
		if (module_named(u, st.mods[i])) {
			named++;
			match_tokens(u, st.mods[i], &t);
		}
	if (named == 0)
		return err_set(e, AK_INPUT,
			       "no PKCS#11 module named '%s' is registered with p11-kit",
			       p_p11_kit_uri_get_module_name(u));
	if (t.n == 0)
		return err_set(e, AK_INPUT, "no token matches '%s'", shown);
	if (t.n > 1)
		return err_set(e, AK_INPUT, "%lu tokens match '%s', add token= or serial=", t.n,
			       shown);
	st.mod = t.mod;
	st.token = t.info;
	padded(t.info.label, sizeof(t.info.label), st.label);
	rv = st.mod->C_OpenSession(t.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				   &st.session);
	if (rv == CKR_TOKEN_WRITE_PROTECTED)
		rv = st.mod->C_OpenSession(t.slot, CKF_SERIAL_SESSION, NULL, NULL, &st.session);
	if (rv != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot open a session");
	st.open = 1;
	return 0;
}

/* Find up to max objects of template; *n is how many (max: max or more). */
static int
find(CK_ATTRIBUTE *tmpl, CK_ULONG ntmpl, CK_OBJECT_HANDLE *h, CK_ULONG max, CK_ULONG *n,
     struct err *e)
{
	CK_RV rv;

	*n = 0;
	if ((rv = st.mod->C_FindObjectsInit(st.session, tmpl, ntmpl)) != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot search");
	rv = st.mod->C_FindObjects(st.session, h, max, n);
	st.mod->C_FindObjectsFinal(st.session);
	return rv == CKR_OK ? 0 : rv_fail(e, rv, AK_CRYPTO, "cannot search");
}

/*
 * What get_attr(), public_of() and load_object() answer where the token has
 * shown a thing not to be there -- unlike a failure, which shows nothing.
 */
#define ABSENT 1

/* Attribute t of h in malloc()ed *val: 0; ABSENT if h has none; -1 with e. */
static int
get_attr(CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, unsigned char **val, CK_ULONG *len, struct err *e)
{
	CK_ATTRIBUTE a = {t, NULL, 0};
	CK_RV rv;

	*val = NULL;
	*len = 0;
	rv = st.mod->C_GetAttributeValue(st.session, h, &a, 1);
	/* None, an empty one, or one the token keeps to itself: not there to be read. */
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    (rv == CKR_OK && (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen == 0)))
		return ABSENT;
	if (rv != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot read an object's attributes");
	if ((a.pValue = malloc(a.ulValueLen)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if ((rv = st.mod->C_GetAttributeValue(st.session, h, &a, 1)) != CKR_OK) {
		free(a.pValue);
		return rv_fail(e, rv, AK_CRYPTO, "cannot read an object's attributes");
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return 0;
}

/* Public key attributes that are there but make no key: -1 with e. */
static int
bad_public(const char *type, struct err *e)
{
	return err_openssl(e, AK_INPUT,
			   "an %s key on token '%s' has public key attributes that are no key",
			   type, st.label);
}

/* An EVP_PKEY of type name ("EC", "RSA") from the parameters of b. */
static EVP_PKEY *
from_params(const char *name, OSSL_PARAM_BLD *b)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* *pkey from h's CKA_EC_PARAMS and CKA_EC_POINT: 0, ABSENT, -1 with e. */
static int
ec_public(CK_OBJECT_HANDLE h, EVP_PKEY **pkey, struct err *e)
{
	unsigned char *params = NULL, *point = NULL;
	const unsigned char *p;
	CK_ULONG plen, qlen;
	ASN1_OCTET_STRING *os = NULL;
	ASN1_OBJECT *oid = NULL;
	OSSL_PARAM_BLD *b = NULL;
	const char *group;
	int rc;

	if ((rc = get_attr(h, CKA_EC_PARAMS, &params, &plen, e)) != 0 ||
	    (rc = get_attr(h, CKA_EC_POINT, &point, &qlen, e)) != 0)
		goto out;
	rc = -1;
	p = params;
	if ((oid = d2i_ASN1_OBJECT(NULL, &p, (long)plen)) == NULL ||
	    (group = OBJ_nid2sn(OBJ_obj2nid(oid))) == NULL) {
		bad_public("EC", e);
		goto out;
	}
	/* The point is a DER OCTET STRING (PKCS#11 2.40); a few modules give it bare. */
	p = point;
	os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)qlen);
	ERR_clear_error();
	if ((b = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(
		    b, OSSL_PKEY_PARAM_PUB_KEY,
		    os != NULL && p == point + qlen ? ASN1_STRING_get0_data(os) : point,
		    os != NULL && p == point + qlen ? (size_t)ASN1_STRING_length(os) : qlen))
		err_set(e, AK_INTERNAL, "out of memory");
	else if ((*pkey = from_params("EC", b)) == NULL)
		bad_public("EC", e);
	else
		rc = 0;
out:
	OSSL_PARAM_BLD_free(b);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	free(params);
	free(point);
	return rc;
}

/* *pkey from h's CKA_MODULUS and CKA_PUBLIC_EXPONENT: 0, ABSENT, -1 with e. */
static int
rsa_public(CK_OBJECT_HANDLE h, EVP_PKEY **pkey, struct err *e)
{
	unsigned char *mod = NULL, *exp = NULL;
	CK_ULONG mlen, elen;
	BIGNUM *n = NULL, *x = NULL;
	OSSL_PARAM_BLD *b = NULL;
	int rc;

	if ((rc = get_attr(h, CKA_MODULUS, &mod, &mlen, e)) != 0 ||
	    (rc = get_attr(h, CKA_PUBLIC_EXPONENT, &exp, &elen, e)) != 0)
		goto out;
	rc = -1;
	if ((n = BN_bin2bn(mod, (int)mlen, NULL)) == NULL ||
	    (x = BN_bin2bn(exp, (int)elen, NULL)) == NULL || (b = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, x))
		err_set(e, AK_INTERNAL, "out of memory");
	else if ((*pkey = from_params("RSA", b)) == NULL)
		bad_public("RSA", e);
	else
		rc = 0;
out:
	OSSL_PARAM_BLD_free(b);
	BN_free(n);
	BN_free(x);
	free(mod);
	free(exp);
	return rc;
}

/*
 * The public half of object h of key type t (CKK_EC or CKK_RSA), read from h
 * itself, in *pkey: 0, ABSENT if h has no public key attributes, -1 with e.
 */
static int
public_of(CK_OBJECT_HANDLE h, CK_KEY_TYPE t, EVP_PKEY **pkey, struct err *e)
{
	struct err ignored = ERR_INIT;
	unsigned char *spki = NULL;
	const unsigned char *p;
	CK_ULONG len;
	int spki_rc, rc;

	*pkey = NULL;
	/*
	 * PKCS#11 2.40's CKA_PUBLIC_KEY_INFO, where the module has it, says it all.  It is
	 * optional: a module older than it may answer anything for it (CKR_FUNCTION_FAILED,
	 * ...), so every failure is its absence, and the attributes below decide.
	 */
	spki_rc = get_attr(h, CKA_PUBLIC_KEY_INFO, &spki, &len, &ignored);
	if (spki_rc == 0) {
		p = spki;
		*pkey = d2i_PUBKEY(NULL, &p, (long)len);
		free(spki);
		if (*pkey != NULL)
			return 0;
	}
	rc = t == CKK_EC ? ec_public(h, pkey, e) : rsa_public(h, pkey, e);
	/* An SPKI that is no key, and nothing else: a bad key, not a missing one. */
	if (rc == ABSENT && spki_rc == 0)
		return bad_public(t == CKK_EC ? "EC" : "RSA", e);
	if (rc == 0)
		ERR_clear_error(); /* the SPKI's, if it did not decode */
	return rc;
}

/*
 * The public half of private key h: from its own attributes, else from the
 * public key object with its CKA_ID (a private EC key need not carry the
 * point).  0; ABSENT, e saying so, if the token shows neither to have it;
 * -1 with e.
 */
static int
private_public(CK_OBJECT_HANDLE h, CK_KEY_TYPE t, EVP_PKEY **pkey, struct err *e)
{
	CK_OBJECT_CLASS pub = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &pub, sizeof(pub)}, {CKA_ID, NULL, 0}};
	CK_OBJECT_HANDLE ph[2];
	unsigned char *id = NULL;
	CK_ULONG idlen, n = 0;
	int rc;

	if ((rc = public_of(h, t, pkey, e)) != ABSENT)
		return rc;
	/* Its id, else (a pair made but not yet given one: keygen sets it after) its label. */
	if ((rc = get_attr(h, CKA_ID, &id, &idlen, e)) == ABSENT) {
		tmpl[1].type = CKA_LABEL;
		rc = get_attr(h, CKA_LABEL, &id, &idlen, e);
	}
	if (rc == 0) {
		tmpl[1].pValue = id;
		tmpl[1].ulValueLen = idlen;
		rc = find(tmpl, 2, ph, 2, &n, e);
		free(id);
	}
	if (rc < 0)
		return -1;
	if (n > 1)
		return err_set(e, AK_INPUT,
			       "more than one public key on token '%s' has the private key's %s: "
			       "akcred does not choose",
			       st.label, tmpl[1].type == CKA_ID ? "id" : "label");
	if (n == 1 && (rc = public_of(ph[0], t, pkey, e)) != ABSENT)
		return rc;
	if (n == 1)
		return err_set(e, AK_INPUT,
			       "the public key of the private key's %s on token '%s' has no public "
			       "key attributes",
			       tmpl[1].type == CKA_ID ? "id" : "label", st.label);
	err_set(e, AK_INPUT,
		"the public half of the key is not on token '%s' (neither in the private key's "
		"attributes nor as a public key object with its id)",
		st.label);
	return ABSENT;
}

static int
key_type_of(CK_OBJECT_HANDLE h, CK_KEY_TYPE *t, struct err *e)
{
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, t, sizeof(*t)};
	CK_RV rv;

	if ((rv = st.mod->C_GetAttributeValue(st.session, h, &a, 1)) != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot read the key's type");
	if (*t != CKK_EC && *t != CKK_RSA)
		return err_set(e, AK_INPUT,
			       "the key on token '%s' is neither EC nor RSA: akenza takes neither",
			       st.label);
	return 0;
}

/*
 * k from object h of class c (st.lock held): 0; ABSENT, e saying so, if it
 * is a private key whose public half the token shows not to have; -1 with e.
 */
static int
load_object(struct key *k, CK_OBJECT_HANDLE h, CK_OBJECT_CLASS c, struct err *e)
{
	unsigned char *der = NULL;
	CK_KEY_TYPE t;
	CK_ULONG len;
	char name[64];
	int rc;

	if (c == CKO_CERTIFICATE) {
		if ((rc = get_attr(h, CKA_VALUE, &der, &len, e)) != 0)
			return rc < 0 ? -1
				      : err_set(e, AK_INPUT,
						"the certificate on token '%s' has no value",
						st.label);
		snprintf(name, sizeof(name), "the certificate on token '%s'", st.label);
		rc = key_load(k, der, len, name, NULL, e);
		free(der);
		return rc;
	}
	if (key_type_of(h, &t, e) != 0)
		return -1;
	if (c == CKO_PUBLIC_KEY) {
		if ((rc = public_of(h, t, &k->pkey, e)) != 0)
			return rc < 0 ? -1
				      : err_set(e, AK_INPUT,
						"the public key on token '%s' has no public key "
						"attributes",
						st.label);
		k->format = KEY_FMT_PKCS11;
		return 0;
	}
	if ((rc = private_public(h, t, &k->pkey, e)) != 0)
		return rc;
	if ((k->p11 = calloc(1, sizeof(*k->p11))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	k->p11->handle = h;
	k->p11->type = t;
	k->format = KEY_FMT_PKCS11;
	k->is_private = 1;
	return 0;
}

/* The URI's attributes as a search template, a private key's class added if it names none. */
#define TEMPLATE_MAX 8

static CK_ULONG
uri_template(P11KitUri *u, CK_ATTRIBUTE *tmpl, CK_OBJECT_CLASS *cls)
{
	CK_ATTRIBUTE *attrs, *a;
	CK_ULONG n = 0, i, out = 0;

	attrs = p_p11_kit_uri_get_attributes(u, &n);
	for (i = 0; i < n && out + 1 < TEMPLATE_MAX; i++)
		tmpl[out++] = attrs[i];
	if ((a = p_p11_kit_uri_get_attribute(u, CKA_CLASS)) != NULL &&
	    a->ulValueLen == sizeof(*cls)) {
		memcpy(cls, a->pValue, sizeof(*cls));
	} else {
		*cls = CKO_PRIVATE_KEY;
		tmpl[out++] = (CK_ATTRIBUTE){CKA_CLASS, cls, sizeof(*cls)};
	}
	return out;
}

/* k from the one object u names, with st.lock held: as load_object(). */
static int
load_locked(struct key *k, P11KitUri *u, const char *uri, struct err *e)
{
	CK_ATTRIBUTE tmpl[TEMPLATE_MAX];
	CK_OBJECT_HANDLE h[16];
	CK_OBJECT_CLASS cls;
	CK_ULONG nt, n;
	char shown[256];

	p11_uri_shown(uri, shown, sizeof(shown));
	nt = uri_template(u, tmpl, &cls);
	if (cls != CKO_PRIVATE_KEY && cls != CKO_PUBLIC_KEY && cls != CKO_CERTIFICATE)
		return err_set(e, AK_USAGE, "'%s' names no key: type= is private, public or cert",
			       shown);
	if (open_session(u, uri, e) != 0 || (cls == CKO_PRIVATE_KEY && login(u, e) != 0) ||
	    find(tmpl, nt, h, 16, &n, e) != 0)
		return -1;
	if (n == 0)
		return err_set(e, AK_INPUT, "no object matches '%s' on token '%s'", shown,
			       st.label);
	if (n > 1)
		return err_set(e, AK_INPUT,
			       "%s%lu objects match '%s' on token '%s', add id= or object=",
			       n == 16 ? "at least " : "", (unsigned long)n, shown, st.label);
	return load_object(k, h[0], cls, e);
}

int
p11_key_load(struct key *k, const char *uri, struct err *e)
{
	P11KitUri *u;
	int rc;

	key_clear(k);
	if (key_init(e) != 0 || uri_parse(uri, &u, e) != 0)
		return -1;
	pthread_mutex_lock(&st.lock);
	rc = load_locked(k, u, uri, e);
	pthread_mutex_unlock(&st.lock);
	p_p11_kit_uri_free(u);
	if (rc != 0)
		key_clear(k);
	return rc != 0 ? -1 : 0;
}

void
p11_key_free(struct p11_key *pk)
{
	/* The object stays on the token: only akcred's handle of it goes. */
	free(pk);
}

int
p11_sign(const struct p11_key *pk, const unsigned char *data, size_t len, unsigned char *sig,
	 size_t *siglen, struct err *e)
{
	CK_MECHANISM mech = {pk->type == CKK_EC ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, NULL, 0};
	unsigned char md[32];
	unsigned int mdlen = 0;
	CK_ULONG n = P11_SIG_MAX;
	CK_RV rv;
	int rc = -1;

	*siglen = 0;
	if (pk->type == CKK_EC) {
		/* CKM_ECDSA signs a digest: SHA-256 is made here, as ES256 wants. */
		if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
			return err_openssl(e, AK_CRYPTO, "cannot hash the data to sign");
		data = md;
		len = mdlen;
	}
	pthread_mutex_lock(&st.lock);
	if ((rv = st.mod->C_SignInit(st.session, &mech, pk->handle)) != CKR_OK ||
	    (rv = st.mod->C_Sign(st.session, (unsigned char *)data, len, sig, &n)) != CKR_OK)
		rv_fail(e, rv, AK_CRYPTO, "cannot sign");
	else if (pk->type == CKK_EC && n != 64)
		/* Raw R||S of P-256 is 64 bytes; anything else is not an ES256 signature. */
		err_set(e, AK_CRYPTO, "token '%s' made an ECDSA signature of %lu bytes, not 64",
			st.label, (unsigned long)n);
	else {
		*siglen = n;
		rc = 0;
	}
	pthread_mutex_unlock(&st.lock);
	return rc;
}

int
p11_sign_cert(const struct p11_key *pk, X509 *cert, struct err *e)
{
	int nid = pk->type == CKK_EC ? NID_ecdsa_with_SHA256 : NID_sha256WithRSAEncryption;
	/* RFC 5758: ecdsa-with-SHA256 has no parameters; RFC 4055: sha256WithRSA's are NULL. */
	int ptype = pk->type == CKK_EC ? V_ASN1_UNDEF : V_ASN1_NULL;
	unsigned char sig[P11_SIG_MAX], *tbs = NULL, *der = NULL;
	const ASN1_BIT_STRING *bits;
	const X509_ALGOR *outer;
	size_t siglen, derlen = 0;
	int tbslen, rc = -1;

	/*
	 * X509_sign() wants the private key in OpenSSL: here the algorithm is
	 * set in both places it appears, the to-be-signed part encoded afresh
	 * and signed on the token, and the signature put in place.
	 */
	X509_get0_signature(&bits, &outer, cert);
	if (!X509_ALGOR_set0((X509_ALGOR *)outer, OBJ_nid2obj(nid), ptype, NULL) ||
	    !X509_ALGOR_set0((X509_ALGOR *)X509_get0_tbs_sigalg(cert), OBJ_nid2obj(nid), ptype,
			     NULL) ||
	    (tbslen = i2d_re_X509_tbs(cert, &tbs)) <= 0) {
		err_openssl(e, AK_CRYPTO, "cannot encode the certificate to sign");
		goto out;
	}
	if (p11_sign(pk, tbs, (size_t)tbslen, sig, &siglen, e) != 0)
		goto out;
	/* X.509 takes ECDSA as a DER ECDSA-Sig-Value, not R||S. */
	if (pk->type == CKK_EC && jwt_es256_raw_to_der(sig, &der, &derlen, e) != 0)
		goto out;
	if (!ASN1_BIT_STRING_set((ASN1_BIT_STRING *)bits, der != NULL ? der : sig,
				 (int)(der != NULL ? derlen : siglen))) {
		err_openssl(e, AK_CRYPTO, "cannot set the signature");
		goto out;
	}
	/* A whole number of bytes: no unused bits in the BIT STRING. */
	((ASN1_BIT_STRING *)bits)->flags &= ~0x07L;
	((ASN1_BIT_STRING *)bits)->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	rc = 0;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	return rc;
}

/* P-256's OID, DER: what CKA_EC_PARAMS names a curve by. */
static const unsigned char p256_oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
					 0xce, 0x3d, 0x03, 0x01, 0x07};

/* The new pair's CKA_ID: its fingerprint's bytes (st.lock held). */
static int
set_id(const struct key *k, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, struct err *e)
{
	char hex[KEY_FINGERPRINT_HEX + 1];
	unsigned char id[KEY_FINGERPRINT_HEX / 2];
	CK_ATTRIBUTE a = {CKA_ID, id, sizeof(id)};
	CK_RV rv;

	if (key_fingerprint(k, hex, e) != 0)
		return -1;
	if (sodium_hex2bin(id, sizeof(id), hex, KEY_FINGERPRINT_HEX, NULL, NULL, NULL) != 0)
		return err_set(e, AK_INTERNAL, "internal error: the fingerprint is not hex");
	if ((rv = st.mod->C_SetAttributeValue(st.session, pub, &a, 1)) != CKR_OK ||
	    (rv = st.mod->C_SetAttributeValue(st.session, priv, &a, 1)) != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot set the new key's id");
	return 0;
}

/*
 * Generate the pair on the token (st.lock held): the public half labelled
 * and for verifying only, the private half on the token, behind the PIN,
 * never readable, for signing only.
 */
static int
make_pair(const CK_ATTRIBUTE *label, int type, int bits, CK_OBJECT_HANDLE *pub,
	  CK_OBJECT_HANDLE *priv, struct err *e)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG modbits = (CK_ULONG)bits, npub = 0, npriv = 0;
	unsigned char f4[] = {0x01, 0x00, 0x01};
	CK_MECHANISM mech = {type == KEY_EC ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL,
			     0};
	CK_ATTRIBUTE pubt[8], privt[10];
	CK_RV rv;

	pubt[npub++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_VERIFY, &yes, sizeof(yes)};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_ENCRYPT, &no, sizeof(no)};
	pubt[npub++] = (CK_ATTRIBUTE){CKA_WRAP, &no, sizeof(no)};
	pubt[npub++] = *label;
	if (type == KEY_EC) {
		pubt[npub++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)p256_oid, sizeof(p256_oid)};
	} else {
		pubt[npub++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &modbits, sizeof(modbits)};
		pubt[npub++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, f4, sizeof(f4)};
	}
	privt[npriv++] = (CK_ATTRIBUTE){CKA_TOKEN, &yes, sizeof(yes)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_PRIVATE, &yes, sizeof(yes)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_SENSITIVE, &yes, sizeof(yes)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, &no, sizeof(no)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_SIGN, &yes, sizeof(yes)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_DECRYPT, &no, sizeof(no)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_UNWRAP, &no, sizeof(no)};
	privt[npriv++] = (CK_ATTRIBUTE){CKA_DERIVE, &no, sizeof(no)};
	privt[npriv++] = *label;
	if ((rv = st.mod->C_GenerateKeyPair(st.session, &mech, pubt, npub, privt, npriv, pub,
					    priv)) != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot generate the key pair");
	return 0;
}

/* The new pair as k: its public half read back, its CKA_ID set (st.lock held). */
static int
adopt_pair(struct key *k, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, int type, struct err *e)
{
	int rc = public_of(pub, type == KEY_EC ? CKK_EC : CKK_RSA, &k->pkey, e);

	if (rc != 0)
		return rc < 0 ? -1
			      : err_set(e, AK_CRYPTO,
					"cannot read the new public key on token '%s'", st.label);
	if (set_id(k, pub, priv, e) != 0)
		return -1;
	if ((k->p11 = calloc(1, sizeof(*k->p11))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	k->p11->handle = priv;
	k->p11->type = type == KEY_EC ? CKK_EC : CKK_RSA;
	k->format = KEY_FMT_PKCS11;
	k->is_private = 1;
	return 0;
}

/* The object classes, by their URI type= and by name. */
static const struct {
	CK_OBJECT_CLASS c;
	const char *type, *noun;
} classes[] = {
	{CKO_PRIVATE_KEY, "private", "private key"}, {CKO_PUBLIC_KEY, "public", "public key"},
	{CKO_CERTIFICATE, "cert", "certificate"},    {CKO_SECRET_KEY, "secret-key", "secret key"},
	{CKO_DATA, "data", "data object"},
};

/* The class of object h into *c, and its entry in classes (or -1) into *i. */
static int
class_of(CK_OBJECT_HANDLE h, CK_OBJECT_CLASS *c, int *i, struct err *e)
{
	CK_ATTRIBUTE a = {CKA_CLASS, c, sizeof(*c)};
	CK_RV rv;

	*i = -1;
	if ((rv = st.mod->C_GetAttributeValue(st.session, h, &a, 1)) != CKR_OK)
		return rv_fail(e, rv, AK_CRYPTO, "cannot read an object's class");
	for (*i = (int)(sizeof(classes) / sizeof(classes[0])) - 1; *i >= 0; (*i)--)
		if (classes[*i].c == *c)
			break;
	return 0;
}

/*
 * Object h as a URI that names it alone, in buf: uri as shown (no PIN) with
 * its type= and id= added; what it is, for messages, returned.
 */
static const char *
object_shown(const char *uri, CK_OBJECT_HANDLE h, char *buf, size_t size)
{
	struct err ignored = ERR_INIT;
	unsigned char *id = NULL;
	CK_OBJECT_CLASS c;
	CK_ULONG idlen = 0, j;
	size_t n;
	int i = -1;

	p11_uri_shown(uri, buf, size);
	n = strlen(buf);
	if (class_of(h, &c, &i, &ignored) == 0 && i >= 0)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, ";type=%s",
				      classes[i].type);
	/* RFC 7512: the id percent-encoded, every byte of it. */
	if (get_attr(h, CKA_ID, &id, &idlen, &ignored) == 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, ";id=");
	for (j = 0; id != NULL && j < idlen && n < size; j++)
		n += (size_t)snprintf(buf + n, size - n, "%%%02X", id[j]);
	free(id);
	return i >= 0 ? classes[i].noun : "object";
}

/*
 * Destroy the old objects of a label now that the new pair, whose private
 * half is priv, is whole (st.lock held): every one is tried.  0 if all are
 * gone; else P11_GEN_OLD_LEFT with e naming one that remains, and info (if
 * not NULL) every one.  The new pair stays whatever happens: it is the only
 * key the caller holds now.
 */
static int
destroy_old(const char *uri, const CK_OBJECT_HANDLE *old, CK_ULONG nold, CK_OBJECT_HANDLE priv,
	    struct p11_gen_info *info, struct err *e)
{
	CK_OBJECT_HANDLE left = CK_INVALID_HANDLE;
	CK_ULONG i, nleft = 0;
	CK_RV rv, why = CKR_OK;
	char was[P11_OBJECT_URI_MAX], now[P11_OBJECT_URI_MAX], rvbuf[32], more[48] = "";
	const char *noun;

	for (i = 0; i < nold; i++) {
		if ((rv = st.mod->C_DestroyObject(st.session, old[i])) == CKR_OK)
			continue;
		if (nleft++ == 0) {
			left = old[i];
			why = rv;
		}
		if (info != NULL && info->nleft < P11_GEN_OLD_MAX)
			object_shown(uri, old[i], info->left[info->nleft++], sizeof(info->left[0]));
	}
	if (nleft == 0)
		return 0;
	noun = object_shown(uri, left, was, sizeof(was));
	object_shown(uri, priv, now, sizeof(now));
	if (nleft > 1)
		snprintf(more, sizeof(more), " (and %lu more old objects)",
			 (unsigned long)nleft - 1);
	err_set(e, AK_CRYPTO,
		"the old %s '%s'%s remains on token '%s' beside the new key '%s': cannot destroy "
		"it: %s",
		noun, was, more, st.label, now, rv_name(why, rvbuf));
	return P11_GEN_OLD_LEFT;
}

/*
 * A private key h labelled name, alone, whose public half the token shows
 * not to have (st.lock held): 0 if it has no CKA_ID -- what a run killed
 * inside C_GenerateKeyPair leaves, since set_id() comes after, so nobody can
 * have registered it; -1 with e if it has one: someone finished that key, it
 * may be registered at akenza, and it cannot be copied out, so destroying it
 * could never be undone.
 */
static int
lone_private(CK_OBJECT_HANDLE h, int len, const char *name, struct err *e)
{
	unsigned char *id = NULL, *spki = NULL;
	CK_ULONG idlen, spkilen;
	int rc = get_attr(h, CKA_PUBLIC_KEY_INFO, &spki, &spkilen, e);

	free(spki);
	/* public_of() takes a failure of that optional attribute for its absence: not here. */
	if (rc < 0)
		return err_prefix(e, "not replacing what may be half a pair");
	rc = get_attr(h, CKA_ID, &id, &idlen, e);
	free(id);
	if (rc == ABSENT)
		return 0;
	if (rc < 0)
		return -1;
	return err_set(e, AK_INPUT,
		       "token '%s' has a private key labelled '%.*s' with an id and without its "
		       "public half: not replacing it",
		       st.label, len, name);
}

/*
 * P11_GEN_REUSE on a label the token has objects of (st.lock held): 1 with
 * k the label's private key, whole, taken as it is; 0 if the one object is
 * half a pair -- a public key with no private key of the label, or a private
 * key with no id whose public half the token shows not to have: left by a
 * run killed inside C_GenerateKeyPair, nobody can have registered it, and it
 * is replaced; -1 with e for anything else (a token that fails, two private
 * keys, a lone private key with an id, an object that is no key's half),
 * which must never cost a key.
 */
static int
reuse_pair(struct key *k, const CK_ATTRIBUTE *label, const CK_OBJECT_HANDLE *old, CK_ULONG nold,
	   struct err *e)
{
	CK_OBJECT_CLASS priv = CKO_PRIVATE_KEY, c;
	CK_ATTRIBUTE tmpl[2] = {*label, {CKA_CLASS, &priv, sizeof(priv)}};
	int len = (int)label->ulValueLen, i, rc;
	const char *name = label->pValue;
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n;

	if (find(tmpl, 2, h, 2, &n, e) != 0)
		return -1;
	if (n > 1)
		return err_set(e, AK_INPUT,
			       "token '%s' has more than one private key labelled '%.*s': akcred "
			       "does not choose",
			       st.label, len, name);
	if (n == 1 && (rc = load_object(k, h[0], CKO_PRIVATE_KEY, e)) != ABSENT)
		return rc == 0 ? 1 : -1;
	if (n == 1 && nold == 1)
		return lone_private(h[0], len, name, e);
	if (n == 1)
		return err_prefix(e, "not replacing the objects labelled '%.*s' on token '%s'", len,
				  name, st.label);
	if (nold > 1)
		return err_set(e, AK_INPUT,
			       "token '%s' has %lu objects labelled '%.*s', and no private key of "
			       "that label: not replacing them",
			       st.label, (unsigned long)nold, len, name);
	if (class_of(old[0], &c, &i, e) != 0)
		return -1;
	if (c == CKO_PUBLIC_KEY)
		return 0;
	if (i < 0)
		return err_set(e, AK_INPUT,
			       "token '%s' has an object of class 0x%lx labelled '%.*s', and no "
			       "private key of that label: not replacing it",
			       st.label, (unsigned long)c, len, name);
	return err_set(e, AK_INPUT,
		       "token '%s' has a %s labelled '%.*s', and no private key of that label: "
		       "not replacing it",
		       st.label, classes[i].noun, len, name);
}

/* The label of a new key, from uri (which must name no id= and no type=). */
static int
new_label(P11KitUri *u, const char *uri, CK_ATTRIBUTE **label, struct err *e)
{
	char shown[256];

	p11_uri_shown(uri, shown, sizeof(shown));
	if ((*label = p_p11_kit_uri_get_attribute(u, CKA_LABEL)) == NULL)
		return err_set(e, AK_USAGE, "'%s' names no object=: the new key's label", shown);
	if (p_p11_kit_uri_get_attribute(u, CKA_ID) != NULL ||
	    p_p11_kit_uri_get_attribute(u, CKA_CLASS) != NULL)
		return err_set(e, AK_USAGE,
			       "'%s': a new key's id comes from its fingerprint and its type is "
			       "both: leave id= and type= out",
			       shown);
	return 0;
}

int
p11_generate(struct key *k, const char *uri, int type, int bits, enum p11_gen how,
	     struct p11_gen_info *info, struct err *e)
{
	CK_OBJECT_HANDLE old[P11_GEN_OLD_MAX + 1], pub = CK_INVALID_HANDLE,
						   priv = CK_INVALID_HANDLE;
	CK_ATTRIBUTE *label;
	CK_ULONG nold = 0;
	P11KitUri *u;
	int rc = -1;

	key_clear(k);
	if (info != NULL)
		*info = (struct p11_gen_info){.nleft = 0};
	if (key_init(e) != 0 || uri_parse(uri, &u, e) != 0)
		return -1;
	pthread_mutex_lock(&st.lock);
	if (new_label(u, uri, &label, e) != 0 || open_session(u, uri, e) != 0 || login(u, e) != 0 ||
	    find(label, 1, old, P11_GEN_OLD_MAX + 1, &nold, e) != 0)
		goto out;
	if (nold > 0 && how == P11_GEN_REUSE) {
		if ((rc = reuse_pair(k, label, old, nold, e)) != 0) {
			rc = rc > 0 ? P11_GEN_REUSED : -1;
			goto out;
		}
		key_clear(k);
		*e = (struct err)ERR_INIT; /* why it is half a pair: no error of this call */
		rc = -1;
		how = P11_GEN_REPLACE; /* half a pair: replaced by a whole one */
	}
	if (nold > 0 && how == P11_GEN_NEW) {
		err_set(e, AK_INPUT,
			"token '%s' already has an object labelled '%.*s' (--force replaces it)",
			st.label, (int)label->ulValueLen, (const char *)label->pValue);
		goto out;
	}
	if (nold > P11_GEN_OLD_MAX) {
		err_set(e, AK_INPUT, "token '%s' has more than %d objects labelled '%.*s'",
			st.label, P11_GEN_OLD_MAX, (int)label->ulValueLen,
			(const char *)label->pValue);
		goto out;
	}
	if (make_pair(label, type, bits, &pub, &priv, e) != 0 ||
	    adopt_pair(k, pub, priv, type, e) != 0)
		goto out;
	/* Replaced only now that the new pair is whole: a failure above leaves the old one. */
	rc = destroy_old(uri, old, nold, priv, info, e);
	pub = priv = CK_INVALID_HANDLE;
out:
	if (rc >= 0 && info != NULL)
		object_shown(uri, k->p11->handle, info->uri, sizeof(info->uri));
	/* A pair made but not finished is not left on the token. */
	if (rc < 0 && st.open) {
		if (priv != CK_INVALID_HANDLE)
			st.mod->C_DestroyObject(st.session, priv);
		if (pub != CK_INVALID_HANDLE)
			st.mod->C_DestroyObject(st.session, pub);
	}
	pthread_mutex_unlock(&st.lock);
	p_p11_kit_uri_free(u);
	if (rc < 0)
		key_clear(k);
	return rc;
}

int
p11_open(const char *uri, struct err *e)
{
	P11KitUri *u;
	int rc;

	if (uri_parse(uri, &u, e) != 0)
		return -1;
	pthread_mutex_lock(&st.lock);
	rc = open_session(u, uri, e) != 0 || login(u, e) != 0 ? -1 : 0;
	pthread_mutex_unlock(&st.lock);
	p_p11_kit_uri_free(u);
	return rc;
}

int
p11_object_uri(const char *token, const char *label, char *buf, size_t size, struct err *e)
{
	static const char keep[] = "-._~!$&'()*+,=:@";
	size_t n = strcspn(token, "?"), i;
	int w;

	/* The path, then the object, then the query (a module-path, a pin-source) as it was. */
	w = snprintf(buf, size, "%.*s%sobject=", (int)n, token,
		     n > 7 && token[n - 1] != ';' && token[n - 1] != ':' ? ";" : "");
	for (i = 0; w >= 0 && (size_t)w < size && label[i] != '\0'; i++) {
		unsigned char c = (unsigned char)label[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr(keep, c) != NULL && c != ';' && c != '?'))
			buf[w++] = (char)c;
		else
			w += snprintf(buf + w, size - (size_t)w, "%%%02X", c);
	}
	if (w < 0 || (size_t)w + strlen(token + n) >= size)
		return err_set(e, AK_INPUT, "the PKCS#11 URI of '%s' is too long", label);
	buf[w] = '\0';
	memcpy(buf + w, token + n, strlen(token + n) + 1);
	return 0;
}

void
p11_shutdown(void)
{
	pthread_mutex_lock(&st.lock);
	if (st.open) {
		if (st.logged_in)
			st.mod->C_Logout(st.session);
		st.mod->C_CloseSession(st.session);
	}
	if (st.mods != NULL && st.registered) {
		p_p11_kit_modules_finalize_and_release(st.mods);
	} else if (st.mods != NULL) {
		p_p11_kit_module_finalize(st.mods[0]);
		p_p11_kit_module_release(st.mods[0]);
		free(st.mods);
	}
	st.mods = NULL;
	st.mod = NULL;
	st.open = st.logged_in = st.registered = 0;
	pthread_mutex_unlock(&st.lock);
}
