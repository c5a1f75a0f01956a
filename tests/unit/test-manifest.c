/* Unit tests of the manifest module: parsing (RFC 4180), validation, writing, repair. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "unit-tmpdir.h"

#define FP1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define HDR MANIFEST_HEADER "\n"

static struct manifest *
open_mem(const char *data)
{
	struct manifest *m;
	struct err e = ERR_INIT;

	cr_assert_eq(manifest_open_mem(&m, data, strlen(data), "m.csv", &e), 0, "%s", e.msg);
	return m;
}

Test(manifest, reads_plain_rows)
{
	const char *data = HDR "dev-1,EC256_PEM," FP1 ",dev-1/public.pem,2026-11-24T14:13:27Z\n"
			       "dev-2,RSA256_X509_PEM," FP2
			       ",dev-2/cert.pem,2026-11-24T14:13:28Z\n";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(r.device_id, "dev-1");
	cr_assert_str_eq(r.algorithm, "EC256_PEM");
	cr_assert_str_eq(r.fingerprint, FP1);
	cr_assert_str_eq(r.public_key, "dev-1/public.pem");
	cr_assert_str_eq(r.created, "2026-11-24T14:13:27Z");
	cr_assert_eq(manifest_line(m), 2);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(r.device_id, "dev-2");
	cr_assert_str_eq(r.algorithm, "RSA256_X509_PEM");
	cr_assert_eq(manifest_line(m), 3);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	manifest_close(m);
}

Test(manifest, accepts_quotes_crlf_bom_and_no_final_newline)
{
	const char *data = "\xef\xbb\xbf\"device_id\",algorithm,fingerprint,public_key,created\r\n"
			   "\"dev-1\",EC256_PEM,\"" FP1 "\",\"../a,\"\"b\"\"/pk.pem\","
			   "2026-11-24T14:13:27Z\r\n"
			   "\r\n"
			   "dev-x,EC256_PEM," FP1 ",\"two\nlines\",2026-11-24T14:13:27Z\n"
			   "dev-2,EC256_PEM," FP2 ",dev-2/public.pem,2026-11-24T14:13:28Z";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(r.device_id, "dev-1");
	cr_assert_str_eq(r.fingerprint, FP1);
	cr_assert_str_eq(r.public_key, "../a,\"b\"/pk.pem");
	/* A quoted line end is read as part of the field (and refused in a path). */
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_BAD);
	cr_assert(strstr(e.msg, "'m.csv' line 4: ") == e.msg, "%s", e.msg);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(r.device_id, "dev-2");
	/* The quoted line end counts: dev-2 starts on line 6. */
	cr_assert_eq(manifest_line(m), 6);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	manifest_close(m);
}

Test(manifest, rejects_a_wrong_header)
{
	const char *bad[] = {"", "device_id,algorithm,fingerprint,public_key\n",
			     "id,algorithm,fingerprint,public_key,created\n",
			     "device_id,algorithm,fingerprint,public_key,created,extra\n"};
	struct manifest *m;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		cr_assert_eq(manifest_open_mem(&m, bad[i], strlen(bad[i]), "m.csv", &e), -1,
			     "accepted header %zu", i);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert(strstr(e.msg, "'m.csv'") != NULL, "%s", e.msg);
	}
}

Test(manifest, reports_bad_rows_with_line_numbers_and_goes_on)
{
	static const struct {
		const char *row, *why;
	} bad[] = {
		{"dev/1,EC256_PEM," FP1 ",x,2026-11-24T14:13:27Z", "character '/'"},
		{"dev-1,EC384_PEM," FP1 ",x,2026-11-24T14:13:27Z", "unknown algorithm"},
		{"dev-1,EC256_PEM,ABCDEF,x,2026-11-24T14:13:27Z", "64 lowercase hex"},
		{"dev-1,EC256_PEM," FP1 "00,x,2026-11-24T14:13:27Z", "fingerprint"},
		{"dev-1,EC256_PEM," FP1 ",,2026-11-24T14:13:27Z", "empty"},
		{"dev-1,EC256_PEM," FP1 ",x,2026-11-24 14:13:27", "ISO 8601"},
		{"dev-1,EC256_PEM," FP1 ",x", "4 fields"},
		{"dev-1,EC256_PEM," FP1 ",x,2026-11-24T14:13:27Z,extra", "6 fields"},
		{"dev-1,EC256_PEM,\"" FP1 "\"x,x,2026-11-24T14:13:27Z", "after a closing quote"},
		{"dev-1,EC2\"56_PEM," FP1 ",x,2026-11-24T14:13:27Z", "quote inside"},
	};
	char data[4096];
	struct manifest *m;
	struct manifest_row r;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(data, sizeof(data),
			 HDR "ok-1,EC256_PEM," FP1 ",ok-1/public.pem,2026-11-24T14:13:27Z\n%s\n"
			     "ok-2,EC256_PEM," FP2 ",ok-2/public.pem,2026-11-24T14:13:27Z\n",
			 bad[i].row);
		m = open_mem(data);
		e = (struct err)ERR_INIT;
		cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
		cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_BAD, "accepted '%s'",
			     bad[i].row);
		cr_assert_eq(e.status, AK_INPUT);
		cr_assert(strstr(e.msg, "'m.csv' line 3: ") == e.msg, "%s", e.msg);
		cr_assert(strstr(e.msg, bad[i].why) != NULL, "'%s': %s", bad[i].row, e.msg);
		cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
		cr_assert_str_eq(r.device_id, "ok-2");
		cr_assert_eq(manifest_line(m), 4);
		manifest_close(m);
	}
}

/* What manifest_each() showed its visitor, one line per row. */
struct seen {
	char log[512];
	int stop_at; /* visit number that fails (0: none) */
	int visits;
};

static int
record(void *arg, const struct manifest *m, const char *name, const struct manifest_row *row,
       const struct err *bad, struct err *e)
{
	struct seen *s = arg;
	size_t n = strlen(s->log);

	(void)m;
	cr_assert((row == NULL) != (bad == NULL), "a row and a reason, or neither");
	snprintf(s->log + n, sizeof(s->log) - n, "%s %s|", name,
		 row != NULL                  ? "row"
		 : strstr(bad->msg, "line 3") ? "bad line 3"
					      : bad->msg);
	if (++s->visits == s->stop_at)
		return err_set(e, AK_INPUT, "stopped by the visitor");
	return 0;
}

Test(manifest, each_visits_rows_and_bad_rows_in_order_and_stops_when_told)
{
	const char *data = HDR "ok-1,EC256_PEM," FP1 ",ok-1/public.pem,2026-11-24T14:13:27Z\n"
			       "dev/1,EC256_PEM," FP1 ",x,2026-11-24T14:13:27Z\n"
			       "ok-2,EC256_PEM," FP2 ",ok-2/public.pem,2026-11-24T14:13:27Z\n";
	struct seen s = {"", 0, 0};
	struct manifest *m = open_mem(data);
	struct err e = ERR_INIT;
	char *path = NULL;

	cr_assert_eq(manifest_each(m, record, &s, &e), 0, "%s", e.msg);
	cr_assert_str_eq(s.log, "ok-1 row|(line 3) bad line 3|ok-2 row|");
	cr_assert_eq(manifest_beside(m, "results.csv", &path, &e), 0);
	cr_assert_str_eq(path, "./results.csv");
	free(path);
	manifest_close(m);

	s = (struct seen){"", 2, 0};
	m = open_mem(data);
	cr_assert_eq(manifest_each(m, record, &s, &e), -1);
	cr_assert_str_eq(e.msg, "stopped by the visitor");
	cr_assert_str_eq(s.log, "ok-1 row|(line 3) bad line 3|");
	manifest_close(m);
}

Test(manifest, rejects_overlong_fields_without_overflow)
{
	char data[8192], id[300];
	struct manifest *m;
	struct manifest_row r;
	struct err e = ERR_INIT;

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(data, sizeof(data), HDR "%s,EC256_PEM," FP1 ",x,2026-11-24T14:13:27Z\n", id);
	m = open_mem(data);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_BAD);
	cr_assert(strstr(e.msg, "device_id field is too long") != NULL, "%s", e.msg);
	manifest_close(m);
}

Test(manifest, unclosed_quote_at_the_end_is_a_bad_row)
{
	const char *data = HDR "dev-1,EC256_PEM," FP1 ",\"x,2026-11-24T14:13:27Z\n";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_BAD);
	cr_assert(strstr(e.msg, "not closed") != NULL, "%s", e.msg);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	manifest_close(m);
}

Test(manifest, formats_and_quotes_only_when_needed)
{
	struct manifest_row r = {"dev-1", "EC256_PEM", FP1, "dev-1/public.pem",
				 "2026-11-24T14:13:27Z"};
	char buf[MANIFEST_ROW_MAX];
	struct err e = ERR_INIT;
	int n;

	n = manifest_format_row(&r, buf, sizeof(buf), &e);
	cr_assert_str_eq(buf, "dev-1,EC256_PEM," FP1 ",dev-1/public.pem,2026-11-24T14:13:27Z\n");
	cr_assert_eq(n, (int)strlen(buf));
	snprintf(r.public_key, sizeof(r.public_key), "../a,\"b\"/dev-1/public.pem");
	manifest_format_row(&r, buf, sizeof(buf), &e);
	cr_assert_str_eq(buf, "dev-1,EC256_PEM," FP1
			      ",\"../a,\"\"b\"\"/dev-1/public.pem\",2026-11-24T14:13:27Z\n");
	snprintf(r.algorithm, sizeof(r.algorithm), "EC999");
	cr_assert_eq(manifest_format_row(&r, buf, sizeof(buf), &e), -1);
	cr_assert_eq(manifest_format_row(&r, buf, 10, &e), -1);
}

Test(manifest, round_trips_what_it_writes)
{
	struct manifest_row in = {"dev-1", "RSA256_PEM", FP2, "../x,y/dev-1/public.pem",
				  "2026-01-02T03:04:05Z"},
			    out;
	char data[2 * MANIFEST_ROW_MAX] = HDR;
	struct manifest *m;
	struct err e = ERR_INIT;
	size_t n = strlen(data);

	cr_assert(manifest_format_row(&in, data + n, sizeof(data) - n, &e) > 0);
	m = open_mem(data);
	cr_assert_eq(manifest_next_row(m, &out, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(out.device_id, in.device_id);
	cr_assert_str_eq(out.algorithm, in.algorithm);
	cr_assert_str_eq(out.fingerprint, in.fingerprint);
	cr_assert_str_eq(out.public_key, in.public_key);
	cr_assert_str_eq(out.created, in.created);
	manifest_close(m);
}

Test(manifest, relative_paths)
{
	static const char *const cases[][3] = {
		{"/a/b", "/a/b/dev-1/public.pem", "dev-1/public.pem"},
		{"/a/b", "/a/c/dev-1/public.pem", "../c/dev-1/public.pem"},
		{"/a/b", "/a/bc/x", "../bc/x"},
		{"/a/b/c", "/x", "../../../x"},
		{"/", "/a/x", "a/x"},
		{"/a", "/a", "."},
		{"/a/b", "/a", ".."},
	};
	char buf[256];
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(manifest_relpath(cases[i][0], cases[i][1], buf, sizeof(buf), &e), 0);
		cr_assert_str_eq(buf, cases[i][2], "from %s to %s", cases[i][0], cases[i][1]);
	}
	cr_assert_eq(manifest_relpath("/a/b", "/c/d/e", buf, 5, &e), -1);
}

Test(manifest, key_path_is_relative_to_the_manifest)
{
	const char *data = HDR "dev-1,EC256_PEM," FP1 ",dev-1/public.pem,2026-11-24T14:13:27Z\n";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;
	char buf[256];

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_key_path(m, &r, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "dev-1/public.pem");
	manifest_close(m);
}

Test(manifest, private_key_is_beside_the_public_key)
{
	const char *data = HDR "dev-1,EC256_PEM," FP1 ",dev-1/cert.pem,2026-11-24T14:13:27Z\n"
			       "dev-2,EC256_PEM," FP1 ",/b/dev-2/public.pem,2026-11-24T14:13:27Z\n"
			       "dev-3,EC256_PEM," FP1 ",public.pem,2026-11-24T14:13:27Z\n";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;
	char buf[256];

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_private_key_path(m, &r, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "dev-1/" MANIFEST_PRIVATE_KEY);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_private_key_path(m, &r, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "/b/dev-2/" MANIFEST_PRIVATE_KEY);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_private_key_path(m, &r, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, MANIFEST_PRIVATE_KEY);
	/* Too long for the buffer: an error, never a cut path. */
	cr_assert_eq(manifest_private_key_path(m, &r, buf, 8, &e), -1);
	manifest_close(m);
}

Test(manifest, a_certificate_rows_public_key_is_beside_it)
{
	const char *data = HDR "dev-1,EC256_X509_PEM," FP1 ",dev-1/cert.pem,2026-11-24T14:13:27Z\n"
			       "dev-2,EC256_X509_PEM," FP1 ",cert.pem,2026-11-24T14:13:27Z\n";
	struct manifest *m = open_mem(data);
	struct manifest_row r;
	struct err e = ERR_INIT;
	char buf[256];

	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_beside_key(m, &r, MANIFEST_PUBLIC_KEY, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "dev-1/public.pem");
	cr_assert_eq(manifest_beside_key(m, &r, MANIFEST_PUBLIC_KEY, buf, 16, &e), -1,
		     "one byte short: an error, never a cut path");
	cr_assert_eq(manifest_beside_key(m, &r, MANIFEST_PUBLIC_KEY, buf, 17, &e), 0);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW);
	cr_assert_eq(manifest_beside_key(m, &r, MANIFEST_PUBLIC_KEY, buf, sizeof(buf), &e), 0);
	cr_assert_str_eq(buf, "public.pem");
	manifest_close(m);
}

/* --- files ----------------------------------------------------------------- */

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
put(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(data, f);
	fclose(f);
}

TestSuite(manifest_file, .init = unit_tmpdir_make, .fini = unit_tmpdir_remove);

Test(manifest_file, creates_with_header_appends_and_reads_back)
{
	struct manifest_writer w = MANIFEST_WRITER_INIT;
	struct manifest_row r = {"dev-1", "EC256_PEM", FP1, "dev-1/public.pem",
				 "2026-11-24T14:13:27Z"};
	char path[128], row[MANIFEST_ROW_MAX];
	struct manifest *m;
	struct err e = ERR_INIT;
	struct stat st;
	int n;

	snprintf(path, sizeof(path), "%s/manifest.csv", unit_tmpdir);
	cr_assert_eq(manifest_writer_open(&w, path, &e), 0, "%s", e.msg);
	cr_assert_str_eq(slurp(path), HDR);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	n = manifest_format_row(&r, row, sizeof(row), &e);
	cr_assert_eq(manifest_append(&w, row, (size_t)n, &e), 0, "%s", e.msg);
	manifest_writer_close(&w);
	cr_assert_eq(manifest_open(&m, path, &e), 0, "%s", e.msg);
	cr_assert_str_eq(manifest_dir(m), unit_tmpdir);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	manifest_close(m);
}

Test(manifest_file, load_visits_every_row_and_places_files_beside_unless_given)
{
	const char *data = HDR "ok-1,EC256_PEM," FP1 ",ok-1/public.pem,2026-11-24T14:13:27Z\n"
			       "dev/1,EC256_PEM," FP1 ",x,2026-11-24T14:13:27Z\n";
	char path[128], want[160], *results = NULL, *given = strdup("elsewhere.csv");
	const struct manifest_file files[] = {{"results.csv", &results},
					      {"other.csv", &given},
					      {NULL, NULL}};
	struct seen s = {"", 0, 0};
	struct err e = ERR_INIT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifest.csv", unit_tmpdir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(data, f);
	fclose(f);
	cr_assert_eq(manifest_load(path, record, &s, files, &e), 0, "%s", e.msg);
	cr_assert_str_eq(s.log, "ok-1 row|(line 3) bad line 3|");
	snprintf(want, sizeof(want), "%s/results.csv", unit_tmpdir);
	cr_assert_str_eq(results, want);
	cr_assert_str_eq(given, "elsewhere.csv", "a path given (--results) stays");
	free(results);
	results = NULL;

	/* The visitor's failure is the load's, and no file is placed. */
	s = (struct seen){"", 1, 0};
	cr_assert_eq(manifest_load(path, record, &s, files, &e), -1);
	cr_assert_str_eq(e.msg, "stopped by the visitor");
	cr_assert_null(results);
	snprintf(path, sizeof(path), "%s/missing.csv", unit_tmpdir);
	cr_assert_eq(manifest_load(path, record, &s, NULL, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	free(given);
}

Test(manifest_file, cuts_a_torn_tail_and_keeps_whole_rows)
{
	struct manifest_writer w = MANIFEST_WRITER_INIT;
	char path[128];
	const char *whole = HDR "dev-1,EC256_PEM," FP1 ",dev-1/public.pem,2026-11-24T14:13:27Z\n";
	char torn[1024];
	struct err e = ERR_INIT;

	snprintf(path, sizeof(path), "%s/manifest.csv", unit_tmpdir);
	snprintf(torn, sizeof(torn), "%sdev-2,EC256_PEM,0123", whole);
	put(path, torn);
	cr_assert_eq(manifest_writer_open(&w, path, &e), 0, "%s", e.msg);
	manifest_writer_close(&w);
	cr_assert_str_eq(slurp(path), whole);
	/* Nothing to cut: the file stays as it is. */
	cr_assert_eq(manifest_writer_open(&w, path, &e), 0, "%s", e.msg);
	manifest_writer_close(&w);
	cr_assert_str_eq(slurp(path), whole);
}

Test(manifest_file, refuses_what_is_not_a_manifest)
{
	struct manifest_writer w = MANIFEST_WRITER_INIT;
	char path[128];
	struct err e = ERR_INIT;

	snprintf(path, sizeof(path), "%s/other.csv", unit_tmpdir);
	put(path, "name,value\na,b\n");
	cr_assert_eq(manifest_writer_open(&w, path, &e), -1);
	cr_assert(strstr(e.msg, "not a manifest") != NULL, "%s", e.msg);
	cr_assert_str_eq(slurp(path), "name,value\na,b\n");
}

Test(manifest_file, a_second_writer_is_refused)
{
	struct manifest_writer w1 = MANIFEST_WRITER_INIT, w2 = MANIFEST_WRITER_INIT;
	char path[128];
	struct err e = ERR_INIT;

	snprintf(path, sizeof(path), "%s/manifest.csv", unit_tmpdir);
	cr_assert_eq(manifest_writer_open(&w1, path, &e), 0, "%s", e.msg);
	cr_assert_eq(manifest_writer_open(&w2, path, &e), -1);
	cr_assert(strstr(e.msg, "in use") != NULL, "%s", e.msg);
	manifest_writer_close(&w1);
	cr_assert_eq(manifest_writer_open(&w2, path, &e), 0, "%s", e.msg);
	manifest_writer_close(&w2);
}

/* The writer reads the first line as the reader does (one line reader): a BOM and CRLF are fine. */
Test(manifest_file, appends_to_a_manifest_saved_with_a_bom)
{
	struct manifest_writer w = MANIFEST_WRITER_INIT;
	struct manifest_row r = {"dev-1", "EC256_PEM", FP1, "dev-1/public.pem",
				 "2026-11-24T14:13:27Z"};
	char path[128], row[MANIFEST_ROW_MAX];
	struct manifest *m;
	struct err e = ERR_INIT;
	int n;

	snprintf(path, sizeof(path), "%s/manifest.csv", unit_tmpdir);
	put(path, "\xef\xbb\xbf" MANIFEST_HEADER "\r\n");
	cr_assert_eq(manifest_writer_open(&w, path, &e), 0, "%s", e.msg);
	n = manifest_format_row(&r, row, sizeof(row), &e);
	cr_assert_eq(manifest_append(&w, row, (size_t)n, &e), 0, "%s", e.msg);
	manifest_writer_close(&w);
	cr_assert_eq(manifest_open(&m, path, &e), 0, "%s", e.msg);
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_ROW, "%s", e.msg);
	cr_assert_str_eq(r.device_id, "dev-1");
	cr_assert_eq(manifest_next_row(m, &r, &e), MANIFEST_END);
	manifest_close(m);
	/* Half a BOM is no BOM. */
	put(path, "\xef\xbb" MANIFEST_HEADER "\n");
	cr_assert_eq(manifest_writer_open(&w, path, &e), -1);
	cr_assert_eq(manifest_open(&m, path, &e), -1);
}
