/*
 * failmalloc.so: an LD_PRELOAD shim for the error-path tests
 * (tests/cli/errors-malloc.sh).  With AKCRED_FAILMALLOC=N the Nth allocation
 * of the process (malloc, calloc, realloc, the aligned ones, strdup's through
 * malloc) fails with ENOMEM, and every later one succeeds, so that the code
 * must handle the failure, not merely die of the next one.  With
 * AKCRED_FAILMALLOC_COUNT=FILE the number of allocations made is written to
 * FILE at exit, to know how many N there are to try.
 *
 * glibc's __libc_* entry points do the real work: no dlsym(), which itself
 * allocates.  Threads count too (one atomic counter), so with several
 * threads which allocation is the Nth is not fixed: tests run one thread.
 * Not for sanitizer or valgrind builds, which replace malloc themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
int posix_memalign(void **p, size_t align, size_t size);
void *aligned_alloc(size_t align, size_t size);
void *memalign(size_t align, size_t size);

static atomic_ulong count;
static unsigned long fail_at; /* 0: never */
static int ready;

static void
setup(void)
{
	const char *s = getenv("AKCRED_FAILMALLOC");

	ready = 1;
	fail_at = s != NULL ? strtoul(s, NULL, 10) : 0;
}

/* 1 if this allocation is to fail. */
static int
fail_now(void)
{
	unsigned long n = atomic_fetch_add(&count, 1) + 1;

	if (!ready)
		setup();
	if (fail_at != 0 && n == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t size)
{
	return fail_now() ? NULL : __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	/* realloc(p, 0) frees: not an allocation that can fail. */
	if (p != NULL && size == 0)
		return __libc_realloc(p, size);
	return fail_now() ? NULL : __libc_realloc(p, size);
}

int
posix_memalign(void **p, size_t align, size_t size)
{
	if (fail_now())
		return ENOMEM;
	*p = __libc_memalign(align, size);
	return *p == NULL ? ENOMEM : 0;
}

void *
aligned_alloc(size_t align, size_t size)
{
	return fail_now() ? NULL : __libc_memalign(align, size);
}

void *
memalign(size_t align, size_t size)
{
	return fail_now() ? NULL : __libc_memalign(align, size);
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("AKCRED_FAILMALLOC_COUNT");
	char buf[32];
	int fd, n;

	if (path == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", (unsigned long)atomic_load(&count));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		if (write(fd, buf, (size_t)n) != n)
			n = -1;
		close(fd);
	}
}
