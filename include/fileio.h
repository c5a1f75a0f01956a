/*
 * fileio: every file akcred reads or writes goes through here.
 *
 * Reading: "-" is standard input (for data that is not secret); anything else
 * must be a regular file no larger than the cap given, so that a FIFO, a
 * device or a huge file cannot hang or exhaust the process (FILEIO_HEAD:
 * larger is no error, only its start is read).  Secrets are read into
 * sodium_malloc() memory.
 *
 * Writing: files are never written in place.  fileio_batch stages each file
 * in its target directory as an O_TMPFILE (no name at all, so a killed
 * process leaves nothing; where the file system has no O_TMPFILE, a hidden
 * ".<name>.akcred-XXXXXX" created O_EXCL), mode set before any byte is
 * written, contents fsynced, and flocked for as long as the batch lives.
 * Commit first checks every target and touches nothing unless all pass:
 * no file named twice (same directory and name, or the same existing file by
 * device and inode), nothing existing unless force, and with force only
 * regular files are replaced (never a directory, symlink, FIFO, device or
 * socket).  Then it publishes the whole batch or nothing:
 *
 * Without force each file is linked to its target (linkat, never
 * replacing: an atomic "create, never overwrite"); on a failure the ones
 * already linked are unlinked again.
 *
 * With force, before any target changes: 1. each existing target gets a
 * backup hard link ".<name>.akcred-old-XXXXXX" (opened and flocked, so that
 * no other run takes it for a leftover) and each new file a hidden name
 * ".<name>.akcred-XXXXXX"; 2. the directories are fsynced; 3. each target is
 * replaced by rename(2) (a target that did not exist is linked); 4. the
 * directories are fsynced; 5. backups are removed.  A failure in 1-4
 * renames every backup back over its target and removes every new file: all
 * the old files are there again, byte for byte.
 *
 * What a crash leaves, and how the next batch for the same target cleans up
 * (fileio_batch_add calls fileio_batch_remove_stale; it removes a hidden
 * name only if it is a regular file of ours, flockable -- no live process
 * holds it -- and provably redundant):
 *   staging:           nothing (a named temp in the fallback: removed, as
 *                      unpublished data with one link);
 *   commit, no force:  the files linked so far are there, the rest are not;
 *                      nothing old is lost, the next run refuses them as
 *                      existing;
 *   force, 1-2:        the old targets; backups (the targets under a second
 *                      name: removed) and hidden new files (removed);
 *   force, 3-5:        some or all targets new (hidden new files of the rest:
 *                      removed); the old file of each replaced target is
 *                      still in its backup, which is never removed
 *                      automatically: one target alone does not tell a
 *                      crash in 3 (the pair is split) from one in 5 (done),
 *                      and the backup may be the only copy of a key that
 *                      akenza knows.  "mv .<name>.akcred-old-XXXXXX <name>"
 *                      puts it back (akcred-keygen(1) says so).
 * The directories are fsynced before success is reported.
 */
#ifndef AKCRED_FILEIO_H
#define AKCRED_FILEIO_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define FILEIO_KEY_MAX (1024 * 1024) /* keys and certificates: far more than any real one */

struct fileio_buf {
	unsigned char *data; /* NUL-terminated (not counted in len) */
	size_t len;
	int secret; /* data is sodium_malloc()ed */
	size_t cap; /* bytes allocated at data (FILEIO_REUSE) */
};
/* clang-format off */
#define FILEIO_BUF_INIT {NULL, 0, 0, 0}
/* clang-format on */

#define FILEIO_SECRET 0x1 /* into sodium memory */
#define FILEIO_STDIN 0x2  /* "-" is standard input */
#define FILEIO_FIFO 0x4   /* a named pipe is accepted too (passphrases through <(...)) */
#define FILEIO_HEAD 0x8   /* more than max is no error: b holds the first max + 1 bytes */
/*
 * b (FILEIO_BUF_INIT, or filled by an earlier read with the same flags) is
 * read into again, its memory kept while large enough: a batch that reads a
 * key per item allocates sodium memory once per thread, not once per key
 * (each allocation maps, locks and protects pages; each free flushes every
 * core's TLB).  Its old content is wiped first.
 */
#define FILEIO_REUSE 0x10

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
/* Wipe b's content and keep its memory for FILEIO_REUSE (len 0); fileio_buf_clear frees it. */
void fileio_buf_wipe(struct fileio_buf *b);
/*
 * Room for at least n bytes at b->data (secret: sodium memory), len 0: b's
 * own memory, wiped, when it is of that kind and large enough (as
 * FILEIO_REUSE keeps it), else a new buffer.  For writers that fill one
 * buffer per item of a batch (key_private_pem_buf).  -1: out of memory.
 */
int fileio_buf_reserve(struct fileio_buf *b, size_t n, int secret);

#define FILEIO_BATCH_MAX 8
#define FILEIO_HIDDEN_TAG ".akcred-" /* hidden names: ".<name>.akcred-[old-]XXXXXX" */
#define FILEIO_BACKUP_TAG "old-"

struct fileio_batch {
	struct {
		char *path;             /* target */
		int dirfd;              /* its directory */
		int fd;                 /* the staged file, open and flocked until clear */
		int oldfd;              /* force: the old target, flocked while its backup exists */
		int published;          /* at the target, so it can be undone */
		char tmp[NAME_MAX + 1]; /* hidden name of the staged file, "" if none */
		char backup[NAME_MAX + 1]; /* hidden link to the old target, "" if none */
	} f[FILEIO_BATCH_MAX];
	int n;
};
/* clang-format off */
#define FILEIO_BATCH_INIT {.n = 0}
/* clang-format on */

/*
 * Fail early (AK_INPUT) if the n paths break the rules commit applies (see
 * above), so that a command can refuse before it does expensive work.
 */
int fileio_check_targets(const char *const paths[], int n, int force, struct err *e);
/* Stage data for path with the given mode (and remove the leftovers of path, see above). */
int fileio_batch_add(struct fileio_batch *b, const char *path, const void *data, size_t len,
		     mode_t mode, struct err *e);
/*
 * The file last staged replaces the one open as fd, which the caller holds
 * flocked: commit takes the old target's lock through it (where it would
 * otherwise find the lock taken, even by the caller) and refuses if the
 * target is no longer that file.  So the caller never lets go of its lock
 * between reading the old file and replacing it.
 */
int fileio_batch_hold(struct fileio_batch *b, int fd, struct err *e);
/* Publish every staged file, or none; see above. */
int fileio_batch_commit(struct fileio_batch *b, int force, struct err *e);
/* Remove what is still staged and free the batch; safe after commit. */
void fileio_batch_clear(struct fileio_batch *b);
/*
 * Remove what crashed batches for path left next to it (".<name>.akcred-"
 * and six characters, or a backup ".<name>.akcred-old-" and six), under the
 * proof rules above.  Fails only if the directory cannot be read.
 */
int fileio_batch_remove_stale(const char *path, struct err *e);

/* fsync the directory that contains path (or path itself if it is a directory). */
int fileio_fsync_dir(const char *path, int is_dir, struct err *e);

/*
 * Move from to to in one step (rename(2): to is replaced, readers see the
 * old file or the new one), then fsync the directory, so that the move is
 * durable when this returns.  Both in one directory (rotate's "<key>.next").
 */
int fileio_rename(const char *from, const char *to, struct err *e);
/* Remove path (no error if it is missing) and fsync its directory. */
int fileio_remove(const char *path, struct err *e);

/*
 * Write all len bytes to fd (a file, standard output), again after a short
 * write or EINTR; the one write loop.  0, or -1 with errno set.
 */
int fileio_write_all(int fd, const void *data, size_t len);

/*
 * Streaming reads (id lists, manifests): an open descriptor on path ("-":
 * standard input), refused unless it is a regular file, a pipe or the
 * terminal's stdin.  The caller reads and closes it.
 */
int fileio_open_read(const char *path, struct err *e);

/*
 * Append-only files (journals, journal.h).  Appends are whole: one
 * write(2) of the complete data, then fsync; a short or failed write is cut
 * back to the previous end of file, so a reader never sees half an append
 * that was reported as failed.  A crash in the middle of the write can still
 * leave a torn tail, which journal_open() cuts off with fileio_truncate (it
 * was never acknowledged).
 */
/* Open an existing regular file for appending (O_RDWR|O_APPEND, no symlinks); returns the fd. */
int fileio_append_open(const char *path, struct err *e);
int fileio_append(int fd, const char *name, const void *data, size_t len, struct err *e);
/* Cut the file to len bytes and fsync. */
int fileio_truncate(int fd, const char *name, off_t len, struct err *e);

/*
 * Staged directories (provision): a directory of new files is built under a
 * hidden name in its parent -- FILEIO_STAGE_PREFIX, the final name, '.', six
 * random characters; mode 0700 from the start -- each file created O_EXCL
 * with its mode set before any byte is written and fsynced, the directory
 * fsynced, and then the whole directory appears at its final name in one
 * step: renameat2(RENAME_NOREPLACE), so that nothing existing, not even an
 * empty directory, is ever replaced.  The parent is not fsynced by commit:
 * the caller does that once for many directories (fileio_fsync_dir) before
 * it relies on them.  Before commit, fileio_dir_clear() removes the staged
 * directory; a crash leaves it behind, and fileio_dir_remove_stale() removes
 * it on the next run.
 *
 * Group commit (many directories made durable together): staged with
 * FILEIO_DIR_DEFER, fileio_dir_add writes each file without waiting for the
 * disk, and fileio_dir_seal closes the directory under its hidden name
 * instead of committing it.  (Starting each file's write-back early with
 * sync_file_range costs more than it saves: one small write per file, where
 * the group's sync merges neighbouring files into larger ones -- measured
 * with tests/bench/provision.sh, about twice the system time.)  The caller then
 * makes a whole group durable with one fileio_sync_fs, publishes each staged
 * directory with fileio_dir_publish (the same rename as commit), and fsyncs
 * the parent once.  Until fileio_sync_fs returns, a sealed directory may be
 * incomplete on disk: it must not be published before.
 */
#define FILEIO_STAGE_PREFIX ".akcred-"
#define FILEIO_DIR_FILES 4
#define FILEIO_DIR_DEFER 0x1 /* fileio_dir_stage_ex: no fsync, for a group commit */
#define FILEIO_DIR_EXACT 0x2 /* fileio_dir_stage_ex: modes are exact at creation, no fchmod */

struct fileio_dir {
	char *path; /* final name */
	char *tmp;  /* staged name, NULL once published or removed */
	int fd;     /* the staged directory, open until commit */
	int n;      /* files created in it */
	unsigned flags;
	char *names[FILEIO_DIR_FILES];
};
/* clang-format off */
#define FILEIO_DIR_INIT {NULL, NULL, -1, 0, 0, {NULL}}
/* clang-format on */

int fileio_dir_stage(struct fileio_dir *d, const char *path, struct err *e);
/* fileio_dir_stage with flags (FILEIO_DIR_DEFER, FILEIO_DIR_EXACT). */
int fileio_dir_stage_ex(struct fileio_dir *d, const char *path, unsigned flags, struct err *e);
/* Create name (no '/') in the staged directory with mode, write data, fsync (deferred: start
 * write-back). */
int fileio_dir_add(struct fileio_dir *d, const char *name, const void *data, size_t len,
		   mode_t mode, struct err *e);
/*
 * Whether files and directories created in dirfd (or in a directory created
 * in it) get every bit of modes that they are created with: no bit of modes
 * in the umask, and dirfd supports POSIX ACLs but has no default one.  Then FILEIO_DIR_EXACT saves
 * an fchmod per file (about 4% of provision's system time).  Reads the umask by setting it: call it
 * before other threads start.
 */
int fileio_modes_exact(int dirfd, mode_t modes);
/* fsync the staged directory and rename it to its final name (AK_INPUT "exists" if taken). */
int fileio_dir_commit(struct fileio_dir *d, struct err *e);
/*
 * Deferred: close the staged directory and leave it under its hidden name,
 * copied to staged (its base name, at most NAME_MAX); free d.  From then on
 * the caller owns it: fileio_dir_publish, or fileio_dir_remove_stale.
 */
int fileio_dir_seal(struct fileio_dir *d, char *staged, size_t size, struct err *e);
/*
 * Make everything written on the file system that holds fd durable (syncfs):
 * the files and directories of a whole group at once.  name is for messages.
 */
int fileio_sync_fs(int fd, const char *name, struct err *e);
/*
 * Rename the sealed directory staged in parent (open as dirfd) to name, never
 * replacing anything (AK_INPUT "exists" if taken).  Only after fileio_sync_fs.
 */
int fileio_dir_publish(int dirfd, const char *parent, const char *staged, const char *name,
		       struct err *e);
/* Remove the staged directory if still there; free d. */
void fileio_dir_clear(struct fileio_dir *d);
/*
 * Remove parent/name, a staged directory a crash left behind: only if name
 * starts with FILEIO_STAGE_PREFIX and is a directory (not a symlink) that
 * holds nothing but regular files.
 */
int fileio_dir_remove_stale(const char *parent, const char *name, struct err *e);
/* Create directory path with mode (0 if it already exists as a directory), fsync its parent. */
int fileio_mkdir(const char *path, mode_t mode, struct err *e);

#endif
