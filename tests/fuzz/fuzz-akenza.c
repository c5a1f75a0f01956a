/*
 * Fuzz what akcred register reads from the network: akenza's answers
 * (device and credential listings, created objects, error bodies, their
 * fingerprints, public keys returned in listings) and Retry-After headers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "akenza.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char kid[] =
		"c3ec7461d910707c50dcb9a9a5f53bc890ad0b6b0deed4282ea4f647859cd65f";
	static const char sha1[] = "999e75132e2c420dce920612c11c3f3369ee7ed2";
	static int init;
	char id[AKENZA_ID_MAX], note[200], msg[AKENZA_MESSAGE_MAX], *s;
	long ms;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	/* The parsers get a length; the string helpers a NUL-terminated copy. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	akenza_parse_id((const char *)data, size, id);
	akenza_find_device((const char *)data, size, "dev-0001", id);
	akenza_find_credential((const char *)data, size, kid, sha1, id, note, sizeof(note));
	akenza_find_credential((const char *)data, size, kid, NULL, id, note, sizeof(note));
	akenza_error_message((const char *)data, size, "0123456789abcdef", msg);
	if (strlen(msg) >= AKENZA_MESSAGE_MAX)
		abort();
	for (size_t i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			abort(); /* a control character would reach the terminal */
	akenza_compare_fingerprint(s, kid, sha1);
	akenza_compare_fingerprint(s, kid, NULL);
	if (http_retry_after_ms(s, 1700000000, &ms) == 0 && (ms < 0 || ms > 86400L * 1000))
		abort();
	free(s);
	return 0;
}
