/* akcred: credentials of devices that connect to the akenza IoT platform. */
#include <stdio.h>

#include <sodium.h>

#include "cmd.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	int status;

	if (sodium_init() < 0) {
		fputs("akcred: cannot initialise libsodium\n", stderr);
		return AK_CRYPTO;
	}
	status = cmd_main(argc, argv);
	/* A full disk or a closed pipe on stdout is an error, not a silent success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (status == AK_OK)
			status = cmd_error(AK_INPUT, "cannot write to standard output");
	}
	return status;
}
