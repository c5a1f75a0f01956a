/* akenza: the REST API client that registers device credentials (see akenza.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <sys/stat.h>

#include "akenza.h"
#include "fileio.h"
#include "http.h"
#include "safetext.h"
#include "timeutil.h"
#include "version.h"
#include "banned.h"

/* ---- response parsing ------------------------------------------------- */

int
akenza_plausible_id(const char *s)
{
	size_t n = 0;

	/* Ids go into URLs and the results file: a strict alphabet, no escaping needed. */
	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && strchr("._:-", s[n]) == NULL)
			return 0;
	return n > 0 && n < AKENZA_ID_MAX;
}

static int
id_of(const json_t *o, char id[AKENZA_ID_MAX])
{
	const json_t *v = json_object_get(o, "id");

	if (json_is_string(v) && akenza_plausible_id(json_string_value(v))) {
		snprintf(id, AKENZA_ID_MAX, "%s", json_string_value(v));
		return 0;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(id, AKENZA_ID_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	return -1;
}

static json_t *
parse(const char *json, size_t len)
{
	json_error_t jerr;

	if (json == NULL || len == 0)
		return NULL;
	return json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
}

/* The items of a listing: {"content": [...]} (a page, as the Java client reads it) or [...]. */
static json_t *
items_of(json_t *root)
{
	json_t *c;

	if (json_is_array(root))
		return root;
	c = json_object_get(root, "content");
	return json_is_array(c) ? c : NULL;
}

int
akenza_parse_id(const char *json, size_t len, char id[AKENZA_ID_MAX])
{
	json_t *root = parse(json, len);
	int rc = json_is_object(root) ? id_of(root, id) : -1;

	json_decref(root);
	return rc;
}

int
akenza_find_device(const char *json, size_t len, const char *device_id, char id[AKENZA_ID_MAX])
{
	json_t *root = parse(json, len), *list = items_of(root), *it, *v;
	size_t i;
	int rc = list == NULL ? -1 : 0;

	/* "search" may match loosely: only an exact deviceId counts. */
	json_array_foreach(list, i, it)
	{
		v = json_object_get(it, "deviceId");
		if (json_is_string(v) && strcmp(json_string_value(v), device_id) == 0) {
			rc = id_of(it, id) == 0 ? 1 : -1;
			break;
		}
	}
	json_decref(root);
	return rc;
}

enum akenza_fp_match
akenza_compare_fingerprint(const char *remote, const char *kid, const char *cert_sha1)
{
	char norm[130];
	size_t n = 0;
	const char *p;

	if (remote == NULL || *remote == '\0')
		return AKENZA_FP_ABSENT;
	for (p = remote; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p) || n + 1 >= sizeof(norm))
			return AKENZA_FP_OTHER_KIND;
		norm[n++] = (char)tolower((unsigned char)*p);
	}
	norm[n] = '\0';
	if (n == 64)
		return strcmp(norm, kid) == 0 ? AKENZA_FP_SAME_KID : AKENZA_FP_DIFFERENT;
	if (n == 40 && cert_sha1 != NULL)
		return strcasecmp(norm, cert_sha1) == 0 ? AKENZA_FP_SAME_SHA1
							: AKENZA_FP_OTHER_CERT;
	return AKENZA_FP_OTHER_KIND;
}

/* What a listing and an added credential say when akenza's fingerprint is the SHA-1. */
static const char note_same_sha1[] = "akenza's fingerprint is the certificate's SHA-1; it matches";

/* Does akenza's copy of the public key have our kid? */
static int
same_public_key(const char *pem, const char *kid)
{
	struct key k = KEY_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1];
	int same;

	if (key_load(&k, (const unsigned char *)pem, strlen(pem), "akenza's public key", NULL,
		     NULL) != 0)
		return 0;
	same = key_fingerprint(&k, fp, NULL) == 0 && strcmp(fp, kid) == 0;
	key_clear(&k);
	return same;
}

/*
 * How an item of a listing stands to the local key: akenza's fingerprint
 * compared, and where that is no kid, the public key akenza returned.
 */
static int
item_matches(const json_t *it, const char *kid, const char *cert_sha1, enum akenza_fp_match *m)
{
	const json_t *pk = json_object_get(it, "publicKey");

	*m = akenza_compare_fingerprint(json_string_value(json_object_get(it, "fingerprint")), kid,
					cert_sha1);
	return *m == AKENZA_FP_SAME_KID || *m == AKENZA_FP_SAME_SHA1 ||
	       (*m != AKENZA_FP_DIFFERENT && json_is_string(pk) &&
		same_public_key(json_string_value(pk), kid));
}

int
akenza_find_credential(const char *json, size_t len, const char *kid, const char *cert_sha1,
		       char id[AKENZA_ID_MAX], char *note, size_t note_size)
{
	json_t *root = parse(json, len), *list = items_of(root), *it;
	enum akenza_fp_match m;
	size_t i;
	int rc = list == NULL ? -1 : 0;

	json_array_foreach(list, i, it)
	{
		if (item_matches(it, kid, cert_sha1, &m)) {
			if (id_of(it, id) != 0) {
				rc = -1;
				break;
			}
			if (m == AKENZA_FP_SAME_SHA1)
				snprintf(note, note_size, "%s", note_same_sha1);
			else if (m != AKENZA_FP_SAME_KID)
				snprintf(note, note_size,
					 "matched by the public key akenza returned; "
					 "its fingerprint is not a kid");
			rc = 1;
			break;
		}
	}
	json_decref(root);
	return rc;
}

int
akenza_credential_matches(const struct akenza_credential *c, const char *kid, const char *cert_sha1)
{
	enum akenza_fp_match m = akenza_compare_fingerprint(c->fingerprint, kid, cert_sha1);

	if (m == AKENZA_FP_SAME_KID || m == AKENZA_FP_SAME_SHA1)
		return 1;
	/* Only a kid tells another key; another certificate may be of this one. */
	return m != AKENZA_FP_DIFFERENT && c->kid[0] != '\0' && strcmp(c->kid, kid) == 0;
}

/*
 * Server text as it is shown: out (size bytes) gets s (len bytes, up to a NUL)
 * with every stretch of the API key masked as "(API key)" -- every byte of s
 * inside a fragment of AKENZA_KEY_FRAGMENT or more of the key's characters
 * (the whole key if it is shorter) -- control characters as spaces, then cut
 * between characters, "..." marking the cut.  Masking comes first, so that no
 * cut can leave part of the key standing.  Only the first AKENZA_SCAN_MAX
 * bytes are looked at: the rest could not be shown anyway.
 */
#define AKENZA_SCAN_MAX 4096

static void
shown_text(char *out, size_t size, const char *s, size_t len, const char *key)
{
	static const char mask[] = "(API key)";
	size_t klen = key != NULL ? strlen(key) : 0, g, i = 0, o = 0, o_safe = 0, n, k, ulen;
	size_t masked_until = 0;
	const char *u;
	char ch4[5];
	int ok, cut = 0;

	g = klen < AKENZA_KEY_FRAGMENT ? klen : AKENZA_KEY_FRAGMENT;
	for (n = 0; n < len && s[n] != '\0'; n++)
		;
	len = n;
	while (i < len) {
		if (i >= AKENZA_SCAN_MAX) {
			cut = 1;
			break;
		}
		/*
		 * A byte is masked when some window of g bytes that starts at or before
		 * it, and is part of the key, covers it; windows are tested in order.
		 */
		if (g > 0 && i + g <= len && memmem(key, klen, s + i, g) != NULL)
			masked_until = i + g;
		if (i < masked_until) {
			/* One mark for the whole stretch, also where two fragments touch. */
			do {
				if (++i < AKENZA_SCAN_MAX && i + g <= len &&
				    memmem(key, klen, s + i, g) != NULL)
					masked_until = i + g;
			} while (i < masked_until && i < AKENZA_SCAN_MAX);
			u = mask;
			ulen = sizeof(mask) - 1;
		} else {
			/* The key is ASCII: a character of two bytes or more is not in it. */
			memset(ch4, 0, sizeof(ch4));
			memcpy(ch4, s + i, len - i < 4 ? len - i : 4); /* s need not end in a NUL */
			ulen = safetext_next(ch4, &ok);
			u = s + i;
			i += ulen;
		}
		if (o + ulen > size - 1) {
			cut = 1;
			break;
		}
		for (k = 0; k < ulen; k++) {
			unsigned char ch = (unsigned char)u[k];

			/* Hostile or binary text must not reach a terminal: no controls. */
			out[o++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
		if (o + 3 <= size - 1)
			o_safe = o;
	}
	if (cut) {
		o = o_safe;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

void
akenza_error_message(const char *body, size_t len, const char *api_key,
		     char out[AKENZA_MESSAGE_MAX])
{
	static const char *const keys[] = {"message", "error", "detail", "title"};
	json_t *root = parse(body, len), *v = NULL, *errs;
	size_t i;

	out[0] = '\0';
	if (json_is_object(root)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !json_is_string(v); i++) {
			v = json_object_get(root, keys[i]);
			if (json_is_object(v))
				v = json_object_get(v, "message");
		}
		errs = json_object_get(root, "errors");
		if (!json_is_string(v) && json_is_array(errs)) {
			v = json_array_get(errs, 0);
			if (json_is_object(v))
				v = json_object_get(v, "message");
		}
		if (json_is_string(v))
			shown_text(out, AKENZA_MESSAGE_MAX, json_string_value(v),
				   json_string_length(v), api_key);
	} else if (root == NULL && body != NULL && len > 0) {
		/* Not JSON (a proxy's HTML page, say): its first line, cleaned; len bounds it. */
		size_t n = 0;

		while (n < len && body[n] != '\r' && body[n] != '\n' && body[n] != '\0')
			n++;
		shown_text(out, AKENZA_MESSAGE_MAX, body, n, api_key);
	}
	json_decref(root);
	if (out[0] == '\0')
		snprintf(out, AKENZA_MESSAGE_MAX, "(no message)");
}

int
akenza_credential_pem(const struct key *k, char **pem, const char **algorithm, struct err *e)
{
	const char *why = NULL;
	BIO *b;
	char *p;
	long n;
	size_t len;

	*pem = NULL;
	if (key_akenza_alg(k, &why) == NULL)
		return err_set(e, AK_INPUT, "akenza does not accept this key: %s",
			       why != NULL ? why : "unsupported type");
	*algorithm = key_akenza_credential(k, k->cert != NULL);
	if (k->cert == NULL)
		return key_public_pem(k, pem, &len, e);
	if ((b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b, k->cert) ||
	    (n = BIO_get_mem_data(b, &p)) <= 0 || (*pem = malloc((size_t)n + 1)) == NULL) {
		BIO_free(b);
		return err_openssl(e, AK_CRYPTO, "cannot encode the certificate");
	}
	memcpy(*pem, p, (size_t)n);
	(*pem)[n] = '\0';
	BIO_free(b);
	return 0;
}

/* A listed credential's text field as shown: cleaned, the API key masked, cut. */
static void
text_field(const json_t *it, const char *name, const char *api_key, char out[AKENZA_TEXT_MAX])
{
	const json_t *v = json_object_get(it, name);

	out[0] = '\0';
	if (json_is_string(v))
		shown_text(out, AKENZA_TEXT_MAX, json_string_value(v), json_string_length(v),
			   api_key);
}

/* akenza's expiration as a time: ISO 8601 UTC, fractions of a second passed over. */
static int
expiration_time(const char *s, time_t *t)
{
	char whole[TIMEUTIL_ISO_LEN];
	size_t n = strlen(s);

	if (n > 20 && s[19] == '.' && s[n - 1] == 'Z' && strspn(s + 20, "0123456789") == n - 21) {
		snprintf(whole, sizeof(whole), "%.19sZ", s);
		s = whole;
	}
	return timeutil_parse_time(s, t, NULL);
}

int
akenza_parse_credentials(const char *json, size_t len, const char *api_key,
			 struct akenza_credential **creds, size_t *n)
{
	json_t *root = parse(json, len), *list = items_of(root), *it, *pk;
	struct akenza_credential *v = NULL, *c;
	size_t i;
	char norm[KEY_FINGERPRINT_HEX + 1];

	*creds = NULL;
	*n = 0;
	if (list == NULL ||
	    (v = calloc(json_array_size(list) ? json_array_size(list) : 1, sizeof(*v))) == NULL)
		goto bad;
	json_array_foreach(list, i, it)
	{
		c = &v[i];
		if (!json_is_object(it) || id_of(it, c->id) != 0)
			goto bad;
		text_field(it, "name", api_key, c->name);
		text_field(it, "algorithm", api_key, c->algorithm);
		text_field(it, "fingerprint", api_key, c->fingerprint);
		text_field(it, "expiration", api_key, c->expiration);
		text_field(it, "created", api_key, c->created);
		c->has_expires = c->expiration[0] != '\0' &&
				 expiration_time(c->expiration, &c->expires) == 0;
		pk = json_object_get(it, "publicKey");
		if (akenza_compare_fingerprint(c->fingerprint, "", NULL) == AKENZA_FP_DIFFERENT) {
			/* 64 hex digits, maybe with colons: the kid, in its one spelling. */
			size_t k = 0;
			const char *p;

			for (p = c->fingerprint; *p != '\0' && k < KEY_FINGERPRINT_HEX; p++)
				if (*p != ':')
					norm[k++] = (char)tolower((unsigned char)*p);
			norm[k] = '\0';
			snprintf(c->kid, sizeof(c->kid), "%s", norm);
		} else if (json_is_string(pk)) {
			struct key k = KEY_INIT;
			const char *pem = json_string_value(pk);

			if (key_load(&k, (const unsigned char *)pem, strlen(pem),
				     "akenza's public key", NULL, NULL) == 0 &&
			    key_fingerprint(&k, c->kid, NULL) != 0)
				c->kid[0] = '\0';
			key_clear(&k);
		}
	}
	*creds = v;
	*n = json_array_size(list);
	json_decref(root);
	return 0;
bad:
	free(v);
	json_decref(root);
	return -1;
}

/* ---- the API key ------------------------------------------------------------ */

#define AKENZA_API_KEY_MAX 4096

int
akenza_api_key(const char *file, char **key, unsigned *loose, struct err *e)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	const char *src, *what;
	char *env = NULL;
	size_t n, i;

	*key = NULL;
	*loose = 0;
	if (file != NULL) {
		struct stat st;

		if (fileio_read_secret(file, AKENZA_API_KEY_MAX, &b, e) != 0)
			return -1;
		/* As ssh does for keys: anyone who can read it can register devices. */
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
			*loose = (unsigned)(st.st_mode & 0777);
		src = (const char *)b.data;
		/* Up to the line end, over the bytes read: a NUL is a byte the check below refuses.
		 */
		for (n = 0; n < b.len && src[n] != '\r' && src[n] != '\n'; n++)
			;
		what = file;
	} else if ((env = getenv("AKCRED_API_KEY")) != NULL) {
		src = env;
		n = strlen(env);
		what = "$AKCRED_API_KEY";
	} else {
		return err_set(e, AK_USAGE,
			       "no API key: give --api-key-file FILE or set AKCRED_API_KEY");
	}
	/* A header value: printable ASCII only.  The key itself is never shown. */
	for (i = 0; i < n; i++)
		if (src[i] < 0x21 || src[i] > 0x7e)
			break;
	if (n == 0 || i != n) {
		fileio_buf_clear(&b);
		return err_set(e, AK_INPUT, "the API key in '%s' is %s", what,
			       n == 0 ? "empty" : "not printable ASCII without spaces");
	}
	if ((*key = sodium_malloc(n + 1)) == NULL) {
		fileio_buf_clear(&b);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	memcpy(*key, src, n);
	(*key)[n] = '\0';
	fileio_buf_clear(&b);
	/* Children and /proc/self/environ need not see it any more. */
	if (env != NULL)
		sodium_memzero(env, strlen(env));
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

enum step { ST_LOOKUP, ST_CREATE, ST_LIST, ST_ADD, ST_DELETE };

static const char *const step_what[] = {
	[ST_LOOKUP] = "looking up the device",   [ST_CREATE] = "creating the device",
	[ST_LIST] = "listing its credentials",   [ST_ADD] = "adding the credential",
	[ST_DELETE] = "deleting the credential",
};

struct dev_state {
	enum step step;
	int in_flight;
	long long not_before;
	unsigned failures, rate_limited;
	int conflict;        /* the credential POST was refused as a duplicate */
	int create_conflict; /* the device POST was refused: it exists */
	char conflict_msg[AKENZA_MESSAGE_MAX];
	struct http_request req;
	char *url, *body;
};

struct run {
	const struct akenza_config *c;
	struct http_client *http;
	const char *base; /* api_url without a trailing slash */
	size_t base_len;
	long long hold_until; /* 429: no new request before this */
	struct err *e;
	int stop;
};

/* Append s to the URL being built in buf, %-escaping all but RFC 3986's unreserved. */
static void
url_escape(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	for (; *s != '\0' && n + 4 < size; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s) != NULL)
			buf[n++] = *s;
		else
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", (unsigned char)*s);
	}
	buf[n] = '\0';
}

static char *
make_url(struct run *run, const char *fmt, const char *a, const char *b)
{
	size_t size = run->base_len + strlen(fmt) + 3 * (strlen(a) + (b ? strlen(b) : 0)) + 1;
	char *u = malloc(size);
	const char *p;
	size_t n;

	if (u == NULL)
		return NULL;
	/* fmt: an AKENZA_PATH_*, in which each "%s" takes the next argument, escaped. */
	snprintf(u, size, "%.*s", (int)run->base_len, run->base);
	for (p = fmt; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			url_escape(u, size, a);
			a = b;
			p++;
			continue;
		}
		n = strlen(u);
		u[n] = *p;
		u[n + 1] = '\0';
	}
	return u;
}

static void
state_free(struct dev_state *st)
{
	http_request_clear(&st->req);
	free(st->url);
	free(st->body);
	st->url = st->body = NULL;
}

char *
akenza_request_body(const struct akenza_config *c, const struct akenza_device *d, int create,
		    const char *akenza_id)
{
	char name[64];
	json_t *j;
	char *body;

	if (create) {
		j = json_pack("{ss ss ss ss ss}", "name", d->device_id, "deviceId", d->device_id,
			      "workspaceId", c->workspace_id ? c->workspace_id : "", "dataFlowId",
			      c->data_flow_id ? c->data_flow_id : "", "connectivity", "MQTT");
	} else {
		if (c->credential_name == NULL)
			snprintf(name, sizeof(name), "akcred-%.12s", d->fingerprint);
		j = json_pack("{ss ss ss ss}", "name",
			      c->credential_name != NULL ? c->credential_name : name,
			      "akenzaDeviceId", akenza_id, "algorithm", d->algorithm, "publicKey",
			      d->public_pem);
		if (j != NULL && d->expiration != NULL &&
		    json_object_set_new(j, "expiration", json_string(d->expiration)) != 0) {
			json_decref(j);
			j = NULL;
		}
	}
	if (j == NULL)
		return NULL;
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return body;
}

static int
start(struct run *run, struct akenza_device *d)
{
	struct dev_state *st = d->priv;
	const struct akenza_config *c = run->c;

	state_free(st);
	st->req = (struct http_request){.udata = d};
	switch (st->step) {
	case ST_LOOKUP:
		st->url = make_url(run, AKENZA_PATH_LOOKUP, c->workspace_id, d->device_id);
		st->req.method = HTTP_GET;
		break;
	case ST_CREATE:
		st->url = make_url(run, AKENZA_PATH_DEVICES, "", NULL);
		if ((st->body = akenza_request_body(c, d, 1, NULL)) == NULL)
			return err_set(run->e, AK_INTERNAL, "out of memory");
		st->req.method = HTTP_POST;
		break;
	case ST_LIST:
	case ST_ADD:
		/* Listed with GET, added with POST, at the same address. */
		st->url = make_url(run, AKENZA_PATH_CREDENTIALS, d->akenza_id, NULL);
		st->req.method = st->step == ST_LIST ? HTTP_GET : HTTP_POST;
		if (st->step == ST_ADD &&
		    (st->body = akenza_request_body(c, d, 0, d->akenza_id)) == NULL)
			return err_set(run->e, AK_INTERNAL, "out of memory");
		break;
	case ST_DELETE:
		st->url = make_url(run, AKENZA_PATH_CREDENTIAL, d->akenza_id, d->credential_id);
		st->req.method = HTTP_DELETE;
		break;
	}
	if (st->url == NULL)
		return err_set(run->e, AK_INTERNAL, "out of memory");
	st->req.url = st->url;
	if (st->body != NULL) {
		st->req.body = st->body;
		st->req.body_len = strlen(st->body);
	}
	if (http_start(run->http, &st->req, run->e) != 0)
		return -1;
	st->in_flight = 1;
	return 0;
}

static void fail(struct akenza_device *d, enum ak_status status, long http_status, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void
fail(struct akenza_device *d, enum ak_status status, long http_status, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->outcome = AKENZA_FAILED;
	d->http_status = http_status;
	err_set(&d->err, status, "device '%s': %s", d->device_id, msg);
}

/* A failure that may pass: 5xx, time-out, dropped connection. */
static void
retry_later(struct run *run, struct akenza_device *d, const struct http_request *r, const char *why)
{
	struct dev_state *st = d->priv;
	const struct akenza_config *c = run->c;

	if (++st->failures > c->max_retries) {
		/* A server that keeps failing is unavailable, like one that cannot be reached. */
		fail(d, r->transport_error ? r->error_class : AK_NETWORK, r->status,
		     "%s: giving up after %u attempts: %s", step_what[st->step], st->failures, why);
		return;
	}
	/*
	 * A POST that may have been carried out must not simply be sent again:
	 * look first, so that a slow or lost answer never makes a duplicate.
	 */
	if (st->step == ST_CREATE && (r->sent || r->status >= 500))
		st->step = ST_LOOKUP;
	else if (st->step == ST_ADD && (r->sent || r->status >= 500))
		st->step = ST_LIST;
	/* A DELETE is sent again as it is: idempotent, and a 404 then means done. */
	st->not_before = (long long)timeutil_now_ms() +
			 http_backoff_ms(st->failures, c->backoff_base_ms, c->backoff_cap_ms,
					 randombytes_random());
}

static void
rate_limited(struct run *run, struct akenza_device *d, const struct http_request *r)
{
	struct dev_state *st = d->priv;
	const struct akenza_config *c = run->c;
	long delay;
	long long until;

	if (++st->rate_limited > c->max_rate_limited) {
		fail(d, AK_REFUSED, 429, "%s: still rate-limited (HTTP 429) after %u attempts",
		     step_what[st->step], st->rate_limited);
		return;
	}
	if (http_retry_after_ms(r->retry_after, time(NULL), &delay) != 0)
		delay = http_backoff_ms(st->rate_limited, c->backoff_base_ms, c->backoff_cap_ms,
					randombytes_random());
	else if (delay > 300000)
		delay = 300000; /* honoured, within reason */
	until = (long long)timeutil_now_ms() + delay;
	st->not_before = until;
	/* The limit is the API key's, not this device's: every new request waits. */
	if (until > run->hold_until)
		run->hold_until = until;
}

static int
is_duplicate(long status, const char *msg)
{
	if (status == 409)
		return 1;
	return (status == 400 || status == 422) &&
	       (strcasestr(msg, "exist") != NULL || strcasestr(msg, "duplicate") != NULL);
}

static void
added(struct akenza_device *d, const struct http_request *r, const char *api_key)
{
	json_t *root = parse(r->data, r->len);
	const char *fp = json_string_value(json_object_get(root, "fingerprint"));
	char shown[68];

	/* Shown the way akenza's messages are: the API key masked, cleaned, cut. */
	if (fp != NULL)
		shown_text(shown, sizeof(shown), fp, strlen(fp), api_key);

	if (!json_is_object(root) || id_of(root, d->credential_id) != 0) {
		fail(d, AK_REFUSED, r->status,
		     "adding the credential: HTTP %ld but no credential id in the answer",
		     r->status);
		json_decref(root);
		return;
	}
	switch (akenza_compare_fingerprint(fp, d->fingerprint, d->cert_sha1)) {
	case AKENZA_FP_SAME_KID:
		break;
	case AKENZA_FP_SAME_SHA1:
		snprintf(d->note, sizeof(d->note), "%s", note_same_sha1);
		break;
	case AKENZA_FP_DIFFERENT:
	case AKENZA_FP_OTHER_CERT: /* not the certificate just uploaded */
		fail(d, AK_NEGATIVE, r->status,
		     "akenza reports fingerprint '%s' for credential %s, not %s", shown,
		     d->credential_id, d->fingerprint);
		json_decref(root);
		return;
	case AKENZA_FP_OTHER_KIND:
		snprintf(d->note, sizeof(d->note),
			 "akenza's fingerprint '%s' is not a SHA-256 kid: not compared", shown);
		break;
	case AKENZA_FP_ABSENT:
		snprintf(d->note, sizeof(d->note), "akenza returned no fingerprint: not compared");
		break;
	}
	d->outcome = AKENZA_ADDED;
	json_decref(root);
}

static void
message(const struct run *run, const struct http_request *r, char msg[AKENZA_MESSAGE_MAX])
{
	akenza_error_message(r->data, r->len, run->c->api_key, msg);
}

/* A 2xx answer that does not make sense for the step. */
static void
unexpected(struct akenza_device *d, const struct http_request *r)
{
	const struct dev_state *st = d->priv;

	fail(d, AK_REFUSED, r->status, "%s: unexpected answer (HTTP %ld)", step_what[st->step],
	     r->status);
}

/* An answer outside 2xx that is not the API key's, a rate limit or the server's fault. */
static void
on_refused(const struct run *run, struct akenza_device *d, const struct http_request *r)
{
	struct dev_state *st = d->priv;
	char msg[AKENZA_MESSAGE_MAX];

	message(run, r, msg);
	if (st->step == ST_DELETE && r->status == 404) {
		/*
		 * Listed a moment ago, gone now: what the DELETE was for.  Most
		 * likely an earlier attempt's answer was lost (libcurl itself sends
		 * a request again on a fresh connection when a reused one dies).
		 */
		d->outcome = AKENZA_DELETED;
		snprintf(d->note, sizeof(d->note),
			 "akenza answered 404 to the DELETE: gone since it was listed");
		return;
	}
	if (st->step == ST_ADD && is_duplicate(r->status, msg)) {
		/* Refused as a duplicate: fine if the listing shows this very key. */
		st->conflict = 1;
		snprintf(st->conflict_msg, sizeof(st->conflict_msg), "%s", msg);
		st->step = ST_LIST;
		return;
	}
	if (st->step == ST_CREATE && is_duplicate(r->status, msg) && !st->create_conflict) {
		st->create_conflict = 1;
		st->step = ST_LOOKUP;
		return;
	}
	fail(d, AK_REFUSED, r->status, "%s: HTTP %ld: %s", step_what[st->step], r->status, msg);
}

/* A listing for AKENZA_OP_LIST (the outcome) or AKENZA_OP_DELETE (what to delete). */

/*
 * Can c be told not to be the key d deletes?  By a kid (akenza's, or of the
 * public key it shows), or as the certificate d keeps (of the new key); the
 * SHA-1 of any other certificate says nothing of its key.
 */
static int
credential_comparable(const struct akenza_device *d, const struct akenza_credential *c)
{
	return c->kid[0] != '\0' ||
	       akenza_compare_fingerprint(c->fingerprint, "", NULL) == AKENZA_FP_DIFFERENT ||
	       (d->keep_cert_sha1 != NULL &&
		akenza_compare_fingerprint(c->fingerprint, "", d->keep_cert_sha1) ==
			AKENZA_FP_SAME_SHA1);
}

/* Does d keep, beside target, a credential it can log in with (of keep_fingerprint, if set)? */
static int
another_kept(const struct akenza_device *d, const struct akenza_credential *target)
{
	size_t i;

	for (i = 0; i < d->ncreds; i++)
		if (&d->creds[i] != target &&
		    (d->keep_fingerprint == NULL ||
		     akenza_credential_matches(&d->creds[i], d->keep_fingerprint,
					       d->keep_cert_sha1)))
			return 1;
	return 0;
}

static void
listed(const struct run *run, struct akenza_device *d, const struct http_request *r)
{
	struct dev_state *st = d->priv;
	const struct akenza_credential *target = NULL;
	size_t i;

	akenza_device_clear(d);
	if (akenza_parse_credentials(r->data, r->len, run->c->api_key, &d->creds, &d->ncreds) !=
	    0) {
		unexpected(d, r);
		return;
	}
	if (d->op == AKENZA_OP_LIST) {
		d->outcome = AKENZA_LISTED;
		return;
	}
	for (i = 0; i < d->ncreds && target == NULL; i++)
		if (d->delete_id != NULL
			    ? strcmp(d->creds[i].id, d->delete_id) == 0
			    : akenza_credential_matches(&d->creds[i], d->fingerprint, d->cert_sha1))
			target = &d->creds[i];
	/* Not listed is proof of gone only if every credential listed could be compared. */
	for (i = 0; target == NULL && d->delete_id == NULL && i < d->ncreds; i++)
		if (!credential_comparable(d, &d->creds[i])) {
			fail(d, AK_NEGATIVE, r->status,
			     "cannot tell from akenza's listing whether the credential is gone: "
			     "credential '%s' shows no kid, no public key and no certificate "
			     "fingerprint akcred knows",
			     d->creds[i].id);
			return;
		}
	if (target == NULL) {
		d->outcome = AKENZA_GONE;
		return;
	}
	snprintf(d->credential_id, sizeof(d->credential_id), "%s", target->id);
	/* Without a credential (of the key it keeps) the device could not log in any more. */
	if (!d->allow_last && !another_kept(d, target)) {
		d->outcome = AKENZA_LAST;
		return;
	}
	st->step = ST_DELETE;
}

/* A 2xx answer: the device's next step, or its outcome. */
static void
on_success(const struct run *run, struct akenza_device *d, const struct http_request *r)
{
	struct dev_state *st = d->priv;
	const struct akenza_config *c = run->c;
	int rc;

	switch (st->step) {
	case ST_LOOKUP:
		rc = akenza_find_device(r->data, r->len, d->device_id, d->akenza_id);
		if (rc == 1)
			st->step = ST_LIST;
		else if (rc == 0 && c->create_devices && d->op == AKENZA_OP_REGISTER)
			st->step = ST_CREATE;
		else if (rc == 0)
			fail(d, AK_NEGATIVE, 0, "not found in akenza workspace '%s'%s",
			     c->workspace_id,
			     d->op == AKENZA_OP_REGISTER ? " (--create-devices creates it)" : "");
		else
			unexpected(d, r);
		break;
	case ST_CREATE:
		if (akenza_parse_id(r->data, r->len, d->akenza_id) != 0) {
			fail(d, AK_REFUSED, r->status,
			     "%s: HTTP %ld but no device id in the answer", step_what[st->step],
			     r->status);
			break;
		}
		d->created = 1;
		st->step = ST_ADD; /* a new device has no credentials to list */
		break;
	case ST_LIST:
		if (d->op != AKENZA_OP_REGISTER) {
			listed(run, d, r);
			break;
		}
		rc = akenza_find_credential(r->data, r->len, d->fingerprint, d->cert_sha1,
					    d->credential_id, d->note, sizeof(d->note));
		if (rc == 1)
			d->outcome = AKENZA_PRESENT;
		else if (rc == 0 && st->conflict)
			fail(d, AK_REFUSED, 409,
			     "adding the credential: refused as a duplicate (%s), yet akenza lists "
			     "no credential with this key",
			     st->conflict_msg);
		else if (rc == 0)
			st->step = ST_ADD;
		else
			unexpected(d, r);
		break;
	case ST_ADD:
		added(d, r, c->api_key);
		break;
	case ST_DELETE:
		d->outcome = AKENZA_DELETED;
		break;
	}
}

static void
on_response(struct run *run, struct akenza_device *d, struct http_request *r)
{
	struct dev_state *st = d->priv;
	char msg[AKENZA_MESSAGE_MAX], why[300];

	st->in_flight = 0;
	if (r->transport_error) {
		if (r->permanent) {
			err_set(run->e, r->error_class, "%s: %s", run->base, r->error);
			run->stop = 1;
			return;
		}
		retry_later(run, d, r, r->error);
		return;
	}
	if (r->status == 401 || r->status == 403) {
		message(run, r, msg);
		err_set(run->e, AK_REFUSED, "akenza refused the API key (HTTP %ld): %s", r->status,
			msg);
		run->stop = 1;
		return;
	}
	if (r->status == 429) {
		rate_limited(run, d, r);
		return;
	}
	if (r->status >= 500) {
		message(run, r, msg);
		snprintf(why, sizeof(why), "HTTP %ld: %s", r->status, msg);
		retry_later(run, d, r, why);
		return;
	}
	/*
	 * failures is not reset by an answer: a POST failing after the fact,
	 * then a listing that does not show it, again and again, must end too.
	 */
	if (r->status < 200 || r->status > 299)
		on_refused(run, d, r);
	else
		on_success(run, d, r);
}

void
akenza_device_clear(struct akenza_device *d)
{
	free(d->creds);
	d->creds = NULL;
	d->ncreds = 0;
}

static void
finish_device(struct run *run, struct akenza_device *d)
{
	state_free(d->priv);
	if (run->c->done != NULL)
		run->c->done(d, run->c->arg);
}

int
akenza_run(const struct akenza_config *c, struct akenza_device *const *devs, size_t n,
	   struct err *e)
{
	struct run run = {.c = c, .e = e};
	struct http_config hc = {0};
	struct dev_state *states = NULL;
	struct akenza_device **slots = NULL, *d;
	struct http_request *done;
	struct dev_state *st;
	const char *headers[2] = {NULL, NULL};
	char *auth = NULL;
	size_t next = 0, left = n, i, jobs = c->jobs > 0 ? (size_t)c->jobs : 1, auth_size;
	long long now, wait;
	int rc = -1;

	run.base = c->api_url;
	run.base_len = strlen(c->api_url);
	while (run.base_len > 0 && run.base[run.base_len - 1] == '/')
		run.base_len--;
	auth_size = strlen(c->api_key) + sizeof("x-api-key: ");
	/* The header line holds the key: sodium memory, wiped on the way out. */
	if ((auth = sodium_malloc(auth_size)) == NULL ||
	    (states = calloc(n ? n : 1, sizeof(*states))) == NULL ||
	    (slots = calloc(jobs, sizeof(*slots))) == NULL) {
		err_set(e, AK_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(auth, auth_size, "x-api-key: %s", c->api_key);
	headers[0] = auth;
	hc.ca_file = c->ca_file;
	hc.headers = headers;
	hc.timeout_ms = c->timeout_ms;
	hc.connect_timeout_ms = c->timeout_ms < 10000 ? c->timeout_ms : 10000;
	hc.max_parallel = (int)jobs;
	hc.user_agent = "akcred/" AKCRED_VERSION;
	if (http_client_open(&run.http, &hc, e) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		devs[i]->priv = &states[i];
		states[i].step = devs[i]->akenza_id[0] != '\0' ? ST_LIST : ST_LOOKUP;
	}
	while (left > 0 && !run.stop) {
		now = (long long)timeutil_now_ms();
		wait = 1000;
		for (i = 0; i < jobs; i++) {
			if (slots[i] == NULL && next < n)
				slots[i] = devs[next++];
			if ((d = slots[i]) == NULL)
				continue;
			st = d->priv;
			if (st->in_flight)
				continue;
			if (now >= st->not_before && now >= run.hold_until) {
				if (start(&run, d) != 0)
					goto out;
				continue;
			}
			if (st->not_before - now < wait)
				wait = st->not_before - now;
			if (run.hold_until - now < wait)
				wait = run.hold_until - now;
		}
		if (wait < 1)
			wait = 1;
		if (http_running(run.http) == 0) {
			struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};

			nanosleep(&ts, NULL);
			continue;
		}
		if (http_next(run.http, (long)wait, &done, e) != 0)
			goto out;
		if (done == NULL)
			continue;
		d = done->udata;
		on_response(&run, d, done);
		if (d->outcome != AKENZA_PENDING) {
			finish_device(&run, d);
			left--;
			for (i = 0; i < jobs; i++)
				if (slots[i] == d)
					slots[i] = NULL;
		}
	}
	rc = run.stop ? -1 : 0;
out:
	http_client_close(run.http);
	if (states != NULL)
		for (i = 0; i < n; i++)
			state_free(&states[i]);
	for (i = 0; i < n; i++)
		devs[i]->priv = NULL;
	free(states);
	free(slots);
	if (auth != NULL)
		sodium_free(auth);
	return rc;
}
