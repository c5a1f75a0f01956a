/*
 * Fuzz jwt_check() as the broker plugin and "jwt verify" use it: with an EC
 * and an RSA key, a device id and a fixed clock, and without a key as
 * "jwt decode" does.  Whatever the token, the report must be consistent: a
 * token is accepted only with a valid signature and without error problems.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct key ec, rsa;

static void
init(void)
{
	struct err e = ERR_INIT;

	if (sodium_init() < 0 || key_generate(&ec, KEY_EC, 0, &e) != 0 ||
	    key_generate(&rsa, KEY_RSA, 2048, &e) != 0)
		abort();
}

static void
check(const char *tok, size_t len, const struct key *k, int signature_only)
{
	const struct jwt_policy p = JWT_POLICY_INIT; /* as jwt verify, check and the broker */
	struct jwt_check_opts o = {0};
	struct jwt_report r = JWT_REPORT_INIT;
	struct err e = ERR_INIT;
	int i;

	jwt_policy_apply(&p, &o);
	o.key = k;
	o.device_id = "dev-1";
	o.now = 1700000000;
	o.signature_only = signature_only;
	if (jwt_check(tok, len, &o, &r, &e) == 0) {
		/* Forging a signature is not what a fuzzer finds: nothing may be accepted. */
		if (k != NULL && jwt_report_accepted(&r))
			abort();
		for (i = 0; i < r.nproblems; i++)
			if (r.problems[i].code == NULL || r.problems[i].message[0] == '\0')
				abort();
	}
	jwt_report_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int done;

	if (!done) {
		init();
		done = 1;
	}
	check((const char *)data, size, NULL, 0);
	check((const char *)data, size, &ec, 0);
	check((const char *)data, size, &rsa, 1);
	return 0;
}
