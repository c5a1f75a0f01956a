/* authz: the local broker's login and access decisions (see authz.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz.h"
#include "devid.h"
#include "jwt.h"
#include "key.h"
#include "banned.h"

/* topic is prefix + id, followed by the end ("exact" allowed) or a '/'. */
static int
topic_under(const char *topic, const char *prefix, const char *id, int exact_ok)
{
	size_t plen = strlen(prefix), ilen = strlen(id);

	if (strncmp(topic, prefix, plen) != 0 || strncmp(topic + plen, id, ilen) != 0)
		return 0;
	topic += plen + ilen;
	return (*topic == '\0' && exact_ok) || *topic == '/';
}

int
authz_acl(const char *client_id, enum authz_access access, const char *topic)
{
	/* An id with '/', '+' or '#' could widen the topics below: such a client gets nothing. */
	if (client_id == NULL || topic == NULL || devid_check(client_id, NULL) != 0)
		return 0;
	switch (access) {
	case AUTHZ_PUBLISH:
		/* Wildcards never reach here (brokers refuse them in PUBLISH), but be sure. */
		return strpbrk(topic, "+#") == NULL &&
		       topic_under(topic, DEVID_UPLINK_PREFIX, client_id, 1);
	case AUTHZ_SUBSCRIBE:
		/* Under the device's own level: any wildcard after it stays inside. */
		return topic_under(topic, DEVID_DOWNLINK_PREFIX, client_id, 0);
	case AUTHZ_RECEIVE:
		/* "/down/device/id/<id>/#" also matches the parent level itself. */
		return topic_under(topic, DEVID_DOWNLINK_PREFIX, client_id, 1);
	case AUTHZ_UNSUBSCRIBE:
		return 1;
	}
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every name in the device's directory, sorted: any number, so that junk or
 * old files never hide the real key.  0, or -1 with a refusal reason.
 */
static int
list_keys(const struct authz_config *c, const char *id, char ***names, size_t *n,
	  struct authz_login *l)
{
	char dir[4096], **grown;
	size_t room = 0;
	struct dirent *d;
	DIR *dp;

	*names = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/%s", c->keys_dir, id);
	if ((dp = opendir(dir)) == NULL) {
		snprintf(l->reason, sizeof(l->reason),
			 "no key is registered for device '%s' (%.300s: %s)", id, dir,
			 strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (*n == room) {
			room = room ? 2 * room : 16;
			if ((grown = realloc(*names, room * sizeof(char *))) == NULL)
				break;
			*names = grown;
		}
		if (((*names)[*n] = strdup(d->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(dp);
	if (d != NULL) { /* out of memory: refuse rather than decide on part of the keys */
		snprintf(l->reason, sizeof(l->reason), "out of memory listing %.300s", dir);
		return -1;
	}
	if (*n > 0)
		qsort(*names, *n, sizeof(char *), compare_names);
	if (*n == 0) {
		snprintf(l->reason, sizeof(l->reason),
			 "no key is registered for device '%s' (%.300s is empty)", id, dir);
		return -1;
	}
	return 0;
}

/* The first error of a report, as "code: message". */
static void
first_error(const struct jwt_report *r, char *buf, size_t size)
{
	int i;

	for (i = 0; i < r->nproblems; i++) {
		if (r->problems[i].severity == JWT_ERROR) {
			snprintf(buf, size, "%s: %s", r->problems[i].code, r->problems[i].message);
			return;
		}
	}
	snprintf(buf, size, "the token was not accepted");
}

/*
 * Every key of every file of the device, in name order (a file may hold
 * several: a key appended during a rotation counts); file_of[i] is the name
 * of keys->keys[i].  A file that is not a key is skipped, noted in junk.
 */
static int
load_keys(const struct authz_config *c, const char *id, char **names, size_t n,
	  struct key_set *keys, size_t **file_of, char *junk, size_t junksize, struct err *e)
{
	struct key_set fk = KEY_SET_INIT;
	struct err ke = ERR_INIT;
	char path[4096];
	size_t i, j, before, *grown;

	*file_of = NULL;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", c->keys_dir, id, names[i]);
		if (key_load_file_all(&fk, path, NULL, &ke) != 0) {
			/* A junk file must not hide why a real key refused the token. */
			if (junk[0] == '\0')
				snprintf(junk, junksize, "registered key %.200s unusable: %.200s",
					 path, ke.msg);
			continue;
		}
		before = keys->n;
		if (key_set_take(keys, &fk, e) != 0 ||
		    (grown = realloc(*file_of, keys->n * sizeof(size_t))) == NULL) {
			key_set_clear(&fk);
			return err_set(e, AK_INTERNAL, "out of memory loading the keys of '%s'",
				       id);
		}
		*file_of = grown;
		for (j = before; j < keys->n; j++)
			(*file_of)[j] = i;
	}
	return 0;
}

int
authz_login(const struct authz_config *c, const char *client_id, const char *password,
	    struct authz_login *l, struct err *e)
{
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err de = ERR_INIT;
	struct key_set keys = KEY_SET_INIT;
	struct jwt_keys_result kr;
	char **names = NULL, junk[440] = "";
	json_t *jk;
	size_t i, n = 0, *file_of = NULL;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (client_id == NULL || devid_check(client_id, &de) != 0) {
		snprintf(l->reason, sizeof(l->reason), "the client id is not a device id: %.400s",
			 client_id ? de.msg : "none given");
		return 0;
	}
	if (password == NULL || password[0] == '\0') {
		snprintf(l->reason, sizeof(l->reason), "no password: akenza expects a token");
		return 0;
	}
	jwt_policy_apply(&c->policy, &o);
	o.device_id = client_id;
	o.now = c->now;
	/* A password that is no token at all is refused before any key file is read. */
	if (jwt_check(password, strlen(password), &o, &r, e) != 0)
		return -1;
	if (r.header == NULL) {
		first_error(&r, l->reason, sizeof(l->reason));
		jwt_report_clear(&r);
		return 0;
	}
	jwt_report_clear(&r);
	if (list_keys(c, client_id, &names, &n, l) != 0)
		goto out;
	if (load_keys(c, client_id, names, n, &keys, &file_of, junk, sizeof(junk), e) != 0) {
		rc = -1;
		goto out;
	}
	if (keys.n == 0) {
		snprintf(l->reason, sizeof(l->reason), "%s", junk);
		goto out;
	}
	/* The rule for several keys (kid names one, else any) is jwt_check_keys'. */
	if (jwt_check_keys(password, strlen(password), &o, keys.keys, keys.n, &r, &kr, e) != 0) {
		rc = -1;
		goto out;
	}
	if (kr.used >= 0 && jwt_report_accepted(&r) && r.signature_checked && r.signature_valid) {
		rc = key_fingerprint(&keys.keys[kr.used], l->kid, e) == 0 ? 1 : -1;
		l->ends = r.expired_from; /* accepted: exp is there */
		snprintf(l->key_file, sizeof(l->key_file), "%s/%s/%s", c->keys_dir, client_id,
			 names[file_of[kr.used]]);
	} else if (kr.kid == JWT_KID_UNKNOWN || kr.kid == JWT_KID_NOT_FP) {
		/* Shown only in the form of a fingerprint (hex digits): nothing to escape. */
		jk = json_object_get(r.header, "kid");
		snprintf(l->reason, sizeof(l->reason),
			 "kid_unknown: the token's kid %s is not a key registered for device "
			 "'%s'%s%.200s",
			 kr.kid == JWT_KID_UNKNOWN ? json_string_value(jk)
						   : "(not a fingerprint: 64 hex digits)",
			 client_id, junk[0] ? "; " : "", junk);
	} else {
		first_error(&r, l->reason, sizeof(l->reason));
	}
	jwt_report_clear(&r);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(file_of);
	key_set_clear(&keys);
	return rc;
}

int
authz_sessions_add(struct authz_sessions *ss, const void *client, const char *id, time_t ends,
		   struct err *e)
{
	struct authz_session *grown, *slot = NULL;
	size_t i;

	for (i = 0; i < ss->n && slot == NULL; i++)
		if (ss->s[i].client == client)
			slot = &ss->s[i];
	if (slot == NULL) {
		if (ss->n == ss->room) {
			ss->room = ss->room ? 2 * ss->room : 16;
			if ((grown = realloc(ss->s, ss->room * sizeof(*grown))) == NULL) {
				ss->room = ss->n;
				return err_set(e, AK_INTERNAL, "out of memory adding a session");
			}
			ss->s = grown;
		}
		slot = &ss->s[ss->n++];
	}
	slot->client = client;
	snprintf(slot->id, sizeof(slot->id), "%s", id);
	slot->ends = ends;
	if (ss->n == 1 || ends < ss->next)
		ss->next = ends;
	return 0;
}

void
authz_sessions_remove(struct authz_sessions *ss, const void *client)
{
	size_t i;

	/* next stays: still no session ends before it. */
	for (i = 0; i < ss->n; i++) {
		if (ss->s[i].client == client) {
			ss->s[i] = ss->s[--ss->n];
			return;
		}
	}
}

/* The one rule of when a session is over: from its end on. */
static int
session_over(const struct authz_session *s, time_t now)
{
	return s->ends <= now;
}

int
authz_sessions_over(const struct authz_sessions *ss, const void *client, time_t now,
		    struct authz_session *out)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		if (ss->s[i].client == client) {
			*out = ss->s[i];
			return session_over(&ss->s[i], now);
		}
	}
	return 0;
}

int
authz_sessions_take_over(struct authz_sessions *ss, time_t now, struct authz_session *out)
{
	time_t next = 0;
	size_t i;

	if (ss->n == 0 || now < ss->next)
		return 0;
	for (i = 0; i < ss->n; i++) {
		if (session_over(&ss->s[i], now)) {
			*out = ss->s[i];
			ss->s[i] = ss->s[--ss->n];
			return 1;
		}
		if (i == 0 || ss->s[i].ends < next)
			next = ss->s[i].ends;
	}
	ss->next = next;
	return 0;
}

void
authz_sessions_clear(struct authz_sessions *ss)
{
	free(ss->s);
	*ss = (struct authz_sessions)AUTHZ_SESSIONS_INIT;
}
