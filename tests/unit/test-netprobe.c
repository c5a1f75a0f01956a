/* Unit tests of the resolver and the diagnostic probes, on 127.0.0.1 only. */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netprobe.h"
#include "resolver.h"
#include "timeutil.h"

/* A socket bound to a free port of 127.0.0.1, listening or not; a is its address. */
static int
loopback(struct sockaddr_in *a, int listening)
{
	socklen_t len = sizeof(*a);
	int fd;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)a, &len), 0);
	if (listening)
		cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

Test(resolver, a_numeric_address_resolves_to_itself)
{
	struct addrinfo *res = NULL;
	struct sockaddr_in *in;
	int err = 0, timed_out = 1;

	cr_assert_eq(resolver_lookup("127.0.0.1", 8883, timeutil_now_ms() + 60000, &res, &err,
				     &timed_out),
		     0);
	cr_assert_not(timed_out);
	cr_assert_not_null(res);
	cr_assert_eq(res->ai_family, AF_INET);
	in = (struct sockaddr_in *)res->ai_addr;
	cr_assert_eq(ntohs(in->sin_port), 8883);
	cr_assert_eq(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	freeaddrinfo(res);
}

Test(netprobe, tells_a_refused_connection_from_a_working_one)
{
	struct sockaddr_in a;
	int fd = loopback(&a, 0);

	cr_assert_eq(netprobe_errno((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 60000),
		     ECONNREFUSED);
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(netprobe_errno((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 60000),
		     0);
	close(fd);
}

Test(netprobe, a_port_that_stays_silent_speaks_neither)
{
	struct sockaddr_in a;
	int fd = loopback(&a, 1);

	/* Accepted by the kernel, never answered: no at the deadline, however slow the machine. */
	cr_assert_not(
		netprobe_plain_mqtt((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 300));
	cr_assert_not(netprobe_tls((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 300));
	close(fd);
}

Test(netprobe, a_closed_port_speaks_neither)
{
	struct sockaddr_in a;
	int fd = loopback(&a, 0);

	cr_assert_not(
		netprobe_plain_mqtt((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 60000));
	cr_assert_not(netprobe_tls((struct sockaddr *)&a, sizeof(a), timeutil_now_ms() + 60000));
	close(fd);
}
