/*
 * resolver: getaddrinfo() bounded by a deadline.
 *
 * getaddrinfo() cannot time out, so it runs in a thread of its own that is
 * waited for until the deadline and abandoned after it: the caller gets
 * "timed out" at the deadline, and the thread frees what it was given when
 * its answer comes.  glibc's getaddrinfo_a() would do the same, but its
 * helper thread lingers after the answer, which valgrind reports at exit.
 * The deadline is on timeutil_now_ms()'s clock (CLOCK_MONOTONIC).
 */
#ifndef AKCRED_RESOLVER_H
#define AKCRED_RESOLVER_H

#include <netdb.h>

#include "err.h"

#define RESOLVER_HOST_MAX 256 /* a host name is shorter */

/*
 * 0 if host could be a host name or an IP literal (letters, digits and the
 * punctuation of names and addresses, nothing else); else -1, e saying why.
 */
int resolver_host_check(const char *host, struct err *e);

/*
 * TCP addresses of host and port, any family, waiting until deadline_ms at
 * most.  0 and *res (freeaddrinfo() it); or an EAI_* code (EAI_SYSTEM with
 * *err the errno), or EAI_AGAIN with *timed_out set.
 */
int resolver_lookup(const char *host, int port, double deadline_ms, struct addrinfo **res, int *err,
		    int *timed_out);

#endif
