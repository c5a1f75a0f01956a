/*
 * provision: key pairs for a batch of devices -- in parallel, crash-safe and
 * resumable.
 *
 * Every device gets DIR/<id>/private.pem (0600), public.pem and, when asked,
 * cert.pem, in a directory of mode 0700, and one row in the manifest (see
 * manifest.h).  A device is in the manifest only once all its files are
 * durable, and an existing key is never replaced: a rerun keeps and checks
 * what is complete, finishes what was interrupted and makes the rest.  The
 * crash analysis is at the top of provision.c.
 *
 * The module prints nothing: it reports through a callback, which it calls
 * from one thread at a time.
 */
#ifndef AKCRED_PROVISION_H
#define AKCRED_PROVISION_H

#include <stddef.h>

#include "err.h"
#include "idlist.h"
#include "key.h"

struct provision_stats {
	unsigned long total;	  /* ids expected, 0 if not known */
	unsigned long done;	  /* ids dealt with, whatever the outcome */
	unsigned long created;	  /* new key pairs */
	unsigned long recovered;  /* complete device found without its manifest row: row added */
	unsigned long verified;	  /* already in the manifest: checked and kept */
	unsigned long invalid;	  /* bad ids */
	unsigned long duplicates; /* ids given more than once */
	unsigned long failed;	  /* devices whose files failed the check */
	unsigned long stale;	  /* unfinished directories of an interrupted run, removed */
};

enum provision_event_kind {
	PROVISION_EV_INVALID,	/* a bad id: err says why, with the line */
	PROVISION_EV_DUPLICATE, /* id on line, first given on first_line */
	PROVISION_EV_FAILED,	/* id's files are wrong: err says why */
	PROVISION_EV_PROGRESS,	/* stats changed */
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
	int bits;	  /* RSA */
	int cert;	  /* also a self-signed certificate, CN = id */
	int days;	  /* its validity */
	const char *pass; /* encrypt private keys with this passphrase (NULL: do not) */
	size_t passlen;
	unsigned jobs; /* key generations at the same time (>= 1) */
	struct idlist *ids;
	void (*report)(void *arg, const struct provision_event *ev);
	void *arg;
};

/*
 * Work through o->ids.  Returns 0 when every id was dealt with (some may have
 * failed: see st), -1 when the run had to stop (e says why: the directory
 * cannot be written, the disk is full, the manifest is not one...).  Either
 * way, what was finished is durable and a rerun goes on from there.
 */
int provision_run(const struct provision_opts *o, struct provision_stats *st, struct err *e);

#endif
