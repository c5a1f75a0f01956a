/*
 * akcred keygen: make a device key pair -- EC P-256 by default, or RSA --
 * and print its akenza fingerprint.  The private key is written as PKCS#8 PEM
 * (mode 0600, optionally encrypted), the public key as SubjectPublicKeyInfo
 * PEM, optionally a self-signed certificate; all of them or none.  With
 * --private pkcs11:..., the pair is made on a PKCS#11 token (p11.h) and only
 * the public files are written.
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

struct keygen_opts {
	enum key_type type;
	unsigned long bits, days;
	const char *private_path, *public_path, *cert_path, *device_id;
	int encrypt, force, json;
	struct passphrase pp;
	struct p11_opts p11;
};

static const struct cmd_option options[] = {
	CMD_OPT("type", CMD_PARSE, struct keygen_opts, type, "ec|rsa", "ec rsa",
		"key type (ec: P-256)", .letter = 't', .defstr = "ec", .parse = cmd_opt_key_type),
	CMD_OPT("bits", CMD_PARSE, struct keygen_opts, bits, "N", "2048 3072 4096",
		"RSA key size: 2048, 3072 or 4096", .letter = 'b', .defstr = "2048",
		.parse = cmd_opt_rsa_bits),
	CMD_OPT("private", CMD_STRING, struct keygen_opts, private_path, "FILE|URI", "@file",
		"private key file (default <type>_private.pem), or a pkcs11: URI: made there"),
	CMD_OPT("public", CMD_STRING, struct keygen_opts, public_path, "FILE", "@file",
		"public key file (default <type>_public.pem)"),
	CMD_OPT("cert", CMD_STRING, struct keygen_opts, cert_path, "FILE", "@file",
		"also write a self-signed certificate", .needs = "device-id"),
	CMD_OPT("device-id", CMD_STRING, struct keygen_opts, device_id, "ID", NULL,
		"the certificate's subject CN (with --cert)", .needs = "cert"),
	CMD_CERT_DAYS_OPTION(struct keygen_opts, days, "cert"),
	CMD_OPT("encrypt", CMD_FLAG, struct keygen_opts, encrypt, NULL, NULL,
		"encrypt the private key with a passphrase"),
	CMD_OPT("passphrase-file", CMD_STRING, struct keygen_opts, pp.file, "FILE", "@file",
		"read the passphrase from FILE's first line", .needs = "encrypt"),
	CMD_PKCS11_OPTIONS(struct keygen_opts),
	CMD_OPT("force", CMD_FLAG, struct keygen_opts, force, NULL, NULL,
		"replace existing files (atomically)", .letter = 'f'),
	CMD_OPT("json", CMD_FLAG, struct keygen_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

static void
print_result(const struct keygen_opts *o, const struct key *k, const struct p11_gen_info *made,
	     const char *fp)
{
	char desc[64], shown[1024];
	const char *priv = p11_name_shown(o->private_path, shown, sizeof(shown));
	json_t *j, *left;
	size_t i;

	if (o->json) {
		j = json_pack("{ss}", "type", key_type_name(o->type));
		if (o->type == KEY_EC)
			json_object_set_new(j, "curve", json_string("P-256"));
		else
			json_object_set_new(j, "bits", json_integer((json_int_t)o->bits));
		json_object_set_new(j, "private", json_string(priv));
		json_object_set_new(j, "public", json_string(o->public_path));
		if (o->cert_path != NULL) {
			json_object_set_new(j, "certificate", json_string(o->cert_path));
			json_object_set_new(j, "days", json_integer((json_int_t)o->days));
		}
		json_object_set_new(j, "encrypted", json_boolean(o->encrypt));
		json_object_set_new(j, "token", json_boolean(k->p11 != NULL));
		/* For scripts, what the message on stderr names: the new key, the old left. */
		json_object_set_new(j, "uri",
				    k->p11 != NULL ? json_string(made->uri) : json_null());
		left = json_array();
		for (i = 0; k->p11 != NULL && i < made->nleft; i++)
			json_array_append_new(left, json_string(made->left[i]));
		json_object_set_new(j, "old_left", left);
		json_object_set_new(j, "fingerprint", json_string(fp));
		cmd_print_json(j, JSON_INDENT(2));
		json_decref(j);
		return;
	}
	/* File names are shown by the rule of untrusted text: they may hold anything. */
	if (k->p11 != NULL)
		cmd_println_safe(stdout, "private key  %s  (%s, on the token, not extractable)",
				 priv, key_describe(k, desc, sizeof(desc)));
	else
		cmd_println_safe(stdout, "private key  %s  (%s%s, keep it secret)", priv,
				 key_describe(k, desc, sizeof(desc)),
				 o->encrypt ? ", encrypted" : "");
	cmd_println_safe(stdout, "public key   %s", o->public_path);
	if (o->cert_path != NULL)
		cmd_println_safe(stdout, "certificate  %s  (CN=%s, %lu %s)", o->cert_path,
				 o->device_id, o->days, cmd_plural(o->days, "day", "days"));
	printf("fingerprint  %s\n", fp);
}

/*
 * The new key, made here or on the token (made: its URI, and the old objects
 * left); left says what remains of the old objects of its label on the
 * token, if any: the key is made all the same.
 */
static int
generate(const struct keygen_opts *o, int token, struct key *k, struct p11_gen_info *made,
	 struct err *left, struct err *e)
{
	int rc;

	if (!token)
		return key_generate(k, o->type, (int)o->bits, e);
	rc = p11_generate(k, o->private_path, o->type, (int)o->bits,
			  o->force ? P11_GEN_REPLACE : P11_GEN_NEW, made, e);
	if (rc == P11_GEN_OLD_LEFT) {
		*left = *e;
		*e = (struct err)ERR_INIT;
		return 0;
	}
	return rc < 0 ? -1 : 0;
}

static int
make_key_files(struct keygen_opts *o)
{
	struct err e = ERR_INIT, left = ERR_INIT;
	struct key k = KEY_INIT;
	struct p11_gen_info made;
	struct fileio_batch batch = FILEIO_BATCH_INIT;
	char *priv = NULL, *pub = NULL, *cert = NULL, fp[KEY_FINGERPRINT_HEX + 1];
	size_t priv_len, pub_len, cert_len;
	const char *paths[] = {o->private_path, o->public_path, o->cert_path};
	int status = AK_OK, token = p11_is_uri(o->private_path);

	/* Refuse early, before any expensive work; commit checks again and is the guarantee. */
	if (fileio_check_targets(paths + token, (o->cert_path != NULL ? 3 : 2) - token, o->force,
				 &e) != 0)
		return cmd_fail(&e);
	if (o->encrypt && passphrase_get(&o->pp, "the new private key", &e) != 0)
		return cmd_fail(&e);
	if (generate(o, token, &k, &made, &left, &e) != 0 ||
	    (!token && key_private_pem(&k, o->encrypt ? o->pp.value : NULL, o->pp.len, &priv,
				       &priv_len, &e) != 0) ||
	    key_public_pem(&k, &pub, &pub_len, &e) != 0 || key_fingerprint(&k, fp, &e) != 0 ||
	    (o->cert_path != NULL &&
	     key_self_signed_pem(&k, o->device_id, (int)o->days, &cert, &cert_len, &e) != 0) ||
	    (!token && fileio_batch_add(&batch, o->private_path, priv, priv_len, 0600, &e) != 0) ||
	    fileio_batch_add(&batch, o->public_path, pub, pub_len, 0644, &e) != 0 ||
	    (cert != NULL &&
	     fileio_batch_add(&batch, o->cert_path, cert, cert_len, 0644, &e) != 0) ||
	    fileio_batch_commit(&batch, o->force, &e) != 0)
		status = cmd_fail(&e);
	else
		print_result(o, &k, &made, fp);
	/* The new key works (its files are written): the old object is a negative answer. */
	if (left.msg[0] != '\0') {
		cmd_error(AK_NEGATIVE, "%s", left.msg);
		if (status == AK_OK)
			status = AK_NEGATIVE;
	}
	fileio_batch_clear(&batch);
	if (priv != NULL)
		sodium_free(priv);
	free(pub);
	free(cert);
	key_clear(&k);
	return status;
}

static int
cmd_keygen_exec(void *opts, int argc, char **argv)
{
	struct keygen_opts *o = opts;
	struct err e = ERR_INIT;
	int status;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((status = cmd_check_rsa_bits(o->type)) != AK_OK)
		return status;
	if (o->device_id != NULL && devid_check(o->device_id, &e) != 0)
		return cmd_usage_error("%s", e.msg);
	if (p11_is_uri(o->private_path) && o->encrypt)
		return cmd_usage_error("--encrypt is for key files: a token's key never leaves it");
	cmd_p11_setup(&o->p11, o->private_path);
	if (o->private_path == NULL)
		o->private_path = o->type == KEY_EC ? "ec_private.pem" : "rsa_private.pem";
	if (o->public_path == NULL)
		o->public_path = o->type == KEY_EC ? "ec_public.pem" : "rsa_public.pem";
	o->pp.confirm = 1;
	status = make_key_files(o);
	passphrase_clear(&o->pp);
	return status;
}

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.summary = "generate a device key pair and print its fingerprint",
	.usage = "[--type ec|rsa] [--bits N] [--private FILE|URI] [--public FILE]\n"
		 "\t[--cert FILE --device-id ID [--days N]] [--encrypt [--passphrase-file FILE]]\n"
		 "\t[--pkcs11-module PATH] [--pin-file FILE] [--force] [--json]",
	CMD_OPTIONS(options, struct keygen_opts),
	.flags = CMD_SECRETS,
	.exec = cmd_keygen_exec,
};
