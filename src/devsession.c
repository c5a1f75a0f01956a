/* devsession: a long-running device session (see devsession.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "devsession.h"
#include "http.h"
#include "spool.h"
#include "timeutil.h"
#include "banned.h"

#define INPUT_CHUNK 65536

long
devsession_refresh_ms(long lifetime_ms)
{
	long margin = lifetime_ms / 5;

	if (margin > DEVSESSION_MARGIN_MAX_MS)
		margin = DEVSESSION_MARGIN_MAX_MS;
	return lifetime_ms - margin;
}

long
devsession_backoff_ms(unsigned attempt, int refused, unsigned rnd)
{
	/* One home for jittered exponential backoff: http's, also register's. */
	if (refused)
		return http_backoff_ms(attempt, DEVSESSION_REFUSED_BASE_MS,
				       DEVSESSION_REFUSED_CAP_MS, rnd);
	return http_backoff_ms(attempt, DEVSESSION_BACKOFF_BASE_MS, DEVSESSION_BACKOFF_CAP_MS, rnd);
}

int
devsession_fatal(enum ak_status status)
{
	/* A bad CA file, a library that does not load: no retry mends them. */
	return status == AK_INPUT || status == AK_INTERNAL || status == AK_CRYPTO ||
	       status == AK_USAGE;
}

/* A message: in the queue from when it is read until its PUBACK. */
struct msg {
	struct msg *next;
	unsigned long long seq;
	int mid; /* 0: not sent on this connection */
	size_t len;
	char payload[]; /* NUL-terminated */
};

struct ds {
	const struct devsession_opts *o;
	struct devsession_stats *st;
	struct mqtt_opts mo; /* per connection: the password, our callbacks */
	struct mqtt_session *ms;
	struct mqtt_result mr;
	struct msg *head, *tail;
	unsigned long queued, inflight;
	struct spool sp;
	int spooling;
	unsigned long long next_seq;
	char *in; /* input not yet split into lines */
	size_t inlen;
	unsigned long line;
	int eof;
	double refresh_at, drain_until, next_tick;
	int draining;
	struct err cb_err; /* a failure inside a callback, told after it */
};

static int
enqueue(struct ds *d, unsigned long long seq, const char *payload, size_t len, struct err *e)
{
	struct msg *m = malloc(sizeof(*m) + len + 1);

	if (m == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	m->next = NULL;
	m->seq = seq;
	m->mid = 0;
	m->len = len;
	memcpy(m->payload, payload, len);
	m->payload[len] = '\0';
	if (d->tail != NULL)
		d->tail->next = m;
	else
		d->head = m;
	d->tail = m;
	d->queued++;
	return 0;
}

/* A new message: spooled (buffered until the flush before it is sent), then queued. */
static int
add_message(struct ds *d, const char *payload, size_t len, struct err *e)
{
	unsigned long long seq = d->next_seq++;

	if (d->spooling && spool_payload_check(payload, len, e) != 0)
		return err_prefix(e, "input line %lu", d->line);
	if (enqueue(d, seq, payload, len, e) != 0)
		return -1;
	/* The queue's copy: payload is a slice of the input, not NUL-terminated. */
	return d->spooling ? spool_put(&d->sp, seq, d->tail->payload, len, e) : 0;
}

static int
from_spool(unsigned long long seq, const char *payload, size_t len, void *arg, struct err *e)
{
	return enqueue(arg, seq, payload, len, e);
}

static void
tell(struct ds *d, struct devsession_event *ev)
{
	if (d->o->on_event != NULL)
		d->o->on_event(ev, d->o->arg);
}

static void
on_puback(int mid, void *arg)
{
	struct ds *d = arg;
	struct msg *m, *prev = NULL;

	for (m = d->head; m != NULL && m->mid != 0; prev = m, m = m->next) {
		if (m->mid != mid)
			continue;
		if (prev != NULL)
			prev->next = m->next;
		else
			d->head = m->next;
		if (d->tail == m)
			d->tail = prev;
		d->queued--;
		d->inflight--;
		d->st->published++;
		if (d->spooling && d->cb_err.status == AK_OK)
			spool_ack(&d->sp, m->seq, &d->cb_err);
		free(m);
		return;
	}
}

static void
on_message(const char *topic, const void *payload, size_t len, int qos, void *arg)
{
	const struct devsession_opts *o = ((struct ds *)arg)->o;

	if (o->on_message != NULL)
		o->on_message(topic, payload, len, qos, o->arg);
}

/* Split what was read into lines; at the end of the input the rest is the last line. */
static int
split_lines(struct ds *d, struct err *e)
{
	size_t start = 0, i, n;

	for (i = 0; i <= d->inlen; i++) {
		if (i < d->inlen ? d->in[i] != '\n' : !(d->eof && i > start))
			continue;
		d->line++;
		n = i - start;
		if (n > 0 && d->in[start + n - 1] == '\r') /* CRLF line ends */
			n--;
		if (n > DEVSESSION_PAYLOAD_MAX)
			return err_set(e, AK_INPUT, "input line %lu is longer than %d bytes",
				       d->line, DEVSESSION_PAYLOAD_MAX);
		if (n > 0 && add_message(d, d->in + start, n, e) != 0)
			return -1;
		start = i + 1;
	}
	if (start > d->inlen)
		start = d->inlen;
	memmove(d->in, d->in + start, d->inlen - start);
	d->inlen -= start;
	if (d->inlen > DEVSESSION_PAYLOAD_MAX)
		return err_set(e, AK_INPUT, "input line %lu is longer than %d bytes", d->line + 1,
			       DEVSESSION_PAYLOAD_MAX);
	return 0;
}

/* One read(2) of what poll() said is there: it does not block. */
static int
read_input(struct ds *d, struct err *e)
{
	ssize_t n = read(d->o->input_fd, d->in + d->inlen, INPUT_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return err_set(e, AK_INPUT, "cannot read the input: %s", strerror(errno));
	if (n == 0)
		d->eof = 1;
	d->inlen += (size_t)n;
	if (split_lines(d, e) != 0)
		return -1;
	if (d->eof && d->o->on_event != NULL) {
		struct devsession_event ev = {.type = DEVSESSION_INPUT_END, .count = d->queued};

		tell(d, &ev);
	}
	return 0;
}

/* The input, if it is to be read now: not at its end, not while the queue is full. */
static int
input_fd(const struct ds *d)
{
	return d->o->input_fd >= 0 && !d->eof && d->queued < DEVSESSION_QUEUE_MAX ? d->o->input_fd
										  : -1;
}

/* --interval: the generated message when it is due. */
static int
tick(struct ds *d, struct err *e)
{
	char now[TIMEUTIL_ISO_LEN], buf[96];
	int n;

	if (d->o->interval_ms <= 0 || timeutil_now_ms() < d->next_tick ||
	    d->queued >= DEVSESSION_QUEUE_MAX)
		return 0;
	d->next_tick += (double)d->o->interval_ms;
	if (d->next_tick < timeutil_now_ms())
		d->next_tick = timeutil_now_ms() + (double)d->o->interval_ms;
	n = snprintf(buf, sizeof(buf), "{\"seq\":%llu,\"time\":\"%s\"}", d->next_seq,
		     timeutil_iso8601(time(NULL), now));
	return add_message(d, buf, (size_t)n, e);
}

/* What callbacks and the input left to write: durable before anything new is sent. */
static int
flush(struct ds *d, struct err *e)
{
	if (d->cb_err.status != AK_OK) {
		*e = d->cb_err;
		return -1;
	}
	return d->spooling ? spool_flush(&d->sp, e) : 0;
}

/* Send what is not in flight yet, in order, up to DEVSESSION_INFLIGHT. */
static int
pump(struct ds *d, struct err *e)
{
	struct msg *m;

	for (m = d->head; m != NULL && d->inflight < DEVSESSION_INFLIGHT && !d->draining;
	     m = m->next) {
		if (m->mid != 0)
			continue;
		if (mqtt_session_publish(d->ms, d->o->topic, m->payload, m->len, 1, &m->mid, e) !=
		    0)
			return -1;
		d->inflight++;
	}
	return 0;
}

/* Mint a token and connect with it; the token is wiped as soon as libmosquitto has it. */
static int
ds_connect(struct ds *d, struct err *e)
{
	const struct devsession_opts *o = d->o;
	struct devsession_event ev = {.type = DEVSESSION_CONNECTED};
	double minted_at = timeutil_now_ms();
	char *token = NULL;
	struct msg *m;
	int rc;

	if (o->mint(o->arg, &token, &ev.exp, e) != 0)
		return -1;
	d->mo = o->mqtt;
	d->mo.topic = NULL;
	d->mo.password = token;
	d->mo.on_message = on_message;
	d->mo.on_puback = on_puback;
	d->mo.arg = d;
	rc = mqtt_session_open(&d->mo, &d->mr, &d->ms, e);
	sodium_free(token);
	d->mo.password = NULL;
	if (rc != 0)
		return -1;
	d->refresh_at = minted_at + (double)devsession_refresh_ms(o->ttl * 1000);
	d->draining = 0;
	d->inflight = 0;
	ev.address = d->mr.address;
	ev.refresh_ms = (long)(d->refresh_at - timeutil_now_ms());
	tell(d, &ev);
	/* Whatever was in flight on the last connection goes again: at least once. */
	for (m = d->head; m != NULL && m->mid != 0; m = m->next)
		m->mid = 0;
	if (d->queued > 0) {
		struct devsession_event rev = {.type = DEVSESSION_RESENDING, .count = d->queued};

		tell(d, &rev);
	}
	return 0;
}

enum { SESSION_DONE, SESSION_REFRESH, SESSION_LOST, SESSION_STOP, SESSION_FATAL };

/* How long the network may wait now: until the next thing that is due, at most a second. */
static long
wait_ms(const struct ds *d)
{
	double now = timeutil_now_ms(), until = now + 1000;

	if (!d->draining && d->refresh_at < until)
		until = d->refresh_at;
	if (d->draining && d->drain_until < until)
		until = d->drain_until;
	if (d->o->interval_ms > 0 && d->next_tick < until)
		until = d->next_tick;
	return until <= now ? 0 : (long)(until - now) + 1;
}

/* One connection, from after the login until it ends. */
static int
ds_session(struct ds *d, struct err *e)
{
	const struct devsession_opts *o = d->o;
	int ready;

	for (;;) {
		if (*o->stop)
			return SESSION_STOP;
		if (flush(d, e) != 0 || pump(d, e) != 0)
			return e->status == AK_NETWORK ? SESSION_LOST : SESSION_FATAL;
		if (d->eof && d->head == NULL) {
			mqtt_session_close(d->ms, 1);
			d->ms = NULL;
			return SESSION_DONE;
		}
		if (!d->draining && timeutil_now_ms() >= d->refresh_at) {
			/* Nothing new from now on; the PUBACKs of what is out, then a new token. */
			d->draining = 1;
			d->drain_until = timeutil_now_ms() + (double)o->mqtt.timeout_ms;
		}
		if (d->draining && (d->inflight == 0 || timeutil_now_ms() >= d->drain_until)) {
			mqtt_session_close(d->ms, 1);
			d->ms = NULL;
			return SESSION_REFRESH;
		}
		if (mqtt_session_wait(d->ms, input_fd(d), wait_ms(d), &ready, e) != 0)
			return SESSION_LOST;
		if ((ready && read_input(d, e) != 0) || tick(d, e) != 0)
			return SESSION_FATAL;
	}
}

/* Between connections: wait ms, reading the input meanwhile (it is kept, and spooled). */
static int
ds_idle(struct ds *d, long ms, struct err *e)
{
	double end = timeutil_now_ms() + (double)ms, left;
	struct pollfd pfd;
	int rc;

	while (!*d->o->stop && (left = end - timeutil_now_ms()) > 0) {
		pfd.fd = input_fd(d);
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, left > 1000 ? 1000 : (int)left + 1);
		if (rc < 0 && errno != EINTR)
			return err_set(e, AK_INTERNAL, "poll: %s", strerror(errno));
		if (rc > 0 && pfd.fd >= 0 && read_input(d, e) != 0)
			return -1;
		if (tick(d, e) != 0 || flush(d, e) != 0)
			return -1;
	}
	return 0;
}

/* A connect failed: tell, and either wait for the next one (0) or give up (-1, e). */
static int
ds_failed(struct ds *d, unsigned *fails, unsigned *refusals, struct err *e)
{
	int refused = e->status == AK_REFUSED;
	struct devsession_event ev = {.type = DEVSESSION_FAILED, .err = e, .mqtt = &d->mr};
	struct devsession_event rev = {.type = DEVSESSION_RETRY};

	ev.attempt = ++*fails;
	ev.first = *fails == 1;
	*refusals = refused ? *refusals + 1 : 0;
	tell(d, &ev);
	if (devsession_fatal(e->status) || (refused && *refusals >= d->o->refusals_max)) {
		d->st->told = 1;
		return -1;
	}
	rev.attempt = *fails;
	rev.delay_ms = devsession_backoff_ms(*fails, refused, randombytes_random());
	tell(d, &rev);
	return ds_idle(d, rev.delay_ms, e);
}

static int
ds_loop(struct ds *d, struct err *e)
{
	struct devsession_event ev;
	unsigned fails = 0, refusals = 0;

	while (!*d->o->stop) {
		/* The input ended while away, and nothing is left: no need to come back. */
		if (d->eof && d->head == NULL && d->st->connects > 0)
			return 0;
		if (ds_connect(d, e) != 0) {
			if (ds_failed(d, &fails, &refusals, e) != 0)
				return -1;
			continue;
		}
		fails = refusals = 0;
		d->st->connects++;
		switch (ds_session(d, e)) {
		case SESSION_DONE:
			return 0;
		case SESSION_REFRESH:
			d->st->refreshes++;
			ev = (struct devsession_event){.type = DEVSESSION_REFRESH};
			tell(d, &ev);
			break;
		case SESSION_LOST:
			mqtt_session_close(d->ms, 0);
			d->ms = NULL;
			ev = (struct devsession_event){.type = DEVSESSION_LOST, .err = e};
			tell(d, &ev);
			ev = (struct devsession_event){.type = DEVSESSION_RETRY, .attempt = 1};
			ev.delay_ms = devsession_backoff_ms(1, 0, randombytes_random());
			tell(d, &ev);
			if (ds_idle(d, ev.delay_ms, e) != 0)
				return -1;
			break;
		case SESSION_STOP:
			return 0;
		default:
			return -1;
		}
	}
	return 0;
}

static int
ds_open(struct ds *d, struct err *e)
{
	struct devsession_event ev = {.type = DEVSESSION_SPOOLED};

	d->next_seq = 1;
	d->next_tick = timeutil_now_ms();
	if (d->o->input_fd >= 0 &&
	    (d->in = malloc(DEVSESSION_PAYLOAD_MAX + INPUT_CHUNK + 1)) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	if (d->o->input_fd < 0 && d->o->interval_ms <= 0)
		d->eof = 1;
	if (d->o->spool_dir == NULL)
		return 0;
	if (spool_open(&d->sp, d->o->spool_dir, DEVSESSION_PAYLOAD_MAX, from_spool, d, e) != 0)
		return -1;
	d->spooling = 1;
	d->next_seq = d->sp.next_seq;
	if ((ev.count = d->queued) > 0)
		tell(d, &ev);
	return 0;
}

int
devsession_run(const struct devsession_opts *o, struct devsession_stats *st, struct err *e)
{
	struct ds d = {.o = o, .st = st, .sp = SPOOL_INIT, .cb_err = ERR_INIT};
	struct msg *m;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = ds_open(&d, e);
	if (rc == 0)
		rc = ds_loop(&d, e);
	if (rc == 0 && *o->stop)
		st->stopped = 1;
	if (d.ms != NULL)
		mqtt_session_close(d.ms, 1);
	/* What the callbacks acknowledged last is written too: fewer duplicates next time. */
	if (d.spooling) {
		struct err ignored = ERR_INIT;

		(void)spool_flush(&d.sp, &ignored);
		spool_close(&d.sp);
	}
	st->pending = d.queued;
	while ((m = d.head) != NULL) {
		d.head = m->next;
		free(m);
	}
	free(d.in);
	return rc;
}
