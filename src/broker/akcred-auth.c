/*
 * akcred_auth.so: a mosquitto 2 plugin that makes mosquitto authenticate
 * devices the way akenza does -- the password is a device token, checked
 * with akcred's own token code against a directory of registered keys -- and
 * confines each device to its own topics.  The decisions are in authz.c;
 * this file only adapts them to mosquitto's plugin interface (version 5).
 * See akcred-broker(7) for the options and an example configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <sodium.h>

#include "authz.h"
#include "safetext.h"
#include "timeutil.h"
#include "banned.h"

#define PLUGIN_EXPORT __attribute__((visibility("default")))

PLUGIN_EXPORT int mosquitto_plugin_version(int count, const int *versions);
PLUGIN_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t *id, void **userdata,
					struct mosquitto_opt *opts, int nopts);
PLUGIN_EXPORT int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *opts, int nopts);

struct plugin {
	mosquitto_plugin_id_t *id;
	struct authz_config config;
	char *keys_dir, *aud_host;
	int publish_disconnect; /* MQTT 3.1.1 has no negative PUBACK: close instead */
	/* plugin_opt_disconnect_on_expiry: the sessions to end when their token expires */
	int disconnect_on_expiry;
	struct authz_sessions sessions;
	time_t started;
	int ticked, tickless_said; /* mosquitto sends this plugin tick events; said it does not */
};

/*
 * Client ids, topics and reasons can come from hostile clients: into the log
 * by the rule akcred's own output keeps (safetext.h), so that no control,
 * bidi or format character, and no invalid UTF-8, reaches it raw.
 */
static void
safe(const char *in, char *out, size_t size)
{
	safetext_escape(in != NULL ? in : "(none)", size, out, size);
}

/*
 * With plugin_opt_disconnect_on_expiry, the session of an accepted login
 * ends when its token does (on_tick); one that cannot be followed is refused
 * rather than left open for ever.
 */
static int
session_start(struct plugin *p, struct mosquitto *client, const struct authz_login *l)
{
	struct err e = ERR_INIT;
	char id[160], iso[TIMEUTIL_ISO_LEN];

	if (!p->disconnect_on_expiry)
		return MOSQ_ERR_SUCCESS;
	/*
	 * Ticks reach a plugin on every turn of mosquitto's loop (at least ten
	 * a second), except in mosquitto 2.0.0 to 2.0.14 with
	 * per_listener_settings true: say so once, since sessions then end only
	 * on their publish or subscribe (session_acl).
	 */
	if (!p->ticked && !p->tickless_said && time(NULL) - p->started >= 2) {
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     "akcred-auth: plugin_opt_disconnect_on_expiry: mosquitto "
				     "sends this plugin no tick events (before 2.0.15 it sends "
				     "none with per_listener_settings true): a session past its "
				     "token's expiry is ended only when it publishes or "
				     "subscribes");
		p->tickless_said = 1;
	}
	if (authz_sessions_add(&p->sessions, client, mosquitto_client_id(client), l->ends, &e) !=
	    0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "akcred-auth: login refused: %s", e.msg);
		return MOSQ_ERR_AUTH;
	}
	safe(mosquitto_client_id(client), id, sizeof(id));
	mosquitto_log_printf(MOSQ_LOG_NOTICE,
			     "akcred-auth: session of '%s' ends at %s, when its token expires "
			     "(exp plus the leeway)",
			     id, timeutil_iso8601(l->ends, iso));
	return MOSQ_ERR_SUCCESS;
}

static void
session_ended(const struct plugin *p, const struct authz_session *s, const char *how)
{
	char id[160], iso[TIMEUTIL_ISO_LEN], d[32];

	safe(s->id, id, sizeof(id));
	mosquitto_log_printf(MOSQ_LOG_NOTICE,
			     "akcred-auth: session of '%s' ended%s: its token expired at %s "
			     "(exp, plus the leeway of %s)",
			     id, how, timeutil_iso8601(s->ends - p->config.policy.leeway, iso),
			     timeutil_duration(p->config.policy.leeway, d, sizeof(d)));
}

/* End the sessions whose token has expired (plus the leeway). */
static int
on_tick(int event, void *event_data, void *userdata)
{
	struct plugin *p = userdata;
	struct authz_session s;

	(void)event;
	(void)event_data;
	p->ticked = 1;
	while (authz_sessions_take_over(&p->sessions, time(NULL), &s)) {
		session_ended(p, &s, "");
		/* Its DISCONNECT event finds the session already taken out. */
		mosquitto_kick_client_by_clientid(s.id, false);
	}
	return MOSQ_ERR_SUCCESS;
}

/*
 * A session past its end that a tick has not ended yet (or never will: no
 * ticks) publishes or subscribes: an error other than "denied" makes
 * mosquitto close the connection.  Nothing is delivered to it meanwhile.
 * -1 if the session goes on.
 */
static int
session_acl(struct plugin *p, struct mosquitto *client, enum authz_access a)
{
	struct authz_session s;

	if (!p->disconnect_on_expiry || !authz_sessions_over(&p->sessions, client, time(NULL), &s))
		return -1;
	if (a != AUTHZ_PUBLISH && a != AUTHZ_SUBSCRIBE)
		return MOSQ_ERR_ACL_DENIED;
	authz_sessions_remove(&p->sessions, client);
	session_ended(p, &s, a == AUTHZ_PUBLISH ? " on its publish" : " on its subscribe");
	return MOSQ_ERR_AUTH;
}

static int
on_disconnect(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_disconnect *ev = event_data;
	struct plugin *p = userdata;

	(void)event;
	authz_sessions_remove(&p->sessions, ev->client);
	return MOSQ_ERR_SUCCESS;
}

static int
on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ev = event_data;
	struct plugin *p = userdata;
	struct authz_login l;
	struct err e = ERR_INIT;
	char id[160], why[600], file[600];
	int rc;

	(void)event;
	rc = authz_login(&p->config, mosquitto_client_id(ev->client), ev->password, &l, &e);
	safe(mosquitto_client_id(ev->client), id, sizeof(id));
	if (rc == 1) {
		safe(l.key_file, file, sizeof(file));
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
				     "akcred-auth: device '%s' logged in with key %s (%s)", id,
				     l.kid, file);
		return session_start(p, ev->client, &l);
	}
	safe(rc < 0 ? e.msg : l.reason, why, sizeof(why));
	mosquitto_log_printf(rc < 0 ? MOSQ_LOG_ERR : MOSQ_LOG_NOTICE,
			     "akcred-auth: login of '%s' refused: %s", id, why);
	return MOSQ_ERR_AUTH;
}

static int
on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ev = event_data;
	struct plugin *p = userdata;
	enum authz_access a;
	char id[160], topic[300];
	int rc;

	(void)event;
	switch (ev->access) {
	case MOSQ_ACL_WRITE:
		a = AUTHZ_PUBLISH;
		break;
	case MOSQ_ACL_SUBSCRIBE:
		a = AUTHZ_SUBSCRIBE;
		break;
	case MOSQ_ACL_READ:
		a = AUTHZ_RECEIVE;
		break;
	case MOSQ_ACL_UNSUBSCRIBE:
		a = AUTHZ_UNSUBSCRIBE;
		break;
	default:
		return MOSQ_ERR_ACL_DENIED;
	}
	if ((rc = session_acl(p, ev->client, a)) >= 0)
		return rc;
	if (authz_acl(mosquitto_client_id(ev->client), a, ev->topic))
		return MOSQ_ERR_SUCCESS;
	safe(mosquitto_client_id(ev->client), id, sizeof(id));
	safe(ev->topic, topic, sizeof(topic));
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "akcred-auth: '%s' may not %s '%s'", id,
			     a == AUTHZ_PUBLISH     ? "publish to"
			     : a == AUTHZ_SUBSCRIBE ? "subscribe to"
						    : "receive from",
			     topic);
	/*
	 * MQTT 3.1.1 acknowledges a refused QoS 1 PUBLISH like an accepted one,
	 * so the device would never know: like the big IoT brokers, close its
	 * connection instead.  Any error other than "denied" makes mosquitto
	 * disconnect the client.  MQTT 5 clients get PUBACK "not authorized".
	 */
	if (a == AUTHZ_PUBLISH && p->publish_disconnect &&
	    mosquitto_client_protocol_version(ev->client) < 5)
		return MOSQ_ERR_AUTH;
	return MOSQ_ERR_ACL_DENIED;
}

int
mosquitto_plugin_version(int count, const int *versions)
{
	int i;

	for (i = 0; i < count; i++)
		if (versions[i] == 5)
			return 5;
	return -1;
}

static void
plugin_free(struct plugin *p)
{
	if (p == NULL)
		return;
	free(p->keys_dir);
	free(p->aud_host);
	authz_sessions_clear(&p->sessions);
	free(p);
}

/* true or false, as mosquitto's own options: 1, 0, or -1. */
static int
option_bool(const char *value)
{
	if (strcmp(value, "true") == 0)
		return 1;
	if (strcmp(value, "false") == 0)
		return 0;
	return -1;
}

/* One plugin_opt_ line into p: 0, or -1 having logged why not. */
static int
option_set(struct plugin *p, const char *key, const char *value)
{
	struct err e = ERR_INIT;
	char *end;

	if (strcmp(key, "keys_dir") == 0) {
		free(p->keys_dir);
		p->keys_dir = strdup(value);
	} else if (strcmp(key, "aud_host") == 0) {
		free(p->aud_host);
		p->aud_host = strdup(value);
	} else if (strcmp(key, "leeway") == 0) {
		/* Seconds here; the range is the policy's (jwt_policy_check below). */
		p->config.policy.leeway = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' ||
		    jwt_policy_check(&(struct jwt_policy){NULL, p->config.policy.leeway, 0}, &e) !=
			    0) {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     "akcred-auth: plugin_opt_leeway must be seconds "
					     "from 0 to %d",
					     JWT_LEEWAY_MAX);
			return -1;
		}
	} else if (strcmp(key, "publish_denied") == 0) {
		if (strcmp(value, "disconnect") == 0)
			p->publish_disconnect = 1;
		else if (strcmp(value, "drop") == 0)
			p->publish_disconnect = 0;
		else {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     "akcred-auth: plugin_opt_publish_denied must be "
					     "disconnect or drop");
			return -1;
		}
	} else if (strcmp(key, "disconnect_on_expiry") == 0) {
		if ((p->disconnect_on_expiry = option_bool(value)) < 0) {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     "akcred-auth: plugin_opt_disconnect_on_expiry must be "
					     "true or false");
			return -1;
		}
	} else {
		mosquitto_log_printf(MOSQ_LOG_ERR, "akcred-auth: unknown option plugin_opt_%s",
				     key);
		return -1;
	}
	return 0;
}

/* Every callback this plugin may have registered (those it did not are not found). */
static void
plugin_unregister(struct plugin *p)
{
	mosquitto_callback_unregister(p->id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(p->id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	mosquitto_callback_unregister(p->id, MOSQ_EVT_TICK, on_tick, NULL);
	mosquitto_callback_unregister(p->id, MOSQ_EVT_DISCONNECT, on_disconnect, NULL);
}

int
mosquitto_plugin_init(mosquitto_plugin_id_t *id, void **userdata, struct mosquitto_opt *opts,
		      int nopts)
{
	struct plugin *p;
	struct stat st;
	struct err e = ERR_INIT;
	char why[600];
	int i;

	if (sodium_init() < 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "akcred-auth: cannot initialise libsodium");
		return MOSQ_ERR_UNKNOWN;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return MOSQ_ERR_NOMEM;
	p->id = id;
	p->publish_disconnect = 1;
	p->config.policy = (struct jwt_policy)JWT_POLICY_INIT;
	p->sessions = (struct authz_sessions)AUTHZ_SESSIONS_INIT;
	p->started = time(NULL);
	for (i = 0; i < nopts; i++) {
		if (option_set(p, opts[i].key, opts[i].value) != 0) {
			plugin_free(p);
			return MOSQ_ERR_INVAL;
		}
	}
	if (p->keys_dir == NULL || stat(p->keys_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		mosquitto_log_printf(MOSQ_LOG_ERR,
				     "akcred-auth: plugin_opt_keys_dir must name a directory of "
				     "device keys (see akcred-broker(7))");
		plugin_free(p);
		return MOSQ_ERR_INVAL;
	}
	p->config.keys_dir = p->keys_dir;
	p->config.policy.aud_host = p->aud_host;
	/* Refused here rather than at every login. */
	if (jwt_policy_check(&p->config.policy, &e) != 0) {
		safe(e.msg, why, sizeof(why));
		mosquitto_log_printf(MOSQ_LOG_ERR, "akcred-auth: plugin_opt_aud_host: %s", why);
		plugin_free(p);
		return MOSQ_ERR_INVAL;
	}
	if (mosquitto_callback_register(id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, p) != 0 ||
	    mosquitto_callback_register(id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, p) != 0 ||
	    (p->disconnect_on_expiry &&
	     (mosquitto_callback_register(id, MOSQ_EVT_TICK, on_tick, NULL, p) != 0 ||
	      mosquitto_callback_register(id, MOSQ_EVT_DISCONNECT, on_disconnect, NULL, p) != 0))) {
		plugin_unregister(p);
		plugin_free(p);
		return MOSQ_ERR_UNKNOWN;
	}
	*userdata = p;
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "akcred-auth: device keys from %s", p->keys_dir);
	return MOSQ_ERR_SUCCESS;
}

int
mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *opts, int nopts)
{
	struct plugin *p = userdata;

	(void)opts;
	(void)nopts;
	if (p != NULL)
		plugin_unregister(p);
	plugin_free(p);
	return MOSQ_ERR_SUCCESS;
}
