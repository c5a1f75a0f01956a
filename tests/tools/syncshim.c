/*
 * syncshim: an LD_PRELOAD shim that records the calls that decide what is
 * durable and when -- fsync, fdatasync, syncfs, sync_file_range, rename,
 * renameat, renameat2, linkat, write -- with the paths they act on (file
 * descriptors resolved through /proc/self/fd), one line per call, in the
 * order they return, to the file $AKCRED_SYNCSHIM_LOG.  The calls themselves
 * are passed through unchanged.  tests/cli/provision-durability.sh reads the
 * log (tests/tools/checkdurability.py).
 *
 * Line format, fields separated by a tab:
 *   fsync PATH | fdatasync PATH | syncfs PATH | sync_file_range PATH
 *   rename FROM TO | link FROM TO
 *   write PATH LEN [DATA]   (DATA, with LF as "\n", for files named manifest.csv)
 * Only calls that succeed are recorded: a failed sync makes nothing durable.
 *
 * With $AKCRED_SYNCSHIM_KILL_RENAME=N (log or not), the process kills itself
 * with SIGKILL right after its N-th successful rename: the state a crash
 * between two renames leaves (tests/cli/rotate-swapkill.sh).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PATH_BUF (2 * PATH_MAX + 2) /* a directory's path, '/', a name */
#define ESC_MAX 65536               /* a manifest write, escaped: far more than a test's group */

static int logfd = -2;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int
log_fd(void)
{
	const char *path;

	if (logfd == -2) {
		path = getenv("AKCRED_SYNCSHIM_LOG");
		logfd = path == NULL
				? -1
				: (int)syscall(SYS_openat, AT_FDCWD, path,
					       O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	}
	return logfd;
}

/* The path behind fd, or "?" */
static void
fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		n = snprintf(buf, size, "?");
	buf[n] = '\0';
}

/* dirfd + name as one path */
static void
at_path(int dirfd, const char *name, char *buf, size_t size)
{
	char dir[PATH_MAX];

	if (name[0] == '/' || dirfd == AT_FDCWD) {
		if (name[0] != '/' && getcwd(dir, sizeof(dir)) != NULL)
			snprintf(buf, size, "%s/%s", dir, name);
		else
			snprintf(buf, size, "%s", name);
		return;
	}
	fd_path(dirfd, dir, sizeof(dir));
	snprintf(buf, size, "%s/%s", dir, name);
}

/* One line, written with the system call itself (never through our write()). */
static void
record(const char *fmt, ...)
{
	char line[5 * PATH_MAX + ESC_MAX];
	va_list ap;
	int n;

	if (log_fd() < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&mu);
	(void)syscall(SYS_write, logfd, line, (size_t)n);
	pthread_mutex_unlock(&mu);
}

static void
record_fd(const char *call, int fd)
{
	char p[PATH_MAX];

	fd_path(fd, p, sizeof(p));
	record("%s\t%s", call, p);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* The three syncs of one descriptor: one wrapper each, all alike. */
#define SYNC_OF_FD(name)                                                                           \
	int name(int fd)                                                                           \
	{                                                                                          \
		int r = REAL(name)(fd);                                                            \
                                                                                                   \
		if (r == 0)                                                                        \
			record_fd(#name, fd);                                                      \
		return r;                                                                          \
	}

SYNC_OF_FD(fsync)
SYNC_OF_FD(fdatasync)
SYNC_OF_FD(syncfs)

int
sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags)
{
	int r = REAL(sync_file_range)(fd, off, n, flags);

	if (r == 0)
		record_fd("sync_file_range", fd);
	return r;
}

static void
record_two(const char *call, int fd1, const char *a, int fd2, const char *b)
{
	char p1[PATH_BUF], p2[PATH_BUF];

	at_path(fd1, a, p1, sizeof(p1));
	at_path(fd2, b, p2, sizeof(p2));
	record("%s\t%s\t%s", call, p1, p2);
}

/* A rename succeeded: the N-th of $AKCRED_SYNCSHIM_KILL_RENAME is the last thing done. */
static void
renamed(void)
{
	static long count;
	const char *at = getenv("AKCRED_SYNCSHIM_KILL_RENAME");
	long n;

	pthread_mutex_lock(&mu);
	n = ++count;
	pthread_mutex_unlock(&mu);
	if (at != NULL && strtol(at, NULL, 10) == n)
		(void)kill(getpid(), SIGKILL);
}

int
rename(const char *a, const char *b)
{
	int r = REAL(rename)(a, b);

	if (r == 0) {
		record_two("rename", AT_FDCWD, a, AT_FDCWD, b);
		renamed();
	}
	return r;
}

int
renameat(int fd1, const char *a, int fd2, const char *b)
{
	int r = REAL(renameat)(fd1, a, fd2, b);

	if (r == 0) {
		record_two("rename", fd1, a, fd2, b);
		renamed();
	}
	return r;
}

int
renameat2(int fd1, const char *a, int fd2, const char *b, unsigned int flags)
{
	int r = REAL(renameat2)(fd1, a, fd2, b, flags);

	if (r == 0) {
		record_two("rename", fd1, a, fd2, b);
		renamed();
	}
	return r;
}

int
linkat(int fd1, const char *a, int fd2, const char *b, int flags)
{
	char p1[PATH_BUF], p2[PATH_BUF];
	int r = REAL(linkat)(fd1, a, fd2, b, flags);

	if (r != 0)
		return r;
	/* linkat(fd, "", ..., AT_EMPTY_PATH) links an O_TMPFILE: name it by its fd. */
	if ((flags & AT_EMPTY_PATH) && a[0] == '\0')
		fd_path(fd1, p1, sizeof(p1));
	else
		at_path(fd1, a, p1, sizeof(p1));
	at_path(fd2, b, p2, sizeof(p2));
	record("link\t%s\t%s", p1, p2);
	return r;
}

ssize_t
write(int fd, const void *data, size_t len)
{
	char p[PATH_MAX], esc[ESC_MAX];
	const char *base;
	size_t i, k = 0;
	ssize_t r = REAL(write)(fd, data, len);
	int saved = errno;

	if (r > 0 && log_fd() >= 0 && fd != logfd) {
		fd_path(fd, p, sizeof(p));
		base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		if (strcmp(base, "manifest.csv") == 0) {
			for (i = 0; i < (size_t)r && k + 3 < sizeof(esc); i++) {
				if (((const char *)data)[i] == '\n') {
					esc[k++] = '\\';
					esc[k++] = 'n';
				} else {
					esc[k++] = ((const char *)data)[i];
				}
			}
			esc[k] = '\0';
			record("write\t%s\t%zd\t%s", p, r, esc);
		} else {
			record("write\t%s\t%zd", p, r);
		}
	}
	errno = saved;
	return r;
}
