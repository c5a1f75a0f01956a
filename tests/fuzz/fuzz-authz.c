/*
 * Fuzz the broker plugin's decisions (authz.c) the way akcred_auth.so calls
 * them: a login with a hostile client id and password, then the access check
 * for hostile topics.  A key directory is made once, with a generated EC key
 * registered for DEVICE, a second device with a key the fuzzer never gets a
 * signature from, and a junk key file.
 *
 * Input: fields split at '\n': client id, password, then topics.  A password
 * starting with '@' is a real token for DEVICE followed by the rest of the
 * field, '!' the same without kid, '%' only the signed part of a real token
 * (header.payload) followed by the rest: so the fuzzer reaches the accepting
 * path and the signature check, not only the decoder.
 *
 * Invariants: a login is accepted only for DEVICE and a password whose signed
 * part is one the harness signed; a refusal always says why; an access is
 * allowed exactly when the topic is the device's own (an independent
 * re-statement of authz.h), never with a wildcard that could reach further.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "authz.h"
#include "devid.h"
#include "jwt.h"
#include "jwtmint.h"
#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEVICE "dev-1"
#define OTHER "dev-2"
#define NOW 1700000000
#define FIELD_MAX 8192

static char dir[64];
static char *signed_part[2]; /* header.payload of the tokens the harness minted */
static char *token[2];       /* with kid, without kid */
static char fingerprint[KEY_FINGERPRINT_HEX + 1];
static struct authz_config config;

static void
cleanup(void)
{
	char cmd[128];

	if (dir[0] == '\0')
		return;
	/* The harness only: a fixed mkdtemp() name, nothing from the input. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-authz: cannot remove %s\n", dir);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

static void
register_key(const char *device, const struct key *k, const char *name)
{
	char path[256], *pem;
	size_t len;
	struct err e = ERR_INIT;

	snprintf(path, sizeof(path), "%s/%s", dir, device);
	if (mkdir(path, 0700) != 0 && access(path, F_OK) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/%s/%s", dir, device, name);
	if (key_public_pem(k, &pem, &len, &e) != 0)
		abort();
	write_file(path, pem, len);
	free(pem);
}

static void
init(void)
{
	struct jwt_mint_opts o = {0};
	struct key k = KEY_INIT, other = KEY_INIT;
	struct err e = ERR_INIT;
	char path[256], *dot;
	size_t len;
	int i;

	snprintf(dir, sizeof(dir), "%s", "/tmp/fuzz-authz.XXXXXX");
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	if (key_generate(&k, KEY_EC, 0, &e) != 0 || key_generate(&other, KEY_EC, 0, &e) != 0 ||
	    key_fingerprint(&k, fingerprint, &e) != 0)
		abort();
	register_key(DEVICE, &k, "key.pem");
	register_key(OTHER, &other, "key.pem");
	snprintf(path, sizeof(path), "%s/%s/junk.pem", dir, DEVICE);
	write_file(path, "-----BEGIN PUBLIC KEY-----\n", 27);

	o.device_id = DEVICE;
	o.iat = NOW;
	o.ttl = 3600;
	for (i = 0; i < 2; i++) {
		o.no_kid = i;
		if (jwt_mint(&k, &o, &token[i], &len, &e) != 0)
			abort();
		if ((signed_part[i] = strdup(token[i])) == NULL ||
		    (dot = strrchr(signed_part[i], '.')) == NULL)
			abort();
		dot[1] = '\0'; /* keep the '.': the signature starts after it */
	}
	key_clear(&k);
	key_clear(&other);
	config.keys_dir = dir;
	config.now = NOW;
	config.policy = (struct jwt_policy)JWT_POLICY_INIT;
}

/* The next field of the input (up to '\n' or the end), NUL-terminated in buf. */
static const uint8_t *
field(const uint8_t *p, const uint8_t *end, char *buf, size_t size, int *present)
{
	size_t n = 0;

	*present = p < end;
	while (p < end && *p != '\n') {
		if (n + 1 < size)
			buf[n++] = (char)*p;
		p++;
	}
	buf[n] = '\0';
	return p < end ? p + 1 : p;
}

/* The password the plugin would see for this field. */
static void
password_of(const char *f, char *buf, size_t size)
{
	const char *base = NULL;

	switch (f[0]) {
	case '@':
		base = token[0];
		break;
	case '!':
		base = token[1];
		break;
	case '%':
		base = signed_part[0];
		break;
	}
	if (base == NULL)
		snprintf(buf, size, "%s", f);
	else
		snprintf(buf, size, "%s%s", base, f + 1);
}

static int
under(const char *topic, const char *prefix, const char *id, int exact_ok)
{
	char want[sizeof("/down/device/id/") + DEVID_MAX + 1];
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "%s%s", prefix, id);
	if (strncmp(topic, want, n) != 0)
		return 0;
	return (topic[n] == '\0' && exact_ok) || topic[n] == '/';
}

/* What authz.h promises, stated again independently of authz.c. */
static int
expected(const char *id, enum authz_access a, const char *topic)
{
	/* A client whose id is no device id never logged in: it gets nothing, not even this. */
	if (devid_check(id, NULL) != 0 || strpbrk(id, "/+#") != NULL)
		return 0;
	if (a == AUTHZ_UNSUBSCRIBE)
		return 1;
	switch (a) {
	case AUTHZ_PUBLISH:
		return strpbrk(topic, "+#") == NULL && under(topic, "/up/device/id/", id, 1);
	case AUTHZ_SUBSCRIBE:
		return under(topic, "/down/device/id/", id, 0);
	case AUTHZ_RECEIVE:
		return under(topic, "/down/device/id/", id, 1);
	default:
		return 0;
	}
}

static void
check_acl(const char *id, const char *topic)
{
	static const enum authz_access all[] = {AUTHZ_PUBLISH, AUTHZ_SUBSCRIBE, AUTHZ_RECEIVE,
						AUTHZ_UNSUBSCRIBE};
	size_t i, n = strlen(id);
	int got;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		got = authz_acl(id, all[i], topic);
		if (got != expected(id, all[i], topic))
			abort();
		if (!got || all[i] == AUTHZ_UNSUBSCRIBE)
			continue;
		/* Belt and braces: an allowed topic names its own level, no wildcard first. */
		if (strpbrk(id, "/+#") != NULL ||
		    strcspn(topic, "+#") < (all[i] == AUTHZ_PUBLISH ? sizeof("/up/device/id/")
								    : sizeof("/down/device/id/")) -
						   1 + n)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int done;
	static char id[FIELD_MAX], pwf[FIELD_MAX], pw[FIELD_MAX + 2048], topic[FIELD_MAX];
	const uint8_t *p = data, *end = data + size;
	struct authz_login l;
	struct err e = ERR_INIT;
	int rc, present, ntopics = 0;

	if (!done) {
		init();
		done = 1;
	}
	p = field(p, end, id, sizeof(id), &present);
	p = field(p, end, pwf, sizeof(pwf), &present);
	password_of(pwf, pw, sizeof(pw));

	rc = authz_login(&config, id, present ? pw : NULL, &l, &e);
#ifdef FUZZ_TRACE /* -DFUZZ_TRACE: see what each seed reaches */
	fprintf(stderr, "login '%s': %d %s%s\n", id, rc, rc < 0 ? e.msg : l.reason, l.kid);
#endif
	if (rc == 1) {
		/* Only the harness holds the private key: its tokens get in, only as DEVICE. */
		if (strcmp(id, DEVICE) != 0 || strcmp(l.kid, fingerprint) != 0 ||
		    (strncmp(pw, signed_part[0], strlen(signed_part[0])) != 0 &&
		     strncmp(pw, signed_part[1], strlen(signed_part[1])) != 0))
			abort();
	} else if (rc == 0) {
		if (l.reason[0] == '\0')
			abort();
	} else if (rc == -1) {
		if (e.msg[0] == '\0')
			abort();
	} else {
		abort();
	}
	/* A login refused must not be mistaken for one accepted by a sloppy caller. */
	if (rc != 1 && l.kid[0] != '\0')
		abort();

	while (p < end && ntopics++ < 16) {
		p = field(p, end, topic, sizeof(topic), &present);
		check_acl(id, topic);
		check_acl(DEVICE, topic);
	}
	return 0;
}
