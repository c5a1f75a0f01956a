/*
 * passphrase: where the passphrase of an encrypted private key comes from.
 *
 * Never from argv (it would show in ps and shell history).  In order of
 * precedence: a file named by --passphrase-file (first line), the environment
 * variable AKCRED_PASSPHRASE, or a prompt on the controlling terminal with
 * echo off.  The passphrase is fetched only when a key actually needs it and
 * lives in sodium memory until passphrase_clear().
 *
 * A token's PIN comes the same ways (p11.c): what names the secret, its
 * environment variable and its option are fields, the passphrase's when NULL.
 */
#ifndef AKCRED_PASSPHRASE_H
#define AKCRED_PASSPHRASE_H

#include <stddef.h>

#include "err.h"

#define PASSPHRASE_ENV "AKCRED_PASSPHRASE"
#define PASSPHRASE_MAX 1024

struct passphrase {
	const char *file; /* --passphrase-file, or NULL */
	int confirm;      /* prompting: ask twice (when a new key is encrypted) */
	char *value;      /* sodium memory, NUL-terminated, once fetched */
	size_t len;
	const char *noun;   /* "PIN"; NULL: "passphrase" */
	const char *env;    /* "AKCRED_PIN"; NULL: PASSPHRASE_ENV */
	const char *option; /* "--pin-file"; NULL: "--passphrase-file" */
};
/* clang-format off */
#define PASSPHRASE_INIT {NULL, 0, NULL, 0, NULL, NULL, NULL}
/* clang-format on */

/* Fetch the passphrase (once; later calls return the same).  what names the key in prompts. */
int passphrase_get(struct passphrase *pp, const char *what, struct err *e);
/* Take s (len bytes) as the value, as if fetched: a PIN given by other means (p11.c). */
int passphrase_set(struct passphrase *pp, const char *s, size_t len, struct err *e);
void passphrase_clear(struct passphrase *pp);

#endif
