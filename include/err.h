/*
 * err: how modules report failure without printing or exiting.
 *
 * A module that fails fills a struct err with a class and a message and
 * returns -1; only the command layer (cmd-*.c through cmd.h) prints it, as
 * "akcred: <cmd>: <message>", and cmd_main() turns the class into the exit
 * status (err_exit_status()).  The statuses are the same for every command
 * and are documented in akcred(1).
 */
#ifndef AKCRED_ERR_H
#define AKCRED_ERR_H

#include <stddef.h>

enum ak_status {
	AK_OK = 0,       /* success */
	AK_NEGATIVE = 1, /* a negative answer: token rejected, check failed, items failed */
	AK_USAGE = 2,    /* bad command line */
	AK_INPUT = 3,    /* missing/unreadable file, file exists, bad format, wrong passphrase */
	AK_CRYPTO = 4,   /* the crypto library failed */
	AK_NETWORK = 5,  /* resolve, connect, timeout */
	AK_TLS = 6,      /* TLS handshake, certificate verification */
	AK_REFUSED = 7,  /* refused by the broker or the API */
	/*
	 * A class of its own that exits as AK_CRYPTO does (one status 4, "crypto or internal
	 * failure", for scripts): out of memory, a library that does not load, a broken
	 * invariant.  Its name tells it from the crypto library failing.
	 */
	AK_INTERNAL,
};
/* The highest exit status; AK_INTERNAL exits as err_exit_status() says. */
#define AK_STATUS_MAX AK_REFUSED

#define ERR_MSG_MAX 512

struct err {
	enum ak_status status;
	char msg[ERR_MSG_MAX];
};
/* clang-format off */
#define ERR_INIT {AK_OK, ""}
/* clang-format on */

/* Fill e (if not NULL) and return -1, so that callers can "return err_set(...)". */
int err_set(struct err *e, enum ak_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As err_set, then append ": <reason>" from OpenSSL's error queue (which is emptied). */
int err_openssl(struct err *e, enum ak_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "<prefix>: <old message>". Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A short name of a status for JSON output and the man page ("usage", "input", ...). */
const char *err_status_name(enum ak_status status);

/* The exit status of a class: itself, 4 for AK_INTERNAL. */
int err_exit_status(enum ak_status status);

#endif
