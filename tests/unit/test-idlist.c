/* Unit tests of the idlist module: id files and generated ids. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idlist.h"

static struct idlist *
open_mem(const char *data)
{
	struct idlist *l;
	struct err e = ERR_INIT;

	cr_assert_eq(idlist_open_mem(&l, data, strlen(data), "ids.txt", &e), 0, "%s", e.msg);
	return l;
}

Test(idlist, skips_blanks_and_comments_and_trims)
{
	struct idlist *l = open_mem("# factory batch 7\n"
				    "dev-1\n"
				    "\n"
				    "  dev-2 \t\r\n"
				    "   # indented comment\n"
				    "\t\r\n"
				    "dev-3"); /* no final line end */
	char id[DEVID_MAX + 1];
	unsigned long line;
	struct err e = ERR_INIT;

	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "dev-1");
	cr_assert_eq(line, 2);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "dev-2");
	cr_assert_eq(line, 4);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "dev-3");
	cr_assert_eq(line, 7);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_END);
	idlist_close(l);
}

Test(idlist, reports_bad_ids_with_their_line_and_goes_on)
{
	char data[1024], longid[DEVID_MAX + 2], id[DEVID_MAX + 1];
	struct idlist *l;
	unsigned long line;
	struct err e = ERR_INIT;
	static const char *const why[] = {"character '/'", "starts with '.'", "space", "longer",
					  "NUL"};
	size_t i, n;

	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	n = (size_t)snprintf(data, sizeof(data), "ok-1\na/b\n.hidden\ntwo words\n%s\nnul", longid);
	data[n++] = '\0';
	n += (size_t)snprintf(data + n, sizeof(data) - n, "x\nok-2\n");
	cr_assert_eq(idlist_open_mem(&l, data, n, "ids.txt", &e), 0);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	for (i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
		char want[32];

		e = (struct err)ERR_INIT;
		cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_BAD, "line %zu accepted", i + 2);
		cr_assert_eq(line, i + 2);
		snprintf(want, sizeof(want), "'ids.txt' line %zu: ", i + 2);
		cr_assert(strstr(e.msg, want) == e.msg, "%s", e.msg);
		cr_assert(strstr(e.msg, why[i]) != NULL, "%s", e.msg);
		cr_assert_eq(e.status, AK_INPUT);
	}
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "ok-2");
	cr_assert_eq(line, 7);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_END);
	idlist_close(l);
}

Test(idlist, a_very_long_line_is_one_bad_line)
{
	static char data[200000];
	char id[DEVID_MAX + 1];
	struct idlist *l;
	unsigned long line;
	struct err e = ERR_INIT;

	memset(data, 'a', sizeof(data) - 1);
	memcpy(data + sizeof(data) - 8, "\nok-1\n", 7);
	l = open_mem(data);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_BAD);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "ok-1");
	cr_assert_eq(line, 2);
	idlist_close(l);
}

Test(idlist, generates_fixed_width_sequences)
{
	struct idlist *l;
	char id[DEVID_MAX + 1];
	unsigned long line, n = 0;
	struct err e = ERR_INIT;

	cr_assert_eq(idlist_open_seq(&l, "dev-", 1, 1000, 0, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(idlist_total(l), 1000);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "dev-0001");
	n++;
	while (idlist_next(l, id, &line, &e) == IDLIST_ID)
		n++;
	cr_assert_eq(n, 1000);
	cr_assert_str_eq(id, "dev-1000");
	idlist_close(l);

	cr_assert_eq(idlist_open_seq(&l, "x", 98, 3, 6, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "x000098");
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "x000100");
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_END);
	idlist_close(l);
}

Test(idlist, refuses_bad_sequences)
{
	struct idlist *l;
	struct err e = ERR_INIT;

	cr_assert_eq(idlist_open_seq(&l, "a/b-", 1, 10, 0, 0, &e), -1);
	cr_assert_eq(e.status, AK_USAGE);
	cr_assert(strstr(e.msg, "prefix") != NULL, "%s", e.msg);
	cr_assert_eq(idlist_open_seq(&l, "dev", 1, 0, 0, 0, &e), -1);
	cr_assert_eq(idlist_open_seq(&l, "dev", 1, 1000, 3, 0, &e), -1);
	cr_assert(strstr(e.msg, "too small") != NULL, "%s", e.msg);
	cr_assert_eq(idlist_open_seq(&l, "dev", (unsigned long)-1, 2, 0, 0, &e), -1);
}

/*
 * The progress total of a file counts exactly the lines idlist_next()
 * answers for: it once looked only at a line's first 8 bytes and took a lone
 * CR for a blank (seen while writing fuzz-idlist, whose invariant fails on
 * the old code).  A long line of blanks is a bad line, not a read of the
 * bytes after the ones kept.
 */
Test(idlist, file_total_counts_what_next_returns)
{
	char path[] = "/tmp/test-idlist.XXXXXX", id[DEVID_MAX + 1], blanks[300];
	unsigned long line, n = 0;
	struct idlist *l;
	struct err e = ERR_INIT;
	FILE *f;
	int fd, r;

	memset(blanks, ' ', sizeof(blanks) - 1);
	blanks[sizeof(blanks) - 1] = '\0';
	cr_assert((fd = mkstemp(path)) >= 0);
	cr_assert((f = fdopen(fd, "w")) != NULL);
	fprintf(f, "          dev-1\n\r\r\n \r\n%s\n%s#\n#%s\n\t# c\ndev-2", blanks, blanks,
		blanks);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(idlist_open(&l, path, &e), 0, "%s", e.msg);
	while ((r = idlist_next(l, id, &line, &e)) != IDLIST_END) {
		cr_assert(r == IDLIST_ID || r == IDLIST_BAD);
		if (line == 1 || line == 8)
			cr_assert_eq(r, IDLIST_ID, "line %lu: %s", line, e.msg);
		else
			cr_assert_eq(r, IDLIST_BAD, "line %lu", line);
		n++;
	}
	cr_assert_eq(n, 5); /* dev-1, "\r", 299 blanks, 299 blanks + '#', dev-2 */
	cr_assert_eq(idlist_total(l), n);
	idlist_close(l);
	unlink(path);
}

/*
 * An ids file saved with a UTF-8 byte order mark lost its first id
 * ('\xef\xbb\xbfbom1' is not a valid id) while the manifest reader skipped
 * the BOM: both now read through one line reader.  Only the stream's very
 * first bytes are a BOM; the total agrees with what next returns.
 */
Test(idlist, skips_a_utf8_bom_at_the_start_only)
{
	static const char data[] = "\xef\xbb\xbf# made on Windows\r\nbom1\r\n\xef\xbb\xbf"
				   "bom2\r\n";
	char path[] = "/tmp/test-idlist.XXXXXX", id[DEVID_MAX + 1];
	struct idlist *l;
	unsigned long line;
	struct err e = ERR_INIT;
	int fd, pass;

	cr_assert((fd = mkstemp(path)) >= 0);
	cr_assert_eq(write(fd, data, sizeof(data) - 1), (ssize_t)sizeof(data) - 1);
	cr_assert_eq(close(fd), 0);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			l = open_mem(data);
		else
			cr_assert_eq(idlist_open(&l, path, &e), 0, "%s", e.msg);
		cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID, "%s", e.msg);
		cr_assert_str_eq(id, "bom1");
		cr_assert_eq(line, 2);
		cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_BAD); /* a BOM later is data */
		cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_END);
		if (pass == 1)
			cr_assert_eq(idlist_total(l), 2);
		idlist_close(l);
	}
	unlink(path);
}

/* A BOM that arrives one byte per read (a pipe) is skipped all the same; a lone 0xef is data. */
Test(idlist, skips_a_bom_split_across_reads)
{
	static const char *const inputs[] = {"\xef\xbb\xbf"
					     "dev-1\n",
					     "\xef"
					     "dev-1\n"};
	char id[DEVID_MAX + 1];
	struct idlist *l;
	unsigned long line;
	struct err e = ERR_INIT;
	size_t i, k;
	int p[2], saved;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(pipe(p), 0);
		if ((pid = fork()) == 0) {
			close(p[0]);
			for (k = 0; inputs[i][k] != '\0'; k++)
				if (write(p[1], inputs[i] + k, 1) != 1)
					_exit(1);
			_exit(0);
		}
		cr_assert(pid > 0);
		close(p[1]);
		cr_assert((saved = dup(STDIN_FILENO)) >= 0);
		cr_assert_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
		close(p[0]);
		cr_assert_eq(idlist_open(&l, "-", &e), 0, "%s", e.msg);
		if (i == 0) {
			cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID, "%s", e.msg);
			cr_assert_str_eq(id, "dev-1");
		} else {
			cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_BAD);
		}
		cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_END);
		idlist_close(l);
		cr_assert_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
		close(saved);
		cr_assert_eq(waitpid(pid, NULL, 0), pid);
	}
}

/* An existing batch's width is a minimum: s-1 ... s-9 extended to 12 is s-10 ... s-12, no s-01. */
Test(idlist, at_least_keeps_a_narrower_width)
{
	static const char *const want[] = {"s-1", "s-9", "s-10", "s-12"};
	struct idlist *l;
	char id[DEVID_MAX + 1];
	unsigned long line;
	struct err e = ERR_INIT;
	size_t k = 0;

	cr_assert_eq(idlist_open_seq(&l, "s-", 1, 12, 1, 1, &e), 0, "%s", e.msg);
	while (idlist_next(l, id, &line, &e) == IDLIST_ID)
		if (line == 1 || line == 9 || line == 10 || line == 12)
			cr_assert_str_eq(id, want[k++]);
	cr_assert_eq(k, 4);
	idlist_close(l);
	cr_assert_eq(idlist_open_seq(&l, "s-", 1, 12, 3, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(idlist_next(l, id, &line, &e), IDLIST_ID);
	cr_assert_str_eq(id, "s-001");
	idlist_close(l);
}
