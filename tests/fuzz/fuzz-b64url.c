/* Fuzz the strict base64url decoder: what it accepts re-encodes to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char bin[4096];
	char txt[8192];
	struct err e = ERR_INIT;
	size_t n;

	if (size > 4096)
		return 0;
	if (b64url_decode(bin, sizeof(bin), &n, (const char *)data, size, &e) == 0) {
		if (b64url_encode(txt, sizeof(txt), bin, n) != size || memcmp(txt, data, size) != 0)
			abort(); /* accepted something non-canonical */
	} else if (e.msg[0] == '\0') {
		abort();
	}
	return 0;
}
