/* Unit tests of the journal module: records (RFC 4180), formatting, the file's life cycle. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "unit-tmpdir.h"

static const struct journal_format fmt = {"id,value,when", "a test journal", NULL};
#define HDR "id,value,when\n"

/* A record bound to three buffers of 16 bytes. */
struct rec3 {
	char id[16], value[16], when[16];
	struct journal_record r;
};

static void
rec3_bind(struct rec3 *x)
{
	memset(&x->r, 0, sizeof(x->r));
	x->r.f[0] = x->id;
	x->r.f[1] = x->value;
	x->r.f[2] = x->when;
	x->r.cap[0] = x->r.cap[1] = x->r.cap[2] = 16;
}

static void
open_mem(struct journal_reader *jr, const char *data)
{
	struct err e = ERR_INIT;

	cr_assert_eq(journal_reader_open_mem(jr, data, strlen(data), "j.csv", &fmt, &e), 0, "%s",
		     e.msg);
}

Test(journal, reads_records_with_their_lines)
{
	struct journal_reader jr;
	struct rec3 x;
	struct err e = ERR_INIT;

	open_mem(&jr, HDR "a,1,t1\n\n\"b\",\"two\nlines\",t2\r\nc,3,t3");
	rec3_bind(&x);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.id, "a");
	cr_assert_eq(x.r.nfields, 3);
	cr_assert_eq(x.r.torn, 0);
	cr_assert_eq(jr.row_line, 2);
	/* The blank line is skipped; the quoted line end is data and counts as a line. */
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.id, "b");
	cr_assert_str_eq(x.value, "two\nlines");
	cr_assert_str_eq(x.when, "t2");
	cr_assert_eq(jr.row_line, 4);
	/* A last line without its line end is a record, marked torn. */
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.id, "c");
	cr_assert_str_eq(x.when, "t3");
	cr_assert_eq(x.r.torn, 1);
	cr_assert_eq(jr.row_line, 6);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 0);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 0);
	journal_reader_close(&jr);
}

Test(journal, notes_what_is_wrong_with_a_record)
{
	static const struct {
		const char *row;
		int nfields, toolong, torn;
		const char *syntax;
	} cases[] = {
		{"a,b", 2, 0, 0, NULL},
		{"a,b,c,d,e,f,g,h,i,j", 10, 0, 0, NULL},
		{"a,0123456789abcdef,c", 3, 2, 0, NULL},
		{"a,\"b\"x,c", 3, 0, 0, "text after a closing quote"},
		{"a,b\"c,d", 3, 0, 0, "a quote inside an unquoted field"},
		{"a,\"b,c", 2, 0, 1, "a quoted field is not closed"},
	};
	char data[256];
	struct journal_reader jr;
	struct rec3 x;
	struct err e = ERR_INIT;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(data, sizeof(data), HDR "%s\nok,1,t\n", cases[i].row);
		open_mem(&jr, data);
		rec3_bind(&x);
		cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
		cr_assert_eq(x.r.nfields, cases[i].nfields, "'%s'", cases[i].row);
		cr_assert_eq(x.r.toolong, cases[i].toolong, "'%s'", cases[i].row);
		cr_assert_eq(x.r.torn, cases[i].torn, "'%s'", cases[i].row);
		if (cases[i].syntax == NULL)
			cr_assert_null(x.r.syntax, "'%s': %s", cases[i].row, x.r.syntax);
		else
			cr_assert_str_eq(x.r.syntax, cases[i].syntax, "'%s'", cases[i].row);
		/* The rest of a bad record is consumed: the next one reads as it should
		 * (an unclosed quote runs to the end of the data). */
		if (x.r.torn) {
			cr_assert_eq(journal_next(&jr, &x.r, &e), 0, "after '%s'", cases[i].row);
		} else {
			cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
			cr_assert_str_eq(x.id, "ok", "after '%s'", cases[i].row);
			cr_assert_null(x.r.syntax);
		}
		journal_reader_close(&jr);
	}
	/* A NUL byte, and a field kept by nobody (NULL buffer) that is never too long. */
	n = (size_t)snprintf(data, sizeof(data), HDR "a,0123456789abcdefghij,c%c\n", 'X');
	data[n - 2] = '\0';
	cr_assert_eq(journal_reader_open_mem(&jr, data, n, "j.csv", &fmt, &e), 0, "%s", e.msg);
	rec3_bind(&x);
	x.r.f[1] = NULL;
	x.r.cap[1] = 0;
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_eq(x.r.nul, 1);
	cr_assert_eq(x.r.toolong, 0);
	cr_assert_str_eq(x.id, "a");
	journal_reader_close(&jr);
}

Test(journal, checks_the_header_field_by_field)
{
	static const char *const good[] = {
		HDR,
		"\xef\xbb\xbf"
		"id,value,when\r\n",
		"\"id\",value,\"when\"\n",
		"id,value,when", /* a header alone, without its line end */
	};
	static const char *const bad[] = {
		"",
		"id,value\n",
		"id,value,when,extra\n",
		"id,Value,when\n",
		"\xef\xbb" HDR,
		"id,value,when \n",
		"\"id,value,when\"\n",
	};
	struct journal_reader jr;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(journal_reader_open_mem(&jr, good[i], strlen(good[i]), "j.csv", &fmt,
						     &e),
			     0, "refused header %zu: %s", i, e.msg);
		journal_reader_close(&jr);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(journal_reader_open_mem(&jr, bad[i], strlen(bad[i]), "j.csv", &fmt,
						     &e),
			     -1, "accepted header %zu", i);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert(strstr(e.msg, "'j.csv'") != NULL, "%s", e.msg);
		cr_assert(strstr(e.msg, "not a test journal") != NULL, "%s", e.msg);
	}
}

Test(journal, formats_and_quotes_only_when_needed)
{
	const char *plain[] = {"a", "", "c"}, *odd[] = {"a,b", "say \"hi\"", "x y"};
	const char *lf[] = {"a", "x\ny", "c"}, *cr[] = {"a", "b", "x\r"};
	char buf[64];
	int n;

	cr_assert_eq(journal_format_row(plain, 3, buf, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "a,,c\n");
	n = journal_format_row(odd, 3, buf, sizeof(buf));
	cr_assert_str_eq(buf, "\"a,b\",\"say \"\"hi\"\"\",x y\n");
	cr_assert_eq(n, (int)strlen(buf));
	/* "a,,c\n" and its NUL need 6 bytes. */
	cr_assert_eq(journal_format_row(plain, 3, buf, 6), 5);
	cr_assert_eq(journal_format_row(plain, 3, buf, 5), -1);
	cr_assert_eq(journal_format_row(odd, 3, buf, 10), -1);
	/* A row is one line: a crash can then tear only the last line, which open cuts. */
	cr_assert_eq(journal_format_row(lf, 3, buf, sizeof(buf)), -1);
	cr_assert_eq(journal_format_row(cr, 3, buf, sizeof(buf)), -1);
}

Test(journal, reads_back_what_it_formats)
{
	const char *in[] = {"a,\"b\"", ", ,", "\"\""};
	char data[128] = HDR;
	size_t h = strlen(HDR);
	struct journal_reader jr;
	struct rec3 x;
	struct err e = ERR_INIT;

	cr_assert(journal_format_row(in, 3, data + h, sizeof(data) - h) > 0);
	open_mem(&jr, data);
	rec3_bind(&x);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_null(x.r.syntax);
	cr_assert_eq(x.r.torn, 0);
	cr_assert_str_eq(x.id, in[0]);
	cr_assert_str_eq(x.value, in[1]);
	cr_assert_str_eq(x.when, in[2]);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 0);
	journal_reader_close(&jr);
}

/* --- files ----------------------------------------------------------------- */

static void
put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static char *
slurp(const char *path, size_t *len)
{
	static char buf[32768];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

static char *
tmp(const char *name)
{
	static char path[2][128];
	static int i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s", unit_tmpdir, name);
	return path[i];
}

TestSuite(journal_file, .init = unit_tmpdir_make, .fini = unit_tmpdir_remove);

Test(journal_file, creates_with_its_header_appends_and_reads_back)
{
	struct journal j = JOURNAL_INIT;
	struct journal_reader jr;
	const char *f[] = {"a", "1", "t1"};
	char row[64];
	struct rec3 x;
	struct err e = ERR_INIT;
	struct stat st;
	int n;

	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR);
	cr_assert_eq(stat(tmp("j.csv"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	/* Nothing but the journal itself: no staged temp file is left beside it. */
	cr_assert_eq(access(tmp(".j.csv.akcred-"), F_OK), -1);
	n = journal_format_row(f, 3, row, sizeof(row));
	cr_assert_eq(journal_append(&j, row, (size_t)n, &e), 0, "%s", e.msg);
	journal_close(&j);
	cr_assert_eq(j.fd, -1);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "a,1,t1\n");
	cr_assert_eq(journal_reader_open(&jr, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	rec3_bind(&x);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.when, "t1");
	cr_assert_eq(journal_next(&jr, &x.r, &e), 0);
	journal_reader_close(&jr);
}

Test(journal_file, reads_an_open_journal_and_still_appends_at_its_end)
{
	struct journal j = JOURNAL_INIT;
	struct journal_reader jr;
	struct rec3 x;
	struct err e = ERR_INIT;

	put(tmp("j.csv"), HDR "a,1,t1\nb,2,t2\n", strlen(HDR "a,1,t1\nb,2,t2\n"));
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_reader_open_journal(&jr, &j, &e), 0, "%s", e.msg);
	rec3_bind(&x);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.id, "a");
	/* Halfway through reading: the append goes to the end, not over row b. */
	cr_assert_eq(journal_append(&j, "c,3,t3\n", 7, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_next(&jr, &x.r, &e), 1, "%s", e.msg);
	cr_assert_str_eq(x.id, "b");
	journal_reader_close(&jr);
	/* Closing the reader leaves the journal open. */
	cr_assert_eq(journal_append(&j, "d,4,t4\n", 7, &e), 0, "%s", e.msg);
	journal_close(&j);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "a,1,t1\nb,2,t2\nc,3,t3\nd,4,t4\n");
}

Test(journal_file, cuts_a_torn_tail_and_keeps_whole_rows)
{
	static char data[12000];
	struct journal j = JOURNAL_INIT;
	const char *whole = HDR "a,1,t1\n";
	struct err e = ERR_INIT;
	size_t n;

	snprintf(data, sizeof(data), "%sb,2,t", whole);
	put(tmp("j.csv"), data, strlen(data));
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	journal_close(&j);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), whole);
	/* Nothing to cut: the file stays as it is. */
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	journal_close(&j);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), whole);
	/* A tail longer than one block read backwards, with a quoted line end in it. */
	n = strlen(whole);
	memcpy(data, whole, n);
	memcpy(data + n, "b,\"x\ny", 6);
	memset(data + n + 6, 'z', sizeof(data) - n - 6);
	put(tmp("j.csv"), data, sizeof(data));
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	journal_close(&j);
	cr_assert_str_eq(slurp(tmp("j.csv"), &n), HDR "a,1,t1\nb,\"x\n");
}

Test(journal_file, never_appends_to_what_is_not_one)
{
	static const char *const bad[] = {"name,value\na,b\n", "",
					  HDR "a,1,t1\n"
					      "id"};
	struct journal j = JOURNAL_INIT;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		put(tmp("other.csv"), bad[i], strlen(bad[i]));
		if (i == 2)
			put(tmp("other.csv"), "id,value,when", 13); /* the header torn */
		cr_assert_eq(journal_open(&j, tmp("other.csv"), &fmt, &e), -1, "accepted %zu", i);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert(strstr(e.msg, "not a test journal") != NULL, "%s", e.msg);
		cr_assert_eq(j.fd, -1);
		cr_assert_str_eq(slurp(tmp("other.csv"), NULL), i == 2 ? "id,value,when" : bad[i]);
	}
	/* A symbolic link, even to a journal, is not followed. */
	put(tmp("real.csv"), HDR, strlen(HDR));
	cr_assert_eq(symlink("real.csv", tmp("link.csv")), 0);
	e = (struct err)ERR_INIT;
	cr_assert_eq(journal_open(&j, tmp("link.csv"), &fmt, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
}

Test(journal_file, a_second_writer_is_refused)
{
	struct journal j1 = JOURNAL_INIT, j2 = JOURNAL_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(journal_open(&j1, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_open(&j2, tmp("j.csv"), &fmt, &e), -1);
	cr_assert(strstr(e.msg, "in use") != NULL, "%s", e.msg);
	cr_assert_eq(e.status, AK_INPUT);
	journal_close(&j1);
	cr_assert_eq(journal_open(&j2, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	journal_close(&j2);
}

/* Replacing a journal whole (rotate's rewrite of the manifest), its writer's lock never let go. */
Test(journal_file, is_replaced_under_its_writers_own_lock)
{
	struct journal j1 = JOURNAL_INIT, j2 = JOURNAL_INIT;
	struct fileio_batch b = FILEIO_BATCH_INIT;
	struct err e = ERR_INIT;

	cr_assert_eq(journal_open(&j1, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_append(&j1, "a,1,t1\n", 7, &e), 0, "%s", e.msg);
	/* Without hold, commit finds the old file locked -- by us. */
	cr_assert_eq(fileio_batch_add(&b, tmp("j.csv"), HDR "a,2,t2\n", strlen(HDR) + 7, 0644, &e),
		     0, "%s", e.msg);
	cr_assert_eq(fileio_batch_commit(&b, 1, &e), -1);
	cr_assert(strstr(e.msg, "another process holds it") != NULL, "%s", e.msg);
	fileio_batch_clear(&b);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "a,1,t1\n");
	/* Meanwhile nobody else may write it. */
	cr_assert_eq(journal_open(&j2, tmp("j.csv"), &fmt, &e), -1);
	e = (struct err)ERR_INIT;
	cr_assert_eq(fileio_batch_add(&b, tmp("j.csv"), HDR "a,2,t2\n", strlen(HDR) + 7, 0644, &e),
		     0, "%s", e.msg);
	cr_assert_eq(fileio_batch_hold(&b, j1.fd, &e), 0, "%s", e.msg);
	cr_assert_eq(fileio_batch_commit(&b, 1, &e), 0, "%s", e.msg);
	fileio_batch_clear(&b);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "a,2,t2\n");
	/* The old file's lock does not keep anyone from the new one. */
	cr_assert_eq(journal_open(&j2, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_eq(journal_append(&j2, "b,3,t3\n", 7, &e), 0, "%s", e.msg);
	journal_close(&j2);
	journal_close(&j1);
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "a,2,t2\nb,3,t3\n");
}

/*
 * flock(2) as the module calls it, with a replacement of the journal (a new
 * file renamed over it, as rotate's rewrite does) just before it: the moment
 * between journal_open's open and its lock, made to happen every time.  The
 * test binary's own definition is the one the module's call binds to.
 */
static int replacements; /* how many flock calls still find the file replaced */

int
flock(int fd, int op)
{
	char from[128], to[128]; /* not tmp(): the caller's path may be one of its buffers */

	if (replacements > 0) {
		replacements--;
		snprintf(from, sizeof(from), "%s/new.csv", unit_tmpdir);
		snprintf(to, sizeof(to), "%s/j.csv", unit_tmpdir);
		put(from, HDR "n,1,t\n", strlen(HDR "n,1,t\n"));
		cr_assert_eq(rename(from, to), 0);
	}
	return (int)syscall(SYS_flock, fd, op);
}

Test(journal_file, takes_the_lock_of_the_file_that_is_there_not_one_renamed_over)
{
	struct journal j = JOURNAL_INIT;
	struct err e = ERR_INIT;

	put(tmp("j.csv"), HDR "o,1,t\n", strlen(HDR "o,1,t\n"));
	replacements = 1;
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), 0, "%s", e.msg);
	cr_assert_eq(replacements, 0);
	cr_assert_eq(journal_append(&j, "a,2,t\n", 6, &e), 0, "%s", e.msg);
	journal_close(&j);
	/* The row went to the file at the name, not to the one replaced and gone. */
	cr_assert_str_eq(slurp(tmp("j.csv"), NULL), HDR "n,1,t\na,2,t\n");
	/* A file replaced at every try: an error in the end, not a loop. */
	replacements = 1000;
	cr_assert_eq(journal_open(&j, tmp("j.csv"), &fmt, &e), -1);
	cr_assert(strstr(e.msg, "keeps being replaced") != NULL, "%s", e.msg);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_eq(j.fd, -1);
	replacements = 0;
}

/* The writer reads the header as the reader does: a BOM and CRLF are fine, half a BOM is not. */
Test(journal_file, writer_and_reader_agree_on_the_header)
{
	static const char *const files[] = {"\xef\xbb\xbf"
					    "id,value,when\r\n",
					    "\"id\",value,when\n", "\xef\xbb" HDR, "id,value\n"};
	struct journal j = JOURNAL_INIT;
	struct journal_reader jr;
	struct err e;
	size_t i;
	int w, r;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		e = (struct err)ERR_INIT;
		put(tmp("j.csv"), files[i], strlen(files[i]));
		w = journal_open(&j, tmp("j.csv"), &fmt, &e);
		journal_close(&j);
		r = journal_reader_open(&jr, tmp("j.csv"), &fmt, &e);
		journal_reader_close(&jr);
		cr_assert_eq(w, r, "file %zu: writer %d, reader %d", i, w, r);
		cr_assert_eq(w, i < 2 ? 0 : -1, "file %zu", i);
	}
}

/* A format that grew a field: its older header is still read, and says which it is. */
static const char *const older_headers[] = {"id,value", NULL};
static const struct journal_format grown = {"id,value,when", "a test journal", older_headers};

Test(journal_file, reads_and_opens_an_older_header_as_its_version)
{
	struct journal j = JOURNAL_INIT;
	struct journal_reader jr;
	struct err e = ERR_INIT;

	put(tmp("old.csv"), "id,value\na,1\n", 13);
	cr_assert_eq(journal_reader_open(&jr, tmp("old.csv"), &grown, &e), 0, "%s", e.msg);
	cr_assert_eq(jr.version, 1);
	journal_reader_close(&jr);
	cr_assert_eq(journal_open(&j, tmp("old.csv"), &grown, &e), 0, "%s", e.msg);
	cr_assert_eq(j.version, 1);
	journal_close(&j);
	/* A new file gets the current header, version 0. */
	cr_assert_eq(journal_open(&j, tmp("new.csv"), &grown, &e), 0, "%s", e.msg);
	cr_assert_eq(j.version, 0);
	journal_close(&j);
	cr_assert_str_eq(slurp(tmp("new.csv"), NULL), HDR);
	/* The older header is the grown format's only: a format without it refuses it. */
	cr_assert_eq(journal_reader_open(&jr, tmp("old.csv"), &fmt, &e), -1);
	cr_assert(strstr(e.msg, "its first line is not 'id,value,when'") != NULL, "%s", e.msg);
}
