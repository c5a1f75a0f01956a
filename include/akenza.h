/*
 * akenza: device credentials through akenza's REST API -- registered,
 * listed, deleted.
 *
 * What the API looks like comes from akenza's public Java API client; where
 * it is silent this module makes one explicit
 * assumption, documented in akcred-register(1):
 *   - find a device:   GET  /v3/assets?workspaceId=W&type=DEVICE&search=ID
 *                      -> {"content": [{"id", "deviceId", ...}]}, exact deviceId match
 *                      (the Java client's DeviceClient.list with withSearch());
 *   - create a device: POST /v3/devices {name, deviceId, workspaceId, dataFlowId,
 *                      connectivity: "MQTT"} -> {"id"}
 *   - credentials:     GET/POST /v3/device-authorization/devices/{id}/credentials
 *                      -> {"content": [...]} / {"id", "fingerprint", ...};
 *                      POST may carry "expiration" (ISO 8601 UTC)
 *   - delete one:      DELETE .../credentials/{credentialId} -> 204 (404: gone)
 *
 * akenza_run() runs a set of devices with at most "jobs" of them in
 * progress at once over one http client (connections reused), each by its
 * op.  Per device: find (or, registering, create) the akenza device -- no
 * look-up when its akenza id is given -- and list its credentials; then to
 * register, a credential with the same key is "already registered", else it
 * is added and the fingerprint akenza returns compared; to list, the
 * listing is the outcome; to delete, the credential is picked from the
 * listing (gone if absent; refused if it is the device's last one, unless
 * allowed) and deleted, sent again after a lost answer (a 404 then means
 * done: the credential was listed, and is gone).
 * HTTP 429 waits for Retry-After (or backs off)
 * and holds back every new request meanwhile; 5xx and transport errors are
 * retried a bounded number of times.  A POST that may have reached the server
 * (time-out, dropped connection, 5xx) is never simply repeated: the device or
 * its credentials are looked up first, so nothing is registered twice.
 * 401/403 and certificate failures stop the whole run.  Each device's end is
 * reported through the done() callback, as it happens.
 */
#ifndef AKENZA_H
#define AKENZA_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "key.h"

#define AKENZA_ID_MAX 65       /* akenza ids are accepted up to 64 characters */
#define AKENZA_MESSAGE_MAX 201 /* akenza's error messages as shown: cut and cleaned */
#define AKENZA_KEY_FRAGMENT 8  /* this many characters of the API key in server text are masked */

enum akenza_outcome {
	AKENZA_PENDING = 0,
	AKENZA_ADDED,   /* the credential was added */
	AKENZA_PRESENT, /* akenza already had it */
	AKENZA_FAILED,  /* see err (and http_status) */
	AKENZA_LISTED,  /* AKENZA_OP_LIST: creds holds the listing */
	AKENZA_DELETED, /* AKENZA_OP_DELETE: deleted (credential_id) */
	AKENZA_GONE,    /* AKENZA_OP_DELETE: akenza does not hold it (not listed, or 404) */
	AKENZA_LAST,    /* AKENZA_OP_DELETE: not deleted, the device's last credential */
};

/* What akenza_run() does for a device. */
enum akenza_op {
	AKENZA_OP_REGISTER = 0, /* find (or create) the device; add the credential unless listed */
	AKENZA_OP_LIST,         /* find the device; list its credentials into creds */
	AKENZA_OP_DELETE,       /* find the device; list; delete one credential */
};

#define AKENZA_TEXT_MAX 129 /* a credential's name, algorithm, fingerprint, times as shown */

/*
 * One credential of a listing, as akenza shows it: every text cleaned of
 * control characters (the API key masked) and cut; "" where akenza gives none.
 */
struct akenza_credential {
	char id[AKENZA_ID_MAX];
	char name[AKENZA_TEXT_MAX];
	char algorithm[AKENZA_TEXT_MAX];
	char fingerprint[AKENZA_TEXT_MAX]; /* akenza's "fingerprint" */
	/* The SHA-256 kid: akenza's fingerprint if it is one, else of its publicKey, else "". */
	char kid[KEY_FINGERPRINT_HEX + 1];
	char expiration[AKENZA_TEXT_MAX];
	char created[AKENZA_TEXT_MAX];
	int has_expires; /* expiration read into expires; 0: none, or not a time akcred reads */
	time_t expires;
};

struct akenza_device {
	/* In. */
	const char *device_id;
	const char *algorithm;         /* EC256_PEM, ... */
	const char *public_pem;        /* what is uploaded */
	const char *fingerprint;       /* the local kid */
	const char *cert_sha1;         /* SHA-1 of the certificate's DER, or NULL */
	char akenza_id[AKENZA_ID_MAX]; /* if known already, else "" */
	enum akenza_op op;             /* 0: AKENZA_OP_REGISTER */
	const char *expiration;        /* REGISTER: ISO 8601 UTC, or NULL: none */
	/*
	 * DELETE: the credential with id delete_id, else the one of fingerprint
	 * (and cert_sha1) as akenza_credential_matches() says; refused as
	 * AKENZA_LAST if it is the only one the device has, or, with
	 * keep_fingerprint, if no other credential is of that key (the one the
	 * device goes on logging in with: rotate's new key; and of its
	 * certificate keep_cert_sha1, if not NULL), unless allow_last.
	 */
	const char *delete_id;
	const char *keep_fingerprint;
	const char *keep_cert_sha1;
	int allow_last;

	/* Out. */
	enum akenza_outcome outcome;
	int created;                       /* the device was created by this run */
	char credential_id[AKENZA_ID_MAX]; /* added, present, or (DELETE) deleted */
	/* LIST, and DELETE's listing before it deletes: free with akenza_device_clear(). */
	struct akenza_credential *creds;
	size_t ncreds;
	char note[200];   /* about the fingerprint akenza reported, or "" */
	long http_status; /* with AKENZA_FAILED, if there was a response */
	struct err err;

	/* Private. */
	void *priv;
};

struct akenza_config {
	const char *api_url; /* AKENZA_API_URL_DEFAULT */
	const char *api_key; /* secret: only ever sent as x-api-key */
	const char *ca_file;
	const char *workspace_id, *data_flow_id;
	const char *credential_name; /* NULL: "akcred-" and the kid's first 12 digits */
	int create_devices;
	int jobs;
	unsigned max_retries;      /* 5xx and transport errors, per device */
	unsigned max_rate_limited; /* 429s per device */
	long timeout_ms, backoff_base_ms, backoff_cap_ms;
	void (*done)(struct akenza_device *d, void *arg);
	void *arg;
};
#define AKENZA_API_URL_DEFAULT "https://api.akenza.io"
/* The API's paths after api_url; each "%s" takes an id (workspace and device id, akenza id). */
#define AKENZA_PATH_LOOKUP "/v3/assets?workspaceId=%s&type=DEVICE&search=%s"
#define AKENZA_PATH_DEVICES "/v3/devices"
#define AKENZA_PATH_CREDENTIALS "/v3/device-authorization/devices/%s/credentials"
#define AKENZA_PATH_CREDENTIAL "/v3/device-authorization/devices/%s/credentials/%s"
#define AKENZA_JOBS_DEFAULT 8
#define AKENZA_RETRIES_DEFAULT 5
#define AKENZA_TIMEOUT_DEFAULT_MS 30000
/* clang-format off */
#define AKENZA_CONFIG_INIT                                                                         \
	{.api_url = AKENZA_API_URL_DEFAULT, .jobs = AKENZA_JOBS_DEFAULT,                           \
	 .max_retries = AKENZA_RETRIES_DEFAULT, .max_rate_limited = 30,                            \
	 .timeout_ms = AKENZA_TIMEOUT_DEFAULT_MS, .backoff_base_ms = 500, .backoff_cap_ms = 30000}
/* clang-format on */

/* Free what a run left in d (the listing); d can be run again. */
void akenza_device_clear(struct akenza_device *d);

/*
 * Run each of devs (outcome AKENZA_PENDING) by its op: register, list or
 * delete.  0 when every device has an outcome (some may have failed); -1
 * when the run stopped (401/403: AK_REFUSED; certificate or TLS set-up:
 * AK_TLS; libcurl: AK_INTERNAL), the devices not reached staying
 * AKENZA_PENDING.
 */
int akenza_run(const struct akenza_config *c, struct akenza_device *const *devs, size_t n,
	       struct err *e);

/*
 * The JSON body of the request that creates d's device (create != 0) or adds
 * its credential, with akenza_id standing for the akenza device id (free() it).
 */
char *akenza_request_body(const struct akenza_config *c, const struct akenza_device *d, int create,
			  const char *akenza_id);

/*
 * The API key: file's first line (with *loose the file's mode if others can
 * read it, else 0), else $AKCRED_API_KEY (then wiped from the environment);
 * into sodium memory (sodium_free() it).  AK_USAGE if neither, AK_INPUT if
 * it is empty or not printable ASCII.
 */
int akenza_api_key(const char *file, char **key, unsigned *loose, struct err *e);

/* The PEM to upload and akenza's algorithm name for a key or certificate (free() it). */
int akenza_credential_pem(const struct key *k, char **pem, const char **algorithm, struct err *e);

/* Response parsing, exposed for the tests. */
enum akenza_fp_match {
	AKENZA_FP_ABSENT,     /* no fingerprint in the response */
	AKENZA_FP_SAME_KID,   /* the SHA-256 kid, equal */
	AKENZA_FP_SAME_SHA1,  /* the certificate's SHA-1, equal */
	AKENZA_FP_DIFFERENT,  /* another kid: another key */
	AKENZA_FP_OTHER_CERT, /* another certificate's SHA-1: of the key or not (a renewal) */
	AKENZA_FP_OTHER_KIND, /* a hash akcred cannot compare */
};
enum akenza_fp_match akenza_compare_fingerprint(const char *remote, const char *kid,
						const char *cert_sha1);
/*
 * 1 if s can be an akenza id (a device, workspace, data flow or credential
 * id): 1 to AKENZA_ID_MAX - 1 letters, digits and "._:-", safe in a URL path
 * and a CSV field as it is; else 0.
 */
int akenza_plausible_id(const char *s);

/* "id" of a created object; 0, or -1 if absent or not a plausible id. */
int akenza_parse_id(const char *json, size_t len, char id[AKENZA_ID_MAX]);
/* The akenza id of deviceId device_id in an asset listing: 1 found, 0 not, -1 malformed. */
int akenza_find_device(const char *json, size_t len, const char *device_id, char id[AKENZA_ID_MAX]);
/*
 * A credential of this key in a credential listing: 1 found (its id in id,
 * a remark in note if akenza's fingerprint is not the kid), 0 not, -1 malformed.
 */
int akenza_find_credential(const char *json, size_t len, const char *kid, const char *cert_sha1,
			   char id[AKENZA_ID_MAX], char *note, size_t note_size);
/*
 * A credential listing into *creds (malloc'ed, free() it), *n of them: 0, or
 * -1 if malformed (not a listing, an item without a plausible id) or out of
 * memory.  api_key (NULL: none) is masked in what is kept.
 */
int akenza_parse_credentials(const char *json, size_t len, const char *api_key,
			     struct akenza_credential **creds, size_t *n);
/* Is c the credential of the key with this kid (and certificate SHA-1, or NULL)? */
int akenza_credential_matches(const struct akenza_credential *c, const char *kid,
			      const char *cert_sha1);
/*
 * akenza's error message from an error body: every fragment of api_key (NULL:
 * none) of AKENZA_KEY_FRAGMENT or more characters -- a server may echo the
 * request -- masked as "(API key)", then cleaned of control characters and cut.
 */
void akenza_error_message(const char *body, size_t len, const char *api_key,
			  char out[AKENZA_MESSAGE_MAX]);

#endif
