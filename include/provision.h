/*
 * provision: key pairs for a batch of devices -- in parallel, crash-safe and
 * resumable.
 *
 * Every device gets DIR/<id>/private.pem (0600), public.pem and, when asked,
 * cert.pem, in a directory of mode 0700, and one row in the manifest (see
 * manifest.h).  With a token (a PKCS#11 URI, p11.h) the key pair is made on
 * it instead, labelled with the device id, and the directory holds only the
 * public key and certificate.  A device is in the manifest only once all its files are
 * durable, and an existing key is never replaced: a rerun keeps and checks
 * what is complete, finishes what was interrupted and makes the rest.  The
 * crash analysis is at the top of provision.c.
 *
 * A batch is one kind of key: a rerun's batch-wide options must match what
 * the batch holds (provision_batch_check), and its generated ids keep the
 * batch's numbering (provision_batch_width).  Nothing another user made is
 * adopted: the directory, the device directories and the key files must be
 * the running user's, and no directory writable by group or others.
 *
 * The module prints nothing: it reports through a callback, which it calls
 * from one thread at a time.  Its threads are a work queue (workq.h).
 */
#ifndef AKCRED_PROVISION_H
#define AKCRED_PROVISION_H

#include <stddef.h>

#include "err.h"
#include "idlist.h"
#include "key.h"

struct provision_stats {
	unsigned long total;      /* ids expected, 0 if not known */
	unsigned long done;       /* ids dealt with, whatever the outcome */
	unsigned long created;    /* new key pairs */
	unsigned long recovered;  /* complete device found without its manifest row: row added */
	unsigned long verified;   /* already in the manifest: checked and kept */
	unsigned long invalid;    /* bad ids */
	unsigned long duplicates; /* ids given more than once */
	unsigned long failed;     /* devices whose files failed the check */
	unsigned long stale;      /* unfinished directories of an interrupted run, removed */
};

enum provision_event_kind {
	PROVISION_EV_INVALID,   /* a bad id: err says why, with the line */
	PROVISION_EV_DUPLICATE, /* id on line, first given on first_line */
	PROVISION_EV_FAILED,    /* id's files are wrong: err says why */
	PROVISION_EV_PROGRESS,  /* stats changed */
};

struct provision_event {
	enum provision_event_kind kind;
	const char *id;
	unsigned long line, first_line;
	const struct err *err;
	const struct provision_stats *stats;
};

struct provision_opts {
	const char *out_dir;
	const char *manifest; /* NULL: DIR/manifest.csv */
	enum key_type type;
	int bits;          /* RSA */
	int cert;          /* also a self-signed certificate, CN = id */
	int days;          /* its validity */
	int encrypt;       /* the private keys are encrypted (pass: with what) */
	const char *pass;  /* encrypt private keys with this passphrase (NULL: do not) */
	const char *token; /* a PKCS#11 URI naming a token: the keys are made there (p11.h) */
	size_t passlen;
	unsigned jobs; /* key generations at the same time (>= 1) */
	struct idlist *ids;
	void (*report)(void *arg, const struct provision_event *ev);
	void *arg;
};

/*
 * An existing batch, as its manifest and its first listed device tell: what
 * a rerun's batch-wide options (key type, size, certificates, encryption)
 * must agree with, and how it numbers generated ids.
 */
struct provision_batch {
	unsigned long devices; /* rows in the manifest; 0: a new batch, nothing to agree with */
	char first[DEVID_MAX + 1];
	char algorithm[16]; /* the first row's: EC256_PEM, RSA256_X509_PEM, ... */
	int bits;           /* RSA bits of the first device's public key, 0 if not known */
	int encrypted;      /* the first device's private key: 1 encrypted, 0 not, -1 not known */
	int token;       /* the first device's private key: 1 on a token, 0 a file, -1 not known */
	int pass_failed; /* o->pass does not decrypt it: pass_err says why */
	struct err pass_err;
	/* Ids <prefix><digits> in the manifest (the prefix given to provision_batch_read). */
	unsigned width;             /* digits of the shortest, 0 if there is none */
	char narrow[DEVID_MAX + 1]; /* the shortest */
	char padded[DEVID_MAX + 1]; /* the longest whose number has a leading zero */
};

/* The manifest's path: o->manifest, or DIR/manifest.csv made in buf.  NULL if too long (e). */
const char *provision_manifest_path(const struct provision_opts *o, char *buf, size_t size,
				    struct err *e);
/* The keys o makes, as people name them: "EC P-256", "RSA 3072"; returns buf. */
const char *provision_key_describe(const struct provision_opts *o, char *buf, size_t size);

/*
 * Read what o->out_dir holds (nothing yet is fine), without locking or
 * changing it; prefix (NULL: none) is that of generated ids.  Refuses
 * (AK_INPUT) a directory that is not the running user's or that others may
 * write, and a manifest that is not one.
 */
int provision_batch_read(const struct provision_opts *o, const char *prefix,
			 struct provision_batch *b, struct err *e);
/* Do o's batch-wide options agree with b?  AK_INPUT, one message for the batch, if not. */
int provision_batch_check(const struct provision_opts *o, const struct provision_batch *b,
			  struct err *e);
/*
 * The width for generated ids prefix<N> in batch b, asked (0: none given):
 * the batch's own if it has numbered ids with this prefix (*at_least set: a
 * number that needs more digits has them), else asked.  AK_INPUT if asked
 * differs from the batch's width, or if the batch numbers inconsistently.
 */
int provision_batch_width(const struct provision_opts *o, const struct provision_batch *b,
			  const char *prefix, unsigned asked, unsigned *width, int *at_least,
			  struct err *e);

/*
 * Work through o->ids.  Returns 0 when every id was dealt with (some may have
 * failed: see st), -1 when the run had to stop (e says why: the directory
 * cannot be written, the disk is full, the manifest is not one...).  Either
 * way, what was finished is durable and a rerun goes on from there.
 */
int provision_run(const struct provision_opts *o, struct provision_stats *st, struct err *e);

#endif
