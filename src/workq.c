/*
 * workq: worker threads between one producer and one collector (see
 * workq.h).
 *
 * Two bounded queues of fixed-size items, each a ring under one mutex: jobs
 * from the producer to the workers, results from the workers to the
 * collector.  Everything is allocated before the first thread starts, so a
 * running batch allocates nothing and cannot fail for want of memory.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "workq.h"
#include "banned.h"

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t can_get, can_put;
	unsigned char *items;
	size_t size, cap, head, n;
	unsigned put_waiting; /* threads waiting in queue_put */
	int closed;
};

/* A worker's own: the job it works and the result it fills. */
struct worker {
	struct workq *q;
	void *job, *result;
};

struct workq {
	struct workq_conf conf;
	struct queue jobs, results;
	sem_t cpu;
	int cpu_ok;
	atomic_int failed;
	pthread_mutex_t mu; /* err */
	struct err err;
	pthread_t collector, *threads;
	unsigned nthreads; /* workers started */
	int collector_started;
	struct worker *workers;
	unsigned char *buffers; /* the workers' jobs and results */
	void *group;            /* the collector's results */
};

/* --- the queues ---------------------------------------------------------------- */

static int
queue_init(struct queue *q, size_t size, size_t cap)
{
	memset(q, 0, sizeof(*q));
	if ((q->items = malloc(size * cap)) == NULL)
		return -1;
	q->size = size;
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->can_get, NULL);
	pthread_cond_init(&q->can_put, NULL);
	return 0;
}

static void
queue_destroy(struct queue *q)
{
	if (q->items == NULL)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->can_get);
	pthread_cond_destroy(&q->can_put);
	free(q->items);
	q->items = NULL;
}

static void
queue_put(struct queue *q, const void *item)
{
	pthread_mutex_lock(&q->mu);
	while (q->n == q->cap) {
		q->put_waiting++;
		pthread_cond_wait(&q->can_put, &q->mu);
		q->put_waiting--;
	}
	memcpy(q->items + ((q->head + q->n) % q->cap) * q->size, item, q->size);
	q->n++;
	pthread_cond_signal(&q->can_get);
	pthread_mutex_unlock(&q->mu);
}

/* Up to max items; blocks while empty; 0 once closed and empty. */
static size_t
queue_get(struct queue *q, void *items, size_t max)
{
	size_t k = 0;

	pthread_mutex_lock(&q->mu);
	while (q->n == 0 && !q->closed)
		pthread_cond_wait(&q->can_get, &q->mu);
	while (k < max && q->n > 0) {
		memcpy((unsigned char *)items + k * q->size, q->items + q->head * q->size, q->size);
		q->head = (q->head + 1) % q->cap;
		q->n--;
		k++;
	}
	/*
	 * A full queue's putter is woken once it is half empty, not at every
	 * free slot: else the producer and a worker take turns, a context switch
	 * for every job (two thirds of provision's, measured with perf stat).
	 */
	if (q->put_waiting > 0 && q->n <= q->cap / 2)
		pthread_cond_broadcast(&q->can_put);
	pthread_mutex_unlock(&q->mu);
	return k;
}

static void
queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->can_get);
	pthread_mutex_unlock(&q->mu);
}

/* --- the threads --------------------------------------------------------------- */

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct workq *q = w->q;

	while (queue_get(&q->jobs, w->job, 1) == 1) {
		/* After a failure: drain the queue, start nothing new. */
		if (atomic_load(&q->failed))
			continue;
		q->conf.work(q->conf.arg, w->job, w->result);
		queue_put(&q->results, w->result);
	}
	if (q->conf.worker_exit != NULL)
		q->conf.worker_exit(q->conf.arg);
	return NULL;
}

static void *
collector_main(void *arg)
{
	struct workq *q = arg;
	size_t n;

	while ((n = queue_get(&q->results, q->group, q->conf.group)) > 0)
		q->conf.collect(q->conf.arg, q->group, n);
	return NULL;
}

/* --- the batch ----------------------------------------------------------------- */

/* A size rounded up so that what follows it in one allocation is aligned for anything. */
static size_t
aligned(size_t n)
{
	size_t a = _Alignof(max_align_t);

	return (n + a - 1) / a * a;
}

static void
workq_free(struct workq *q)
{
	queue_destroy(&q->jobs);
	queue_destroy(&q->results);
	if (q->cpu_ok)
		sem_destroy(&q->cpu);
	pthread_mutex_destroy(&q->mu);
	free(q->threads);
	free(q->workers);
	free(q->buffers);
	free(q->group);
	free(q);
}

/* Everything the threads use, allocated before any of them starts. */
static int
workq_alloc(struct workq **qp, const struct workq_conf *conf, struct err *e)
{
	struct workq *q;
	size_t per = aligned(conf->job_size) + aligned(conf->result_size);
	unsigned i;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return err_set(e, AK_INTERNAL, "out of memory");
	q->conf = *conf;
	pthread_mutex_init(&q->mu, NULL);
	if (queue_init(&q->jobs, conf->job_size, conf->jobs_max) != 0 ||
	    queue_init(&q->results, conf->result_size, conf->results_max) != 0 ||
	    (q->group = malloc(conf->group * conf->result_size)) == NULL ||
	    (q->threads = calloc(conf->workers, sizeof(*q->threads))) == NULL ||
	    (q->workers = calloc(conf->workers, sizeof(*q->workers))) == NULL ||
	    (q->buffers = malloc(conf->workers * per)) == NULL) {
		workq_free(q);
		return err_set(e, AK_INTERNAL, "out of memory");
	}
	for (i = 0; i < conf->workers; i++) {
		q->workers[i].q = q;
		q->workers[i].job = q->buffers + i * per;
		q->workers[i].result = q->buffers + i * per + aligned(conf->job_size);
	}
	if (sem_init(&q->cpu, 0, conf->cpu) != 0) {
		err_set(e, AK_INTERNAL, "cannot create a semaphore: %s", strerror(errno));
		workq_free(q);
		return -1;
	}
	q->cpu_ok = 1;
	*qp = q;
	return 0;
}

int
workq_start(struct workq **qp, const struct workq_conf *conf, struct err *e)
{
	struct workq *q = NULL;

	*qp = NULL;
	if (conf->workers == 0 || conf->cpu == 0 || conf->job_size == 0 || conf->result_size == 0 ||
	    conf->jobs_max == 0 || conf->results_max == 0 || conf->group == 0 ||
	    conf->work == NULL || conf->collect == NULL)
		return err_set(e, AK_INTERNAL, "a work queue without workers, room or work");
	if (workq_alloc(&q, conf, e) != 0)
		return -1;
	*qp = q;
	if (pthread_create(&q->collector, NULL, collector_main, q) != 0) {
		*qp = NULL;
		workq_free(q);
		return err_set(e, AK_INTERNAL, "cannot start a thread");
	}
	q->collector_started = 1;
	for (; q->nthreads < conf->workers; q->nthreads++)
		if (pthread_create(&q->threads[q->nthreads], NULL, worker_main,
				   &q->workers[q->nthreads]) != 0)
			break;
	if (q->nthreads == conf->workers)
		return 0;
	/* The started threads find no job and end: finish returns e, the only error. */
	err_set(e, AK_INTERNAL, "cannot start a thread");
	workq_fail(q, e);
	*qp = NULL;
	return workq_finish(q, e);
}

int
workq_put(struct workq *q, const void *job)
{
	if (atomic_load(&q->failed))
		return -1;
	queue_put(&q->jobs, job);
	return 0;
}

void
workq_fail(struct workq *q, const struct err *e)
{
	pthread_mutex_lock(&q->mu);
	if (!atomic_load(&q->failed))
		q->err = *e;
	atomic_store(&q->failed, 1);
	pthread_mutex_unlock(&q->mu);
}

int
workq_failed(struct workq *q)
{
	return atomic_load(&q->failed);
}

void
workq_cpu_take(struct workq *q)
{
	while (sem_wait(&q->cpu) != 0 && errno == EINTR)
		;
}

void
workq_cpu_give(struct workq *q)
{
	sem_post(&q->cpu);
}

int
workq_finish(struct workq *q, struct err *e)
{
	unsigned i;
	int rc = 0;

	/* The workers first: the collector ends only once every result is queued. */
	queue_close(&q->jobs);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	queue_close(&q->results);
	if (q->collector_started)
		pthread_join(q->collector, NULL);
	if (atomic_load(&q->failed)) {
		*e = q->err;
		rc = -1;
	}
	workq_free(q);
	return rc;
}
