/*
 * dlib: a shared library loaded at run time, the one dlopen loader of libcurl
 * (http) and libmosquitto (mqtt).
 *
 * akcred does not link the network libraries: a command that never talks
 * HTTP or MQTT must not pay for loading them at start-up.  A library is
 * described once, as data -- its name, its soname, the functions it must
 * have and where each goes -- and dlib_load() opens it, resolves every
 * function and runs its initialiser, once: the first call that succeeds does
 * the work, later calls return at once.  Calls may come from several threads.
 *
 * A failure leaves nothing half loaded and is retried by the next call; the
 * messages have one form for every library:
 *   cannot load libfoo (libfoo.so.1): <dlerror> (Debian: apt-get install libfoo1)
 *   libfoo.so.1 has no 'foo_new': version 2.0 or newer is needed
 * with AK_INTERNAL.
 *
 * The functions are declared from the library's own prototypes, so that each
 * pointer has the right type; one X-macro list names them once:
 *   #define FOO_FUNCS(X) X(foo_init) X(foo_new)
 *   FOO_FUNCS(DLIB_DECLARE)
 *   static const struct dlib_sym foo_syms[] = {FOO_FUNCS(DLIB_ENTRY) {NULL, NULL}};
 *   static struct dlib libfoo = DLIB_INIT("libfoo", "libfoo.so.1", "libfoo1",
 *                                         "version 2.0 or newer is needed", foo_syms, NULL);
 * and the code calls p_foo_new(...) once dlib_load(&libfoo, e) returned 0.
 */
#ifndef AKCRED_DLIB_H
#define AKCRED_DLIB_H

#include <pthread.h>

#include "err.h"

struct dlib_sym {
	const char *name;
	void *dest; /* the address of the function pointer that receives it */
};

/* A static function pointer p_<name>, typed from name's prototype. */
#define DLIB_DECLARE(name) static __typeof__(name) *p_##name;
/* Its entry in a symbol table. */
/* clang-format off */
#define DLIB_ENTRY(name) {#name, (void *)&p_##name},
/* clang-format on */

struct dlib {
	const char *name;    /* "libmosquitto", for messages */
	const char *soname;  /* "libmosquitto.so.1", what dlopen() opens */
	const char *package; /* the Debian package that has it, or NULL */
	const char *need;    /* why a function may be missing: "version 2.0 or newer is needed" */
	const struct dlib_sym *syms; /* ends with a NULL name */
	int (*init)(struct err *e);  /* run once, after resolving; 0 or -1 with e; or NULL */

	/* Private. */
	pthread_mutex_t lock;
	void *handle;
	int loaded;
};
#define DLIB_INIT(name, soname, package, need, syms, init)                                         \
	{                                                                                          \
		(name), (soname), (package), (need), (syms), (init), PTHREAD_MUTEX_INITIALIZER,    \
			NULL, 0                                                                    \
	}

/* Load l (once), resolve its functions, run its initialiser; 0, or -1 with e (AK_INTERNAL). */
int dlib_load(struct dlib *l, struct err *e);

#endif
