/*
 * akcred version: akcred's version and those of the libraries it runs with
 * (as loaded at run time, which may differ from the headers it was built with).
 */
#include <stdio.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "cmd.h"
#include "http.h"
#include "mqtt.h"
#include "version.h"
#include "banned.h"

struct version_opts {
	int json;
};

static const struct cmd_option options[] = {
	CMD_OPT("json", CMD_FLAG, struct version_opts, json, NULL, NULL, "print one JSON object"),
	CMD_OPT_END,
};

static int
cmd_version_exec(void *opts, int argc, char **argv)
{
	const struct version_opts *vo = opts;
	const char *libs[][2] = {
		{"openssl", OpenSSL_version(OPENSSL_VERSION)},
		{"libsodium", sodium_version_string()},
		{"jansson", jansson_version_str()},
		/* Loaded here, as register and check load them: the versions that would really run.
		 */
		{"libcurl", NULL},
		{"libmosquitto", NULL},
	};
	char mosq[32];
	struct err e = ERR_INIT;
	json_t *o;
	size_t i;

	(void)argc; /* no operands: cmd_main() refuses them */
	(void)argv;
	if ((libs[3][1] = http_curl_version()) == NULL)
		libs[3][1] = "not available (libcurl.so.4 cannot be loaded)";
	if (mqtt_library_version(mosq, sizeof(mosq), &e) == 0)
		libs[4][1] = mosq;
	else
		libs[4][1] = "not available (libmosquitto.so.1 cannot be loaded)";
	if (vo->json) {
		o = json_pack("{ss}", "akcred", AKCRED_VERSION);
		for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
			json_object_set_new(o, libs[i][0], json_string(libs[i][1]));
		cmd_print_json(o, JSON_INDENT(2));
		json_decref(o);
		return AK_OK;
	}
	printf("akcred %s\n", AKCRED_VERSION);
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		printf("  %-12s %s\n", libs[i][0], libs[i][1]);
	return AK_OK;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.summary = "print the versions of akcred and its libraries",
	.usage = "[--json]",
	CMD_OPTIONS(options, struct version_opts),
	.exec = cmd_version_exec,
};
