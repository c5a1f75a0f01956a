/* Unit tests of the resolver module: what may be looked up at all. */
#include <criterion/criterion.h>
#include <string.h>

#include "resolver.h"

Test(resolver, host_check_takes_names_and_ip_literals_only)
{
	static const char *const good[] = {"localhost", "mqtt.akenza.io", "127.0.0.1",
					   "::1",       "fe80::1%eth0",   "my_host-1"};
	static const char *const bad[] = {"", "bad host", "a;b", "host\n", "a/b", "x@y"};
	char longname[RESOLVER_HOST_MAX + 1];
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert_eq(resolver_host_check(good[i], &e), 0, "'%s'", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(resolver_host_check(bad[i], &e), -1, "'%s'", bad[i]);
		cr_assert_eq(e.status, AK_USAGE);
	}
	memset(longname, 'a', RESOLVER_HOST_MAX);
	longname[RESOLVER_HOST_MAX] = '\0';
	cr_assert_eq(resolver_host_check(longname, &e), -1, "longer than a host name can be");
}
