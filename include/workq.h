/*
 * workq: worker threads between one producer and one collector, for batches
 * whose items each take a while (a key to make, a device to connect, a key
 * to upload) and whose results must be recorded by one thread.
 *
 * The calling thread puts jobs (fixed-size items, copied) on a bounded
 * queue; "workers" threads each take one job at a time and turn it into a
 * result; one collector thread takes the results in groups of up to "group",
 * in the order they are finished (not the order of the jobs), so that it can
 * record a whole group with one write and one fsync.  Memory is bounded by
 * the two queues, however many jobs there are.
 *
 * At most "cpu" workers hold a CPU token at a time (workq_cpu_take/give):
 * with more workers than tokens, the others wait on the disk or the network
 * while these compute, and the machine is never oversubscribed.
 *
 * The first error given to workq_fail() (by any thread) stops the batch:
 * workq_put() refuses new jobs, the workers drain the queue without working
 * it, and workq_finish() returns that error.  Results already made are still
 * collected: the collector asks workq_failed() and decides what they mean.
 *
 * The module prints nothing and owns no data of its callers': work() and
 * collect() get the caller's arg back.
 */
#ifndef AKCRED_WORKQ_H
#define AKCRED_WORKQ_H

#include <stddef.h>

#include "err.h"

struct workq_conf {
	size_t job_size, result_size; /* bytes of one job, of one result */
	size_t jobs_max;              /* jobs queued at most (workq_put blocks beyond) */
	size_t results_max;           /* results waiting for the collector at most */
	size_t group;                 /* results handed to collect() at once, at most */
	unsigned workers;             /* worker threads, at least 1 */
	unsigned cpu;                 /* CPU tokens, at least 1 */
	/* In a worker thread: do job, fill result (result_size bytes, not cleared). */
	void (*work)(void *arg, const void *job, void *result);
	/* In the collector thread: n (1 to group) results, finished in this order. */
	void (*collect)(void *arg, void *results, size_t n);
	/* NULL, or in each worker thread as it ends (per-thread clean-up of a library). */
	void (*worker_exit)(void *arg);
	void *arg;
};

struct workq;

/*
 * Start the collector and the workers; *q is set before any of them runs, so
 * that work() and collect() may use it.  0, or -1 with e (out of memory, a
 * thread that cannot start: AK_INTERNAL), *q NULL and nothing left running.
 */
int workq_start(struct workq **q, const struct workq_conf *conf, struct err *e);
/* Queue a copy of job; blocks while the queue is full.  -1 (not queued) once failed. */
int workq_put(struct workq *q, const void *job);
/* Stop the batch with e, unless an error stopped it already (the first one is kept). */
void workq_fail(struct workq *q, const struct err *e);
/* Whether the batch was stopped: any thread, any time. */
int workq_failed(struct workq *q);
/* Take a CPU token (blocks until one is free); give it back. */
void workq_cpu_take(struct workq *q);
void workq_cpu_give(struct workq *q);
/*
 * No more jobs: wait until every queued job is worked and its result
 * collected, end the threads and free q.  0, or -1 with the first error
 * given to workq_fail().
 */
int workq_finish(struct workq *q, struct err *e);

#endif
