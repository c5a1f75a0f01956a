/* fileio: bounded reads and crash-safe, never-clobbering writes (see fileio.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
}

static int
read_fd(int fd, const char *name, size_t max, int secret, int head, struct fileio_buf *b,
	struct err *e)
{
	unsigned char *p = NULL, *np;
	size_t len = 0, cap = 0, ncap;
	ssize_t r;
	struct stat st;

	/* Size known up front for regular files: one allocation, no copies. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
		cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
	if (cap == 0)
		cap = 4096;
	if ((p = buf_alloc(cap + 1, secret)) == NULL)
		return err_set(e, AK_CRYPTO, "'%s': out of memory", name);
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if ((np = buf_alloc(ncap + 1, secret)) == NULL) {
				buf_free(p, cap + 1, secret);
				return err_set(e, AK_CRYPTO, "'%s': out of memory", name);
			}
			memcpy(np, p, len);
			if (secret)
				sodium_memzero(p, cap + 1);
			buf_free(p, cap + 1, secret);
			p = np;
			cap = ncap;
		}
		r = read(fd, p + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			buf_free(p, cap + 1, secret);
			return err_set(e, AK_INPUT, "cannot read '%s': %s", name, strerror(saved));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max && !head) {
		buf_free(p, cap + 1, secret);
		return err_set(e, AK_INPUT, "'%s' is too large (more than %zu bytes)", name, max);
	}
	p[len] = '\0';
	b->data = p;
	b->len = len;
	b->secret = secret;
	return 0;
}

int
fileio_read_fd(int fd, const char *name, size_t max, int secret, struct fileio_buf *b,
	       struct err *e)
{
	return read_fd(fd, name, max, secret, 0, b, e);
}

int
fileio_read_ex(const char *path, size_t max, unsigned flags, struct fileio_buf *b,
	       struct err *e)
{
	int secret = (flags & FILEIO_SECRET) != 0, head = (flags & FILEIO_HEAD) != 0;
	struct stat st;
	int fd, rc;

	if (strcmp(path, "-") == 0 && (flags & FILEIO_STDIN))
		return read_fd(STDIN_FILENO, "(stdin)", max, secret, head, b, e);
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
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		rc = err_set(e, AK_INPUT, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if ((size_t)st.st_size > max && !head) {
		close(fd);
		return err_set(e, AK_INPUT, "'%s' is too large (more than %zu bytes)", path, max);
	}
	rc = read_fd(fd, path, max, secret, head, b, e);
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
		return err_set(e, AK_CRYPTO, "out of memory");
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
fileio_check_absent(const char *path, int force, struct err *e)
{
	struct stat st;

	if (force)
		return 0;
	if (lstat(path, &st) == 0)
		return err_set(e, AK_INPUT, "'%s' exists: not overwriting it (use --force to replace)",
			       path);
	if (errno != ENOENT)
		return err_set(e, AK_INPUT, "cannot check '%s': %s", path, strerror(errno));
	return 0;
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
fileio_batch_add(struct fileio_batch *b, const char *path, const void *data, size_t len,
		 mode_t mode, struct err *e)
{
	char *dir, *tmp;
	const char *base;
	size_t n;
	int fd, saved;

	if (b->n == FILEIO_BATCH_MAX)
		return err_set(e, AK_CRYPTO, "internal error: too many files in one batch");
	if ((dir = dir_of(path)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	n = strlen(dir) + strlen(base) + 32;
	if ((tmp = malloc(n)) == NULL) {
		free(dir);
		return err_set(e, AK_CRYPTO, "out of memory");
	}
	/* A hidden name in the target directory, so that rename/link stay on one file system. */
	snprintf(tmp, n, "%s/.%s.akcred-XXXXXX", dir, base);
	free(dir);
	/* mkstemp: O_CREAT|O_EXCL and mode 0600, so a private key is never readable by others. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		saved = errno;
		free(tmp);
		return err_set(e, AK_INPUT, "cannot create a file next to '%s': %s", path,
			       strerror(saved));
	}
	if ((mode & 0777) != 0600 && fchmod(fd, mode) != 0)
		goto fail;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if ((b->f[b->n].path = strdup(path)) == NULL) {
		unlink(tmp);
		free(tmp);
		return err_set(e, AK_CRYPTO, "out of memory");
	}
	b->f[b->n].tmp = tmp;
	b->f[b->n].published = 0;
	b->n++;
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return err_set(e, AK_INPUT, "cannot write '%s': %s", path, strerror(saved));
}

static void
batch_undo(struct fileio_batch *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		if (b->f[i].published) {
			unlink(b->f[i].path);
			b->f[i].published = 0;
		}
	}
}

int
fileio_batch_commit(struct fileio_batch *b, int force, struct err *e)
{
	int i, j;

	for (i = 0; i < b->n; i++) {
		if (force) {
			if (rename(b->f[i].tmp, b->f[i].path) != 0)
				goto fail;
		} else {
			/* link(2) refuses an existing target, symlinks included: no race. */
			if (link(b->f[i].tmp, b->f[i].path) != 0)
				goto fail;
			b->f[i].published = 1;
			unlink(b->f[i].tmp);
		}
		free(b->f[i].tmp);
		b->f[i].tmp = NULL;
	}
	for (i = 0; i < b->n; i++) {
		/* One fsync per distinct directory. */
		for (j = 0; j < i; j++) {
			char *a = dir_of(b->f[i].path), *c = dir_of(b->f[j].path);
			int same = a && c && strcmp(a, c) == 0;

			free(a);
			free(c);
			if (same)
				break;
		}
		if (j == i && fileio_fsync_dir(b->f[i].path, 0, e) != 0) {
			batch_undo(b);
			return -1;
		}
	}
	for (i = 0; i < b->n; i++)
		b->f[i].published = 0;
	return 0;
fail:
	if (errno == EEXIST)
		err_set(e, AK_INPUT, "'%s' exists: not overwriting it (use --force to replace)",
			b->f[i].path);
	else
		err_set(e, AK_INPUT, "cannot create '%s': %s", b->f[i].path, strerror(errno));
	batch_undo(b);
	return -1;
}

void
fileio_batch_clear(struct fileio_batch *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		if (b->f[i].tmp != NULL) {
			unlink(b->f[i].tmp);
			free(b->f[i].tmp);
		}
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
	if (w > 0 && (size_t)w < len && write_all(fd, (const unsigned char *)data + w,
						  len - (size_t)w) == 0)
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
	char *dir;
	const char *base;
	size_t n;
	int saved;

	if ((dir = dir_of(path)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	n = strlen(dir) + strlen(FILEIO_STAGE_PREFIX) + strlen(base) + 16;
	if ((d->tmp = malloc(n)) == NULL || (d->path = strdup(path)) == NULL) {
		free(dir);
		fileio_dir_clear(d);
		return err_set(e, AK_CRYPTO, "out of memory");
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
	return 0;
}

int
fileio_dir_add(struct fileio_dir *d, const char *name, const void *data, size_t len,
	       mode_t mode, struct err *e)
{
	int fd, saved;

	if (d->n == FILEIO_DIR_FILES || strchr(name, '/') != NULL)
		return err_set(e, AK_CRYPTO, "internal error: bad staged file '%s'", name);
	if ((d->names[d->n] = strdup(name)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	/* The mode is given at creation (umask can only remove bits; fchmod makes it exact). */
	fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0600);
	if (fd < 0) {
		saved = errno;
		free(d->names[d->n]);
		d->names[d->n] = NULL;
		return err_set(e, AK_INPUT, "cannot create '%s/%s': %s", d->path, name,
			       strerror(saved));
	}
	d->n++;
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
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
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
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
		return err_set(e, AK_CRYPTO, "internal error: '%s' is not a staged name", name);
	n = strlen(parent) + strlen(name) + 2;
	if ((path = malloc(n)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	snprintf(path, n, "%s/%s", parent, name);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = err_set(e, AK_INPUT, "not removing '%s': not a directory", path);
	else
		rc = remove_staged(path, e);
	free(path);
	return rc;
}

int
fileio_batch_remove_stale(const char *path, struct err *e)
{
	char *dir, *pre;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	DIR *d;
	struct dirent *de;
	size_t n;
	int rc = 0;

	if ((dir = dir_of(path)) == NULL)
		return err_set(e, AK_CRYPTO, "out of memory");
	n = strlen(base) + 16;
	if ((pre = malloc(n)) == NULL) {
		free(dir);
		return err_set(e, AK_CRYPTO, "out of memory");
	}
	snprintf(pre, n, ".%s.akcred-", base);
	if ((d = opendir(dir)) == NULL) {
		rc = err_set(e, AK_INPUT, "cannot read directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		/* The exact shape fileio_batch_add makes: the prefix and six characters. */
		if (strncmp(de->d_name, pre, strlen(pre)) != 0 ||
		    strlen(de->d_name) != strlen(pre) + 6)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			rc = err_set(e, AK_INPUT, "cannot remove '%s/%s': %s", dir, de->d_name,
				     strerror(errno));
			break;
		}
	}
	closedir(d);
out:
	free(pre);
	free(dir);
	return rc;
}
