/*
 * akenza: registering device credentials through akenza's REST API.
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
 *                      -> {"content": [...]} / {"id", "fingerprint", ...}
 *
 * akenza_run() registers a set of devices with at most "jobs" of them in
 * progress at once over one http client (connections reused).  Per device:
 * find (or create) the akenza device, list its credentials -- a credential
 * with the same key is "already registered" -- else add it and compare the
 * fingerprint akenza returns.  HTTP 429 waits for Retry-After (or backs off)
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
};

struct akenza_device {
	/* In. */
	const char *device_id;
	const char *algorithm;         /* EC256_PEM, ... */
	const char *public_pem;        /* what is uploaded */
	const char *fingerprint;       /* the local kid */
	const char *cert_sha1;         /* SHA-1 of the certificate's DER, or NULL */
	char akenza_id[AKENZA_ID_MAX]; /* if known already, else "" */

	/* Out. */
	enum akenza_outcome outcome;
	int created; /* the device was created by this run */
	char credential_id[AKENZA_ID_MAX];
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
#define AKENZA_JOBS_DEFAULT 8
#define AKENZA_RETRIES_DEFAULT 5
#define AKENZA_TIMEOUT_DEFAULT_MS 30000
/* clang-format off */
#define AKENZA_CONFIG_INIT                                                                         \
	{.api_url = AKENZA_API_URL_DEFAULT, .jobs = AKENZA_JOBS_DEFAULT,                           \
	 .max_retries = AKENZA_RETRIES_DEFAULT, .max_rate_limited = 30,                            \
	 .timeout_ms = AKENZA_TIMEOUT_DEFAULT_MS, .backoff_base_ms = 500, .backoff_cap_ms = 30000}
/* clang-format on */

/*
 * Register devs (outcome AKENZA_PENDING).  0 when every device has an
 * outcome (some may have failed); -1 when the run stopped (401/403:
 * AK_REFUSED; certificate or TLS set-up: AK_TLS; libcurl: AK_INTERNAL), the
 * devices not reached staying AKENZA_PENDING.
 */
int akenza_run(const struct akenza_config *c, struct akenza_device *const *devs, size_t n,
	       struct err *e);

/*
 * The JSON body of the request that creates d's device (create != 0) or adds
 * its credential, with akenza_id standing for the akenza device id (free() it).
 */
char *akenza_request_body(const struct akenza_config *c, const struct akenza_device *d, int create,
			  const char *akenza_id);

/* The PEM to upload and akenza's algorithm name for a key or certificate (free() it). */
int akenza_credential_pem(const struct key *k, char **pem, const char **algorithm, struct err *e);

/* Response parsing, exposed for the tests. */
enum akenza_fp_match {
	AKENZA_FP_ABSENT,     /* no fingerprint in the response */
	AKENZA_FP_SAME_KID,   /* the SHA-256 kid, equal */
	AKENZA_FP_SAME_SHA1,  /* the certificate's SHA-1, equal */
	AKENZA_FP_DIFFERENT,  /* a comparable hash, different */
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
 * akenza's error message from an error body: every fragment of api_key (NULL:
 * none) of AKENZA_KEY_FRAGMENT or more characters -- a server may echo the
 * request -- masked as "(API key)", then cleaned of control characters and cut.
 */
void akenza_error_message(const char *body, size_t len, const char *api_key,
			  char out[AKENZA_MESSAGE_MAX]);

#endif
