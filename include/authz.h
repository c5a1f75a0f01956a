/*
 * authz: the decisions of the local akenza-like broker (the mosquitto plugin
 * akcred_auth.so, see akcred-broker(7)), kept apart from mosquitto so that
 * they can be tested on their own.
 *
 * Login: the client id must be a valid device id, and the password a token
 * that jwt_check() accepts for that device under the configured jwt_policy
 * (aud = https://<aud host>/devices/<client id>), signed by one of the
 * device's registered keys.  Keys live in
 * a directory, one sub-directory per device:
 *
 *     <keys_dir>/<deviceId>/<any name>.pem    public keys (SPKI PEM or DER) or
 *                                             X.509 certificates, one or more
 *                                             per file
 *
 * Every key of every file counts, whatever their number and readdir order
 * (no limit: all are read at each login).  Which key checks a token is
 * jwt_check_keys()' rule: a token with a kid is checked against the key
 * whose fingerprint is that kid (kid_unknown if the device has none), one
 * without against each key.  Files are read at each login, so keys can be
 * added or removed while the broker runs.  Names starting with '.' are
 * ignored, files that are not keys skipped (and named in a kid_unknown
 * reason); a certificate outside its validity period refuses the token
 * (cert_not_valid, the rule of key_cert_valid_at() that jwt_check applies).
 *
 * Access: a device may publish only to /up/device/id/<its id> and below,
 * and subscribe (and receive) only under /down/device/id/<its id>/.
 */
#ifndef AKCRED_AUTHZ_H
#define AKCRED_AUTHZ_H

#include <time.h>

#include "err.h"
#include "jwt.h"
#include "key.h"

struct authz_config {
	const char *keys_dir;
	struct jwt_policy policy; /* what tokens must meet: JWT_POLICY_INIT, as jwt verify */
	time_t now;               /* 0: time(NULL); for tests */
};

struct authz_login {
	char kid[KEY_FINGERPRINT_HEX + 1]; /* the key that signed the accepted token */
	char key_file[4096];
	char reason[512]; /* why the login was refused */
};

/*
 * Decide a login.  1: accepted (l->kid, l->key_file), 0: refused (l->reason),
 * -1: the broker itself failed (e), which also refuses.
 */
int authz_login(const struct authz_config *c, const char *client_id, const char *password,
		struct authz_login *l, struct err *e);

enum authz_access {
	AUTHZ_PUBLISH,    /* the client publishes to topic */
	AUTHZ_SUBSCRIBE,  /* the client subscribes with the filter topic */
	AUTHZ_RECEIVE,    /* a message on topic is delivered to the client */
	AUTHZ_UNSUBSCRIBE /* always allowed */
};

/* 1 if the client may, 0 if not. */
int authz_acl(const char *client_id, enum authz_access access, const char *topic);

#endif
