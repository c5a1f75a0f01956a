/* resolver: getaddrinfo() in a thread, waited for until a deadline (see resolver.h). */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "resolver.h"
#include "banned.h"

int
resolver_host_check(const char *host, struct err *e)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789.-_:%";

	if (host[0] == '\0' || host[strspn(host, ok)] != '\0' || strlen(host) >= RESOLVER_HOST_MAX)
		return err_set(e, AK_USAGE, "not a host name or address");
	return 0;
}

/* One lookup, shared by the waiting caller and the thread; the last to leave frees it. */
struct gai_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done, abandoned, rc, err;
	char host[RESOLVER_HOST_MAX], port[8];
	struct addrinfo *res;
};

static void
gai_job_free(struct gai_job *j)
{
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *
gai_thread(void *arg)
{
	struct gai_job *j = arg;
	struct addrinfo hints;
	int abandoned;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	j->rc = getaddrinfo(j->host, j->port, &hints, &j->res);
	j->err = errno;
	pthread_mutex_lock(&j->lock);
	j->done = 1;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (abandoned) {
		freeaddrinfo(j->res);
		gai_job_free(j);
	}
	return NULL;
}

int
resolver_lookup(const char *host, int port, double deadline_ms, struct addrinfo **res, int *err,
		int *timed_out)
{
	struct gai_job *j;
	pthread_condattr_t ca;
	pthread_t tid;
	struct timespec ts;
	double end_ms;
	int rc;

	*res = NULL;
	*timed_out = 0;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return EAI_MEMORY;
	snprintf(j->host, sizeof(j->host), "%s", host);
	snprintf(j->port, sizeof(j->port), "%d", port);
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* timeutil_now_ms()'s clock */
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&tid, NULL, gai_thread, j) != 0) {
		gai_job_free(j);
		return EAI_AGAIN;
	}
	/* The deadline, on the monotonic clock the condition variable uses (timeutil.h). */
	end_ms = deadline_ms;
	ts.tv_sec = (time_t)(end_ms / 1000.0);
	ts.tv_nsec = (long)((end_ms - (double)ts.tv_sec * 1000.0) * 1e6);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->lock);
	while (!j->done && pthread_cond_timedwait(&j->cond, &j->lock, &ts) != ETIMEDOUT)
		;
	if (!j->done) {
		j->abandoned = 1;
		pthread_mutex_unlock(&j->lock);
		pthread_detach(tid);
		*timed_out = 1;
		return EAI_AGAIN;
	}
	pthread_mutex_unlock(&j->lock);
	pthread_join(tid, NULL);
	rc = j->rc;
	*err = j->err;
	*res = j->res;
	gai_job_free(j);
	return rc;
}
