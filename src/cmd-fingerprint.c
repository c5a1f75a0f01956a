/*
 * akcred fingerprint [FILE...]: print the akenza fingerprint (the JWT kid) of
 * keys and certificates in any encoding, detected from their content.  One
 * input holding one key prints the hex alone, for pasting into the console;
 * otherwise one "HEX  FILE" line per key, like sha256sum: every key of a file
 * counts, in file order, never only the first.  A pkcs11: URI reads the
 * public half of a key on a token.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "key.h"
#include "p11.h"
#include "passphrase.h"
#include "timeutil.h"
#include "banned.h"

struct fingerprint_opts {
	int json;
	struct passphrase pp;
	struct p11_opts p11;
};

static const struct cmd_option options[] = {
	CMD_OPT("json", CMD_FLAG, struct fingerprint_opts, json, NULL, NULL,
		"print a JSON array with details of each input"),
	CMD_OPT("passphrase-file", CMD_STRING, struct fingerprint_opts, pp.file, "FILE", "@file",
		"passphrase of encrypted private keys (first line of FILE)"),
	CMD_PKCS11_OPTIONS(struct fingerprint_opts),
	CMD_OPT_END,
};

static json_t *
describe_json(const char *path, const struct key *k, const char *fp)
{
	const char *why = NULL, *alg = key_akenza_alg(k, &why);
	char buf[512], sha1[41];
	time_t nb, na;
	json_t *j, *ak, *cert;

	j = json_pack("{ss ss}", "file", path, "fingerprint", fp);
	json_object_set_new(j, "type",
			    json_string(key_type(k) != KEY_OTHER
						? key_type_name(key_type(k))
						: EVP_PKEY_get0_type_name(k->pkey)));
	if (key_type(k) == KEY_EC)
		json_object_set_new(j, "curve",
				    key_curve(k) ? json_string(key_curve(k)) : json_null());
	json_object_set_new(j, "bits", json_integer(key_bits(k)));
	json_object_set_new(j, "format", json_string(key_format_name(k->format)));
	json_object_set_new(j, "encoding", json_string(key_encoding_name(k)));
	json_object_set_new(j, "private", json_boolean(k->is_private));
	ak = json_pack("{sb}", "accepted", alg != NULL);
	if (alg != NULL) {
		json_object_set_new(ak, "algorithm", json_string(alg));
		json_object_set_new(ak, "credential",
				    json_string(key_akenza_credential(k, k->cert != NULL)));
	} else {
		json_object_set_new(ak, "reason", json_string(why));
	}
	json_object_set_new(j, "akenza", ak);
	if (k->cert != NULL) {
		cert = json_object();
		if (key_cert_subject(k, buf, sizeof(buf)) == 0)
			json_object_set_new(cert, "subject", json_string(buf));
		if (key_cert_validity(k, &nb, &na) == 0) {
			json_object_set_new(cert, "not_before",
					    json_string(timeutil_iso8601(nb, buf)));
			json_object_set_new(cert, "not_after",
					    json_string(timeutil_iso8601(na, buf)));
		}
		/* Named for what it is: akenza's API shows it, but it is not the kid. */
		if (key_cert_sha1(k, sha1) == 0)
			json_object_set_new(cert, "sha1_of_certificate", json_string(sha1));
		json_object_set_new(j, "certificate", cert);
	}
	return j;
}

static int
cmd_fingerprint_exec(void *opts, int argc, char **argv)
{
	struct fingerprint_opts *o = opts;
	struct passphrase *pp = &o->pp;
	struct key_set ks = KEY_SET_INIT;
	const struct key *k;
	struct err e;
	char fp[KEY_FINGERPRINT_HEX + 1], desc[64], shown[1024];
	const char *why, *path;
	static char *stdin_only[] = {(char *)"-", NULL};
	char **files;
	json_t *out = NULL;
	int i, nfiles, json = o->json, status = AK_OK;
	size_t j;

	files = argv;
	nfiles = argc;
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	if (json)
		out = json_array();
	for (i = 0; i < nfiles; i++) {
		/* A token's URI is shown without its query: it may carry a PIN. */
		path = p11_name_shown(files[i], shown, sizeof(shown));
		e = (struct err)ERR_INIT;
		cmd_p11_setup(&o->p11, files[i]);
		if (key_load_file_all(&ks, files[i], pp, &e) != 0) {
			if (status == AK_OK)
				status = e.status;
			cmd_fail(&e);
			if (json)
				json_array_append_new(out, json_pack("{ss ss}", "file", path,
								     "error", e.msg));
			continue;
		}
		for (j = 0; j < ks.n; j++) {
			k = &ks.keys[j];
			if (key_fingerprint(k, fp, &e) != 0) {
				if (status == AK_OK)
					status = e.status;
				cmd_fail(&e);
				if (json)
					json_array_append_new(out, json_pack("{ss ss}", "file",
									     path, "error", e.msg));
				continue;
			}
			if (key_akenza_alg(k, &why) == NULL)
				cmd_warn("'%s': %s key: akenza will not take it: %s", path,
					 key_describe(k, desc, sizeof(desc)), why);
			if (json)
				json_array_append_new(out, describe_json(path, k, fp));
			else if (nfiles == 1 && ks.n == 1)
				printf("%s\n", fp);
			else {
				printf("%s  ", fp);
				cmd_puts_safe(stdout, path);
				putchar('\n');
			}
		}
		key_set_clear(&ks);
	}
	if (json) {
		cmd_print_json(out, JSON_INDENT(2));
		json_decref(out);
	}
	passphrase_clear(pp);
	return status;
}

const struct cmd_entry cmd_fingerprint_entry = {
	.name = "fingerprint",
	.summary = "print the akenza fingerprint (kid) of keys and certificates",
	.usage = "[--json] [--passphrase-file FILE] [--pkcs11-module PATH] [--pin-file FILE]\n"
		 "\t[FILE|URI ...]",
	CMD_OPTIONS(options, struct fingerprint_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_fingerprint_exec,
	.operands = "@file",
};
