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

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <sodium.h>

#include "authz.h"
#include "safetext.h"
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
		return MOSQ_ERR_SUCCESS;
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
	free(p);
}

int
mosquitto_plugin_init(mosquitto_plugin_id_t *id, void **userdata, struct mosquitto_opt *opts,
		      int nopts)
{
	struct plugin *p;
	struct stat st;
	struct err e = ERR_INIT;
	char *end, why[600];
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
	for (i = 0; i < nopts; i++) {
		if (strcmp(opts[i].key, "keys_dir") == 0) {
			free(p->keys_dir);
			p->keys_dir = strdup(opts[i].value);
		} else if (strcmp(opts[i].key, "aud_host") == 0) {
			free(p->aud_host);
			p->aud_host = strdup(opts[i].value);
		} else if (strcmp(opts[i].key, "leeway") == 0) {
			/* Seconds here; the range is the policy's (jwt_policy_check below). */
			p->config.policy.leeway = strtol(opts[i].value, &end, 10);
			if (*opts[i].value == '\0' || *end != '\0' ||
			    jwt_policy_check(&(struct jwt_policy){NULL, p->config.policy.leeway, 0},
					     &e) != 0) {
				mosquitto_log_printf(
					MOSQ_LOG_ERR,
					"akcred-auth: plugin_opt_leeway must be seconds "
					"from 0 to %d",
					JWT_LEEWAY_MAX);
				plugin_free(p);
				return MOSQ_ERR_INVAL;
			}
		} else if (strcmp(opts[i].key, "publish_denied") == 0) {
			if (strcmp(opts[i].value, "disconnect") == 0)
				p->publish_disconnect = 1;
			else if (strcmp(opts[i].value, "drop") == 0)
				p->publish_disconnect = 0;
			else {
				mosquitto_log_printf(
					MOSQ_LOG_ERR,
					"akcred-auth: plugin_opt_publish_denied must be "
					"disconnect or drop");
				plugin_free(p);
				return MOSQ_ERR_INVAL;
			}
		} else {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     "akcred-auth: unknown option plugin_opt_%s",
					     opts[i].key);
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
	    mosquitto_callback_register(id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, p) != 0) {
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
	if (p != NULL) {
		mosquitto_callback_unregister(p->id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
		mosquitto_callback_unregister(p->id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	}
	plugin_free(p);
	return MOSQ_ERR_SUCCESS;
}
