/*
 * bench-jwt: in-process signing throughput of the jwtmint module.
 *
 *   bench-jwt KEY_PEM SECONDS
 *
 * Prints tokens (or signatures) per second of:
 *   raw         EVP_PKEY_sign of a 32-byte digest on the signer's context: what
 *               "openssl speed" measures, here in the same process;
 *   signer_buf  jwt_signer_mint_buf: a signer prepared once, one sodium buffer
 *               reused (JSON, base64url, SHA-256, EVP_PKEY_sign, R||S per token);
 *   signer      jwt_signer_mint: plus a sodium_malloc'ed token per token;
 *   oneshot     jwt_mint: plus the set-up and the kid per token.
 * Time is the process's CPU time (user + system), as "openssl speed" counts
 * CPU time too (user time only, by default): on a shared machine, wall time
 * would measure the neighbours.  The modes take turns in short rounds; the
 * median round of each is printed (not the best: openssl prints an average).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "jwt.h"
#include "jwtmint.h"
#include "banned.h"

#define ROUNDS 20

enum mode { RAW, SIGNER_BUF, SIGNER, ONESHOT, NMODES };
static const char *const mode_names[NMODES] = {"raw", "signer_buf", "signer", "oneshot"};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
run(const struct key *k, struct jwt_signer *s, enum mode m, double seconds, char *buf, size_t size,
    struct err *e)
{
	struct jwt_mint_opts o = {"bench-device", NULL, 1764000000, JWT_TTL_DEFAULT, 0, 0};
	unsigned char md[32] = {1}, sig[1024];
	size_t len;
	double start = now(), t;
	long n = 0;
	char *tok;
	int rc = 0;

	do {
		/* Check the clock every 16 tokens: clock_gettime is cheap, but not free. */
		for (int i = 0; i < 16 && rc == 0; i++, n++) {
			switch (m) {
			case RAW:
				len = sizeof(sig);
				rc = EVP_PKEY_sign(s->ctx, sig, &len, md, sizeof(md)) > 0 ? 0 : -1;
				break;
			case SIGNER_BUF:
				rc = jwt_signer_mint_buf(s, &o, buf, size, &len, e);
				break;
			case SIGNER:
				if ((rc = jwt_signer_mint(s, &o, &tok, &len, e)) == 0)
					sodium_free(tok);
				break;
			default:
				if ((rc = jwt_mint(k, &o, &tok, &len, e)) == 0)
					sodium_free(tok);
				break;
			}
		}
		t = now() - start;
	} while (rc == 0 && t < seconds);
	return rc == 0 ? (double)n / t : -1;
}

int
main(int argc, char **argv)
{
	struct key k = KEY_INIT;
	struct jwt_signer s;
	struct err e = ERR_INIT;
	double secs, rounds[NMODES][ROUNDS], r;
	size_t size;
	char *buf;
	int i, m;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fputs("usage: bench-jwt KEY_PEM SECONDS\n", stderr);
		return 2;
	}
	if (sodium_init() < 0 || key_load_file(&k, argv[1], NULL, &e) != 0 ||
	    jwt_signer_init(&s, &k, &e) != 0) {
		fprintf(stderr, "bench-jwt: %s\n", e.msg);
		return 1;
	}
	size = jwt_signer_token_max(&s);
	if ((buf = sodium_malloc(size)) == NULL)
		return 1;
	for (i = 0; i < ROUNDS; i++) {
		for (m = 0; m < NMODES; m++) {
			if ((r = run(&k, &s, (enum mode)m, secs / ROUNDS / NMODES, buf, size, &e)) <
			    0) {
				fprintf(stderr, "bench-jwt: %s\n", e.msg);
				return 1;
			}
			rounds[m][i] = r;
		}
	}
	for (m = 0; m < NMODES; m++) {
		qsort(rounds[m], ROUNDS, sizeof(double), cmp_double);
		printf("%s %.1f\n", mode_names[m],
		       (rounds[m][ROUNDS / 2 - 1] + rounds[m][ROUNDS / 2]) / 2);
	}
	sodium_free(buf);
	jwt_signer_clear(&s);
	key_clear(&k);
	return 0;
}
