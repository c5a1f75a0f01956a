/* fileio: bounded reads and crash-safe, never-clobbering writes (see fileio.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "banned.h"

static void *
buf_alloc(size_t n, int secret)
{
	return secret ? sodium_malloc(n) : malloc(n);
}

static void
buf_free(void *p, size_t n, int secret)
{
	if (p == NULL)
		return;
	if (secret) {
		sodium_free(p);
	} else {
		(void)n;
		free(p);
	}
}

void
fileio_buf_clear(struct fileio_buf *b)
{
	buf_free(b->data, b->len, b->secret);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
fileio_buf_wipe(struct fileio_buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->cap > b->len ? b->cap : b->len + 1);
	b->len = 0;
}

#define REUSE_MIN 4096 /* a reused buffer: a key's worth at least, so one serves a batch */

/* A buffer of at least *n bytes (*n set to its size): reuse's own, wiped and taken, or a new one.
 */
static unsigned char *
buf_get(size_t *n, int secret, struct fileio_buf *reuse)
{
	unsigned char *p;

	if (reuse->data == NULL || reuse->secret != secret || reuse->cap < *n) {
		fileio_buf_clear(reuse);
		return buf_alloc(*n, secret);
	}
	fileio_buf_wipe(reuse);
	p = reuse->data;
	*n = reuse->cap;
	reuse->data = NULL;
	reuse->cap = 0;
	return p;
}

int
fileio_buf_reserve(struct fileio_buf *b, size_t n, int secret)
{
	unsigned char *p;

	if (n < REUSE_MIN)
		n = REUSE_MIN;
	if ((p = buf_get(&n, secret, b)) == NULL)
		return -1;
	b->data = p;
	b->len = 0;
	b->secret = secret;
	b->cap = n;
	return 0;
}

static int
read_fd(int fd, const char *name, size_t max, unsigned flags, struct fileio_buf *b, struct err *e)
{
	int secret = (flags & FILEIO_SECRET) != 0, head = (flags & FILEIO_HEAD) != 0;
	unsigned char *p = NULL, *np;
	size_t len = 0, cap = 0, ncap, alloc;
	ssize_t r;
	struct stat st;

	/* Size known up front for regular files: one allocation, no copies. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
		cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
	if (cap == 0)
		cap = 4096;
	alloc = cap + 1;
	if (flags & FILEIO_REUSE) {
		if (alloc < REUSE_MIN)
			alloc = REUSE_MIN;
		p = buf_get(&alloc, secret, b);
	} else {
		p = buf_alloc(alloc, secret);
	}
	if (p == NULL)
		return err_set(e, AK_INTERNAL, "'%s': out of memory", name);
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if ((np = buf_alloc(ncap + 1, secret)) == NULL) {
				buf_free(p, cap + 1, secret);
				return err_set(e, AK_INTERNAL, "'%s': out of memory", name);
			}
			memcpy(np, p, len);
			if (secret)
				sodium_memzero(p, alloc);
			buf_free(p, alloc, secret);
			p = np;
			cap = ncap;
			alloc = ncap + 1;
		}
		r = read(fd, p + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			buf_free(p, alloc, secret);
			return err_set(e, AK_INPUT, "cannot read '%s': %s", name, strerror(saved));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max && !head) {
		buf_free(p, alloc, secret);
		return err_set(e, AK_INPUT, "'%s' is too large (more than %zu bytes)", name, max);
	}
	p[len] = '\0';
	b->data = p;
	b->len = len;
	b->secret = secret;
	b->cap = alloc;
	return 0;
}

int
fileio_read_fd(int fd, const char *name, size_t max, int secret, struct fileio_buf *b,
	       struct err *e)
{
	return read_fd(fd, name, max, secret ? FILEIO_SECRET : 0, b, e);
}

int
fileio_read_ex(const char *path, size_t max, unsigned flags, struct fileio_buf *b, struct err *e)
{
	int head = (flags & FILEIO_HEAD) != 0;
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0 && (flags & FILEIO_STDIN))
		return read_fd(STDIN_FILENO, "(stdin)", max, flags, b, e);
	/* O_NONBLOCK: opening a FIFO must not block before we can refuse it. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return err_set(e, AK_INPUT, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = err_set(e, AK_INPUT, "cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) && !((flags & FILEIO_FIFO) && S_ISFIFO(st.st_mode))) {
		close(fd);
		return err_set(e, AK_INPUT, "'%s' is not a regular file", path);
	}
	/* A regular file ignores O_NONBLOCK: two system calls fewer for each key a rerun reads. */
	if (!S_ISREG(st.st_mode) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		rc = err_set(e, AK_INPUT, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if ((size_t)st.st_size > max && !head) {
		close(fd);
		return err_set(e, AK_INPUT, "'%s' is too large (more than %zu bytes)", path, max);
	}
	rc = read_fd(fd, path, max, flags, b, e);
	close(fd);
	return rc;
}

int
fileio_read(const char *path, size_t max, struct fileio_buf *b, struct err *e)
{
	return fileio_read_ex(path, max, FILEIO_STDIN, b, e);
}

int
fileio_read_secret(const char *path, size_t max, struct fileio_buf *b, struct err *e)
{
	return fileio_read_ex(path, max, FILEIO_SECRET | FILEIO_FIFO, b, e);
}

/* Directory part of path, "." if none; caller frees. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	if ((d = malloc((size_t)(slash - path) + 1)) == NULL)
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int
fileio_fsync_dir(const char *path, int is_dir, struct err *e)
{
	char *dir = is_dir ? strdup(path) : dir_of(path);
	int fd, rc = 0;

	if (dir == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = err_set(e, AK_INPUT, "cannot open directory '%s': %s", dir, strerror(errno));
	} else {
		if (fsync(fd) != 0 && errno != EINVAL)
			rc = err_set(e, AK_INPUT, "cannot sync directory '%s': %s", dir,
				     strerror(errno));
		close(fd);
	}
	free(dir);
	return rc;
}

int
fileio_rename(const char *from, const char *to, struct err *e)
{
	if (rename(from, to) != 0)
		return err_set(e, AK_INPUT, "cannot rename '%s' to '%s': %s", from, to,
			       strerror(errno));
	return fileio_fsync_dir(to, 0, e);
}

int
fileio_remove(const char *path, struct err *e)
{
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, AK_INPUT, "cannot remove '%s': %s", path, strerror(errno));
	}
	return fileio_fsync_dir(path, 0, e);
}

int
fileio_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		/* Nothing written for a non-empty write: no progress to wait for. */
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* What a target is, for messages: "a directory", "a named pipe", ... */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISFIFO(m))
		return "a named pipe";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Last component of path ("" if it ends in '/'). */
static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * The target rules, in one place for fileio_check_targets and commit: no
 * file named twice (the same directory and name, or the same existing file by
 * device and inode: "k.pem" and "./k.pem", a symlinked directory, a hard
 * link), nothing that exists unless force, and with force only regular files
 * (never a directory, symlink, FIFO, device or socket).  exists[i] says
 * whether path i is there now.  Nothing is touched.
 */
static int
check_targets(int n, const char *const paths[], const int dirfds[], int force, int exists[],
	      struct stat st[], struct err *e)
{
	struct stat dst[FILEIO_BATCH_MAX];
	const char *base;
	int i, j;

	for (i = 0; i < n; i++) {
		base = base_of(paths[i]);
		if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
			return err_set(e, AK_INPUT, "not writing '%s': it is a directory",
				       paths[i]);
		if (fstat(dirfds[i], &dst[i]) != 0)
			return err_set(e, AK_INPUT, "cannot check '%s': %s", paths[i],
				       strerror(errno));
		exists[i] = fstatat(dirfds[i], base, &st[i], AT_SYMLINK_NOFOLLOW) == 0;
		if (!exists[i] && errno != ENOENT)
			return err_set(e, AK_INPUT, "cannot check '%s': %s", paths[i],
				       strerror(errno));
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if ((dst[i].st_dev == dst[j].st_dev && dst[i].st_ino == dst[j].st_ino &&
			     strcmp(base_of(paths[i]), base_of(paths[j])) == 0) ||
			    (exists[i] && exists[j] && st[i].st_dev == st[j].st_dev &&
			     st[i].st_ino == st[j].st_ino))
				return err_set(e, AK_INPUT,
					       "'%s' and '%s' are the same file: "
					       "each output needs a file of its own",
					       paths[j], paths[i]);
		}
	}
	for (i = 0; i < n; i++) {
		if (!exists[i])
			continue;
		if (!force)
			return err_set(e, AK_INPUT,
				       "'%s' exists: not overwriting it (use --force to replace)",
				       paths[i]);
		if (!S_ISREG(st[i].st_mode))
			return err_set(e, AK_INPUT,
				       "not replacing '%s': it is %s "
				       "(only regular files are replaced)",
				       paths[i], file_kind(st[i].st_mode));
	}
	return 0;
}

/* Open the directory that will hold path. */
static int
open_dir_of(const char *path, struct err *e)
{
	char *dir = dir_of(path);
	int fd, saved;

	if (dir == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	free(dir);
	if (fd < 0)
		return err_set(e, AK_INPUT, "cannot create a file next to '%s': %s", path,
			       strerror(saved));
	return fd;
}

int
fileio_check_targets(const char *const paths[], int n, int force, struct err *e)
{
	int dirfds[FILEIO_BATCH_MAX], exists[FILEIO_BATCH_MAX], i, m = 0, rc = -1;
	struct stat st[FILEIO_BATCH_MAX];

	if (n > FILEIO_BATCH_MAX)
		return err_set(e, AK_INTERNAL, "internal error: too many files in one batch");
	for (m = 0; m < n; m++)
		if ((dirfds[m] = open_dir_of(paths[m], e)) < 0)
			goto out;
	rc = check_targets(n, paths, dirfds, force, exists, st, e);
out:
	for (i = 0; i < m; i++)
		close(dirfds[i]);
	return rc;
}

/* A fresh hidden name for base in buf: ".<base>.akcred-<kind>XXXXXX". */
static void
hidden_name(char *buf, size_t n, const char *base, const char *kind)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char rnd[7];
	int i;

	for (i = 0; i < 6; i++)
		rnd[i] = set[randombytes_uniform(sizeof(set) - 1)];
	rnd[6] = '\0';
	snprintf(buf, n, ".%s" FILEIO_HIDDEN_TAG "%s%s", base, kind, rnd);
}

/*
 * Give the open file fd the name dirfd/name (never replacing): linkat with
 * AT_EMPTY_PATH where we may (CAP_DAC_READ_SEARCH), else through /proc.
 */
static int
link_fd(int fd, int dirfd, const char *name)
{
	char proc[64];

	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
}

/* Can link_fd give fd a name?  (No /proc, not privileged: use a named temp instead.) */
static int
linkable(int fd)
{
	char proc[64];
	struct stat a, b;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return fstat(fd, &a) == 0 && stat(proc, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int
fileio_batch_add(struct fileio_batch *b, const char *path, const void *data, size_t len,
		 mode_t mode, struct err *e)
{
	const char *base = base_of(path);
	int dirfd, fd = -1, tries, saved;
	char *p;

	if (b->n == FILEIO_BATCH_MAX)
		return err_set(e, AK_INTERNAL, "internal error: too many files in one batch");
	if (strlen(base) + sizeof(FILEIO_HIDDEN_TAG) + 16 > sizeof(b->f[0].tmp))
		return err_set(e, AK_INPUT, "cannot create a file next to '%s': %s", path,
			       strerror(ENAMETOOLONG));
	if ((p = strdup(path)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if ((dirfd = open_dir_of(path, e)) < 0) {
		free(p);
		return -1;
	}
	/* Leftovers of a batch for the same target that was killed: see fileio.h. */
	(void)fileio_batch_remove_stale(path, NULL);
	b->f[b->n].tmp[0] = '\0';
	b->f[b->n].backup[0] = '\0';
	/*
	 * O_TMPFILE: the staged file has no name until commit links it, so a
	 * process killed before then leaves nothing behind.  Mode 0600 from the
	 * start, so a private key is never readable by others.
	 */
	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0 && !linkable(fd)) {
		close(fd);
		fd = -1;
		errno = EOPNOTSUPP;
	}
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* Not here: a hidden named temp, which a later batch can prove stale. */
		for (tries = 0; fd < 0 && tries < 100; tries++) {
			hidden_name(b->f[b->n].tmp, sizeof(b->f[0].tmp), base, "");
			fd = openat(dirfd, b->f[b->n].tmp,
				    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0 && errno != EEXIST)
				break;
		}
		if (fd < 0)
			b->f[b->n].tmp[0] = '\0';
	}
	if (fd < 0) {
		saved = errno;
		close(dirfd);
		free(p);
		return err_set(e, AK_INPUT, "cannot create a file next to '%s': %s", path,
			       strerror(saved));
	}
	/*
	 * Held until clear: proves to other runs that this staged file is not a
	 * leftover.  (Without locks on the file system, no file is ever proved.)
	 */
	(void)flock(fd, LOCK_EX | LOCK_NB);
	/* Exact, whatever the umask took from the 0600 above. */
	if (fchmod(fd, mode) != 0 || fileio_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		if (b->f[b->n].tmp[0] != '\0')
			unlinkat(dirfd, b->f[b->n].tmp, 0);
		close(fd);
		close(dirfd);
		free(p);
		return err_set(e, AK_INPUT, "cannot write '%s': %s", path, strerror(saved));
	}
	b->f[b->n].path = p;
	b->f[b->n].dirfd = dirfd;
	b->f[b->n].fd = fd;
	b->f[b->n].oldfd = -1;
	b->f[b->n].published = 0;
	b->n++;
	return 0;
}

int
fileio_batch_hold(struct fileio_batch *b, int fd, struct err *e)
{
	if (b->n == 0 || b->f[b->n - 1].oldfd >= 0)
		return err_set(e, AK_INTERNAL, "internal error: nothing staged to hold");
	/* A duplicate shares fd's open file, and so its flock: taking it again succeeds. */
	if ((b->f[b->n - 1].oldfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return err_set(e, AK_INTERNAL, "cannot duplicate a descriptor: %s",
			       strerror(errno));
	return 0;
}

/* fsync each distinct directory of the batch once. */
static int
batch_sync_dirs(struct fileio_batch *b, struct err *e)
{
	struct stat a, c;
	int i, j;

	for (i = 0; i < b->n; i++) {
		if (fstat(b->f[i].dirfd, &a) != 0)
			goto fail;
		for (j = 0; j < i; j++)
			if (fstat(b->f[j].dirfd, &c) == 0 && a.st_dev == c.st_dev &&
			    a.st_ino == c.st_ino)
				break;
		if (j == i && fsync(b->f[i].dirfd) != 0 && errno != EINVAL)
			goto fail;
	}
	return 0;
fail:
	return err_set(e, AK_INPUT, "cannot sync the directory of '%s': %s", b->f[i].path,
		       strerror(errno));
}

/* Give the staged file i a hidden name, if it has none (O_TMPFILE). */
static int
batch_name(struct fileio_batch *b, int i)
{
	int tries;

	if (b->f[i].tmp[0] != '\0')
		return 0;
	for (tries = 0; tries < 100; tries++) {
		hidden_name(b->f[i].tmp, sizeof(b->f[i].tmp), base_of(b->f[i].path), "");
		if (link_fd(b->f[i].fd, b->f[i].dirfd, b->f[i].tmp) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	b->f[i].tmp[0] = '\0';
	return -1;
}

/*
 * Keep the old target i reachable under a hidden backup name: a hard link,
 * made while the target is open and flocked (so that no other run takes the
 * backup for a leftover) and checked to be that very file.
 */
static int
batch_backup(struct fileio_batch *b, int i, const struct stat *was, struct err *e)
{
	const char *base = base_of(b->f[i].path);
	struct stat st;
	int tries;

	/* Held by the caller (fileio_batch_hold): its own open file, its own lock. */
	if (b->f[i].oldfd < 0)
		b->f[i].oldfd = openat(b->f[i].dirfd, base,
				       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (b->f[i].oldfd < 0 || fstat(b->f[i].oldfd, &st) != 0)
		return err_set(e, AK_INPUT, "cannot open '%s': %s", b->f[i].path, strerror(errno));
	if (st.st_dev != was->st_dev || st.st_ino != was->st_ino)
		return err_set(e, AK_INPUT, "not replacing '%s': it changed while akcred ran",
			       b->f[i].path);
	/* A file system without locks only loses the protection against other runs. */
	if (flock(b->f[i].oldfd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		return err_set(e, AK_INPUT, "not replacing '%s': another process holds it",
			       b->f[i].path);
	for (tries = 0; tries < 100; tries++) {
		hidden_name(b->f[i].backup, sizeof(b->f[i].backup), base, FILEIO_BACKUP_TAG);
		if (linkat(b->f[i].dirfd, base, b->f[i].dirfd, b->f[i].backup, 0) == 0)
			break;
		if (errno != EEXIST) {
			b->f[i].backup[0] = '\0';
			return err_set(e, AK_INPUT, "cannot keep a backup of '%s': %s",
				       b->f[i].path, strerror(errno));
		}
	}
	/* Linked by name: make sure the name still was the file we opened. */
	if (tries == 100 || fstatat(b->f[i].dirfd, b->f[i].backup, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_dev != was->st_dev || st.st_ino != was->st_ino) {
		if (tries < 100)
			unlinkat(b->f[i].dirfd, b->f[i].backup, 0);
		b->f[i].backup[0] = '\0';
		return err_set(e, AK_INPUT, "not replacing '%s': it changed while akcred ran",
			       b->f[i].path);
	}
	return 0;
}

/*
 * Undo a commit that failed: every target back as it was -- the old file
 * renamed back from its backup, a new one unlinked -- and every hidden name
 * removed, except the backup of a target that could not be restored, which
 * is left for the user (and named in the message).
 */
/* Is dirfd/base (not followed) the very file staged as entry i? */
static int
is_staged_file(const struct fileio_batch *b, int i, const char *base)
{
	struct stat at, st;

	return fstatat(b->f[i].dirfd, base, &at, AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstat(b->f[i].fd, &st) == 0 && at.st_dev == st.st_dev && at.st_ino == st.st_ino;
}

static void
batch_undo(struct fileio_batch *b, struct err *e)
{
	const char *base;
	size_t n;
	int i;

	for (i = b->n - 1; i >= 0; i--) {
		base = base_of(b->f[i].path);
		if (b->f[i].published && b->f[i].backup[0] != '\0') {
			if (renameat(b->f[i].dirfd, b->f[i].backup, b->f[i].dirfd, base) != 0) {
				/* After the reason of the failure: what the user must do now. */
				if (e != NULL && (n = strlen(e->msg)) < sizeof(e->msg))
					snprintf(e->msg + n, sizeof(e->msg) - n,
						 "; and cannot put back '%s' (%s): the old file is "
						 "kept as '%s'",
						 b->f[i].path, strerror(errno), b->f[i].backup);
				continue;
			}
			b->f[i].backup[0] = '\0';
		} else if (b->f[i].published && is_staged_file(b, i, base)) {
			/* Only the file this batch linked there: never one put in its place since.
			 */
			unlinkat(b->f[i].dirfd, base, 0);
		}
		b->f[i].published = 0;
		if (b->f[i].backup[0] != '\0') {
			unlinkat(b->f[i].dirfd, b->f[i].backup, 0);
			b->f[i].backup[0] = '\0';
		}
	}
	(void)batch_sync_dirs(b, NULL);
}

/* Publish staged file i at its target (never replacing unless backed up). */
static int
batch_publish(struct fileio_batch *b, int i)
{
	const char *base = base_of(b->f[i].path);

	if (b->f[i].backup[0] != '\0') {
		/* rename(2): readers see the old file or the new one, never neither. */
		if (renameat(b->f[i].dirfd, b->f[i].tmp, b->f[i].dirfd, base) != 0)
			return -1;
		b->f[i].tmp[0] = '\0';
	} else if (b->f[i].tmp[0] != '\0') {
		/* link(2) refuses an existing target, symlinks included: no race. */
		if (linkat(b->f[i].dirfd, b->f[i].tmp, b->f[i].dirfd, base, 0) != 0)
			return -1;
	} else if (link_fd(b->f[i].fd, b->f[i].dirfd, base) != 0) {
		return -1;
	}
	b->f[i].published = 1;
	return 0;
}

int
fileio_batch_commit(struct fileio_batch *b, int force, struct err *e)
{
	int exists[FILEIO_BATCH_MAX], dirfds[FILEIO_BATCH_MAX], i;
	const char *paths[FILEIO_BATCH_MAX];
	struct stat st[FILEIO_BATCH_MAX], now, mine;

	for (i = 0; i < b->n; i++) {
		paths[i] = b->f[i].path;
		dirfds[i] = b->f[i].dirfd;
	}
	/* Every rule checked before anything is touched. */
	if (check_targets(b->n, paths, dirfds, force, exists, st, e) != 0)
		return -1;
	/*
	 * Replacing: first every old target gets a backup link and every new
	 * file a hidden name, all made durable; only then are the targets
	 * renamed over, so a failure at any point can put every old file back.
	 */
	for (i = 0; i < b->n; i++) {
		if (!exists[i])
			continue;
		if (batch_backup(b, i, &st[i], e) != 0)
			goto fail;
		if (batch_name(b, i) != 0) {
			err_set(e, AK_INPUT, "cannot create a file next to '%s': %s", b->f[i].path,
				strerror(errno));
			goto fail;
		}
	}
	if (force && batch_sync_dirs(b, e) != 0)
		goto fail;
	for (i = 0; i < b->n; i++) {
		if (batch_publish(b, i) != 0) {
			if (errno == EEXIST)
				err_set(e, AK_INPUT,
					"'%s' exists: not overwriting it (use --force to replace)",
					b->f[i].path);
			else
				err_set(e, AK_INPUT, "cannot create '%s': %s", b->f[i].path,
					strerror(errno));
			goto fail;
		}
	}
	/* Each target is now the file staged for it (a case-insensitive name can collide). */
	for (i = 0; i < b->n; i++) {
		if (fstatat(b->f[i].dirfd, base_of(b->f[i].path), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
		    fstat(b->f[i].fd, &mine) != 0 || now.st_dev != mine.st_dev ||
		    now.st_ino != mine.st_ino) {
			err_set(e, AK_INPUT,
				"cannot create '%s': another file of the batch took its place",
				b->f[i].path);
			goto fail;
		}
	}
	if (batch_sync_dirs(b, e) != 0)
		goto fail;
	/* Done: the backups and the named temps go. */
	for (i = 0; i < b->n; i++) {
		if (b->f[i].backup[0] != '\0')
			unlinkat(b->f[i].dirfd, b->f[i].backup, 0);
		b->f[i].backup[0] = '\0';
		if (b->f[i].tmp[0] != '\0')
			unlinkat(b->f[i].dirfd, b->f[i].tmp, 0);
		b->f[i].tmp[0] = '\0';
		b->f[i].published = 0;
	}
	if (force)
		(void)batch_sync_dirs(b, NULL);
	return 0;
fail:
	batch_undo(b, e);
	return -1;
}

void
fileio_batch_clear(struct fileio_batch *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		if (b->f[i].tmp[0] != '\0')
			unlinkat(b->f[i].dirfd, b->f[i].tmp, 0);
		if (b->f[i].oldfd >= 0)
			close(b->f[i].oldfd);
		close(b->f[i].fd);
		close(b->f[i].dirfd);
		free(b->f[i].path);
	}
	b->n = 0;
}

int
fileio_open_read(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return err_set(e, AK_INPUT, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(fd);
		return err_set(e, AK_INPUT, "'%s' is not a regular file", path);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		close(fd);
		return err_set(e, AK_INPUT, "cannot read '%s': %s", path, strerror(errno));
	}
	return fd;
}

int
fileio_append_open(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)) < 0)
		return err_set(e, AK_INPUT, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, AK_INPUT, "'%s' is not a regular file", path);
	}
	return fd;
}

int
fileio_truncate(int fd, const char *name, off_t len, struct err *e)
{
	if (ftruncate(fd, len) != 0 || fsync(fd) != 0)
		return err_set(e, AK_INPUT, "cannot truncate '%s': %s", name, strerror(errno));
	return 0;
}

int
fileio_append(int fd, const char *name, const void *data, size_t len, struct err *e)
{
	struct stat st;
	ssize_t w;
	int saved;

	if (fstat(fd, &st) != 0)
		return err_set(e, AK_INPUT, "cannot stat '%s': %s", name, strerror(errno));
	/*
	 * One write: a reader (or a crash) sees all of it or a tail we can
	 * recognise.  A short write means the disk or a limit is full; writing
	 * the rest gets the reason (or, rarely, succeeds).
	 */
	do
		w = write(fd, data, len);
	while (w < 0 && errno == EINTR);
	if (w > 0 && (size_t)w < len &&
	    fileio_write_all(fd, (const unsigned char *)data + w, len - (size_t)w) == 0)
		w = (ssize_t)len;
	saved = errno;
	if (w >= 0 && (size_t)w == len) {
		if (fsync(fd) == 0)
			return 0;
		saved = errno;
	}
	/* Not acknowledged: take it back so nothing half-written stays. */
	if (ftruncate(fd, st.st_size) == 0)
		(void)fsync(fd);
	return err_set(e, AK_INPUT, "cannot write '%s': %s", name, strerror(saved));
}

int
fileio_mkdir(const char *path, mode_t mode, struct err *e)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return fileio_fsync_dir(path, 0, e);
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return err_set(e, AK_INPUT, "'%s' exists and is not a directory", path);
	return err_set(e, AK_INPUT, "cannot create directory '%s': %s", path, strerror(errno));
}

int
fileio_dir_stage(struct fileio_dir *d, const char *path, struct err *e)
{
	return fileio_dir_stage_ex(d, path, 0, e);
}

int
fileio_dir_stage_ex(struct fileio_dir *d, const char *path, unsigned flags, struct err *e)
{
	char *dir;
	const char *base;
	size_t n;
	int saved;

	if ((dir = dir_of(path)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	n = strlen(dir) + strlen(FILEIO_STAGE_PREFIX) + strlen(base) + 16;
	if ((d->tmp = malloc(n)) == NULL || (d->path = strdup(path)) == NULL) {
		free(dir);
		fileio_dir_clear(d);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	snprintf(d->tmp, n, "%s/%s%s.XXXXXX", dir, FILEIO_STAGE_PREFIX, base);
	free(dir);
	/* mkdtemp: mode 0700, so nothing inside is reachable by others even for a moment. */
	if (mkdtemp(d->tmp) == NULL) {
		saved = errno;
		free(d->tmp);
		d->tmp = NULL;
		fileio_dir_clear(d);
		return err_set(e, AK_INPUT, "cannot create a directory next to '%s': %s", path,
			       strerror(saved));
	}
	if ((d->fd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		saved = errno;
		fileio_dir_clear(d);
		return err_set(e, AK_INPUT, "cannot open '%s': %s", path, strerror(saved));
	}
	d->flags = flags;
	return 0;
}

int
fileio_dir_add(struct fileio_dir *d, const char *name, const void *data, size_t len, mode_t mode,
	       struct err *e)
{
	int fd, saved, exact;

	if (d->n == FILEIO_DIR_FILES || strchr(name, '/') != NULL)
		return err_set(e, AK_INTERNAL, "internal error: bad staged file '%s'", name);
	if ((d->names[d->n] = strdup(name)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	/*
	 * The mode is given at creation: umask or a default ACL can only remove
	 * bits, and fchmod makes it exact -- unless the caller knows it is already
	 * (fileio_modes_exact).
	 */
	exact = (d->flags & FILEIO_DIR_EXACT) != 0;
	fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    exact ? mode : mode & 0600);
	if (fd < 0) {
		saved = errno;
		free(d->names[d->n]);
		d->names[d->n] = NULL;
		return err_set(e, AK_INPUT, "cannot create '%s/%s': %s", d->path, name,
			       strerror(saved));
	}
	d->n++;
	/* Deferred: the group's one sync writes every file back (fileio.h). */
	if ((!exact && fchmod(fd, mode) != 0) || fileio_write_all(fd, data, len) != 0 ||
	    (!(d->flags & FILEIO_DIR_DEFER) && fsync(fd) != 0)) {
		saved = errno;
		close(fd);
		return err_set(e, AK_INPUT, "cannot write '%s/%s': %s", d->path, name,
			       strerror(saved));
	}
	if (close(fd) != 0)
		return err_set(e, AK_INPUT, "cannot write '%s/%s': %s", d->path, name,
			       strerror(errno));
	return 0;
}

int
fileio_modes_exact(int dirfd, mode_t modes)
{
	mode_t mask = umask(0);

	umask(mask);
	if ((mask & modes) != 0)
		return 0;
	/*
	 * A default ACL takes the umask's place (and is inherited by
	 * subdirectories).  No POSIX ACLs at all (EOPNOTSUPP) is no proof:
	 * NFSv4 and ZFS have inheritable ACEs of their own.
	 */
	if (fgetxattr(dirfd, "system.posix_acl_default", NULL, 0) >= 0)
		return 0;
	return errno == ENODATA;
}

int
fileio_dir_commit(struct fileio_dir *d, struct err *e)
{
	int saved;

	/* The entries of the staged directory must be durable before it gets its name. */
	if (fsync(d->fd) != 0)
		return err_set(e, AK_INPUT, "cannot sync '%s': %s", d->tmp, strerror(errno));
	close(d->fd);
	d->fd = -1;
	if (renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_NOREPLACE) != 0) {
		saved = errno;
		if (saved == EEXIST || saved == ENOTEMPTY)
			return err_set(e, AK_INPUT, "'%s' exists: not replacing it", d->path);
		return err_set(e, AK_INPUT, "cannot rename '%s' to '%s': %s", d->tmp, d->path,
			       strerror(saved));
	}
	free(d->tmp);
	d->tmp = NULL;
	return 0;
}

int
fileio_dir_seal(struct fileio_dir *d, char *staged, size_t size, struct err *e)
{
	const char *base;

	if (d->tmp == NULL || !(d->flags & FILEIO_DIR_DEFER))
		return err_set(e, AK_INTERNAL, "internal error: no deferred staged directory");
	base = strrchr(d->tmp, '/') ? strrchr(d->tmp, '/') + 1 : d->tmp;
	if ((size_t)snprintf(staged, size, "%s", base) >= size)
		return err_set(e, AK_INTERNAL, "internal error: staged name too long");
	/* No fsync here: the group's fileio_sync_fs makes the directory durable. */
	close(d->fd);
	d->fd = -1;
	free(d->tmp);
	d->tmp = NULL;
	fileio_dir_clear(d);
	return 0;
}

int
fileio_sync_fs(int fd, const char *name, struct err *e)
{
	if (syncfs(fd) != 0)
		return err_set(e, AK_INPUT, "cannot sync '%s': %s", name, strerror(errno));
	return 0;
}

int
fileio_dir_publish(int dirfd, const char *parent, const char *staged, const char *name,
		   struct err *e)
{
	int saved;

	if (renameat2(dirfd, staged, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	saved = errno;
	if (saved == EEXIST || saved == ENOTEMPTY)
		return err_set(e, AK_INPUT, "'%s/%s' exists: not replacing it", parent, name);
	return err_set(e, AK_INPUT, "cannot rename '%s/%s' to '%s/%s': %s", parent, staged, parent,
		       name, strerror(saved));
}

/* Remove a staged directory: its regular files, then itself. */
static int
remove_staged(const char *path, struct err *e)
{
	DIR *dir;
	struct dirent *de;
	struct stat st;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0
				       : err_set(e, AK_INPUT, "cannot open '%s': %s", path,
						 strerror(errno));
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return err_set(e, AK_INPUT, "cannot read '%s': %s", path, strerror(errno));
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			rc = err_set(e, AK_INPUT, "not removing '%s': '%s' is not a regular file",
				     path, de->d_name);
			break;
		}
		if (unlinkat(fd, de->d_name, 0) != 0) {
			rc = err_set(e, AK_INPUT, "cannot remove '%s/%s': %s", path, de->d_name,
				     strerror(errno));
			break;
		}
	}
	closedir(dir);
	if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
		rc = err_set(e, AK_INPUT, "cannot remove '%s': %s", path, strerror(errno));
	return rc;
}

void
fileio_dir_clear(struct fileio_dir *d)
{
	int i;

	if (d->fd >= 0)
		close(d->fd);
	if (d->tmp != NULL)
		(void)remove_staged(d->tmp, NULL);
	for (i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->tmp);
	free(d->path);
	*d = (struct fileio_dir)FILEIO_DIR_INIT;
}

int
fileio_dir_remove_stale(const char *parent, const char *name, struct err *e)
{
	struct stat st;
	char *path;
	size_t n;
	int rc;

	if (strncmp(name, FILEIO_STAGE_PREFIX, strlen(FILEIO_STAGE_PREFIX)) != 0 ||
	    strchr(name, '/') != NULL)
		return err_set(e, AK_INTERNAL, "internal error: '%s' is not a staged name", name);
	n = strlen(parent) + strlen(name) + 2;
	if ((path = malloc(n)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	snprintf(path, n, "%s/%s", parent, name);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = err_set(e, AK_INPUT, "not removing '%s': not a directory", path);
	else
		rc = remove_staged(path, e);
	free(path);
	return rc;
}

/*
 * Is dir/name (a hidden name of target base) a leftover that may go?  Only
 * a regular file of ours that no live process holds (every batch keeps its
 * staged files and old targets flocked until it ends), and that is either
 * the target itself under another name or, for a staged file, unpublished
 * data nobody else links to.
 */
static int
stale(int dirfd, const char *name, const char *base, int backup)
{
	struct stat st, target;
	int fd, ok, same;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid())
		return 0;
	same = fstatat(dirfd, base, &target, AT_SYMLINK_NOFOLLOW) == 0 &&
	       target.st_dev == st.st_dev && target.st_ino == st.st_ino;
	/* A backup that differs from its target may be the only copy of an old key: kept. */
	if (!same && (backup || st.st_nlink != 1))
		return 0;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = fstat(fd, &target) == 0 && target.st_dev == st.st_dev && target.st_ino == st.st_ino &&
	     flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return ok;
}

int
fileio_batch_remove_stale(const char *path, struct err *e)
{
	char *dir, pre[NAME_MAX + 1];
	const char *base = base_of(path);
	size_t plen, blen = strlen(FILEIO_BACKUP_TAG);
	struct dirent *de;
	DIR *d;
	int rc = 0, backup;

	if ((dir = dir_of(path)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if ((size_t)snprintf(pre, sizeof(pre), ".%s" FILEIO_HIDDEN_TAG, base) >= sizeof(pre))
		goto out; /* too long for any hidden name: nothing can be staged for it */
	plen = strlen(pre);
	if ((d = opendir(dir)) == NULL) {
		rc = err_set(e, AK_INPUT, "cannot read directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		/* The exact shapes the batch makes: the prefix, maybe "old-", six characters. */
		if (strncmp(de->d_name, pre, plen) != 0)
			continue;
		backup = strlen(de->d_name) == plen + blen + 6 &&
			 strncmp(de->d_name + plen, FILEIO_BACKUP_TAG, blen) == 0;
		if (!backup && strlen(de->d_name) != plen + 6)
			continue;
		if (!stale(dirfd(d), de->d_name, base, backup))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			rc = err_set(e, AK_INPUT, "cannot remove '%s/%s': %s", dir, de->d_name,
				     strerror(errno));
			break;
		}
	}
	closedir(d);
out:
	free(dir);
	return rc;
}
