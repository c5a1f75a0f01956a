/*
 * rotate: a new key pair for every device of a provisioning manifest whose
 * private keys this machine holds, with no device locked out at any moment.
 *
 * A device is its private key (MANIFEST_PRIVATE_KEY beside the manifest's
 * public_key), its public key and, for the X509 algorithms, its
 * certificate: then public_key names the certificate and the public key is
 * MANIFEST_PUBLIC_KEY beside it (provision's layout).  The new certificate
 * is self-signed, CN = the device id, valid days days (key_self_signed_pem).
 *
 * Per device, a state machine whose every step is durable (a row of the
 * rotation journal, journal.h) before the next one starts:
 *   made      the new pair (and certificate) written beside the current
 *             files, each "<file>.next";
 *   uploaded  its public key (or certificate) added at akenza as a further
 *             credential, of the same kind (certificate or not) as the
 *             current one;
 *   verified  (if asked) a broker login with the new key succeeded;
 *   swapped   the new files renamed over the current ones; the manifest's
 *             row takes the new fingerprint;
 *   done      the old credential deleted at akenza (not with keep_old:
 *             then a later run, or finish, does it).
 * A run starts each device where the journal left it; rotate.c's top comment
 * says what a crash at each point leaves and why a rerun is safe.
 *
 * The journal, "rotation.csv" beside the manifest by default, holds
 *   device_id,step,akenza_device_id,credential_id,old_fingerprint,new_fingerprint,algorithm,at,
 *   old_cert_sha1,new_cert_sha1
 * one row per step reached (credential_id: the new credential's; the SHA-1s
 * of a certificate device's certificates, else empty).  A journal begun
 * without the last two fields (ROTATE_JOURNAL_HEADER_1) is read and
 * continued in its own form, its devices matched at akenza by kid only.  One
 * rotation per journal: a device whose last row is "done" and whose manifest
 * row has the new key is rotated; to rotate again, start a new journal.
 */
#ifndef AKCRED_ROTATE_H
#define AKCRED_ROTATE_H

#include <limits.h>
#include <stddef.h>

#include "akenza.h"
#include "devid.h"
#include "err.h"
#include "key.h"
#include "manifest.h"
#include "passphrase.h"

#define ROTATE_JOURNAL_NAME "rotation.csv"
#define ROTATE_JOURNAL_HEADER                                                                      \
	"device_id,step,akenza_device_id,credential_id,old_fingerprint,new_fingerprint,"           \
	"algorithm,at,old_cert_sha1,new_cert_sha1"
/* The header of journals begun before the certificates' SHA-1 was kept: still read. */
#define ROTATE_JOURNAL_HEADER_1                                                                    \
	"device_id,step,akenza_device_id,credential_id,old_fingerprint,new_fingerprint,"           \
	"algorithm,at"
#define ROTATE_NEXT_SUFFIX ".next" /* the new pair, beside the current one */

enum rotate_step {
	ROTATE_NONE = 0,
	ROTATE_MADE,
	ROTATE_UPLOADED,
	ROTATE_VERIFIED,
	ROTATE_SWAPPED,
	ROTATE_DONE,
};

/* What became of a device in this run. */
enum rotate_outcome {
	ROTATE_PENDING = 0,
	ROTATE_ROTATED,     /* new key in place, the old credential deleted */
	ROTATE_KEPT,        /* new key in place, the old credential kept (keep_old) */
	ROTATE_FINISHED,    /* rotated earlier with keep_old; the old credential deleted now */
	ROTATE_UNCHANGED,   /* rotated by an earlier run: nothing to do */
	ROTATE_NOT_STARTED, /* finish: a device whose rotation has not reached "swapped" */
	ROTATE_PLANNED,     /* dry run: what it would do is in from */
	ROTATE_FAILED,      /* see err (and http_status); its last durable step is in step */
};

struct rotate_device {
	char device_id[DEVID_MAX + 1];
	char old_algorithm[MANIFEST_ALG_MAX + 1], new_algorithm[MANIFEST_ALG_MAX + 1];
	char old_fp[KEY_FINGERPRINT_HEX + 1], new_fp[KEY_FINGERPRINT_HEX + 1];
	/* X509 algorithms: the old and the new certificate's SHA-1 (akenza may list it); else "" */
	char old_cert_sha1[41], new_cert_sha1[41];
	char akenza_id[AKENZA_ID_MAX];
	char credential_id[AKENZA_ID_MAX]; /* the new credential's */
	char private_path[PATH_MAX], public_path[PATH_MAX];
	char cert_path[PATH_MAX]; /* X509 algorithms: the manifest's public_key; else "" */
	enum rotate_step from;    /* where this run found it */
	enum rotate_step step;    /* the last step durable in the journal */
	enum rotate_outcome outcome;
	long http_status; /* with ROTATE_FAILED, if akenza answered */
	struct err err;
	char note[200];
	void *priv;
};

struct rotate_opts {
	const char *manifest;
	const char *journal; /* NULL: ROTATE_JOURNAL_NAME in the manifest's directory */
	enum key_type type;  /* KEY_OTHER: the type of the current key */
	int bits;            /* RSA */
	int days;            /* validity of the new certificates (KEY_CERT_DAYS_DEFAULT...) */
	/*
	 * Of encrypted private keys (fetched the first time one is read), or
	 * NULL: they cannot be read.  A device's new private key is encrypted
	 * with it (PKCS#8, as key_private_pem does) if its current one is.
	 */
	struct passphrase *pp;
	int keep_old, finish, dry_run;
	const char *expiration; /* of the new credentials: ISO 8601 UTC, or NULL */
	/*
	 * akenza (workspace_id to find the devices that the journal does not
	 * know yet; api_key unless dry_run: a dry run sends no request, so its
	 * caller reads no key).  done and arg are rotate's own.
	 */
	struct akenza_config ak;
	/* verify_login: 0 if the broker lets the device in with the key at private_path. */
	int (*verify)(void *arg, const struct rotate_device *d, const char *private_path,
		      struct err *e);
	/* A device has its outcome (called from the thread that called rotate_run). */
	void (*ended)(void *arg, struct rotate_device *d);
	void *arg;
};

struct rotate_batch;

/*
 * Read the manifest and the journal (a run opens and locks the journal,
 * creating it if missing; a dry run only reads it) and find where each
 * device stands.  AK_INPUT for a manifest that cannot be rotated as a whole
 * (unreadable, a bad row, a device twice).
 */
int rotate_load(const struct rotate_opts *o, struct rotate_batch **bp, struct err *e);
/* The devices, in manifest order. */
struct rotate_device *rotate_devices(struct rotate_batch *b, size_t *n);
/* The journal's path. */
const char *rotate_journal_path(const struct rotate_batch *b);
/*
 * Take every device as far as it goes (a dry run: each ROTATE_PLANNED).  0
 * when every device has an outcome; -1 when the run stopped (the API key
 * refused: AK_REFUSED; TLS set-up; the journal or manifest cannot be
 * written), devices not reached staying ROTATE_PENDING.
 */
int rotate_run(struct rotate_batch *b, struct err *e);
void rotate_free(struct rotate_batch *b);

/* "made", "uploaded", ...; "none". */
const char *rotate_step_name(enum rotate_step s);

#endif
