/* Unit tests of the fileio module: bounded reads, staged never-clobbering writes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "unit-tmpdir.h"

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	unit_tmpdir_make();
	cr_assert_eq(chdir(unit_tmpdir), 0);
}

static void
teardown(void)
{
	cr_assert_eq(chdir("/"), 0);
	unit_tmpdir_remove();
}

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(s, f);
	fclose(f);
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

TestSuite(fileio, .init = setup, .fini = teardown);

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
	cr_assert_eq(fileio_check_absent("second", 0, &e), -1);
	cr_assert_eq(fileio_check_absent("second", 1, &e), 0);
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

Test(fileio, clear_without_commit_removes_staged_files)
{
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(fileio_batch_add(&batch, "x", "1", 1, 0600, &e), 0);
	cr_assert_eq(entries(), 1);
	fileio_batch_clear(&batch);
	cr_assert_eq(entries(), 0);
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
