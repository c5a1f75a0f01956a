/*
 * provision: key pairs for a batch of devices (see provision.h).
 *
 * Threads (workq.h).  The calling thread reads the ids (streamed: memory
 * does not grow with the batch but for the id set), drops bad ids and
 * duplicates, and queues one job per id.  Workers make or check devices; at
 * most "jobs" of them hold a CPU token at a time (key generation, encoding,
 * loading), while the others may be waiting on the disk.  A worker never
 * waits for a device to be durable: the collector thread makes a whole group
 * of them durable at once (group commit, as databases do), publishes them
 * and appends their rows -- per group, not per device: one syncfs, the
 * renames, one fsync of DIR, one write(2) of the rows, one fsync.  A group
 * is whatever the workers finished while the collector committed the one
 * before (at most WRITER_GROUP): a slow disk makes groups larger, not the
 * run slower, a small batch is one small group, and progress moves at every
 * commit.
 *
 * One device, new:
 *   a. (worker) DIR/.akcred-<id>.XXXXXX created, mode 0700 (fileio_dir_stage_ex)
 *   b. (worker) private.pem (0600), public.pem (0644), cert.pem written in it,
 *      not synced; the directory sealed under its hidden name (fileio_dir_seal)
 *   c. (collector) one syncfs for the group: every sealed directory and its
 *      files durable
 *   d. (collector) each renamed to DIR/<id> with RENAME_NOREPLACE: an
 *      existing DIR/<id> is never replaced
 *   e. (collector) DIR fsynced: the names DIR/<id> are durable
 *   f. (collector) the group's rows appended with a single write(2), then fsync
 *
 * Killed (SIGKILL, power loss) at each point, the rerun sees:
 *   during a-d (before the rename): a hidden DIR/.akcred-* directory, after a
 *      power loss before c completes perhaps with files short or missing.
 *      Nobody ever saw that key; the directory is removed and the id made
 *      afresh.  Nothing but a rename after c ever gives it a visible name.
 *   during d, before e completes: after a power loss, each device either its
 *      staged directory (as above) or DIR/<id> (as below) -- rename is atomic.
 *   after d or e, before f: DIR/<id> complete (its files were durable before
 *      the rename, by c) but not in the manifest.  It is checked (private key
 *      matches public key and certificate, modes, key type) and its row is
 *      appended: the key is kept, never replaced by a second one.  The rerun
 *      appends it after its own step e, so a rename that was not yet durable
 *      is made durable before the row.
 *   during f: the write may be torn (a fatal signal between two pages, or a
 *      power loss before the fsync): the manifest ends without a line end.
 *      Opening the manifest cuts that tail off (the append was never
 *      acknowledged) and the devices are then in the case above.
 *   after f: done; the rerun checks it against its row and keeps it.
 *   creating the manifest itself: its header is staged and linked whole; a
 *      leftover staged file is removed.
 * A row is thus durable only after c and e, the syncs that cover its
 * device's files, its directory and its name (tests/cli/provision-durability.sh
 * checks that order with the system calls themselves).
 * Stopped by an error instead (a full disk: workq_fail), the run leaves one
 * of these states too: the collector publishes and appends no group once it
 * knows of the error (it removes the group's sealed directories), and the
 * devices renamed without their row are finished by the rerun.
 * With --token, step b writes no private.pem: before it the worker makes the
 * pair on the token, labelled <id> -- or, finding a private key of that
 * label there, takes it: a run killed between making the pair and step f
 * left that key, which nobody has seen; it is reused, never made twice.
 * A device in the manifest whose files are missing or do not match is an
 * error for that id, never a reason to make a new key: akenza may already
 * hold the old one.  Two runs on one DIR (or one manifest) are excluded by
 * flock(), so a run never removes another run's staged directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "fileio.h"
#include "idset.h"
#include "manifest.h"
#include "p11.h"
#include "provision.h"
#include "timeutil.h"
#include "workq.h"
#include "banned.h"

#define JOB_QUEUE 64
#define RESULT_QUEUE 256
#define WRITER_GROUP 256 /* rows appended with one write(2) and one fsync, at most */
#define IO_THREADS 6     /* threads beyond "jobs", waiting on the disk while others compute */

/* idset flags; the manifest's algorithm (key_credential_index) is kept above them */
#define IN_MANIFEST 0x1
#define SEEN 0x2
#define ALG_SHIFT 4

enum job_kind { JOB_MAKE, JOB_VERIFY };

struct job {
	enum job_kind kind;
	unsigned long line;
	unsigned char fp[32]; /* JOB_VERIFY: the manifest's */
	int alg;              /* JOB_VERIFY: key_credential_index() */
	char id[DEVID_MAX + 1];
};

enum result_kind { RES_CREATED, RES_RECOVERED, RES_VERIFIED, RES_FAILED, RES_FATAL };

struct result {
	enum result_kind kind;
	unsigned long line;
	struct manifest_row row;   /* CREATED, RECOVERED */
	struct err err;            /* FAILED, FATAL */
	char staged[NAME_MAX + 1]; /* CREATED: the sealed directory in DIR, not yet published */
};

struct provisioner {
	const struct provision_opts *o;
	const char *manifest_path;
	char relprefix[PATH_MAX]; /* from the manifest's directory to DIR, "" or ending in '/' */
	int dirfd;
	unsigned stage_flags; /* fileio_dir_stage_ex's, for every device */
	struct manifest_writer w;
	struct workq *q;
	pthread_mutex_t mu; /* stats, report calls */
	struct provision_stats *st;
	char *rows; /* the collector's: WRITER_GROUP rows */
};

/* --- reporting --------------------------------------------------------------- */

static void
report(struct provisioner *c, enum provision_event_kind kind, const char *id, unsigned long line,
       unsigned long first_line, const struct err *err)
{
	struct provision_event ev = {kind, id, line, first_line, err, c->st};

	if (c->o->report != NULL)
		c->o->report(c->o->arg, &ev);
}

/* --- one device ------------------------------------------------------------------ */

/*
 * Each worker's buffer for the private keys it makes or checks: sodium
 * memory kept from one device to the next (FILEIO_REUSE,
 * key_private_pem_buf), wiped after each, freed as the worker ends.
 */
static _Thread_local struct fileio_buf worker_secret = FILEIO_BUF_INIT;
/* Each worker's key generator, set up for the run's type and size with its first key. */
static _Thread_local struct key_gen worker_gen = KEY_GEN_INIT;

/* The credential algorithm of the keys this run makes. */
static const char *
run_algorithm(const struct provision_opts *o)
{
	return key_type_credential(o->type, o->cert);
}

static int
batch_path(const struct provision_opts *o, const char *id, const char *file, char *buf, size_t size,
	   struct err *e)
{
	int n = file ? snprintf(buf, size, "%s/%s/%s", o->out_dir, id, file)
		     : snprintf(buf, size, "%s/%s", o->out_dir, id);

	if (n < 0 || (size_t)n >= size)
		return err_set(e, AK_INPUT, "the path of device '%s' is too long", id);
	return 0;
}

static int
device_path(struct provisioner *c, const char *id, const char *file, char *buf, size_t size,
	    struct err *e)
{
	return batch_path(c->o, id, file, buf, size, e);
}

/*
 * Adopt nothing another user made.  Whoever made a key file may hold a copy
 * of the private key, and whoever may write a directory may have put files
 * in it: the batch directory, every device directory and every key file must
 * belong to the user who runs provision, and no directory may be writable by
 * group or others -- the rule ssh applies to ~/.ssh.  Modes alone are not
 * enough: another user's 0700 directory looks just like ours.
 */
static int
check_ours(const char *path, const struct stat *st, int dir, struct err *e)
{
	if (dir && !S_ISDIR(st->st_mode))
		return err_set(e, AK_INPUT, "'%s' is not a directory", path);
	if (!dir && !S_ISREG(st->st_mode))
		return err_set(e, AK_INPUT, "'%s' is not a regular file", path);
	if (st->st_uid != geteuid())
		return err_set(e, AK_INPUT,
			       "'%s' belongs to another user (uid %lu): not adopting what it holds",
			       path, (unsigned long)st->st_uid);
	if (dir && (st->st_mode & 022))
		return err_set(e, AK_INPUT, "'%s' is writable by group or others (mode %03o)", path,
			       (unsigned)st->st_mode & 0777);
	return 0;
}

/* lstat path, then check_ours(); "missing" if it is not there. */
static int
lstat_ours(const char *path, struct stat *st, int dir, struct err *e)
{
	if (lstat(path, st) != 0)
		return errno == ENOENT
			       ? err_set(e, AK_INPUT, "'%s' is missing: %s", path, strerror(errno))
			       : err_set(e, AK_INPUT, "cannot check '%s': %s", path,
					 strerror(errno));
	return check_ours(path, st, dir, e);
}

static int
fill_row(struct provisioner *c, const char *id, const char *alg, const char *fp, time_t created,
	 struct manifest_row *row, struct err *e)
{
	int n;

	snprintf(row->device_id, sizeof(row->device_id), "%s", id);
	snprintf(row->algorithm, sizeof(row->algorithm), "%s", alg);
	snprintf(row->fingerprint, sizeof(row->fingerprint), "%s", fp);
	n = snprintf(row->public_key, sizeof(row->public_key), "%s%s/%s", c->relprefix, id,
		     c->o->cert ? MANIFEST_CERT : MANIFEST_PUBLIC_KEY);
	if (n < 0 || (size_t)n >= sizeof(row->public_key))
		return err_set(e, AK_INPUT, "the path of device '%s' is too long", id);
	timeutil_iso8601(created, row->created);
	return 0;
}

const char *
provision_key_describe(const struct provision_opts *o, char *buf, size_t size)
{
	if (o->type == KEY_EC)
		snprintf(buf, size, "EC P-256");
	else
		snprintf(buf, size, "RSA %d", o->bits);
	return buf;
}

/* The certificate of an existing device: its key is fp's, its subject CN=<id>. */
static int
check_cert(struct provisioner *c, const char *id, const char *fp, struct err *e)
{
	char path[PATH_MAX];
	struct key cert = KEY_INIT;
	struct stat st;
	int rc = -1;

	if (device_path(c, id, MANIFEST_CERT, path, sizeof(path), e) != 0 ||
	    lstat_ours(path, &st, 0, e) != 0 || key_load_file(&cert, path, NULL, e) != 0)
		goto out;
	if (!key_cert_is_for(&cert, fp, id)) {
		err_set(e, AK_INPUT, "'%s' is not a certificate of this key for CN=%s", path, id);
		goto out;
	}
	rc = 0;
out:
	key_clear(&cert);
	return rc;
}

/* Is b exactly the PEM that key_public_pem gives for k's public half? */
static int
same_public_pem(const struct key *k, const struct fileio_buf *b)
{
	struct err e = ERR_INIT;
	char *pem = NULL;
	size_t len = 0;
	int same;

	if (key_public_pem(k, &pem, &len, &e) != 0)
		return 0;
	same = len == b->len && memcmp(pem, b->data, len) == 0;
	free(pem);
	return same;
}

/*
 * The key pair of an existing device: any key this run could have made, its
 * two halves together (key_load reads the P-256 files this command writes
 * without OpenSSL's slow decoders).
 */
static int
check_keys(struct provisioner *c, const struct fileio_buf *privb, const char *privpath,
	   const char *pubpath, char fp[KEY_FINGERPRINT_HEX + 1], struct err *e)
{
	const struct provision_opts *o = c->o;
	struct passphrase pp = PASSPHRASE_INIT;
	struct key priv = KEY_INIT, pub = KEY_INIT;
	struct fileio_buf pubb = FILEIO_BUF_INIT;
	char want[32], have[64];
	int rc = -1;

	pp.value = (char *)o->pass; /* borrowed, never freed here */
	pp.len = o->passlen;
	if (key_load(&priv, privb->data, privb->len, privpath, o->pass ? &pp : NULL, e) != 0)
		goto out;
	if (!priv.is_private) {
		err_set(e, AK_INPUT, "'%s' holds no private key", privpath);
		goto out;
	}
	if (key_type(&priv) != o->type || (o->type == KEY_RSA && key_bits(&priv) != o->bits) ||
	    key_akenza_credential(&priv, 0) == NULL) {
		err_set(e, AK_INPUT, "'%s' holds an %s key; this run makes %s keys", privpath,
			key_describe(&priv, have, sizeof(have)),
			provision_key_describe(o, want, sizeof(want)));
		goto out;
	}
	/* Not key_load_file: a public key needs no locked memory (two system calls each). */
	if (fileio_read(pubpath, FILEIO_KEY_MAX, &pubb, e) != 0)
		goto out;
	/*
	 * The file as this command writes it is the private key's public half,
	 * byte for byte: then it need not be decoded (a sixth of a rerun's
	 * time).  Any other encoding is decoded and compared as a key.
	 */
	if (!same_public_pem(&priv, &pubb) &&
	    (key_load(&pub, pubb.data, pubb.len, pubpath, NULL, e) != 0 ||
	     !key_same_public(&priv, &pub))) {
		if (e->status == AK_OK)
			err_set(e, AK_INPUT, "'%s' does not match private.pem", pubpath);
		goto out;
	}
	if (!key_pair_ok(&priv)) {
		err_set(e, AK_INPUT, "the private key next to '%s' is damaged", pubpath);
		goto out;
	}
	rc = key_fingerprint(&priv, fp, e);
out:
	fileio_buf_clear(&pubb);
	key_clear(&priv);
	key_clear(&pub);
	return rc;
}

/* The key pair of an existing token device: its key on the token, public.pem its half. */
static int
check_token_keys(struct provisioner *c, const char *id, const char *pubpath,
		 char fp[KEY_FINGERPRINT_HEX + 1], struct err *e)
{
	const struct provision_opts *o = c->o;
	struct key priv = KEY_INIT, pub = KEY_INIT;
	char uri[PATH_MAX], want[32], have[64];
	int rc = -1;

	if (p11_object_uri(o->token, id, uri, sizeof(uri), e) != 0 ||
	    key_load_file(&priv, uri, NULL, e) != 0 || key_load_file(&pub, pubpath, NULL, e) != 0)
		goto out;
	if (key_type(&priv) != o->type || (o->type == KEY_RSA && key_bits(&priv) != o->bits)) {
		err_set(e, AK_INPUT, "the key of '%s' on the token is an %s key; this run makes %s",
			id, key_describe(&priv, have, sizeof(have)),
			provision_key_describe(o, want, sizeof(want)));
		goto out;
	}
	if (!key_same_public(&priv, &pub)) {
		err_set(e, AK_INPUT, "'%s' is not the public half of the key of '%s' on the token",
			pubpath, id);
		goto out;
	}
	rc = key_fingerprint(&priv, fp, e);
out:
	key_clear(&priv);
	key_clear(&pub);
	return rc;
}

/*
 * Check the files of an existing device: a directory and files of the running
 * user's (check_ours), a private key not readable by others that matches the
 * public key (and the certificate), of the type this run makes; with a
 * manifest row, the same fingerprint and algorithm.  Fills row (created = the
 * private key's mtime).
 */
static int
check_device(struct provisioner *c, const struct job *j, struct manifest_row *row, struct err *e)
{
	const struct provision_opts *o = c->o;
	char path[PATH_MAX], pubpath[PATH_MAX], fp[KEY_FINGERPRINT_HEX + 1];
	unsigned char bin[32];
	const char *alg;
	struct stat st, pubst;
	time_t created;
	int rc = -1, r;

	if (device_path(c, j->id, NULL, path, sizeof(path), e) != 0)
		return -1;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT && j->kind == JOB_VERIFY)
			return err_set(
				e, AK_INPUT,
				"device '%s' is in the manifest but '%s' is missing: not making "
				"a new key (akenza may know the old one)",
				j->id, path);
		return err_set(e, AK_INPUT, "cannot check '%s': %s", path, strerror(errno));
	}
	if (check_ours(path, &st, 1, e) != 0)
		return -1;
	if (o->token != NULL) {
		if (device_path(c, j->id, MANIFEST_PUBLIC_KEY, pubpath, sizeof(pubpath), e) != 0 ||
		    lstat_ours(pubpath, &pubst, 0, e) != 0 ||
		    check_token_keys(c, j->id, pubpath, fp, e) != 0)
			return -1;
		created = pubst.st_mtime;
		goto checked;
	}
	if (device_path(c, j->id, MANIFEST_PRIVATE_KEY, path, sizeof(path), e) != 0 ||
	    device_path(c, j->id, MANIFEST_PUBLIC_KEY, pubpath, sizeof(pubpath), e) != 0)
		return -1;
	if (lstat_ours(path, &st, 0, e) != 0 || lstat_ours(pubpath, &pubst, 0, e) != 0)
		return -1;
	if (st.st_mode & 077)
		return err_set(e, AK_INPUT,
			       "'%s' is readable by others (mode %03o): chmod 600 it if it was not "
			       "exposed",
			       path, (unsigned)st.st_mode & 0777);
	created = st.st_mtime;
	if (fileio_read_ex(path, FILEIO_KEY_MAX, FILEIO_SECRET | FILEIO_REUSE, &worker_secret, e) !=
	    0)
		return -1;
	r = check_keys(c, &worker_secret, path, pubpath, fp, e);
	fileio_buf_wipe(&worker_secret);
	if (r != 0)
		return -1;
checked:
	if (o->cert && check_cert(c, j->id, fp, e) != 0)
		return -1;
	alg = run_algorithm(o);
	if (j->kind == JOB_VERIFY) {
		if (sodium_hex2bin(bin, sizeof(bin), fp, KEY_FINGERPRINT_HEX, NULL, NULL, NULL) !=
			    0 ||
		    memcmp(bin, j->fp, sizeof(bin)) != 0)
			return err_set(e, AK_INPUT,
				       "the key in '%s/%s' has fingerprint %s, not the manifest's: "
				       "not replacing either",
				       o->out_dir, j->id, fp);
		if (strcmp(alg, key_credential_name(j->alg)) != 0)
			return err_set(e, AK_INPUT,
				       "device '%s' is in the manifest as %s; this run makes %s",
				       j->id, key_credential_name(j->alg), alg);
	}
	rc = fill_row(c, j->id, alg, fp, created, row, e);
	return rc;
}

/*
 * Make a new device, staged and sealed under staged (published by the
 * collector's group commit); -1 with e on failure (every failure here stops
 * the run).
 */
static int
make_device(struct provisioner *c, const struct job *j, struct manifest_row *row, char *staged,
	    size_t staged_size, struct err *e)
{
	const struct provision_opts *o = c->o;
	struct fileio_dir d = FILEIO_DIR_INIT;
	struct key k = KEY_INIT;
	char path[PATH_MAX], fp[KEY_FINGERPRINT_HEX + 1], uri[PATH_MAX], want[32], have[64];
	char *pub = NULL, *cert = NULL;
	size_t pub_len = 0, cert_len = 0;
	int rc = -1, gen;

	if (device_path(c, j->id, NULL, path, sizeof(path), e) != 0)
		return -1;
	workq_cpu_take(c->q);
	if (o->token != NULL) {
		/*
		 * On the token; an interrupted run's key of this id is taken, not made twice.
		 * Half a pair that will not go stops the run too: the new pair stays on the
		 * token, and the rerun takes it (or says why it cannot).
		 */
		if (p11_object_uri(o->token, j->id, uri, sizeof(uri), e) != 0 ||
		    (gen = p11_generate(&k, uri, o->type, o->bits, P11_GEN_REUSE, NULL, e)) < 0 ||
		    gen == P11_GEN_OLD_LEFT)
			goto unlock;
		if (key_type(&k) != o->type || (o->type == KEY_RSA && key_bits(&k) != o->bits)) {
			err_set(e, AK_INPUT,
				"the token already has a key for '%s', an %s key; this run makes "
				"%s",
				j->id, key_describe(&k, have, sizeof(have)),
				provision_key_describe(o, want, sizeof(want)));
			goto unlock;
		}
	} else if ((worker_gen.ctx == NULL &&
		    key_gen_init(&worker_gen, o->type, o->bits, e) != 0) ||
		   key_gen_next(&worker_gen, &k, e) != 0 ||
		   key_private_pem_buf(&k, o->pass, o->passlen, &worker_secret, e) != 0)
		goto unlock;
	if (key_public_pem(&k, &pub, &pub_len, e) != 0 || key_fingerprint(&k, fp, e) != 0)
		goto unlock;
	if (o->cert && key_self_signed_pem(&k, j->id, o->days, &cert, &cert_len, e) != 0)
		goto unlock;
	rc = 0;
unlock:
	workq_cpu_give(c->q);
	if (rc != 0)
		goto out;
	rc = -1;
	if (fileio_dir_stage_ex(&d, path, c->stage_flags, e) != 0 ||
	    (o->token == NULL && fileio_dir_add(&d, MANIFEST_PRIVATE_KEY, worker_secret.data,
						worker_secret.len, 0600, e) != 0) ||
	    fileio_dir_add(&d, MANIFEST_PUBLIC_KEY, pub, pub_len, 0644, e) != 0 ||
	    (cert != NULL && fileio_dir_add(&d, MANIFEST_CERT, cert, cert_len, 0644, e) != 0) ||
	    fill_row(c, j->id, key_akenza_credential(&k, o->cert), fp, time(NULL), row, e) != 0)
		goto out;
	rc = fileio_dir_seal(&d, staged, staged_size, e);
out:
	fileio_dir_clear(&d);
	fileio_buf_wipe(&worker_secret);
	free(pub);
	free(cert);
	key_clear(&k);
	return rc;
}

/* workq: one job in a worker thread. */
static void
work(void *arg, const void *job, void *result)
{
	struct provisioner *c = arg;
	const struct job *j = job;
	struct result *r = result;
	char path[PATH_MAX];
	struct stat st;
	int rc;

	r->line = j->line;
	r->err = (struct err)ERR_INIT;
	r->staged[0] = '\0';
	snprintf(r->row.device_id, sizeof(r->row.device_id), "%s", j->id);
	if (j->kind == JOB_MAKE) {
		if (device_path(c, j->id, NULL, path, sizeof(path), &r->err) != 0) {
			r->kind = RES_FAILED;
			return;
		}
		if (lstat(path, &st) != 0 && errno == ENOENT) {
			rc = make_device(c, j, &r->row, r->staged, sizeof(r->staged), &r->err);
			r->kind = rc == 0 ? RES_CREATED : RES_FATAL;
			return;
		}
		/* There but not in the manifest: a run stopped between rename and append. */
	}
	workq_cpu_take(c->q);
	rc = check_device(c, j, &r->row, &r->err);
	workq_cpu_give(c->q);
	if (rc != 0)
		r->kind = RES_FAILED;
	else
		r->kind = j->kind == JOB_MAKE ? RES_RECOVERED : RES_VERIFIED;
}

/* workq: a worker thread ends; OpenSSL keeps per-thread state until told. */
static void
worker_exit(void *arg)
{
	(void)arg;
	fileio_buf_clear(&worker_secret);
	key_gen_clear(&worker_gen);
	OPENSSL_thread_stop();
}

/* --- the manifest appender ------------------------------------------------------------ */

/*
 * The group commit of a group's new devices, in the collector thread: one
 * sync makes every sealed directory and its files durable, then each is
 * published (renamed to DIR/<id>), DIR is fsynced so that the names are
 * durable, and only then are the rows appended, with one write(2) and one
 * fsync -- never a row before its device.  What is not published (the run
 * is stopping) is removed; a rerun would remove it too.
 */
static int
publish_group(struct provisioner *c, struct result *rs, size_t k, struct err *e)
{
	size_t i, made = 0;
	int rc = 0;

	for (i = 0; i < k; i++)
		made += rs[i].kind == RES_CREATED;
	if (made > 0 && !workq_failed(c->q))
		rc = fileio_sync_fs(c->dirfd, c->o->out_dir, e);
	for (i = 0; i < k; i++) {
		if (rs[i].kind != RES_CREATED)
			continue;
		if (rc == 0 && !workq_failed(c->q))
			rc = fileio_dir_publish(c->dirfd, c->o->out_dir, rs[i].staged,
						rs[i].row.device_id, e);
		else
			rc = -1;
		/* Not published: no row either (count_results leaves it out). */
		if (rc != 0)
			(void)fileio_dir_remove_stale(c->o->out_dir, rs[i].staged, NULL);
	}
	return rc;
}

/*
 * Append the rows of a group's new and recovered devices (publish_group, then
 * one fsync of DIR, then the rows).  0, or -1 when the rows are not appended
 * (the run is stopping).
 */
static int
append_rows(struct provisioner *c, struct result *rs, size_t k)
{
	struct err e = ERR_INIT;
	size_t i, len = 0;
	int n;

	if (publish_group(c, rs, k, &e) != 0) {
		if (e.status != AK_OK)
			workq_fail(c->q, &e);
		return -1;
	}
	for (i = 0; i < k; i++) {
		if (rs[i].kind != RES_CREATED && rs[i].kind != RES_RECOVERED)
			continue;
		if ((n = manifest_format_row(&rs[i].row, c->rows + len, MANIFEST_ROW_MAX, &e)) <
		    0) {
			workq_fail(c->q, &e);
			return -1;
		}
		len += (size_t)n;
	}
	if (len > 0 && !workq_failed(c->q)) {
		if (fsync(c->dirfd) != 0) {
			err_set(&e, AK_INPUT, "cannot sync '%s': %s", c->o->out_dir,
				strerror(errno));
			workq_fail(c->q, &e);
		} else if (manifest_append(&c->w, c->rows, len, &e) != 0) {
			workq_fail(c->q, &e);
		}
	}
	/* A run that is stopping counts no device of the group as done. */
	return workq_failed(c->q) ? -1 : 0;
}

/* Count a group's results (appended says whether its rows are in the manifest) and report. */
static void
count_results(struct provisioner *c, const struct result *rs, size_t k, int appended)
{
	struct provision_stats *st = c->st;
	size_t i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < k; i++) {
		switch (rs[i].kind) {
		case RES_CREATED:
		case RES_RECOVERED:
			/* Without the row, the device is finished by the next run. */
			if (!appended)
				continue;
			if (rs[i].kind == RES_CREATED)
				st->created++;
			else
				st->recovered++;
			break;
		case RES_VERIFIED:
			st->verified++;
			break;
		case RES_FAILED:
			st->failed++;
			report(c, PROVISION_EV_FAILED, rs[i].row.device_id, rs[i].line, 0,
			       &rs[i].err);
			break;
		case RES_FATAL:
			workq_fail(c->q, &rs[i].err);
			continue;
		}
		st->done++;
	}
	report(c, PROVISION_EV_PROGRESS, NULL, 0, 0, NULL);
	pthread_mutex_unlock(&c->mu);
}

/* workq: a group of results in the collector thread. */
static void
collect(void *arg, void *results, size_t k)
{
	struct provisioner *c = arg;

	count_results(c, results, k, append_rows(c, results, k) == 0);
}

/* --- the batch as a whole ------------------------------------------------------------- */

/*
 * A rerun must make the keys the batch was made with: a mismatch in a
 * batch-wide option (type, size, certificate, encryption) is one error for
 * the batch, found before any device is touched or a passphrase asked for --
 * not one error per device.  The manifest's first row gives the type and the
 * certificate; its device's files give the RSA size and the encryption.
 */

/* One manifest row: the first is the example; ids <prefix><digits> give the numbering. */
static void
batch_note_row(struct provision_batch *b, const struct manifest_row *row, const char *prefix)
{
	size_t pl, n, i;
	const char *num;

	if (b->devices++ == 0) {
		snprintf(b->first, sizeof(b->first), "%s", row->device_id);
		snprintf(b->algorithm, sizeof(b->algorithm), "%s", row->algorithm);
	}
	if (prefix == NULL || strncmp(row->device_id, prefix, pl = strlen(prefix)) != 0)
		return;
	num = row->device_id + pl;
	for (n = strlen(num), i = 0; i < n; i++)
		if (num[i] < '0' || num[i] > '9')
			return;
	if (n == 0)
		return;
	if (b->width == 0 || n < b->width) {
		b->width = (unsigned)n;
		snprintf(b->narrow, sizeof(b->narrow), "%s", row->device_id);
	}
	if (num[0] == '0' && n > 1 && strlen(b->padded) < pl + n)
		snprintf(b->padded, sizeof(b->padded), "%s", row->device_id);
}

/* The first device's RSA size and encryption, if its files are there and ours. */
static void
batch_probe(const struct provision_opts *o, struct provision_batch *b)
{
	char path[PATH_MAX];
	struct fileio_buf buf = FILEIO_BUF_INIT;
	struct passphrase pp = PASSPHRASE_INIT;
	struct key k = KEY_INIT;
	struct err e = ERR_INIT;
	struct stat st;

	b->bits = 0;
	b->encrypted = -1;
	b->token = -1;
	if (batch_path(o, b->first, NULL, path, sizeof(path), &e) != 0 ||
	    lstat_ours(path, &st, 1, &e) != 0)
		return;
	if (batch_path(o, b->first, MANIFEST_PUBLIC_KEY, path, sizeof(path), &e) == 0 &&
	    lstat_ours(path, &st, 0, &e) == 0) {
		if (key_load_file(&k, path, NULL, &e) == 0 && key_type(&k) == KEY_RSA)
			b->bits = key_bits(&k);
		/* Its public key but no private.pem: the batch's keys are on a token. */
		if (batch_path(o, b->first, MANIFEST_PRIVATE_KEY, path, sizeof(path), &e) == 0)
			b->token = lstat(path, &st) == 0 ? 0 : errno == ENOENT ? 1 : -1;
	}
	key_clear(&k);
	if (batch_path(o, b->first, MANIFEST_PRIVATE_KEY, path, sizeof(path), &e) == 0 &&
	    lstat_ours(path, &st, 0, &e) == 0 &&
	    fileio_read_secret(path, FILEIO_KEY_MAX, &buf, &e) == 0)
		/* PKCS#8 as provision writes it, or a legacy encrypted PEM. */
		b->encrypted = strstr((const char *)buf.data, "-----BEGIN ENCRYPTED PRIVATE KEY") !=
				       NULL ||
			       strstr((const char *)buf.data, "Proc-Type: 4,ENCRYPTED") != NULL;
	/* A wrong passphrase is wrong for the batch, not a thousand times over. */
	if (b->encrypted == 1 && o->pass != NULL) {
		pp.value = (char *)o->pass; /* borrowed, never freed here */
		pp.len = o->passlen;
		b->pass_err = (struct err)ERR_INIT;
		b->pass_failed = key_load(&k, buf.data, buf.len, path, &pp, &b->pass_err) != 0;
		key_clear(&k);
	}
	fileio_buf_clear(&buf);
}

const char *
provision_manifest_path(const struct provision_opts *o, char *buf, size_t size, struct err *e)
{
	if (o->manifest != NULL)
		return o->manifest;
	if ((size_t)snprintf(buf, size, "%s/%s", o->out_dir, MANIFEST_NAME) >= size) {
		err_set(e, AK_INPUT, "the path of '%s' is too long", o->out_dir);
		return NULL;
	}
	return buf;
}

int
provision_batch_read(const struct provision_opts *o, const char *prefix, struct provision_batch *b,
		     struct err *e)
{
	char mpath[PATH_MAX];
	const char *path;
	struct manifest *m;
	struct manifest_row row;
	struct stat st;
	int r;

	memset(b, 0, sizeof(*b));
	b->encrypted = -1;
	if (stat(o->out_dir, &st) != 0) {
		if (errno == ENOENT)
			return 0; /* a new batch */
		return err_set(e, AK_INPUT, "cannot check '%s': %s", o->out_dir, strerror(errno));
	}
	if (check_ours(o->out_dir, &st, 1, e) != 0)
		return -1;
	if ((path = provision_manifest_path(o, mpath, sizeof(mpath), e)) == NULL)
		return -1;
	if (lstat(path, &st) != 0 && errno == ENOENT)
		return 0;
	if (manifest_open(&m, path, e) != 0)
		return -1;
	/* Bad rows (a torn last one the appender will cut off) are the locked run's to report. */
	while ((r = manifest_next_row(m, &row, e)) != MANIFEST_END && r != MANIFEST_FATAL)
		if (r == MANIFEST_ROW)
			batch_note_row(b, &row, prefix);
	manifest_close(m);
	if (r != MANIFEST_END)
		return -1;
	*e = (struct err)ERR_INIT;
	if (b->devices > 0)
		batch_probe(o, b);
	return 0;
}

int
provision_batch_check(const struct provision_opts *o, const struct provision_batch *b,
		      struct err *e)
{
	char path[PATH_MAX];
	int encrypt = o->encrypt || o->pass != NULL;

	if (b->devices == 0)
		return 0;
	if (strcmp(b->algorithm, run_algorithm(o)) != 0)
		return err_set(e, AK_INPUT,
			       "the options do not match batch '%s': it holds %s devices ('%s'), "
			       "this run makes %s (see --type and --cert)",
			       o->out_dir, b->algorithm, b->first, run_algorithm(o));
	if (o->type == KEY_RSA && b->bits != 0 && b->bits != o->bits)
		return err_set(e, AK_INPUT,
			       "the options do not match batch '%s': it holds RSA %d keys ('%s'), "
			       "this run makes RSA %d (see --bits)",
			       o->out_dir, b->bits, b->first, o->bits);
	if (b->encrypted >= 0 && b->encrypted != encrypt) {
		batch_path(o, b->first, MANIFEST_PRIVATE_KEY, path, sizeof(path), e);
		return err_set(e, AK_INPUT,
			       b->encrypted ? "the options do not match batch '%s': its private "
					      "keys are encrypted ('%s'): give --encrypt"
					    : "the options do not match batch '%s': its private "
					      "keys are not encrypted ('%s'): leave out --encrypt",
			       o->out_dir, path);
	}
	if (b->token >= 0 && b->token != (o->token != NULL))
		return err_set(
			e, AK_INPUT,
			b->token ? "the options do not match batch '%s': its keys are on a "
				   "token ('%s' has no private.pem): give --token"
				 : "the options do not match batch '%s': its private keys are "
				   "files ('%s'): leave out --token",
			o->out_dir, b->first);
	if (b->pass_failed) {
		*e = b->pass_err;
		return err_prefix(e, "batch '%s'", o->out_dir);
	}
	return 0;
}

int
provision_batch_width(const struct provision_opts *o, const struct provision_batch *b,
		      const char *prefix, unsigned asked, unsigned *width, int *at_least,
		      struct err *e)
{
	*width = asked;
	*at_least = 0;
	if (b->width == 0)
		return 0; /* no id of this batch is <prefix><number>: a numbering of its own */
	/*
	 * One width W numbers a batch: W digits, zero-padded, or more digits
	 * without a leading zero.  A padded number longer than the shortest
	 * means two numberings (s-1 and s-01): which one is meant is not known.
	 */
	if (strlen(b->padded) > strlen(b->narrow))
		return err_set(e, AK_INPUT,
			       "batch '%s' numbers '%s' ids in two ways ('%s' and '%s'): not "
			       "adding to it (use --ids)",
			       o->out_dir, prefix, b->narrow, b->padded);
	if (asked != 0 && asked != b->width)
		return err_set(e, AK_INPUT,
			       "batch '%s' numbers its '%s' ids with %u digit%s ('%s'): --width %u "
			       "would give its devices a second id",
			       o->out_dir, prefix, b->width, b->width == 1 ? "" : "s", b->narrow,
			       asked);
	*width = b->width;
	*at_least = 1;
	return 0;
}

/* --- set-up ---------------------------------------------------------------------- */

/* Remove the staged directories an interrupted run left in DIR. */
static int
remove_stale(struct provisioner *c, struct err *e)
{
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if ((fd = dup(c->dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return err_set(e, AK_INPUT, "cannot read '%s': %s", c->o->out_dir, strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, FILEIO_STAGE_PREFIX, strlen(FILEIO_STAGE_PREFIX)) != 0)
			continue;
		if ((rc = fileio_dir_remove_stale(c->o->out_dir, de->d_name, e)) != 0)
			break;
		c->st->stale++;
	}
	closedir(d);
	return rc;
}

/* Index the manifest's rows: id -> fingerprint and algorithm; and what the batch is. */
static int
load_manifest(struct provisioner *c, struct idset *set, struct provision_batch *b, struct err *e)
{
	struct manifest *m;
	struct manifest_row row;
	struct idset_item *it;
	unsigned char fp[32];
	int r, added;

	if (manifest_open(&m, c->manifest_path, e) != 0)
		return -1;
	while ((r = manifest_next_row(m, &row, e)) == MANIFEST_ROW) {
		batch_note_row(b, &row, NULL);
		if ((it = idset_add(set, row.device_id, &added)) == NULL) {
			r = err_set(e, AK_INTERNAL, "out of memory");
			break;
		}
		sodium_hex2bin(fp, sizeof(fp), row.fingerprint, KEY_FINGERPRINT_HEX, NULL, NULL,
			       NULL);
		if (!added &&
		    (memcmp(it->fp, fp, sizeof(fp)) != 0 ||
		     it->flags >> ALG_SHIFT != (unsigned)key_credential_index(row.algorithm))) {
			r = err_set(
				e, AK_INPUT,
				"'%s' line %lu: device '%s' is listed twice, with different keys",
				c->manifest_path, manifest_line(m), row.device_id);
			break;
		}
		it->flags = IN_MANIFEST | (unsigned)key_credential_index(row.algorithm)
						  << ALG_SHIFT;
		memcpy(it->fp, fp, sizeof(fp));
	}
	manifest_close(m);
	return r == MANIFEST_END ? 0 : -1;
}

static int
open_batch(struct provisioner *c, struct idset *set, struct err *e)
{
	char dir[PATH_MAX], mdir[PATH_MAX], *slash, rel[PATH_MAX];
	struct provision_batch b;
	struct stat st;

	if (fileio_mkdir(c->o->out_dir, 0700, e) != 0)
		return -1;
	if ((c->dirfd = open(c->o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return err_set(e, AK_INPUT, "cannot open '%s': %s", c->o->out_dir, strerror(errno));
	/* The directory opened, not the name: it cannot be swapped after the check. */
	if (fstat(c->dirfd, &st) != 0)
		return err_set(e, AK_INPUT, "cannot check '%s': %s", c->o->out_dir,
			       strerror(errno));
	if (check_ours(c->o->out_dir, &st, 1, e) != 0)
		return -1;
	if (flock(c->dirfd, LOCK_EX | LOCK_NB) != 0)
		return err_set(e, AK_INPUT, "'%s' is in use by another akcred provision",
			       c->o->out_dir);
	if (access(c->o->out_dir, W_OK) != 0)
		return err_set(e, AK_INPUT, "cannot write in '%s': %s", c->o->out_dir,
			       strerror(errno));
	/* Locked first: then no other run can be creating the manifest we clean up after. */
	if (manifest_writer_open(&c->w, c->manifest_path, e) != 0 ||
	    fileio_batch_remove_stale(c->manifest_path, e) != 0)
		return -1;
	/* Rows name the key files relative to the manifest's directory. */
	snprintf(mdir, sizeof(mdir), "%s", c->manifest_path);
	if ((slash = strrchr(mdir, '/')) == NULL)
		snprintf(mdir, sizeof(mdir), ".");
	else
		slash[slash == mdir ? 1 : 0] = '\0'; /* "/manifest.csv" is in "/" */
	if (realpath(c->o->out_dir, dir) == NULL || realpath(mdir, rel) == NULL)
		return err_set(e, AK_INPUT, "cannot resolve '%s': %s", c->o->out_dir,
			       strerror(errno));
	if (manifest_relpath(rel, dir, mdir, sizeof(mdir), e) != 0)
		return -1;
	if (strcmp(mdir, ".") == 0)
		c->relprefix[0] = '\0';
	else if ((size_t)snprintf(c->relprefix, sizeof(c->relprefix), "%s/", mdir) >=
		 sizeof(c->relprefix))
		return err_set(e, AK_INPUT, "the path of '%s' is too long", c->o->out_dir);
	if (remove_stale(c, e) != 0)
		return -1;
	/* Checked (again) under the lock: a caller may have looked first (provision_batch_read). */
	memset(&b, 0, sizeof(b));
	if (load_manifest(c, set, &b, e) != 0)
		return -1;
	if (b.devices > 0)
		batch_probe(c->o, &b);
	return provision_batch_check(c->o, &b, e);
}

/* --- the run ------------------------------------------------------------------------ */

/* An id that gets no job: count it as done, and say why. */
static void
skip_id(struct provisioner *c, enum provision_event_kind kind, const struct job *j,
	unsigned long first_line, const struct err *e)
{
	pthread_mutex_lock(&c->mu);
	if (kind == PROVISION_EV_INVALID)
		c->st->invalid++;
	else
		c->st->duplicates++;
	c->st->done++;
	report(c, kind, kind == PROVISION_EV_INVALID ? NULL : j->id, j->line, first_line, e);
	pthread_mutex_unlock(&c->mu);
}

/* Read the ids and queue the jobs, in the calling thread. */
static void
produce(struct provisioner *c, struct idset *set)
{
	struct job j;
	struct idset_item *it;
	struct err e;
	int r, added;

	while (!workq_failed(c->q)) {
		e = (struct err)ERR_INIT;
		r = idlist_next(c->o->ids, j.id, &j.line, &e);
		if (r == IDLIST_END)
			break;
		if (r == IDLIST_FATAL) {
			workq_fail(c->q, &e);
			break;
		}
		if (r == IDLIST_BAD) {
			skip_id(c, PROVISION_EV_INVALID, &j, 0, &e);
			continue;
		}
		if ((it = idset_add(set, j.id, &added)) == NULL) {
			err_set(&e, AK_INTERNAL, "out of memory");
			workq_fail(c->q, &e);
			break;
		}
		if (it->flags & SEEN) {
			skip_id(c, PROVISION_EV_DUPLICATE, &j, it->line, NULL);
			continue;
		}
		if (it->flags & IN_MANIFEST) {
			j.kind = JOB_VERIFY;
			j.alg = (int)(it->flags >> ALG_SHIFT);
			memcpy(j.fp, it->fp, sizeof(j.fp));
		} else {
			j.kind = JOB_MAKE;
		}
		it->flags |= SEEN;
		it->line = j.line;
		if (workq_put(c->q, &j) != 0)
			break;
	}
}

int
provision_run(const struct provision_opts *o, struct provision_stats *st, struct err *e)
{
	struct provisioner c;
	struct idset set = IDSET_INIT;
	char mpath[PATH_MAX];
	unsigned cpu = o->jobs ? o->jobs : 1;
	const struct workq_conf conf = {
		.job_size = sizeof(struct job),
		.result_size = sizeof(struct result),
		.jobs_max = JOB_QUEUE,
		.results_max = RESULT_QUEUE,
		.group = WRITER_GROUP,
		.workers = cpu + IO_THREADS,
		.cpu = cpu,
		.work = work,
		.collect = collect,
		.worker_exit = worker_exit,
		.arg = &c,
	};
	int rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.st = st;
	c.dirfd = -1;
	c.w = (struct manifest_writer)MANIFEST_WRITER_INIT;
	pthread_mutex_init(&c.mu, NULL);
	st->total = idlist_total(o->ids);
	if ((c.manifest_path = provision_manifest_path(o, mpath, sizeof(mpath), e)) == NULL)
		goto out;
	/* OpenSSL's lazy start-up can deadlock its threads when it fails: do it here, alone. */
	if (key_init(e) != 0 || open_batch(&c, &set, e) != 0)
		goto out;
	/* Before any thread: it reads the umask. */
	c.stage_flags = FILEIO_DIR_DEFER |
			(fileio_modes_exact(c.dirfd, 0744) ? FILEIO_DIR_EXACT : 0);
	/* Logged in now, once: no worker may prompt for the PIN. */
	if (o->token != NULL && p11_open(o->token, e) != 0)
		goto out;
	if ((c.rows = malloc(WRITER_GROUP * (size_t)MANIFEST_ROW_MAX)) == NULL) {
		err_set(e, AK_INTERNAL, "out of memory");
		goto out;
	}
	if (workq_start(&c.q, &conf, e) != 0)
		goto out;
	produce(&c, &set);
	rc = workq_finish(c.q, e);
out:
	free(c.rows);
	manifest_writer_close(&c.w);
	if (c.dirfd >= 0)
		close(c.dirfd);
	idset_clear(&set);
	pthread_mutex_destroy(&c.mu);
	return rc;
}
