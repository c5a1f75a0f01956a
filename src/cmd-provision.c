/*
 * akcred provision: key pairs for a batch of devices, one directory each,
 * and a manifest for "akcred register" -- in parallel, and safe to kill at
 * any moment: a rerun with the same arguments keeps and checks what is
 * complete and makes the rest (the crash analysis is in provision.c).
 */
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "idlist.h"
#include "key.h"
#include "passphrase.h"
#include "provision.h"
#include "timeutil.h"
#include "banned.h"

struct provision_cli {
	struct provision_opts p;
	const char *ids_path, *prefix;
	unsigned long count, start, width, bits, days, jobs;
	int json;
	struct passphrase pp;
	struct p11_opts p11;
	/* progress */
	int progress;          /* draw a progress bar (stderr is a terminal) */
	int bar_shown;         /* a bar is on the screen: clear it before printing */
	double t0_ms, last_ms; /* timeutil_now_ms() */
};

static const struct cmd_option options[] = {
	CMD_OPT("out-dir", CMD_STRING, struct provision_cli, p.out_dir, "DIR", "@dir",
		"where the device directories go (created if missing)", .letter = 'o'),
	CMD_OPT("ids", CMD_STRING, struct provision_cli, ids_path, "FILE", "@file",
		"device ids, one per line ('-': standard input)", .letter = 'i',
		.excludes = "count"),
	CMD_OPT("count", CMD_UINT, struct provision_cli, count, "N", NULL,
		"generate N ids <prefix><number> instead", .min = 1, .max = 100000000,
		.needs = "prefix"),
	CMD_OPT("prefix", CMD_STRING, struct provision_cli, prefix, "P", NULL,
		"the generated ids' prefix (with --count)", .needs = "count"),
	CMD_OPT("start", CMD_UINT, struct provision_cli, start, "N", NULL,
		"the first generated number", .def = 1, .max = 1000000000000L, .needs = "count"),
	CMD_OPT("width", CMD_UINT, struct provision_cli, width, "N", NULL,
		"digits of the generated numbers (default: as many as the last needs)", .min = 1,
		.max = 20, .needs = "count"),
	CMD_OPT("type", CMD_PARSE, struct provision_cli, p.type, "ec|rsa", "ec rsa",
		"key type (ec: P-256)", .letter = 't', .defstr = "ec", .parse = cmd_opt_key_type),
	CMD_OPT("bits", CMD_PARSE, struct provision_cli, bits, "N", "2048 3072 4096",
		"RSA key size: 2048, 3072 or 4096", .letter = 'b', .defstr = "2048",
		.parse = cmd_opt_rsa_bits),
	CMD_OPT("cert", CMD_FLAG, struct provision_cli, p.cert, NULL, NULL,
		"also make a self-signed certificate, CN = device id"),
	CMD_CERT_DAYS_OPTION(struct provision_cli, days, "cert"),
	CMD_OPT("encrypt", CMD_FLAG, struct provision_cli, p.encrypt, NULL, NULL,
		"encrypt the private keys with a passphrase"),
	CMD_OPT("passphrase-file", CMD_STRING, struct provision_cli, pp.file, "FILE", "@file",
		"read the passphrase from FILE's first line", .needs = "encrypt"),
	CMD_OPT("token", CMD_STRING, struct provision_cli, p.token, "URI", NULL,
		"make the keys on this PKCS#11 token (pkcs11:token=...), labelled with the ids",
		.excludes = "encrypt"),
	CMD_PKCS11_OPTIONS(struct provision_cli),
	CMD_OPT("manifest", CMD_STRING, struct provision_cli, p.manifest, "FILE", "@file",
		"the manifest (default DIR/manifest.csv)"),
	CMD_OPT("jobs", CMD_UINT, struct provision_cli, jobs, "N", NULL,
		"keys made at the same time (default: the number of cores)", .letter = 'j',
		.min = 1, .max = 256),
	CMD_OPT("json", CMD_FLAG, struct provision_cli, json, NULL, NULL,
		"print the summary as one JSON object"),
	CMD_OPT_END,
};

/* Seconds since a time of timeutil_now_ms(). */
static double
since(double ms)
{
	return (timeutil_now_ms() - ms) / 1000.0;
}

static void
clear_bar(struct provision_cli *o)
{
	if (o->bar_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		o->bar_shown = 0;
	}
}

static void
draw_bar(struct provision_cli *o, const struct provision_stats *st)
{
	char bar[33], rtext[32];
	double t = since(o->t0_ms), rate = t > 0 ? (double)st->done / t : 0, left;
	unsigned long eta;
	size_t fill, i;

	if (st->total > 0) {
		fill = st->done >= st->total
			       ? 30
			       : (size_t)(30.0 * (double)st->done / (double)st->total);
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		left = st->total > st->done ? (double)(st->total - st->done) : 0;
		eta = rate > 0 ? (unsigned long)(left / rate + 0.5) : 0;
		fprintf(stderr, "\r\033[K%lu/%lu [%s] %3lu%%  %s  ", st->done, st->total, bar,
			st->done * 100 / st->total,
			timeutil_rate((double)st->done, t, NULL, rtext, sizeof(rtext)));
		if (rate > 0)
			fprintf(stderr, "%lu:%02lu left", eta / 60, eta % 60);
	} else {
		fprintf(stderr, "\r\033[K%lu %s  %s", st->done,
			cmd_plural(st->done, "device", "devices"),
			timeutil_rate((double)st->done, t, NULL, rtext, sizeof(rtext)));
	}
	fflush(stderr);
	o->bar_shown = 1;
}

/* Called by the provision module, one call at a time. */
static void
on_event(void *arg, const struct provision_event *ev)
{
	struct provision_cli *o = arg;

	switch (ev->kind) {
	case PROVISION_EV_INVALID:
		clear_bar(o);
		cmd_error(AK_NEGATIVE, "%s: skipped", ev->err->msg);
		break;
	case PROVISION_EV_DUPLICATE:
		clear_bar(o);
		cmd_error(AK_NEGATIVE,
			  "'%s' line %lu: device id '%s' was already given on line %lu: "
			  "skipped",
			  strcmp(o->ids_path, "-") == 0 ? "(stdin)" : o->ids_path, ev->line, ev->id,
			  ev->first_line);
		break;
	case PROVISION_EV_FAILED:
		clear_bar(o);
		cmd_error(AK_NEGATIVE, "device '%s': %s", ev->id, ev->err->msg);
		break;
	case PROVISION_EV_PROGRESS:
		/* At most ten redraws a second: the terminal must not slow the batch. */
		if (o->progress && since(o->last_ms) >= 0.1) {
			o->last_ms = timeutil_now_ms();
			draw_bar(o, ev->stats);
		}
		break;
	}
}

/*
 * What a run did, as both summaries print it.  Devices that fail are said
 * as they fail (on_event), not kept here: a batch of 100,000 ids must not
 * hold 100,000 messages; the result counts them by reason.
 */
struct provision_result {
	const char *out_dir;
	const char *manifest; /* the rows' file; NULL: DIR is too long for one (fatal says so) */
	char manifest_buf[PATH_MAX];
	char keys[32];     /* "EC P-256", "RSA 3072" */
	const char *token; /* the keys' token as URIs are shown (no PIN), or NULL: files */
	char token_buf[1024];
	enum key_type type;
	int bits, cert, encrypted;
	unsigned jobs;
	struct provision_stats st;
	double seconds;
	const struct err *fatal; /* what stopped the run, or NULL */
};

static void
result_fill(const struct provision_cli *o, struct provision_result *r, const struct err *fatal)
{
	struct err e = ERR_INIT;

	r->out_dir = o->p.out_dir;
	r->manifest = provision_manifest_path(&o->p, r->manifest_buf, sizeof(r->manifest_buf), &e);
	provision_key_describe(&o->p, r->keys, sizeof(r->keys));
	r->token = o->p.token != NULL
			   ? p11_name_shown(o->p.token, r->token_buf, sizeof(r->token_buf))
			   : NULL;
	r->type = o->p.type;
	r->bits = o->p.bits;
	r->cert = o->p.cert;
	r->encrypted = o->p.pass != NULL;
	r->jobs = o->p.jobs;
	r->fatal = fatal;
}

/* Bad ids, duplicates, devices that failed: the run's negative answers. */
static unsigned long
result_negatives(const struct provision_result *r)
{
	return r->st.invalid + r->st.duplicates + r->st.failed;
}

static void
print_json(const struct provision_result *r, int status)
{
	const struct provision_stats *st = &r->st;
	json_t *j;

	j = json_pack("{ss ss* ss ss* sb sb ss? si sI sI sI sI sI sI sI sI sI sf}", "out_dir",
		      r->out_dir, "manifest", r->manifest, "type", key_type_name(r->type), "curve",
		      r->type == KEY_EC ? "P-256" : NULL, "certificate", r->cert, "encrypted",
		      r->encrypted, "token", r->token, "jobs", (int)r->jobs, "total",
		      (json_int_t)(st->total ? st->total : st->done), "created",
		      (json_int_t)st->created, "recovered", (json_int_t)st->recovered, "verified",
		      (json_int_t)st->verified, "invalid", (json_int_t)st->invalid, "duplicates",
		      (json_int_t)st->duplicates, "failed", (json_int_t)st->failed, "stale_removed",
		      (json_int_t)st->stale, "done", (json_int_t)st->done, "seconds",
		      (double)(long)(r->seconds * 1000 + 0.5) / 1000);
	if (r->type == KEY_RSA)
		json_object_set_new(j, "bits", json_integer(r->bits));
	cmd_json_run(j, status, r->fatal != NULL ? r->fatal->msg : NULL);
	cmd_print_json(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(j);
}

static void
print_text(const struct provision_result *r)
{
	const struct provision_stats *st = &r->st;
	char rtext[32];

	if (st->stale > 0)
		printf("removed %lu unfinished %s of an interrupted run\n", st->stale,
		       cmd_plural(st->stale, "directory", "directories"));
	if (r->fatal == NULL && st->created == 0 && st->recovered == 0 &&
	    result_negatives(r) == 0) {
		if (st->verified == 1)
			cmd_println_safe(stdout,
					 "nothing to do: the 1 device in '%s' is provisioned and "
					 "checks out",
					 r->out_dir);
		else
			cmd_println_safe(stdout,
					 "nothing to do: all %lu devices in '%s' are provisioned "
					 "and check out",
					 st->verified, r->out_dir);
		return;
	}
	printf("%lu new %s key%s in '", st->created, r->keys, cmd_plural(st->created, "", "s"));
	cmd_puts_safe(stdout, r->out_dir);
	putchar('\'');
	if (st->recovered > 0)
		printf(", %lu finished from an interrupted run", st->recovered);
	if (st->verified > 0)
		printf(", %lu already provisioned", st->verified);
	printf(" (%.1f s", r->seconds);
	if (st->created > 0 && r->seconds > 0)
		printf(", %s",
		       timeutil_rate((double)st->created, r->seconds, "key", rtext, sizeof(rtext)));
	printf(")\n");
	if (result_negatives(r) > 0)
		printf("%lu bad %s, %lu %s, %lu failed %s: see the messages above\n", st->invalid,
		       cmd_plural(st->invalid, "id", "ids"), st->duplicates,
		       cmd_plural(st->duplicates, "duplicate", "duplicates"), st->failed,
		       cmd_plural(st->failed, "device", "devices"));
	cmd_println_safe(stdout, "manifest     %s", r->manifest);
	if (r->token != NULL)
		cmd_println_safe(stdout, "token        %s", r->token);
}

/* The ids to work through: --ids FILE, or --count numbered in the batch's own way. */
static int
open_ids(struct provision_cli *o, const struct provision_batch *batch, struct idlist **ids)
{
	struct err e = ERR_INIT;
	unsigned width;
	int rc, at_least;

	if (cmd_given("count")) {
		if (provision_batch_width(&o->p, batch, o->prefix, (unsigned)o->width, &width,
					  &at_least, &e) != 0)
			return cmd_fail(&e);
		rc = idlist_open_seq(ids, o->prefix, o->start, o->count, width, at_least, &e);
	} else {
		rc = idlist_open(ids, o->ids_path, &e);
	}
	if (rc != 0)
		return e.status == AK_USAGE ? cmd_usage_error("%s", e.msg) : cmd_fail(&e);
	return AK_OK;
}

/* Run the batch with the bar on a terminal; r holds what it did, e why it stopped. */
static int
run(struct provision_cli *o, struct idlist *ids, struct provision_result *r, struct err *e)
{
	int rc;

	o->p.ids = ids;
	o->p.report = on_event;
	o->p.arg = o;
	o->progress = isatty(STDERR_FILENO);
	/* Line-buffered: a batch with many bad ids must not cost a write(2) per character. */
	setvbuf(stderr, NULL, _IOLBF, 0);
	o->t0_ms = timeutil_now_ms();
	o->last_ms = o->t0_ms;
	rc = provision_run(&o->p, &r->st, e);
	r->seconds = since(o->t0_ms);
	if (o->progress && r->st.done > 0)
		draw_bar(o, &r->st);
	clear_bar(o);
	result_fill(o, r, rc != 0 ? e : NULL);
	return rc;
}

static int
provision_and_report(struct provision_cli *o)
{
	struct provision_result r;
	struct provision_batch batch;
	struct idlist *ids = NULL;
	struct err e = ERR_INIT;
	int status;

	/* An existing batch first: options that do not fit it fail once, before the prompt. */
	if (provision_batch_read(&o->p, cmd_given("count") ? o->prefix : NULL, &batch, &e) != 0 ||
	    provision_batch_check(&o->p, &batch, &e) != 0)
		return cmd_fail(&e);
	if ((status = open_ids(o, &batch, &ids)) != AK_OK)
		return status;
	if (o->p.encrypt) {
		if (passphrase_get(&o->pp, "the new private keys", &e) != 0) {
			idlist_close(ids);
			return cmd_fail(&e);
		}
		o->p.pass = o->pp.value;
		o->p.passlen = o->pp.len;
	}
	memset(&r, 0, sizeof(r));
	status = run(o, ids, &r, &e) != 0 ? cmd_fail(&e) : AK_OK;
	idlist_close(ids);
	if (status == AK_OK && result_negatives(&r) > 0)
		status = AK_NEGATIVE;
	/* JSON sums up every run, with its error; text a run that dealt with some ids. */
	if (o->json)
		print_json(&r, status);
	else if (r.fatal == NULL || r.st.done > 0)
		print_text(&r);
	return status;
}

static int
cmd_provision_exec(void *opts, int argc, char **argv)
{
	struct provision_cli *o = opts;
	long ncpu;
	size_t n;
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if (o->p.out_dir == NULL)
		return cmd_usage_error("--out-dir is needed");
	/* "out/" names its devices "out/dev-1", not "out//dev-1". */
	n = strlen(o->p.out_dir);
	while (n > 1 && o->p.out_dir[n - 1] == '/')
		((char *)o->p.out_dir)[--n] = '\0';
	if (o->ids_path == NULL && !cmd_given("count"))
		return cmd_usage_error("give the ids with --ids FILE or --count N --prefix P");
	if ((status = cmd_check_rsa_bits(o->p.type)) != AK_OK)
		return status;
	if (o->p.token != NULL && !p11_is_uri(o->p.token))
		return cmd_usage_error("--token takes a PKCS#11 URI (pkcs11:token=LABEL), not '%s'",
				       o->p.token);
	cmd_p11_setup(&o->p11, o->p.token);
	o->p.bits = (int)o->bits;
	o->p.days = (int)o->days;
	if (o->jobs == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = ncpu > 0 ? (unsigned long)ncpu : 1;
	}
	o->p.jobs = (unsigned)o->jobs;
	/* "ulimit -f" must give an error we handle (the run stops cleanly), not a kill. */
	signal(SIGXFSZ, SIG_IGN);
	o->pp.confirm = 1;
	status = provision_and_report(o);
	passphrase_clear(&o->pp);
	return status;
}

const struct cmd_entry cmd_provision_entry = {
	.name = "provision",
	.summary = "make keys for a batch of devices, resumable after a crash",
	.usage = "--out-dir DIR (--ids FILE | --count N --prefix P [--start N] [--width N])\n"
		 "\t[--type ec|rsa] [--bits N] [--cert [--days N]] [--encrypt [--passphrase-file "
		 "FILE]]\n"
		 "\t[--token URI [--pkcs11-module PATH] [--pin-file FILE]]\n"
		 "\t[--manifest FILE] [--jobs N] [--json]",
	CMD_OPTIONS(options, struct provision_cli),
	.flags = CMD_SECRETS,
	.exec = cmd_provision_exec,
};
