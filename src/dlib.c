/* dlib: libraries loaded at run time, each described by a table (see dlib.h). */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "dlib.h"
#include "banned.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym() returns functions as void *");

/* Open and resolve, with l->lock held. */
static int
dlib_resolve(struct dlib *l, struct err *e)
{
	const struct dlib_sym *s;
	const char *why;
	void *f;

	if (l->handle == NULL && (l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		return err_set(e, AK_INTERNAL, "cannot load %s (%s): %s%s%s%s", l->name, l->soname,
			       why != NULL ? why : "unknown reason",
			       l->package != NULL ? " (Debian: apt-get install " : "",
			       l->package != NULL ? l->package : "", l->package != NULL ? ")" : "");
	}
	for (s = l->syms; s->name != NULL; s++) {
		if ((f = dlsym(l->handle, s->name)) == NULL) {
			/*
			 * Nothing of it has run yet: close it, and forget the
			 * addresses taken so far, so that no pointer into an
			 * unmapped library survives and a retry starts afresh.
			 */
			for (const struct dlib_sym *t = l->syms; t != s; t++)
				memset(t->dest, 0, sizeof(f));
			dlclose(l->handle);
			l->handle = NULL;
			return err_set(e, AK_INTERNAL, "%s has no '%s': %s", l->soname, s->name,
				       l->need);
		}
		/* POSIX: a function's address from dlsym() is stored as it came. */
		memcpy(s->dest, &f, sizeof(f));
	}
	/* Once the initialiser has run, the library stays: its code may be referred to. */
	return l->init != NULL ? l->init(e) : 0;
}

int
dlib_load(struct dlib *l, struct err *e)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (!l->loaded && (rc = dlib_resolve(l, e)) == 0)
		l->loaded = 1;
	pthread_mutex_unlock(&l->lock);
	return rc;
}
