/* Unit tests of the dlopen loader, with libc as the library that is there. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "dlib.h"

static size_t (*p_test_strlen)(const char *);
static void *p_test_missing;
static int inits;

static int
count_init(struct err *e)
{
	(void)e;
	__atomic_fetch_add(&inits, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int
failing_init(struct err *e)
{
	inits++;
	return err_set(e, AK_INTERNAL, "cannot initialise libc");
}

static const struct dlib_sym libc_syms[] = {
	{"strlen", (void *)&p_test_strlen},
	{NULL, NULL},
};

Test(dlib, a_missing_library_names_itself_and_its_package)
{
	static const struct dlib_sym none[] = {{NULL, NULL}};
	struct dlib l = DLIB_INIT("libakcred-absent", "libakcred-absent.so.9", "libakcred-absent9",
				  "version 9 or newer is needed", none, count_init);
	struct err e = ERR_INIT;

	inits = 0;
	cr_assert_eq(dlib_load(&l, &e), -1);
	cr_assert_eq(e.status, AK_INTERNAL);
	cr_assert(strncmp(e.msg, "cannot load libakcred-absent (libakcred-absent.so.9): ",
			  strlen("cannot load libakcred-absent (libakcred-absent.so.9): ")) == 0,
		  "%s", e.msg);
	cr_assert(strstr(e.msg, "libakcred-absent.so.9: cannot open shared object file") != NULL,
		  "%s", e.msg);
	cr_assert(strstr(e.msg, " (Debian: apt-get install libakcred-absent9)") != NULL, "%s",
		  e.msg);
	cr_assert_eq(inits, 0, "the initialiser of a library that is not there ran");
	/* Not loaded: a second call tries again, and fails again. */
	cr_assert_eq(dlib_load(&l, &e), -1);
}

Test(dlib, a_missing_function_fails_the_load_and_says_what_is_needed)
{
	static const struct dlib_sym syms[] = {
		{"strlen", (void *)&p_test_strlen},
		{"akcred_no_such_function", (void *)&p_test_missing},
		{NULL, NULL},
	};
	struct dlib l = DLIB_INIT("libc", "libc.so.6", NULL, "version 99 or newer is needed", syms,
				  count_init);
	struct err e = ERR_INIT;

	inits = 0;
	p_test_strlen = NULL;
	cr_assert_eq(dlib_load(&l, &e), -1);
	cr_assert_eq(e.status, AK_INTERNAL);
	cr_assert_null(p_test_strlen, "a pointer into the closed library survived");
	cr_assert_str_eq(
		e.msg, "libc.so.6 has no 'akcred_no_such_function': version 99 or newer is needed");
	cr_assert_eq(inits, 0, "the initialiser ran with a function missing");
	cr_assert_null(l.handle, "a library without its functions stays open");
}

Test(dlib, without_a_package_the_message_has_no_install_hint)
{
	static const struct dlib_sym none[] = {{NULL, NULL}};
	struct dlib l = DLIB_INIT("libakcred-absent", "libakcred-absent.so.9", NULL, "", none,
				  NULL);
	struct err e = ERR_INIT;

	cr_assert_eq(dlib_load(&l, &e), -1);
	cr_assert_null(strstr(e.msg, "apt-get"), "%s", e.msg);
}

Test(dlib, resolves_the_functions_and_initialises_once)
{
	struct dlib l = DLIB_INIT("libc", "libc.so.6", NULL, "", libc_syms, count_init);
	struct err e = ERR_INIT;

	inits = 0;
	p_test_strlen = NULL;
	cr_assert_eq(dlib_load(&l, &e), 0, "%s", e.msg);
	cr_assert_not_null(p_test_strlen);
	cr_assert_eq(p_test_strlen("akcred"), 6);
	cr_assert_eq(dlib_load(&l, &e), 0, "%s", e.msg);
	cr_assert_eq(inits, 1);
}

Test(dlib, a_failed_initialiser_fails_the_load_and_is_retried)
{
	struct dlib l = DLIB_INIT("libc", "libc.so.6", NULL, "", libc_syms, failing_init);
	struct err e = ERR_INIT;

	inits = 0;
	cr_assert_eq(dlib_load(&l, &e), -1);
	cr_assert_str_eq(e.msg, "cannot initialise libc");
	cr_assert_eq(dlib_load(&l, &e), -1);
	cr_assert_eq(inits, 2, "a failed load was not retried");
}

static struct dlib shared = DLIB_INIT("libc", "libc.so.6", NULL, "", libc_syms, count_init);

static void *
load_shared(void *arg)
{
	struct err e = ERR_INIT;

	*(int *)arg = dlib_load(&shared, &e);
	return NULL;
}

Test(dlib, threads_loading_at_once_initialise_it_once)
{
	pthread_t tid[8];
	int rc[8], i;

	inits = 0;
	for (i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&tid[i], NULL, load_shared, &rc[i]), 0);
	for (i = 0; i < 8; i++) {
		pthread_join(tid[i], NULL);
		cr_assert_eq(rc[i], 0);
	}
	cr_assert_eq(inits, 1);
}
