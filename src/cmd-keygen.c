/*
 * akcred keygen: make a device key pair -- EC P-256 by default, or RSA --
 * and print its akenza fingerprint.  The private key is written as PKCS#8 PEM
 * (mode 0600, optionally encrypted), the public key as SubjectPublicKeyInfo
 * PEM, optionally a self-signed certificate; all of them or none.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cmd.h"
#include "devid.h"
#include "fileio.h"
#include "key.h"
#include "passphrase.h"
#include "banned.h"

enum {
	OPT_TYPE = 't',
	OPT_BITS = 'b',
	OPT_FORCE = 'f',
	OPT_PRIVATE = CMD_OPT_LONG,
	OPT_PUBLIC,
	OPT_CERT,
	OPT_DEVICE_ID,
	OPT_DAYS,
	OPT_ENCRYPT,
	OPT_PASSPHRASE_FILE,
	OPT_JSON,
};

static const struct cmd_option options[] = {
	{"type", OPT_TYPE, 1, "ec|rsa", "ec rsa", "key type (default ec: P-256)"},
	{"bits", OPT_BITS, 1, "N", "2048 3072 4096",
	 "RSA key size: 2048, 3072 or 4096 (default 2048)"},
	{"private", OPT_PRIVATE, 1, "FILE", "@file",
	 "private key file (default <type>_private.pem)"},
	{"public", OPT_PUBLIC, 1, "FILE", "@file", "public key file (default <type>_public.pem)"},
	{"cert", OPT_CERT, 1, "FILE", "@file", "also write a self-signed certificate"},
	{"device-id", OPT_DEVICE_ID, 1, "ID", NULL, "the certificate's subject CN (with --cert)"},
	{"days", OPT_DAYS, 1, "N", NULL, "certificate validity in days (default 3650)"},
	{"encrypt", OPT_ENCRYPT, 0, NULL, NULL, "encrypt the private key with a passphrase"},
	{"passphrase-file", OPT_PASSPHRASE_FILE, 1, "FILE", "@file",
	 "read the passphrase from FILE's first line"},
	{"force", OPT_FORCE, 0, NULL, NULL, "replace existing files (atomically)"},
	{"json", OPT_JSON, 0, NULL, NULL, "print one JSON object"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

struct keygen_opts {
	enum key_type type;
	unsigned long bits, days;
	const char *private_path, *public_path, *cert_path, *device_id;
	int encrypt, force, json, bits_set, days_set;
	struct passphrase pp;
};

static void
print_result(const struct keygen_opts *o, const struct key *k, const char *fp)
{
	char desc[64];
	json_t *j;

	if (o->json) {
		j = json_pack("{ss}", "type", o->type == KEY_EC ? "ec" : "rsa");
		if (o->type == KEY_EC)
			json_object_set_new(j, "curve", json_string("P-256"));
		else
			json_object_set_new(j, "bits", json_integer((json_int_t)o->bits));
		json_object_set_new(j, "private", json_string(o->private_path));
		json_object_set_new(j, "public", json_string(o->public_path));
		if (o->cert_path != NULL) {
			json_object_set_new(j, "certificate", json_string(o->cert_path));
			json_object_set_new(j, "days", json_integer((json_int_t)o->days));
		}
		json_object_set_new(j, "encrypted", json_boolean(o->encrypt));
		json_object_set_new(j, "fingerprint", json_string(fp));
		cmd_print_json(j, JSON_INDENT(2));
		json_decref(j);
		return;
	}
	/* File names are shown by the rule of untrusted text: they may hold anything. */
	cmd_println_safe(stdout, "private key  %s  (%s%s, keep it secret)", o->private_path,
			 key_describe(k, desc, sizeof(desc)), o->encrypt ? ", encrypted" : "");
	cmd_println_safe(stdout, "public key   %s", o->public_path);
	if (o->cert_path != NULL)
		cmd_println_safe(stdout, "certificate  %s  (CN=%s, %lu %s)", o->cert_path,
				 o->device_id, o->days, cmd_plural(o->days, "day", "days"));
	printf("fingerprint  %s\n", fp);
}

static int
make_key_files(struct keygen_opts *o)
{
	struct err e = ERR_INIT;
	struct key k = KEY_INIT;
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	char *priv = NULL, *pub = NULL, *cert = NULL, fp[KEY_FINGERPRINT_HEX + 1];
	size_t priv_len, pub_len, cert_len;
	const char *paths[] = {o->private_path, o->public_path, o->cert_path};
	int status = AK_OK;

	/* Refuse early, before any expensive work; commit checks again and is the guarantee. */
	if (fileio_check_targets(paths, o->cert_path != NULL ? 3 : 2, o->force, &e) != 0)
		return cmd_fail(&e);
	if (o->encrypt && passphrase_get(&o->pp, "the new private key", &e) != 0)
		return cmd_fail(&e);
	if (key_generate(&k, o->type, (int)o->bits, &e) != 0 ||
	    key_private_pem(&k, o->encrypt ? o->pp.value : NULL, o->pp.len, &priv, &priv_len, &e) !=
		    0 ||
	    key_public_pem(&k, &pub, &pub_len, &e) != 0 || key_fingerprint(&k, fp, &e) != 0 ||
	    (o->cert_path != NULL &&
	     key_self_signed_pem(&k, o->device_id, (int)o->days, &cert, &cert_len, &e) != 0) ||
	    fileio_batch_add(&batch, o->private_path, priv, priv_len, 0600, &e) != 0 ||
	    fileio_batch_add(&batch, o->public_path, pub, pub_len, 0644, &e) != 0 ||
	    (cert != NULL &&
	     fileio_batch_add(&batch, o->cert_path, cert, cert_len, 0644, &e) != 0) ||
	    fileio_batch_commit(&batch, o->force, &e) != 0)
		status = cmd_fail(&e);
	else
		print_result(o, &k, fp);
	fileio_batch_clear(&batch);
	if (priv != NULL)
		sodium_free(priv);
	free(pub);
	free(cert);
	key_clear(&k);
	return status;
}

static int
cmd_keygen_exec(int argc, char **argv)
{
	struct cmd_args a = CMD_ARGS_INIT(argc, argv);
	struct keygen_opts o = {.type = KEY_EC, .bits = 2048, .days = 3650};
	struct err e = ERR_INIT;
	int c, status;

	while ((c = cmd_getopt(&a)) != -1) {
		switch (c) {
		case OPT_TYPE:
			if (cmd_parse_key_type(a.arg, &o.type) != AK_OK)
				return AK_USAGE;
			break;
		case OPT_BITS:
			if (cmd_parse_rsa_bits(a.arg, &o.bits) != AK_OK)
				return AK_USAGE;
			o.bits_set = 1;
			break;
		case OPT_PRIVATE:
			o.private_path = a.arg;
			break;
		case OPT_PUBLIC:
			o.public_path = a.arg;
			break;
		case OPT_CERT:
			o.cert_path = a.arg;
			break;
		case OPT_DEVICE_ID:
			o.device_id = a.arg;
			break;
		case OPT_DAYS:
			if (cmd_parse_uint("days", a.arg, 1, 36500, &o.days) != 0)
				return AK_USAGE;
			o.days_set = 1;
			break;
		case OPT_ENCRYPT:
			o.encrypt = 1;
			break;
		case OPT_PASSPHRASE_FILE:
			o.pp.file = a.arg;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case CMD_OPT_EXIT:
			return a.status;
		}
	}
	if (a.ind != argc)
		return cmd_usage_error("unexpected operand '%s'", argv[a.ind]);
	if (o.bits_set && o.type != KEY_RSA)
		return cmd_usage_error("--bits is for RSA keys (--type rsa); EC keys are P-256");
	if (o.cert_path != NULL && o.device_id == NULL)
		return cmd_usage_error(
			"--cert needs --device-id: the certificate's CN is the device id");
	if (o.cert_path == NULL && (o.device_id != NULL || o.days_set))
		return cmd_usage_error("--device-id and --days go with --cert");
	if (o.pp.file != NULL && !o.encrypt)
		return cmd_usage_error("--passphrase-file goes with --encrypt");
	if (o.device_id != NULL && devid_check(o.device_id, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (o.private_path == NULL)
		o.private_path = o.type == KEY_EC ? "ec_private.pem" : "rsa_private.pem";
	if (o.public_path == NULL)
		o.public_path = o.type == KEY_EC ? "ec_public.pem" : "rsa_public.pem";
	o.pp.confirm = 1;
	status = make_key_files(&o);
	passphrase_clear(&o.pp);
	return status;
}

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.summary = "generate a device key pair and print its fingerprint",
	.usage = "[--type ec|rsa] [--bits N] [--private FILE] [--public FILE]\n"
		 "\t[--cert FILE --device-id ID [--days N]] [--encrypt [--passphrase-file FILE]]\n"
		 "\t[--force] [--json]",
	.options = options,
	.flags = CMD_SECRETS,
	.exec = cmd_keygen_exec,
};
