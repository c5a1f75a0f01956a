/* Fuzz devid_check(): whatever it accepts is safe as a path and topic level. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	char id[512];

	if (size >= sizeof(id))
		return 0;
	memcpy(id, data, size);
	id[size] = '\0';
	if (devid_check(id, &e) == 0) {
		if (strpbrk(id, "/+# \t\r\n") != NULL || id[0] == '.' || strlen(id) > DEVID_MAX ||
		    id[0] == '\0')
			abort();
	} else if (e.msg[0] == '\0') {
		abort();
	}
	return 0;
}
