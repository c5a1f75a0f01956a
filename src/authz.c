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

#define UP_PREFIX "/up/device/id/"
#define DOWN_PREFIX "/down/device/id/"

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
		return strpbrk(topic, "+#") == NULL && topic_under(topic, UP_PREFIX, client_id, 1);
	case AUTHZ_SUBSCRIBE:
		/* Under the device's own level: any wildcard after it stays inside. */
		return topic_under(topic, DOWN_PREFIX, client_id, 0);
	case AUTHZ_RECEIVE:
		/* "/down/device/id/<id>/#" also matches the parent level itself. */
		return topic_under(topic, DOWN_PREFIX, client_id, 1);
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

/* The device's key files, sorted; *n of them.  0, or -1 with a refusal reason. */
static int
list_keys(const struct authz_config *c, const char *id, char ***names, int *n,
	  struct authz_login *l)
{
	char dir[4096];
	struct dirent *d;
	DIR *dp;

	*names = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/%s", c->keys_dir, id);
	if ((dp = opendir(dir)) == NULL) {
		snprintf(l->reason, sizeof(l->reason), "no key is registered for device '%s' (%.300s: %s)",
			 id, dir, strerror(errno));
		return -1;
	}
	if ((*names = calloc(AUTHZ_KEYS_MAX, sizeof(char *))) == NULL) {
		closedir(dp);
		snprintf(l->reason, sizeof(l->reason), "out of memory");
		return -1;
	}
	while ((d = readdir(dp)) != NULL && *n < AUTHZ_KEYS_MAX) {
		if (d->d_name[0] == '.')
			continue;
		if (((*names)[*n] = strdup(d->d_name)) != NULL)
			(*n)++;
	}
	closedir(dp);
	qsort(*names, (size_t)*n, sizeof(char *), compare_names);
	if (*n == 0) {
		snprintf(l->reason, sizeof(l->reason), "no key is registered for device '%s' (%.300s is empty)",
			 id, dir);
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

/* Check the token with the key in file; 1 accepted, 0 not (l->reason), -1 internal error. */
static int
try_key(const struct authz_config *c, const char *id, const char *password, const char *file,
	const char *kid, int *seen, struct authz_login *l, struct err *e)
{
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct key k = KEY_INIT;
	struct err ke = ERR_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1];
	int rc;

	if (key_load_file(&k, file, NULL, &ke) != 0 || key_fingerprint(&k, fp, &ke) != 0) {
		key_clear(&k);
		/* A junk file must not hide why a real key refused the token. */
		if (l->reason[0] == '\0')
			snprintf(l->reason, sizeof(l->reason), "registered key %.200s unusable: %.200s",
				 file, ke.msg);
		return 0;
	}
	if (kid != NULL && strcmp(kid, fp) != 0) {
		key_clear(&k);
		return 0;
	}
	*seen = 1;
	o.key = &k;
	o.device_id = id;
	o.aud_host = c->aud_host;
	o.now = c->now;
	o.leeway = c->leeway;
	if (jwt_check(password, strlen(password), &o, &r, e) != 0) {
		key_clear(&k);
		return -1;
	}
	rc = jwt_report_accepted(&r) && r.signature_checked && r.signature_valid;
	if (rc) {
		snprintf(l->kid, sizeof(l->kid), "%s", fp);
		snprintf(l->key_file, sizeof(l->key_file), "%s", file);
	} else {
		first_error(&r, l->reason, sizeof(l->reason));
	}
	jwt_report_clear(&r);
	key_clear(&k);
	return rc;
}

int
authz_login(const struct authz_config *c, const char *client_id, const char *password,
	    struct authz_login *l, struct err *e)
{
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err de = ERR_INIT;
	char **names = NULL, path[4096], kid[KEY_FINGERPRINT_HEX + 1] = "";
	const char *k;
	json_t *jk;
	int i, n = 0, rc = 0, seen = 0;

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
	if (strlen(password) > JWT_TOKEN_MAX) {
		snprintf(l->reason, sizeof(l->reason), "the password is too long for a token");
		return 0;
	}
	/* Decode first, for the kid; the claims are checked with the key below. */
	o.device_id = client_id;
	o.aud_host = c->aud_host;
	o.now = c->now;
	o.leeway = c->leeway;
	if (jwt_check(password, strlen(password), &o, &r, e) != 0)
		return -1;
	if (r.header == NULL) {
		first_error(&r, l->reason, sizeof(l->reason));
		jwt_report_clear(&r);
		return 0;
	}
	if ((jk = json_object_get(r.header, "kid")) != NULL) {
		k = json_string_value(jk);
		if (k == NULL || strlen(k) != KEY_FINGERPRINT_HEX) {
			jwt_report_clear(&r);
			snprintf(l->reason, sizeof(l->reason),
				 "the token's kid is not a fingerprint (64 hex digits)");
			return 0;
		}
		snprintf(kid, sizeof(kid), "%s", k);
	}
	jwt_report_clear(&r);

	if (list_keys(c, client_id, &names, &n, l) != 0)
		goto out;
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", c->keys_dir, client_id, names[i]);
		rc = try_key(c, client_id, password, path, kid[0] ? kid : NULL, &seen, l, e);
	}
	if (rc == 0 && kid[0] != '\0' && !seen)
		snprintf(l->reason, sizeof(l->reason),
			 "kid_unknown: the token's kid %s is not a key registered for device '%s'",
			 kid, client_id);
	if (rc == 1)
		l->reason[0] = '\0';
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
