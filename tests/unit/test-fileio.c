/* Unit tests of the fileio module: bounded reads, staged never-clobbering writes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "unit-tmpdir.h"

/*
 * rename(2) and renameat(2) that fail on the nth call from now (0: never): a
 * failure in the middle of a commit, where no file system condition can be
 * arranged.
 */
static int fail_rename_at;

static int
rename_fails(void)
{
	if (fail_rename_at > 0 && --fail_rename_at == 0) {
		errno = EIO;
		return 1;
	}
	return 0;
}

int
renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static int (*real)(int, const char *, int, const char *);

	if (rename_fails())
		return -1;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "renameat");
	return real(olddirfd, oldpath, newdirfd, newpath);
}

int
rename(const char *oldpath, const char *newpath)
{
	static int (*real)(const char *, const char *);

	if (rename_fails())
		return -1;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "rename");
	return real(oldpath, newpath);
}

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(s, f);
	fclose(f);
}

static void
assert_content(const char *path, const char *want)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(fileio_read(path, 100, &b, &e), 0, "%s", e.msg);
	cr_assert_str_eq((char *)b.data, want, "'%s'", path);
	fileio_buf_clear(&b);
}

static int
entries(void)
{
	DIR *d = opendir(".");
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

TestSuite(fileio, .init = unit_tmpdir_enter, .fini = unit_tmpdir_leave);

Test(fileio, reads_whole_file_nul_terminated)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;

	put("a", "hello");
	cr_assert_eq(fileio_read("a", 100, &b, &e), 0);
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq((char *)b.data, "hello");
	fileio_buf_clear(&b);
	cr_assert_eq(fileio_read_secret("a", 100, &b, &e), 0);
	cr_assert(b.secret);
	cr_assert_str_eq((char *)b.data, "hello");
	fileio_buf_clear(&b);
}

Test(fileio, reuse_keeps_one_secret_buffer_and_wipes_it)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;
	unsigned char *first;
	char big[6001];
	size_t i;

	put("a", "a longer secret");
	put("b", "short");
	cr_assert_eq(fileio_read_ex("a", 10000, FILEIO_SECRET | FILEIO_REUSE, &b, &e), 0, "%s",
		     e.msg);
	cr_assert(b.secret);
	first = b.data;
	cr_assert_geq(b.cap, 4096);
	fileio_buf_wipe(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.data[0], 0);
	/* The same memory again, the longer content gone behind the shorter one. */
	cr_assert_eq(fileio_read_ex("b", 10000, FILEIO_SECRET | FILEIO_REUSE, &b, &e), 0);
	cr_assert_eq(b.data, first);
	cr_assert_eq(b.len, 5);
	cr_assert_str_eq((char *)b.data, "short");
	for (i = 6; i < 16; i++)
		cr_assert_eq(b.data[i], 0, "byte %zu of the old content is still there", i);
	/* Larger than the buffer: a new one, the right content. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("c", big);
	cr_assert_eq(fileio_read_ex("c", 10000, FILEIO_SECRET | FILEIO_REUSE, &b, &e), 0);
	cr_assert_eq(b.len, sizeof(big) - 1);
	cr_assert_str_eq((char *)b.data, big);
	/* A failed read leaves nothing to free twice. */
	cr_assert_eq(fileio_read_ex("missing", 10000, FILEIO_SECRET | FILEIO_REUSE, &b, &e), -1);
	fileio_buf_clear(&b);
	cr_assert_null(b.data);
}

Test(fileio, reserve_keeps_a_buffer_of_its_kind_and_wipes_it)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	unsigned char *first;

	cr_assert_eq(fileio_buf_reserve(&b, 100, 1), 0);
	cr_assert(b.secret);
	cr_assert_geq(b.cap, 4096);
	cr_assert_eq(b.len, 0);
	first = b.data;
	memcpy(b.data, "secret", 7);
	b.len = 6;
	/* Room enough: the same memory, the old content gone. */
	cr_assert_eq(fileio_buf_reserve(&b, 200, 1), 0);
	cr_assert_eq(b.data, first);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(memcmp(b.data, "\0\0\0\0\0\0", 6), 0);
	/* More than it holds: a new buffer as large. */
	cr_assert_eq(fileio_buf_reserve(&b, 3 * b.cap, 1), 0);
	cr_assert_geq(b.cap, 3 * 4096);
	cr_assert(b.secret);
	/* Another kind of memory: never sodium memory handed out as plain or back. */
	cr_assert_eq(fileio_buf_reserve(&b, 10, 0), 0);
	cr_assert(!b.secret);
	fileio_buf_clear(&b);
	cr_assert_null(b.data);
}

Test(fileio, refuses_oversized_missing_and_special_files)
{
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;

	put("big", "0123456789");
	cr_assert_eq(fileio_read("big", 9, &b, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "too large") != NULL, "%s", e.msg);
	cr_assert_eq(fileio_read("nope", 9, &b, &e), -1);
	cr_assert(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
	cr_assert_eq(fileio_read(".", 9, &b, &e), -1);
	cr_assert(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	cr_assert_eq(mkfifo("fifo", 0600), 0);
	cr_assert_eq(fileio_read("fifo", 9, &b, &e), -1);
	cr_assert(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	cr_assert_null(b.data);
}

Test(fileio, batch_publishes_with_modes_and_no_temporaries)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	struct stat st;

	cr_assert_eq(fileio_batch_add(&batch, "priv", "secret", 6, 0600, &e), 0);
	cr_assert_eq(fileio_batch_add(&batch, "pub", "public", 6, 0644, &e), 0);
	cr_assert_eq(access("priv", F_OK), -1, "visible before commit");
	cr_assert_eq(fileio_batch_commit(&batch, 0, &e), 0, "%s", e.msg);
	fileio_batch_clear(&batch);
	cr_assert_eq(stat("priv", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat("pub", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	cr_assert_eq(entries(), 2);
}

Test(fileio, batch_never_overwrites_and_undoes_what_it_published)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;

	put("second", "keep me");
	cr_assert_eq(fileio_check_targets((const char *[]){"first", "second"}, 2, 0, &e), -1);
	cr_assert_eq(fileio_check_targets((const char *[]){"first", "second"}, 2, 1, &e), 0);
	cr_assert_eq(fileio_batch_add(&batch, "first", "1", 1, 0600, &e), 0);
	cr_assert_eq(fileio_batch_add(&batch, "second", "2", 1, 0600, &e), 0);
	cr_assert_eq(fileio_batch_commit(&batch, 0, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "'second' exists") != NULL, "%s", e.msg);
	fileio_batch_clear(&batch);
	/* "first" was published by link, then removed again: all or nothing. */
	cr_assert_eq(access("first", F_OK), -1);
	cr_assert_eq(fileio_read("second", 100, &b, &e), 0);
	cr_assert_str_eq((char *)b.data, "keep me");
	fileio_buf_clear(&b);
	cr_assert_eq(entries(), 1, "temporary files left");
}

Test(fileio, force_replaces_atomically)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct fileio_buf b = FILEIO_BUF_INIT;
	struct err e = ERR_INIT;
	struct stat before, after;

	put("k", "old");
	cr_assert_eq(stat("k", &before), 0);
	cr_assert_eq(fileio_batch_add(&batch, "k", "new", 3, 0600, &e), 0);
	cr_assert_eq(fileio_batch_commit(&batch, 1, &e), 0);
	fileio_batch_clear(&batch);
	cr_assert_eq(stat("k", &after), 0);
	cr_assert_neq(before.st_ino, after.st_ino, "rewritten in place");
	cr_assert_eq(fileio_read("k", 100, &b, &e), 0);
	cr_assert_str_eq((char *)b.data, "new");
	fileio_buf_clear(&b);
	cr_assert_eq(entries(), 1);
}

Test(fileio, staging_in_a_missing_directory_fails_cleanly)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(fileio_batch_add(&batch, "no/such/dir/x", "1", 1, 0600, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "No such file or directory") != NULL, "%s", e.msg);
	cr_assert_eq(batch.n, 0);
	fileio_batch_clear(&batch);
}

Test(fileio, force_is_all_or_nothing_when_a_rename_fails)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	int nth;

	put("priv", "old private");
	put("pub", "old public");
	/* The rename of the second, then of the first file fails: every old file comes back. */
	for (nth = 2; nth >= 1; nth--) {
		cr_assert_eq(fileio_batch_add(&batch, "priv", "new private", 11, 0600, &e), 0);
		cr_assert_eq(fileio_batch_add(&batch, "pub", "new public", 10, 0644, &e), 0);
		cr_assert_eq(fileio_batch_add(&batch, "cert", "new cert", 8, 0644, &e), 0);
		fail_rename_at = nth;
		cr_assert_eq(fileio_batch_commit(&batch, 1, &e), -1, "rename %d", nth);
		fail_rename_at = 0;
		cr_assert(strstr(e.msg, "Input/output error") != NULL, "%s", e.msg);
		fileio_batch_clear(&batch);
		assert_content("priv", "old private");
		assert_content("pub", "old public");
		cr_assert_eq(access("cert", F_OK), -1, "a new file stayed");
		cr_assert_eq(entries(), 2, "hidden files left");
	}
	/* And without the fault, all three are replaced or created. */
	cr_assert_eq(fileio_batch_add(&batch, "priv", "new private", 11, 0600, &e), 0);
	cr_assert_eq(fileio_batch_add(&batch, "pub", "new public", 10, 0644, &e), 0);
	cr_assert_eq(fileio_batch_add(&batch, "cert", "new cert", 8, 0644, &e), 0);
	cr_assert_eq(fileio_batch_commit(&batch, 1, &e), 0, "%s", e.msg);
	fileio_batch_clear(&batch);
	assert_content("priv", "new private");
	assert_content("cert", "new cert");
	cr_assert_eq(entries(), 3);
}

Test(fileio, force_replaces_only_regular_files)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	const char *what[] = {"dir", "fifo", "link"};
	const char *kind[] = {"a directory", "a named pipe", "a symbolic link"};
	struct stat st;
	int i;

	cr_assert_eq(mkdir("dir", 0755), 0);
	cr_assert_eq(mkfifo("fifo", 0600), 0);
	cr_assert_eq(symlink("victim", "link"), 0);
	put("priv", "old private");
	for (i = 0; i < 3; i++) {
		cr_assert_eq(fileio_check_targets((const char *[]){"priv", what[i]}, 2, 1, &e), -1);
		cr_assert(strstr(e.msg, kind[i]) != NULL, "%s", e.msg);
		cr_assert_eq(fileio_batch_add(&batch, "priv", "new", 3, 0600, &e), 0);
		cr_assert_eq(fileio_batch_add(&batch, what[i], "new", 3, 0644, &e), 0);
		cr_assert_eq(fileio_batch_commit(&batch, 1, &e), -1, "%s replaced", what[i]);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert(strstr(e.msg, "not replacing") != NULL, "%s", e.msg);
		fileio_batch_clear(&batch);
		assert_content("priv", "old private");
	}
	cr_assert_eq(lstat("dir", &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(lstat("fifo", &st), 0);
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(lstat("link", &st), 0);
	cr_assert(S_ISLNK(st.st_mode));
	cr_assert_eq(access("victim", F_OK), -1);
	cr_assert_eq(entries(), 4);
}

Test(fileio, refuses_one_file_named_twice)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	/* The same name spelt twice, through a symlinked directory, and a hard link. */
	const char *other[] = {"./k", "alias/k", "hard"};
	int i, force;

	cr_assert_eq(symlink(".", "alias"), 0);
	for (force = 0; force <= 1; force++) {
		for (i = 0; i < 3; i++) {
			if (force)
				put("k", "old");
			if (i == 2 && force)
				cr_assert_eq(link("k", "hard"), 0);
			if (i == 2 && !force)
				continue; /* a hard link needs an existing file */
			cr_assert_eq(fileio_batch_add(&batch, "k", "private", 7, 0600, &e), 0);
			cr_assert_eq(fileio_batch_add(&batch, other[i], "public", 6, 0644, &e), 0);
			cr_assert_eq(fileio_batch_commit(&batch, force, &e), -1, "%s", other[i]);
			cr_assert_eq(e.status, AK_INPUT);
			cr_assert(strstr(e.msg, "are the same file") != NULL, "%s", e.msg);
			fileio_batch_clear(&batch);
			if (force)
				assert_content("k", "old");
			else
				cr_assert_eq(access("k", F_OK), -1);
		}
	}
	cr_assert_eq(entries(), 3, "hidden files left");
}

Test(fileio, staged_files_have_no_name_until_commit)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	int fd;

	/* Where the file system has no O_TMPFILE, staged files have names (keygen-killed). */
	if ((fd = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) < 0)
		cr_skip_test("no O_TMPFILE on this file system");
	close(fd);
	cr_assert_eq(fileio_batch_add(&batch, "k", "secret", 6, 0600, &e), 0);
	cr_assert_eq(entries(), 0, "a staged file has a name");
	cr_assert_eq(fileio_batch_commit(&batch, 0, &e), 0, "%s", e.msg);
	fileio_batch_clear(&batch);
	assert_content("k", "secret");
	cr_assert_eq(entries(), 1);
}

Test(fileio, a_later_batch_removes_only_provable_leftovers)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;
	int fd;

	put("k", "current");
	put(".k.akcred-Ab12Cd", "killed while staged");     /* unpublished: goes */
	cr_assert_eq(link("k", ".k.akcred-old-Ab12Cd"), 0); /* the target itself: goes */
	put(".k.akcred-old-Xy34Zw", "old key");             /* may be the only copy: stays */
	put(".k.akcred-Qq11Qq", "held");                    /* a live process holds it: stays */
	cr_assert((fd = open(".k.akcred-Qq11Qq", O_RDONLY)) >= 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	cr_assert_eq(symlink("k", ".k.akcred-Sy55Ln"), 0); /* not a regular file: stays */
	put(".k.akcred-Ab12Cde", "other shape");           /* not a name we make: stays */
	cr_assert_eq(fileio_batch_add(&batch, "k", "new", 3, 0600, &e), 0, "%s", e.msg);
	fileio_batch_clear(&batch);
	close(fd);
	cr_assert_eq(access(".k.akcred-Ab12Cd", F_OK), -1);
	cr_assert_eq(access(".k.akcred-old-Ab12Cd", F_OK), -1);
	assert_content(".k.akcred-old-Xy34Zw", "old key");
	assert_content(".k.akcred-Qq11Qq", "held");
	cr_assert_eq(access(".k.akcred-Ab12Cde", F_OK), 0);
	assert_content("k", "current");
	cr_assert_eq(entries(), 5);
}

static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	unsigned char buf[4096];
	size_t total = 0, i;
	ssize_t n;
	int ok = 1;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++)
			ok &= buf[i] == (unsigned char)((total + i) % 251);
		total += (size_t)n;
	}
	return (void *)(ok ? total : 0);
}

Test(fileio, write_all_writes_everything_through_a_pipe)
{
	size_t len = 1 << 20, i;
	unsigned char *data = malloc(len);
	pthread_t tid;
	void *got;
	int p[2];

	cr_assert_not_null(data);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)(i % 251);
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pthread_create(&tid, NULL, drain, &p[0]), 0);
	/* Far more than a pipe holds: the reader takes it in pieces. */
	cr_assert_eq(fileio_write_all(p[1], data, len), 0, "%s", strerror(errno));
	close(p[1]);
	pthread_join(tid, &got);
	close(p[0]);
	cr_assert_eq((size_t)got, len);
	free(data);
}

Test(fileio, write_all_fails_with_the_reason)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(p), 0);
	close(p[0]);
	errno = 0;
	cr_assert_eq(fileio_write_all(p[1], "x", 1), -1);
	cr_assert_eq(errno, EPIPE);
	close(p[1]);
	cr_assert_eq(fileio_write_all(-1, "x", 1), -1);
	cr_assert_eq(errno, EBADF);
	cr_assert_eq(fileio_write_all(-1, "", 0), 0, "nothing to write is no failure");
}

Test(fileio, rename_replaces_in_one_step_and_remove_tolerates_missing)
{
	struct err e = ERR_INIT;

	put("key", "old");
	put("key.next", "new");
	cr_assert_eq(fileio_rename("key.next", "key", &e), 0, "%s", e.msg);
	assert_content("key", "new");
	cr_assert_eq(access("key.next", F_OK), -1);
	cr_assert_eq(entries(), 1);
	/* A rotation killed after the rename runs it again: the source is gone. */
	cr_assert_eq(fileio_rename("key.next", "key", &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_not_null(strstr(e.msg, "cannot rename 'key.next' to 'key'"), "%s", e.msg);
	assert_content("key", "new");
	/* A failed rename leaves both files as they were. */
	put("key.next", "newer");
	fail_rename_at = 1;
	cr_assert_eq(fileio_rename("key.next", "key", &e), -1);
	assert_content("key", "new");
	assert_content("key.next", "newer");
	cr_assert_eq(fileio_remove("key.next", &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_remove("key.next", &e), 0, "missing is no error");
	cr_assert_eq(entries(), 1);
}
