/*
 * fileio: every file akcred reads or writes goes through here.
 *
 * Reading: "-" is standard input (for data that is not secret); anything else
 * must be a regular file no larger than the cap given, so that a FIFO, a
 * device or a huge file cannot hang or exhaust the process.  Secrets are read
 * into sodium_malloc() memory.
 *
 * Writing: files are never written in place.  fileio_batch stages each file
 * as a temporary file in its target directory (created O_EXCL, mode set before
 * any byte is written, contents fsynced), then publishes the whole batch:
 * link(2) when the target must not exist -- an atomic "create, never
 * overwrite" -- or rename(2) when replacing was asked for (--force).  The
 * directories are fsynced before success is reported.  On any failure every
 * staged file, and every file this batch already published by link, is
 * removed again: nothing half-written is ever left at a target name.
 */
#ifndef AKCRED_FILEIO_H
#define AKCRED_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define FILEIO_KEY_MAX (1024 * 1024) /* keys and certificates: far more than any real one */

struct fileio_buf {
	unsigned char *data; /* NUL-terminated (not counted in len) */
	size_t len;
	int secret; /* data is sodium_malloc()ed */
};
#define FILEIO_BUF_INIT {NULL, 0, 0}

#define FILEIO_SECRET 0x1  /* into sodium memory */
#define FILEIO_STDIN 0x2   /* "-" is standard input */
#define FILEIO_FIFO 0x4    /* a named pipe is accepted too (passphrases through <(...)) */

/* Read all of path into b as flags say.  Fails with AK_INPUT. */
int fileio_read_ex(const char *path, size_t max, unsigned flags, struct fileio_buf *b,
		   struct err *e);
/* Public data: fileio_read_ex(FILEIO_STDIN). */
int fileio_read(const char *path, size_t max, struct fileio_buf *b, struct err *e);
/* Secrets such as passphrases and API keys: fileio_read_ex(FILEIO_SECRET | FILEIO_FIFO). */
int fileio_read_secret(const char *path, size_t max, struct fileio_buf *b, struct err *e);
/* Read an already open descriptor (not closed). */
int fileio_read_fd(int fd, const char *name, size_t max, int secret, struct fileio_buf *b,
		   struct err *e);
void fileio_buf_clear(struct fileio_buf *b);

#define FILEIO_BATCH_MAX 8

struct fileio_batch {
	struct {
		char *path;	/* target */
		char *tmp;	/* staged file, NULL once published */
		int published;	/* by link, so it can be undone */
	} f[FILEIO_BATCH_MAX];
	int n;
};
#define FILEIO_BATCH_INIT {{{NULL, NULL, 0}}, 0}

/* Fail early (AK_INPUT) if path exists and force is not set. */
int fileio_check_absent(const char *path, int force, struct err *e);
/* Stage data for path with the given mode. */
int fileio_batch_add(struct fileio_batch *b, const char *path, const void *data, size_t len,
		     mode_t mode, struct err *e);
/* Publish every staged file; see above. */
int fileio_batch_commit(struct fileio_batch *b, int force, struct err *e);
/* Remove what is still staged and free the batch; safe after commit. */
void fileio_batch_clear(struct fileio_batch *b);

/* fsync the directory that contains path (or path itself if it is a directory). */
int fileio_fsync_dir(const char *path, int is_dir, struct err *e);

#endif
