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
 *
 * Sessions (plugin_opt_disconnect_on_expiry): an accepted login says when
 * its token stops being accepted (l->ends), and struct authz_sessions holds
 * the open sessions, so that the broker ends each one then.
 */
#ifndef AKCRED_AUTHZ_H
#define AKCRED_AUTHZ_H

#include <time.h>

#include "devid.h"
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
	/*
	 * Accepted: the first second at which the same check refuses the token
	 * as expired, exp plus the policy's leeway (jwt_check's rule).
	 */
	time_t ends;
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

/*
 * The open sessions whose token ends them: client is the broker's handle of
 * the connection, only compared; id its client id.
 */
struct authz_session {
	const void *client;
	char id[DEVID_MAX + 1];
	time_t ends; /* authz_login's l->ends */
};

struct authz_sessions {
	struct authz_session *s;
	size_t n, room;
	time_t next; /* no session ends before this: most checks look at nothing else */
};
/* clang-format off */
#define AUTHZ_SESSIONS_INIT {NULL, 0, 0, 0}
/* clang-format on */

/* Add (or, for a client already there, replace) a session; -1 with e when out of memory. */
int authz_sessions_add(struct authz_sessions *ss, const void *client, const char *id, time_t ends,
		       struct err *e);
/* The client's connection closed: forget its session, if any. */
void authz_sessions_remove(struct authz_sessions *ss, const void *client);
/*
 * Take out a session over at now (its ends <= now) into *out: 1, or 0 when
 * none is.  Called until 0, it takes out each of them.
 */
int authz_sessions_take_over(struct authz_sessions *ss, time_t now, struct authz_session *out);
/* Is the client's session over at now: 1 with a copy in *out, or 0 (not over, or none). */
int authz_sessions_over(const struct authz_sessions *ss, const void *client, time_t now,
			struct authz_session *out);
void authz_sessions_clear(struct authz_sessions *ss);

#endif
