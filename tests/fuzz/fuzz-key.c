/*
 * Fuzz key_load() -- PEM and DER keys and certificates, requests, OpenSSH
 * keys, JWKs and raw points: every format it
 * detects -- and, when something loads, the fingerprint and descriptions.
 * An encrypted key gets a fixed passphrase from the environment.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct key k = KEY_INIT;
	struct passphrase pp = PASSPHRASE_INIT;
	struct err e = ERR_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1], buf[256], sha1[41];
	const char *why;
	time_t nb, na;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		setenv(PASSPHRASE_ENV, "secret", 1);
		init = 1;
	}
	if (key_load(&k, data, size, "fuzz", &pp, &e) == 0) {
		if (key_fingerprint(&k, fp, &e) != 0 && e.status != AK_CRYPTO &&
		    e.status != AK_INTERNAL)
			abort();
		key_describe(&k, buf, sizeof(buf));
		key_akenza_alg(&k, &why);
		key_akenza_credential(&k, k.cert != NULL);
		key_cert_subject(&k, buf, sizeof(buf));
		key_cert_validity(&k, &nb, &na);
		key_cert_sha1(&k, sha1);
	} else if (e.msg[0] == '\0' || k.pkey != NULL) {
		abort(); /* a failure must say why and leave nothing behind */
	}
	key_clear(&k);
	passphrase_clear(&pp);
	return 0;
}
