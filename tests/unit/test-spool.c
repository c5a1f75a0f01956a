/* Unit tests of the spool module: what survives, in which order, and what it refuses. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"
#include "unit-tmpdir.h"

TestSuite(spool, .init = unit_tmpdir_enter, .fini = unit_tmpdir_leave);

struct seen {
	unsigned long long seq[16];
	char payload[16][64];
	int n;
};

static int
collect(unsigned long long seq, const char *payload, size_t len, void *arg, struct err *e)
{
	struct seen *s = arg;

	(void)e;
	cr_assert_lt(s->n, 16);
	cr_assert_eq(strlen(payload), len);
	s->seq[s->n] = seq;
	snprintf(s->payload[s->n], sizeof(s->payload[0]), "%s", payload);
	s->n++;
	return 0;
}

static void
reopen(struct spool *sp, struct seen *s)
{
	struct err e = ERR_INIT;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(spool_open(sp, "sp", 1024, collect, s, &e), 0, "%s", e.msg);
}

Test(spool, keeps_what_was_not_acknowledged_in_order)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;

	reopen(&sp, &s);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(sp.next_seq, 1);
	cr_assert_eq(spool_put(&sp, 1, "{\"a\":1}", 7, &e), 0, "%s", e.msg);
	cr_assert_eq(spool_put(&sp, 2, "b,\"c\"", 5, &e), 0, "%s", e.msg);
	cr_assert_eq(spool_put(&sp, 3, "three", 5, &e), 0, "%s", e.msg);
	cr_assert_eq(spool_flush(&sp, &e), 0, "%s", e.msg);
	cr_assert_eq(spool_ack(&sp, 1, &e), 0);
	cr_assert_eq(spool_flush(&sp, &e), 0);
	spool_close(&sp);

	reopen(&sp, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.seq[0], 2);
	cr_assert_str_eq(s.payload[0], "b,\"c\"");
	cr_assert_eq(s.seq[1], 3);
	cr_assert_eq(sp.next_seq, 4, "numbers are never reused");
	cr_assert_eq(spool_ack(&sp, 3, &e), 0);
	cr_assert_eq(spool_flush(&sp, &e), 0);
	spool_close(&sp);

	reopen(&sp, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.seq[0], 2);
	spool_close(&sp);
}

Test(spool, unflushed_rows_are_not_written)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;

	reopen(&sp, &s);
	cr_assert_eq(spool_put(&sp, 1, "x", 1, &e), 0);
	spool_close(&sp);
	reopen(&sp, &s);
	cr_assert_eq(s.n, 0);
	spool_close(&sp);
}

Test(spool, starts_again_from_what_is_pending)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;
	char buf[256];
	ssize_t n;
	int fd;

	reopen(&sp, &s);
	cr_assert_eq(spool_put(&sp, 1, "one", 3, &e), 0);
	cr_assert_eq(spool_put(&sp, 2, "two", 3, &e), 0);
	cr_assert_eq(spool_ack(&sp, 1, &e), 0);
	cr_assert_eq(spool_flush(&sp, &e), 0);
	spool_close(&sp);
	reopen(&sp, &s);
	spool_close(&sp);
	cr_assert_geq(fd = open("sp/" SPOOL_FILE, O_RDONLY), 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "op,seq,payload\nput,2,two\n");
}

Test(spool, a_torn_last_row_was_never_sent)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;
	int fd;

	reopen(&sp, &s);
	cr_assert_eq(spool_put(&sp, 1, "whole", 5, &e), 0);
	cr_assert_eq(spool_flush(&sp, &e), 0);
	spool_close(&sp);
	cr_assert_geq(fd = open("sp/" SPOOL_FILE, O_WRONLY | O_APPEND), 0);
	cr_assert_eq(write(fd, "put,2,tor", 9), 9);
	close(fd);
	reopen(&sp, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.payload[0], "whole");
	spool_close(&sp);
}

Test(spool, refuses_what_a_row_cannot_hold)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;

	reopen(&sp, &s);
	cr_assert_eq(spool_put(&sp, 1, "a\nb", 3, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_eq(spool_payload_check("a\rb", 3, &e), -1);
	cr_assert_eq(spool_payload_check("a\0b", 3, &e), -1);
	cr_assert_eq(spool_payload_check("{\"a\":1}", 7, &e), 0);
	spool_close(&sp);
}

Test(spool, one_process_at_a_time)
{
	struct spool a, b;
	struct seen s;
	struct err e = ERR_INIT;

	reopen(&a, &s);
	cr_assert_eq(spool_open(&b, "sp", 1024, collect, &s, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "in use") != NULL, "%s", e.msg);
	spool_close(&a);
}

Test(spool, refuses_a_file_that_is_not_a_spool)
{
	struct spool sp;
	struct seen s;
	struct err e = ERR_INIT;
	FILE *f;

	cr_assert_eq(mkdir("sp", 0700), 0);
	cr_assert_not_null(f = fopen("sp/" SPOOL_FILE, "w"));
	fputs("op,seq,payload\nsend,x,y\n", f);
	fclose(f);
	cr_assert_eq(spool_open(&sp, "sp", 1024, collect, &s, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert(strstr(e.msg, "line 2") != NULL, "%s", e.msg);
}
