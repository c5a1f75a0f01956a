/*
 * rotate: new key pairs for the devices of a manifest (see rotate.h).
 *
 * A run goes through the batch in phases, each over every device that is
 * ready for it: make the new pairs, upload them (akenza_run: at most "jobs"
 * devices in flight, 429/5xx/transport errors retried, a POST whose answer
 * was lost looked up before it is repeated), verify a login (if asked),
 * swap the files, rewrite the manifest, delete the old credentials.  Each
 * step a device completes is one journal row, appended whole and fsynced
 * (journal_append) after the step's own effect is durable: the journal never
 * claims more than was done, and a rerun resumes each device at the step
 * after its last row.
 *
 * One device (K = its private key, P = its public key, both in the directory
 * of the manifest's public_key; for the X509 algorithms also C, its
 * certificate, which public_key names then; K.next, P.next and C.next the
 * new ones -- "the files" below is K, P and C where there is a C):
 *   a. K.next, P.next and C.next (self-signed, CN = the device id, valid
 *      days days: key_self_signed_pem, as provision and keygen make them)
 *      written through fileio's batch (O_TMPFILE, mode first, fsync,
 *      linked without replacing, directory fsynced); K.next is encrypted
 *      with the run's passphrase if K is
 *   b. row "made" (old and new fingerprint, the new algorithm; for an X509
 *      device also the SHA-1 of C and of C.next: akenza may list a
 *      certificate credential by that alone, and after f C is gone)
 *   c. POST the new public key -- C.next for an X509 device, as register
 *      uploads a certificate -- as a further credential (after a GET that
 *      does not list it)
 *   d. row "uploaded" (the new credential's id)
 *   e. (verify_login) a broker login with K.next; row "verified"
 *   f. K.next renamed over K, then P.next over P, then C.next over C, each
 *      rename made durable (the directory fsynced) before the next starts
 *   g. row "swapped"
 *   h. the manifest rewritten with the new fingerprint (staged, fsynced,
 *      renamed over the old one: fileio's batch with force)
 *   i. DELETE the old credential (unless keep_old), matched by the old kid or
 *      the old certificate's SHA-1 of b, while a credential of the new kid
 *      or the new certificate's SHA-1 stays; row "done"
 *
 * Killed (SIGKILL, power loss) at each point, the rerun sees:
 *   during a, or after a before b: the files as they were (akenza holds
 *      their key); perhaps some of K.next/P.next/C.next, a key nobody has
 *      seen -- nothing uploads a key before its "made" row is durable.  They
 *      are removed and a new pair is made.  (A staged file with no name
 *      leaves nothing at all.)
 *   after b, before d (c sent or not, its answer lost or not): the journal
 *      names the new key, and the ".next" files hold it (durable since a).
 *      The rerun lists the device's credentials first: listed (by kid, or
 *      by the certificate's SHA-1 where akenza shows that), it is recorded
 *      as uploaded; else it is posted.  The same files are used every time,
 *      so a device never gets two new keys uploaded; a new pair is made only
 *      for a device without a "made" row.
 *   after d, before g (in e, or in f between two renames): akenza holds the
 *      old key and the new one.  Before f's first rename the files are the
 *      old set, their ".next" the new one; from it K is the new key, and P
 *      and C are each the new key already renamed or the old one with its
 *      ".next" still waiting (the renames go in order, each durable first,
 *      so no later file is renamed before an earlier one, power loss or
 *      not).  The rerun completes f: each ".next" still there is checked (its
 *      fingerprint is the journal's new one) and renamed; a target without
 *      its ".next" must already hold the new key.
 *   after g, before i: the files are the new set, which akenza holds; the
 *      manifest may still have the old fingerprint (h not done, or torn: the
 *      rename is atomic, so it is the old file or the new one whole).  The
 *      rerun rewrites the manifest from the journal, then deletes the old
 *      credential: a DELETE whose answer was lost is looked up (the old key
 *      no longer listed, by kid nor by the journal's SHA-1: done), a 404
 *      counts as done.  (A journal begun by an akcred that did not keep the
 *      SHA-1s, ROTATE_JOURNAL_HEADER_1, is continued in its form: its
 *      devices are matched by kid alone, as then.)
 *   after i: done; the rerun changes nothing.
 * Nothing deletes a device's old credential before its "swapped" row, which
 * follows "uploaded" and the renames: the current credential is never
 * deleted before the new one is both at akenza and local.  At every moment
 * a device's files are one set of one key that akenza holds: the old key
 * until f's first rename (akenza keeps it until i, when K is the new one);
 * from that rename the new key (akenza holds it from d), a P or C not yet
 * renamed counted as its ".next", which the rerun renames.  What a rerun
 * finds after a kill between any two renames is what
 * tests/cli/rotate-swapkill.sh checks; rotate-kill.sh kills at random
 * moments.
 * Two runs on one journal are excluded by its flock; the manifest is locked
 * too, so that provision does not append to it meanwhile, and the rewrite
 * replaces it under that same lock (fileio_batch_hold).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "journal.h"
#include "passphrase.h"
#include "rotate.h"
#include "timeutil.h"
#include "banned.h"

#define NFIELDS 10  /* ROTATE_JOURNAL_HEADER's */
#define NFIELDS_1 8 /* ROTATE_JOURNAL_HEADER_1's: no certificate SHA-1s */

static const char *const step_names[] = {
	[ROTATE_NONE] = "none",         [ROTATE_MADE] = "made",
	[ROTATE_UPLOADED] = "uploaded", [ROTATE_VERIFIED] = "verified",
	[ROTATE_SWAPPED] = "swapped",   [ROTATE_DONE] = "done",
};

static const char *const older_headers[] = {ROTATE_JOURNAL_HEADER_1, NULL};
static const struct journal_format rotate_format = {
	.header = ROTATE_JOURNAL_HEADER,
	.what = "a rotation journal of akcred rotate",
	.older = older_headers,
};

/* What rotate keeps of a device beside its public part. */
struct dev_priv {
	struct akenza_device ad; /* first: uploaded() finds its device from it */
	struct rotate_device *d;
	struct manifest_row row; /* as the manifest has it */
	char *pem;               /* the new public key or certificate, to upload */
	char sha1[41];           /* the new certificate's (akenza may list it so), or "" */
	char next_private[PATH_MAX + sizeof(ROTATE_NEXT_SUFFIX)];
	char next_public[PATH_MAX + sizeof(ROTATE_NEXT_SUFFIX)];
	char next_cert[PATH_MAX + sizeof(ROTATE_NEXT_SUFFIX)]; /* "" without a certificate */
};

struct rotate_batch {
	const struct rotate_opts *o;
	struct rotate_device *dev;
	struct dev_priv *priv;
	size_t n;
	char *manifest_dir;
	char *journal_path;
	struct journal j;
	struct manifest_writer mw; /* held against provision until the rewrite */
	struct err jerr;           /* the first failure to append to the journal */
};

const char *
rotate_step_name(enum rotate_step s)
{
	return s <= ROTATE_DONE ? step_names[s] : "?";
}

static int
step_of(const char *name)
{
	int i;

	for (i = ROTATE_MADE; i <= ROTATE_DONE; i++)
		if (strcmp(name, step_names[i]) == 0)
			return i;
	return -1;
}

struct rotate_device *
rotate_devices(struct rotate_batch *b, size_t *n)
{
	*n = b->n;
	return b->dev;
}

const char *
rotate_journal_path(const struct rotate_batch *b)
{
	return b->journal_path;
}

/* ---- the journal -------------------------------------------------------- */

static int
record(struct rotate_batch *b, struct rotate_device *d, enum rotate_step step)
{
	char row[1024], when[TIMEUTIL_ISO_LEN];
	const char *f[NFIELDS] = {d->device_id,     rotate_step_name(step),
				  d->akenza_id,     d->credential_id,
				  d->old_fp,        d->new_fp,
				  d->new_algorithm, timeutil_iso8601(time(NULL), when),
				  d->old_cert_sha1, d->new_cert_sha1};
	int n;

	if (b->jerr.status != AK_OK)
		return -1;
	/* A journal keeps the form it was begun in: an older one gets rows without the SHA-1s. */
	if ((n = journal_format_row(f, b->j.version == 0 ? NFIELDS : NFIELDS_1, row, sizeof(row))) <
	    0)
		return err_set(&b->jerr, AK_INTERNAL, "internal error: journal row does not fit");
	if (journal_append(&b->j, row, (size_t)n, &b->jerr) != 0)
		return -1;
	d->step = step;
	return 0;
}

static int
dev_cmp(const void *a, const void *b)
{
	return strcmp((*(struct rotate_device *const *)a)->device_id,
		      (*(struct rotate_device *const *)b)->device_id);
}

/* "", or a certificate's SHA-1 as key_cert_sha1() spells it. */
static int
sha1_ok(const char *s)
{
	return s[0] == '\0' || (strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40);
}

/* A journal row as rotate writes them (in the journal's version); anything else is passed over. */
static int
row_ok(const struct journal_record *r, int version, int step)
{
	const char *aid = r->f[2], *cid = r->f[3];

	if (version == 0 ? r->nfields != NFIELDS || !sha1_ok(r->f[8]) || !sha1_ok(r->f[9])
			 : r->nfields != NFIELDS_1)
		return 0;
	return !r->torn && r->syntax == NULL && !r->nul && !r->toolong && step > 0 &&
	       devid_check(r->f[0], NULL) == 0 && (aid[0] == '\0' || akenza_plausible_id(aid)) &&
	       (cid[0] == '\0' || akenza_plausible_id(cid)) && key_fingerprint_ok(r->f[4]) &&
	       key_fingerprint_ok(r->f[5]) && key_credential_index(r->f[6]) >= 0 &&
	       (step < ROTATE_UPLOADED || (aid[0] != '\0' && cid[0] != '\0'));
}

/* Each device's last row: where its rotation stands. */
static int
journal_apply(struct rotate_batch *b, struct journal_reader *jr, struct rotate_device **sorted,
	      struct err *e)
{
	char id[DEVID_MAX + 1], step[16], aid[AKENZA_ID_MAX], cid[AKENZA_ID_MAX];
	char ofp[KEY_FINGERPRINT_HEX + 1], nfp[KEY_FINGERPRINT_HEX + 1];
	char alg[MANIFEST_ALG_MAX + 1], osha1[41], nsha1[41];
	struct journal_record r = {
		.f = {id, step, aid, cid, ofp, nfp, alg, NULL, osha1, nsha1},
		.cap = {sizeof(id), sizeof(step), sizeof(aid), sizeof(cid), sizeof(ofp),
			sizeof(nfp), sizeof(alg), 0, sizeof(osha1), sizeof(nsha1)},
	};
	struct rotate_device key, *kp = &key, **hit, *d;
	int rc, s;

	while ((rc = journal_next(jr, &r, e)) == 1) {
		s = step_of(step);
		if (!row_ok(&r, jr->version, s))
			continue;
		snprintf(key.device_id, sizeof(key.device_id), "%s", id);
		if ((hit = bsearch(&kp, sorted, b->n, sizeof(*sorted), dev_cmp)) == NULL)
			continue;
		d = *hit;
		d->step = (enum rotate_step)s;
		snprintf(d->akenza_id, sizeof(d->akenza_id), "%s", aid);
		snprintf(d->credential_id, sizeof(d->credential_id), "%s", cid);
		snprintf(d->old_fp, sizeof(d->old_fp), "%s", ofp);
		snprintf(d->new_fp, sizeof(d->new_fp), "%s", nfp);
		snprintf(d->new_algorithm, sizeof(d->new_algorithm), "%s", alg);
		snprintf(d->old_cert_sha1, sizeof(d->old_cert_sha1), "%s", osha1);
		snprintf(d->new_cert_sha1, sizeof(d->new_cert_sha1), "%s", nsha1);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- loading -------------------------------------------------------------- */

/* A device's files, where its manifest row puts them (rotate.h). */
static int
device_paths(const struct manifest *m, const struct manifest_row *row, struct rotate_device *d,
	     struct err *e)
{
	if (manifest_private_key_path(m, row, d->private_path, sizeof(d->private_path), e) != 0)
		return -1;
	if (!key_credential_x509(row->algorithm))
		return manifest_key_path(m, row, d->public_path, sizeof(d->public_path), e);
	if (manifest_key_path(m, row, d->cert_path, sizeof(d->cert_path), e) != 0 ||
	    manifest_beside_key(m, row, MANIFEST_PUBLIC_KEY, d->public_path, sizeof(d->public_path),
				e) != 0)
		return -1;
	return 0;
}

static void
fail(struct rotate_device *d, const struct err *why)
{
	d->outcome = ROTATE_FAILED;
	err_set(&d->err, why->status, "device '%s': %s", d->device_id, why->msg);
}

static int
load_manifest(struct rotate_batch *b, struct err *e)
{
	struct manifest *m = NULL;
	struct manifest_row row;
	size_t cap = 0;
	int rc;

	if (manifest_open(&m, b->o->manifest, e) != 0)
		return -1;
	if ((b->manifest_dir = strdup(manifest_dir(m))) == NULL)
		goto oom;
	while ((rc = manifest_next_row(m, &row, e)) != MANIFEST_END) {
		/* A rewrite keeps every row: one that cannot be read would be lost. */
		if (rc < 0) {
			manifest_close(m);
			return err_prefix(e, "cannot rotate");
		}
		if (b->n == cap) {
			void *v, *p;

			cap = cap ? cap * 2 : 64;
			if ((v = realloc(b->dev, cap * sizeof(*b->dev))) == NULL)
				goto oom;
			b->dev = v;
			if ((p = realloc(b->priv, cap * sizeof(*b->priv))) == NULL)
				goto oom;
			b->priv = p;
		}
		memset(&b->dev[b->n], 0, sizeof(b->dev[0]));
		memset(&b->priv[b->n], 0, sizeof(b->priv[0]));
		b->priv[b->n].row = row;
		if (device_paths(m, &row, &b->dev[b->n], e) != 0) {
			manifest_close(m);
			return -1;
		}
		b->n++;
	}
	manifest_close(m);
	return 0;
oom:
	manifest_close(m);
	return err_set(e, AK_INTERNAL, "out of memory");
}

/* Where each device stands: the manifest's row and the journal's last row agree, or it fails. */
static void
settle(struct rotate_batch *b, struct rotate_device *d, struct dev_priv *p)
{
	const struct manifest_row *row = &p->row;
	struct err e = ERR_INIT;

	d->priv = p;
	p->d = d;
	snprintf(d->device_id, sizeof(d->device_id), "%s", row->device_id);
	snprintf(d->old_algorithm, sizeof(d->old_algorithm), "%s", row->algorithm);
	snprintf(p->next_private, sizeof(p->next_private), "%s" ROTATE_NEXT_SUFFIX,
		 d->private_path);
	snprintf(p->next_public, sizeof(p->next_public), "%s" ROTATE_NEXT_SUFFIX, d->public_path);
	if (d->cert_path[0] != '\0')
		snprintf(p->next_cert, sizeof(p->next_cert), "%s" ROTATE_NEXT_SUFFIX, d->cert_path);
	if (d->step == ROTATE_NONE) {
		snprintf(d->old_fp, sizeof(d->old_fp), "%s", row->fingerprint);
	} else if (strcmp(row->fingerprint, d->new_fp) == 0) {
		if (d->step == ROTATE_DONE)
			d->outcome = ROTATE_UNCHANGED;
	} else if (strcmp(row->fingerprint, d->old_fp) != 0) {
		err_set(&e, AK_INPUT,
			"the manifest's fingerprint %s is neither the old nor the new key of its "
			"rotation in '%s'",
			row->fingerprint, b->journal_path);
		fail(d, &e);
	}
	d->from = d->step;
	/* Three files, three names: a swap must never rename one over another. */
	if (d->outcome == ROTATE_PENDING && d->cert_path[0] != '\0' &&
	    (strcmp(d->cert_path, d->public_path) == 0 ||
	     strcmp(d->cert_path, d->private_path) == 0)) {
		err_set(&e, AK_INPUT, "its certificate '%s' has the name of its %s key file",
			d->cert_path,
			strcmp(d->cert_path, d->public_path) == 0 ? "public" : "private");
		fail(d, &e);
	}
	if (d->outcome == ROTATE_PENDING && b->o->finish && d->step < ROTATE_SWAPPED)
		d->outcome = ROTATE_NOT_STARTED;
}

static int
load_journal(struct rotate_batch *b, struct err *e)
{
	struct journal_reader jr;
	struct rotate_device **sorted;
	size_t i;
	int rc = 0;

	if ((sorted = calloc(b->n ? b->n : 1, sizeof(*sorted))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	for (i = 0; i < b->n; i++) {
		sorted[i] = &b->dev[i];
		snprintf(b->dev[i].device_id, sizeof(b->dev[i].device_id), "%s",
			 b->priv[i].row.device_id);
	}
	qsort(sorted, b->n, sizeof(*sorted), dev_cmp);
	/* One device, one row: a second key for it would be a second rotation. */
	for (i = 1; i < b->n; i++)
		if (strcmp(sorted[i]->device_id, sorted[i - 1]->device_id) == 0) {
			err_set(e, AK_INPUT, "cannot rotate '%s': device '%s' is listed twice",
				b->o->manifest, sorted[i]->device_id);
			free(sorted);
			return -1;
		}
	if (!b->o->dry_run) {
		if (manifest_writer_open(&b->mw, b->o->manifest, e) != 0 ||
		    journal_open(&b->j, b->journal_path, &rotate_format, e) != 0 ||
		    journal_reader_open_journal(&jr, &b->j, e) != 0)
			rc = -1;
	} else if (access(b->journal_path, F_OK) != 0) {
		free(sorted);
		return 0;
	} else if (journal_reader_open(&jr, b->journal_path, &rotate_format, e) != 0) {
		rc = -1;
	}
	if (rc == 0) {
		rc = journal_apply(b, &jr, sorted, e);
		journal_reader_close(&jr);
	}
	free(sorted);
	return rc;
}

int
rotate_load(const struct rotate_opts *o, struct rotate_batch **bp, struct err *e)
{
	struct rotate_batch *b;
	size_t i;

	*bp = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	b->o = o;
	b->j = (struct journal)JOURNAL_INIT;
	b->mw = (struct manifest_writer)MANIFEST_WRITER_INIT;
	b->jerr = (struct err)ERR_INIT;
	*bp = b;
	if (load_manifest(b, e) != 0)
		return -1;
	if (o->journal != NULL)
		b->journal_path = strdup(o->journal);
	else if (asprintf(&b->journal_path, "%s/%s", b->manifest_dir, ROTATE_JOURNAL_NAME) < 0)
		b->journal_path = NULL;
	if (b->journal_path == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (load_journal(b, e) != 0)
		return -1;
	for (i = 0; i < b->n; i++)
		settle(b, &b->dev[i], &b->priv[i]);
	return 0;
}

void
rotate_free(struct rotate_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	journal_close(&b->j);
	manifest_writer_close(&b->mw);
	for (i = 0; i < b->n; i++) {
		free(b->priv[i].pem);
		/* The listing of a device that a stopped run left unanswered. */
		akenza_device_clear(&b->priv[i].ad);
	}
	free(b->dev);
	free(b->priv);
	free(b->manifest_dir);
	free(b->journal_path);
	free(b);
}

/* ---- the steps ------------------------------------------------------------ */

static void
ended(struct rotate_batch *b, struct rotate_device *d, enum rotate_outcome outcome)
{
	if (outcome != ROTATE_PENDING)
		d->outcome = outcome;
	if (b->o->ended != NULL)
		b->o->ended(b->o->arg, d);
}

static void
failed(struct rotate_batch *b, struct rotate_device *d, const struct err *why)
{
	fail(d, why);
	ended(b, d, ROTATE_PENDING);
}

/* Is d still going, and at step s? */
static int
at(const struct rotate_device *d, enum rotate_step s)
{
	return d->outcome == ROTATE_PENDING && d->step == s;
}

/*
 * The fingerprint of the key (private if private_, decrypted with pp if it
 * is encrypted) in path: 0, or -1 with e.
 */
static int
file_fingerprint(const char *path, int private_, struct passphrase *pp,
		 char fp[KEY_FINGERPRINT_HEX + 1], struct key *out, struct err *e)
{
	struct key k = KEY_INIT;

	if (key_load_file(&k, path, private_ ? pp : NULL, e) != 0)
		return -1;
	if (private_ && (!k.is_private || !key_pair_ok(&k))) {
		key_clear(&k);
		return err_set(e, AK_INPUT, "'%s' is not a private key whose halves match", path);
	}
	if (key_fingerprint(&k, fp, e) != 0) {
		key_clear(&k);
		return -1;
	}
	if (out != NULL)
		*out = k;
	else
		key_clear(&k);
	return 0;
}

/*
 * Does path hold the journal's new key of d (the private key if private_)?
 * 0, or -1 with e; the key into out if not NULL.
 */
static int
new_key_in(const struct rotate_batch *b, const struct rotate_device *d, const char *path,
	   int private_, struct key *out, struct err *e)
{
	char fp[KEY_FINGERPRINT_HEX + 1];

	if (file_fingerprint(path, private_, b->o->pp, fp, out, e) != 0)
		return -1;
	if (strcmp(fp, d->new_fp) == 0)
		return 0;
	if (out != NULL)
		key_clear(out);
	return err_set(e, AK_INPUT, "'%s' is not the new key of the journal (%s)", path, d->new_fp);
}

/* The certificate's SHA-1 (what akenza may list it by) into hex; name is for messages. */
static int
cert_sha1(const struct key *k, const char *name, char hex[41], struct err *e)
{
	if (key_cert_sha1(k, hex) != 0)
		return err_set(e, AK_CRYPTO, "cannot hash the certificate '%s'", name);
	return 0;
}

/* The current certificate: of the manifest's key; its SHA-1 kept (after f it is gone). */
static int
old_cert(struct rotate_device *d, struct err *e)
{
	struct key k = KEY_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1];
	int rc = -1;

	if (file_fingerprint(d->cert_path, 0, NULL, fp, &k, e) != 0)
		return -1;
	if (k.cert == NULL)
		err_set(e, AK_INPUT, "'%s' is not a certificate", d->cert_path);
	else if (strcmp(fp, d->old_fp) != 0)
		err_set(e, AK_INPUT, "its certificate '%s' is not of the manifest's key (%s)",
			d->cert_path, d->old_fp);
	else
		rc = cert_sha1(&k, d->cert_path, d->old_cert_sha1, e);
	key_clear(&k);
	return rc;
}

/* The SHA-1 of the new certificate, made as PEM. */
static int
new_cert(struct rotate_device *d, const char *pem, size_t len, struct err *e)
{
	struct dev_priv *p = d->priv;
	struct key k = KEY_INIT;
	int rc;

	if (key_load(&k, (const unsigned char *)pem, len, p->next_cert, NULL, e) != 0)
		return -1;
	rc = cert_sha1(&k, p->next_cert, d->new_cert_sha1, e);
	key_clear(&k);
	return rc;
}

/* a, b: a new pair (and certificate) beside the current files, durable, then its row. */
static int
make_pair(struct rotate_batch *b, struct rotate_device *d, struct err *e)
{
	struct dev_priv *p = d->priv;
	struct fileio_batch fb = FILEIO_BATCH_INIT;
	struct key cur = KEY_INIT, k = KEY_INIT;
	char fp[KEY_FINGERPRINT_HEX + 1], *priv_pem = NULL, *pub_pem = NULL, *cert_pem = NULL;
	size_t priv_len = 0, pub_len = 0, cert_len = 0;
	const int x509 = d->cert_path[0] != '\0';
	enum key_type type;
	int rc = -1, encrypted;

	/* A batch made with provision --token: its private keys are on the token. */
	if (access(d->private_path, F_OK) != 0 && errno == ENOENT)
		return err_set(e, AK_INPUT,
			       "no private key file '%s': rotate rotates key files, not keys on "
			       "a PKCS#11 token",
			       d->private_path);
	/* The key replaced must be the one akenza knows, as the manifest says. */
	if (file_fingerprint(d->private_path, 1, b->o->pp, fp, &cur, e) != 0)
		return -1;
	if (strcmp(fp, d->old_fp) != 0) {
		key_clear(&cur);
		return err_set(e, AK_INPUT, "its private key '%s' is not the manifest's (%s)",
			       d->private_path, d->old_fp);
	}
	type = b->o->type != KEY_OTHER ? b->o->type : key_type(&cur);
	/* The new key is kept as the old one was: encrypted with its passphrase, or not. */
	encrypted = cur.encrypted && b->o->pp != NULL && b->o->pp->value != NULL;
	if (cur.encrypted && !encrypted) {
		key_clear(&cur);
		return err_set(e, AK_INTERNAL,
			       "internal error: '%s' decrypted without a passphrase",
			       d->private_path);
	}
	key_clear(&cur);
	d->old_cert_sha1[0] = d->new_cert_sha1[0] = '\0';
	if (x509 && old_cert(d, e) != 0)
		return -1;
	/* Leftovers of a run killed before its "made" row: a key nobody has seen. */
	if (fileio_remove(p->next_private, e) != 0 || fileio_remove(p->next_public, e) != 0 ||
	    (x509 && fileio_remove(p->next_cert, e) != 0))
		return -1;
	if (key_generate(&k, type, b->o->bits, e) != 0 || key_fingerprint(&k, d->new_fp, e) != 0 ||
	    key_private_pem(&k, encrypted ? b->o->pp->value : NULL, encrypted ? b->o->pp->len : 0,
			    &priv_pem, &priv_len, e) != 0 ||
	    key_public_pem(&k, &pub_pem, &pub_len, e) != 0 ||
	    (x509 &&
	     (key_self_signed_pem(&k, d->device_id, b->o->days, &cert_pem, &cert_len, e) != 0 ||
	      new_cert(d, cert_pem, cert_len, e) != 0)))
		goto out;
	snprintf(d->new_algorithm, sizeof(d->new_algorithm), "%s", key_akenza_credential(&k, x509));
	if (fileio_batch_add(&fb, p->next_private, priv_pem, priv_len, 0600, e) != 0 ||
	    fileio_batch_add(&fb, p->next_public, pub_pem, pub_len, 0644, e) != 0 ||
	    (x509 && fileio_batch_add(&fb, p->next_cert, cert_pem, cert_len, 0644, e) != 0) ||
	    fileio_batch_commit(&fb, 0, e) != 0)
		goto out;
	if (record(b, d, ROTATE_MADE) != 0) {
		*e = b->jerr;
		goto out;
	}
	rc = 0;
out:
	fileio_batch_clear(&fb);
	if (priv_pem != NULL)
		sodium_free(priv_pem);
	free(pub_pem);
	free(cert_pem);
	key_clear(&k);
	return rc;
}

/*
 * The new files, for the upload: each ".next" holds the journal's new key,
 * the certificate for CN = the device id; what is uploaded is the public key
 * or the certificate, of the journal's algorithm.
 */
static int
load_pair(const struct rotate_batch *b, struct rotate_device *d, struct err *e)
{
	struct dev_priv *p = d->priv;
	struct key k = KEY_INIT;
	const char *alg;
	int rc = -1;

	if (new_key_in(b, d, p->next_private, 1, NULL, e) != 0 ||
	    new_key_in(b, d, p->next_public, 0, &k, e) != 0)
		return -1;
	if (d->cert_path[0] != '\0') {
		key_clear(&k);
		if (new_key_in(b, d, p->next_cert, 0, &k, e) != 0)
			return -1;
		if (!key_cert_is_for(&k, d->new_fp, d->device_id)) {
			err_set(e, AK_INPUT, "'%s' is not a certificate for CN=%s", p->next_cert,
				d->device_id);
			goto out;
		}
	}
	free(p->pem);
	p->pem = NULL;
	p->sha1[0] = '\0';
	if (akenza_credential_pem(&k, &p->pem, &alg, e) != 0)
		goto out;
	if (k.cert != NULL && cert_sha1(&k, p->next_cert, p->sha1, e) != 0)
		goto out;
	if (strcmp(alg, d->new_algorithm) != 0) {
		err_set(e, AK_INPUT, "the journal's new key is %s, its files make it %s",
			d->new_algorithm, alg);
		goto out;
	}
	rc = 0;
out:
	key_clear(&k);
	return rc;
}

/* d: akenza holds the new key. */
static void
uploaded(struct akenza_device *ad, void *arg)
{
	struct rotate_batch *b = arg;
	struct dev_priv *p = (struct dev_priv *)(void *)ad; /* ad is the first member */
	struct rotate_device *d = p->d;

	if (ad->outcome != AKENZA_ADDED && ad->outcome != AKENZA_PRESENT) {
		d->http_status = ad->http_status;
		d->outcome = ROTATE_FAILED;
		d->err = ad->err;
		ended(b, d, ROTATE_PENDING);
		return;
	}
	snprintf(d->akenza_id, sizeof(d->akenza_id), "%s", ad->akenza_id);
	snprintf(d->credential_id, sizeof(d->credential_id), "%s", ad->credential_id);
	if (ad->note[0] != '\0')
		snprintf(d->note, sizeof(d->note), "%s", ad->note);
	/* A journal that cannot be written stops the run (the caller looks at jerr). */
	(void)record(b, d, ROTATE_UPLOADED);
	akenza_device_clear(ad);
}

/*
 * Run the devices at step through akenza, at most "jobs" at a time:
 * prepare() sets up each one's request (0), or fails it (-1); done() gets
 * each answer as it comes.  -1 when the run stopped, or the journal failed.
 */
static int
api_phase(struct rotate_batch *b, enum rotate_step step,
	  int (*prepare)(struct rotate_batch *b, struct rotate_device *d, struct dev_priv *p),
	  void (*done)(struct akenza_device *ad, void *arg), struct err *e)
{
	struct akenza_config c = b->o->ak;
	struct akenza_device **v;
	size_t i, n = 0;
	int rc = 0;

	if ((v = calloc(b->n ? b->n : 1, sizeof(*v))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	for (i = 0; i < b->n; i++)
		if (at(&b->dev[i], step) && prepare(b, &b->dev[i], &b->priv[i]) == 0) {
			snprintf(b->priv[i].ad.akenza_id, sizeof(b->priv[i].ad.akenza_id), "%s",
				 b->dev[i].akenza_id);
			v[n++] = &b->priv[i].ad;
		}
	c.create_devices = 0; /* a device being rotated exists */
	c.done = done;
	c.arg = b;
	if (n > 0 && akenza_run(&c, v, n, e) != 0)
		rc = -1;
	free(v);
	if (rc == 0 && b->jerr.status != AK_OK) {
		*e = b->jerr;
		rc = -1;
	}
	return rc;
}

/* c: the made pair's public key, to be added unless akenza lists it already. */
static int
prepare_upload(struct rotate_batch *b, struct rotate_device *d, struct dev_priv *p)
{
	struct err le = ERR_INIT;

	if (load_pair(b, d, &le) != 0) {
		failed(b, d, &le);
		return -1;
	}
	p->ad = (struct akenza_device){
		.device_id = d->device_id,
		.algorithm = d->new_algorithm,
		.public_pem = p->pem,
		.fingerprint = d->new_fp,
		.cert_sha1 = p->sha1[0] != '\0' ? p->sha1 : NULL,
		.expiration = b->o->expiration,
	};
	return 0;
}

/* e: a broker login with the new key, before it replaces the old one. */
static void
verify(struct rotate_batch *b)
{
	const char *key;
	struct err le;
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct rotate_device *d = &b->dev[i];

		if (!at(d, ROTATE_UPLOADED))
			continue;
		le = (struct err)ERR_INIT;
		/* A run killed inside the swap (f) renamed K.next over K already. */
		key = b->priv[i].next_private;
		if (access(key, F_OK) != 0)
			(void)new_key_in(b, d, key = d->private_path, 1, NULL, &le);
		if (le.status != AK_OK || b->o->verify(b->o->arg, d, key, &le) != 0)
			failed(b, d, &le);
		else
			(void)record(b, d, ROTATE_VERIFIED);
	}
}

/*
 * One file of the device: its ".next" (holding the new key) renamed over it,
 * or, where a killed run renamed it already, the new key in place.
 */
static int
swap_file(const struct rotate_batch *b, const struct rotate_device *d, const char *next,
	  const char *path, int private_, struct err *e)
{
	const char *which = access(next, F_OK) == 0 ? next : path;

	if (new_key_in(b, d, which, private_, NULL, e) != 0)
		return -1;
	return which == next ? fileio_rename(next, path, e) : 0;
}

/* f, g: the new files become the device's. */
static void
swap(struct rotate_batch *b)
{
	struct err le;
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct rotate_device *d = &b->dev[i];
		struct dev_priv *p = &b->priv[i];

		/* With verify_login, only what logged in; without, what was uploaded. */
		if (!at(d, ROTATE_VERIFIED) && (b->o->verify != NULL || !at(d, ROTATE_UPLOADED)))
			continue;
		le = (struct err)ERR_INIT;
		/* In this order, which the crash analysis above follows. */
		if (swap_file(b, d, p->next_private, d->private_path, 1, &le) != 0 ||
		    swap_file(b, d, p->next_public, d->public_path, 0, &le) != 0 ||
		    (d->cert_path[0] != '\0' &&
		     swap_file(b, d, p->next_cert, d->cert_path, 0, &le) != 0))
			failed(b, d, &le);
		else
			(void)record(b, d, ROTATE_SWAPPED);
	}
}

/*
 * h: the manifest with the new fingerprints of every swapped device, read
 * again (rows appended since are kept) and replaced whole.
 */
static int
rewrite_manifest(struct rotate_batch *b, struct err *e)
{
	struct fileio_batch fb = FILEIO_BATCH_INIT;
	struct rotate_device key, *kp = &key, **sorted = NULL, **hit;
	struct manifest *m = NULL;
	struct manifest_row row;
	char line[MANIFEST_ROW_MAX + 1], when[TIMEUTIL_ISO_LEN];
	char *buf = NULL;
	size_t len, cap, i, changed = 0;
	struct stat st;
	int rc = -1, r, n;

	for (i = 0; i < b->n; i++)
		changed += b->dev[i].step >= ROTATE_SWAPPED &&
			   strcmp(b->priv[i].row.fingerprint, b->dev[i].new_fp) != 0;
	if (changed == 0)
		return 0;
	if ((sorted = calloc(b->n, sizeof(*sorted))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	for (i = 0; i < b->n; i++)
		sorted[i] = &b->dev[i];
	qsort(sorted, b->n, sizeof(*sorted), dev_cmp);
	if (stat(b->o->manifest, &st) != 0) {
		err_set(e, AK_INPUT, "cannot read '%s': %s", b->o->manifest, strerror(errno));
		goto out;
	}
	cap = sizeof(MANIFEST_HEADER) + 1;
	if ((buf = malloc(cap)) == NULL)
		goto oom;
	len = (size_t)snprintf(buf, cap, "%s\n", MANIFEST_HEADER);
	if (manifest_open(&m, b->o->manifest, e) != 0)
		goto out;
	timeutil_iso8601(time(NULL), when);
	while ((r = manifest_next_row(m, &row, e)) != MANIFEST_END) {
		if (r < 0)
			goto out;
		snprintf(key.device_id, sizeof(key.device_id), "%s", row.device_id);
		hit = bsearch(&kp, sorted, b->n, sizeof(*sorted), dev_cmp);
		if (hit != NULL && (*hit)->step >= ROTATE_SWAPPED &&
		    strcmp(row.fingerprint, (*hit)->new_fp) != 0) {
			snprintf(row.fingerprint, sizeof(row.fingerprint), "%s", (*hit)->new_fp);
			snprintf(row.algorithm, sizeof(row.algorithm), "%s", (*hit)->new_algorithm);
			snprintf(row.created, sizeof(row.created), "%s", when);
			((struct dev_priv *)(*hit)->priv)->row = row;
		}
		if ((n = manifest_format_row(&row, line, sizeof(line), e)) < 0)
			goto out;
		if (len + (size_t)n + 1 > cap) {
			char *nb;

			cap = (cap + (size_t)n) * 2;
			if ((nb = realloc(buf, cap)) == NULL)
				goto oom;
			buf = nb;
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	/* Under our lock throughout: no row appended between the reading and the rename. */
	if (fileio_batch_add(&fb, b->o->manifest, buf, len, st.st_mode & 07777, e) != 0 ||
	    fileio_batch_hold(&fb, manifest_writer_fd(&b->mw), e) != 0 ||
	    fileio_batch_commit(&fb, 1, e) != 0)
		goto out;
	rc = 0;
	goto out;
oom:
	err_set(e, AK_INTERNAL, "out of memory");
out:
	fileio_batch_clear(&fb);
	manifest_close(m);
	free(buf);
	free(sorted);
	return rc;
}

/* What a device that got as far as it goes in this run has become. */
static enum rotate_outcome
outcome_of(const struct rotate_batch *b, const struct rotate_device *d)
{
	if (d->step == ROTATE_DONE)
		return d->from == ROTATE_SWAPPED && b->o->finish ? ROTATE_FINISHED : ROTATE_ROTATED;
	return ROTATE_KEPT;
}

/* d: akenza no longer holds the old key. */
static void
deleted(struct akenza_device *ad, void *arg)
{
	struct rotate_batch *b = arg;
	struct dev_priv *p = (struct dev_priv *)(void *)ad; /* ad is the first member */
	struct rotate_device *d = p->d;
	struct err le = ERR_INIT;

	switch (ad->outcome) {
	case AKENZA_DELETED:
	case AKENZA_GONE:
		if (record(b, d, ROTATE_DONE) == 0)
			ended(b, d, outcome_of(b, d));
		break;
	case AKENZA_LAST:
		/* The new credential is not there (deleted by hand?): the old one must stay. */
		err_set(&le, AK_NEGATIVE,
			"akenza does not list the new key %s (credential %s) any more: the old "
			"credential is kept",
			d->new_fp, d->credential_id);
		failed(b, d, &le);
		break;
	default:
		d->http_status = ad->http_status;
		d->outcome = ROTATE_FAILED;
		d->err = ad->err;
		ended(b, d, ROTATE_PENDING);
		break;
	}
	akenza_device_clear(ad);
}

/*
 * i: the old credential of a swapped device, deleted (404, or not listed:
 * done) -- never the device's last credential, which would be the only key
 * it has.
 */
static int
prepare_delete(struct rotate_batch *b, struct rotate_device *d, struct dev_priv *p)
{
	(void)b;
	/*
	 * Each by its kid, and a certificate also by its SHA-1: a listing that
	 * shows only that (no publicKey to compute a kid from) must not pass
	 * the old credential for gone, nor the new one for missing.
	 */
	p->ad = (struct akenza_device){
		.device_id = d->device_id,
		.fingerprint = d->old_fp,
		.cert_sha1 = d->old_cert_sha1[0] != '\0' ? d->old_cert_sha1 : NULL,
		.op = AKENZA_OP_DELETE,
		/* The old key goes only while akenza holds the new one, which K now is. */
		.keep_fingerprint = d->new_fp,
		.keep_cert_sha1 = d->new_cert_sha1[0] != '\0' ? d->new_cert_sha1 : NULL,
	};
	return 0;
}

/* ---- the run ---------------------------------------------------------------- */

static void
dry_run(struct rotate_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct rotate_device *d = &b->dev[i];

		if (d->outcome == ROTATE_PENDING)
			d->outcome = ROTATE_PLANNED;
		ended(b, d, ROTATE_PENDING);
	}
}

int
rotate_run(struct rotate_batch *b, struct err *e)
{
	struct err le;
	size_t i;

	if (b->o->dry_run) {
		dry_run(b);
		return 0;
	}
	/* What was decided when loading ends first. */
	for (i = 0; i < b->n; i++)
		if (b->dev[i].outcome != ROTATE_PENDING)
			ended(b, &b->dev[i], ROTATE_PENDING);
	if (!b->o->finish) {
		if (key_init(e) != 0)
			return -1;
		for (i = 0; i < b->n; i++) {
			if (!at(&b->dev[i], ROTATE_NONE))
				continue;
			le = (struct err)ERR_INIT;
			if (make_pair(b, &b->dev[i], &le) != 0) {
				if (b->jerr.status != AK_OK) {
					*e = b->jerr;
					return -1;
				}
				failed(b, &b->dev[i], &le);
			}
		}
		if (api_phase(b, ROTATE_MADE, prepare_upload, uploaded, e) != 0)
			return -1;
		if (b->o->verify != NULL)
			verify(b);
		swap(b);
		if (b->jerr.status != AK_OK) {
			*e = b->jerr;
			return -1;
		}
	}
	if (rewrite_manifest(b, e) != 0)
		return -1;
	if (!b->o->keep_old && api_phase(b, ROTATE_SWAPPED, prepare_delete, deleted, e) != 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		struct rotate_device *d = &b->dev[i];

		/* Kept, or done by a run killed before the manifest was rewritten. */
		if (at(d, ROTATE_SWAPPED) || at(d, ROTATE_DONE))
			ended(b, d, outcome_of(b, d));
	}
	return 0;
}
