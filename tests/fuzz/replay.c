/*
 * Replay driver: runs a fuzz harness over files (the seed corpus and every
 * input that once crashed), without libFuzzer, so that "make check" keeps
 * them as regression tests with the ordinary compiler and sanitizers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	unsigned char *buf;
	size_t n;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		buf = malloc(1 << 20);
		n = fread(buf, 1, 1 << 20, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
