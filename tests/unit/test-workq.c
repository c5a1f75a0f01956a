/*
 * Unit tests of the workq module: every job is worked once and its result
 * collected once, in groups no larger than asked; CPU tokens bound the
 * workers that hold one; the first failure stops the batch and is the one
 * returned.  Nothing here depends on how fast the machine is: the bounds
 * asserted follow from the sizes of the queues, not from timing.
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "workq.h"

#define NJOBS 5000

struct ctx {
	struct workq *q;
	unsigned char collected[NJOBS]; /* the collector's alone */
	size_t ncollected, biggest_group, groups, bad;
	atomic_int worked, exits, holding, most_holding;
	int use_cpu;
	int fail_in_collect; /* workq_fail() at the first group */
};

struct result {
	unsigned job;
	unsigned twice;
};

static void
work(void *arg, const void *job, void *result)
{
	struct ctx *c = arg;
	struct result *r = result;
	unsigned j;
	int now, most, i;

	memcpy(&j, job, sizeof(j));
	if (c->use_cpu) {
		workq_cpu_take(c->q);
		now = atomic_fetch_add(&c->holding, 1) + 1;
		most = atomic_load(&c->most_holding);
		while (now > most && !atomic_compare_exchange_weak(&c->most_holding, &most, now))
			;
		for (i = 0; i < 3; i++)
			sched_yield(); /* hold the token a while, so that others ask for it */
		atomic_fetch_sub(&c->holding, 1);
		workq_cpu_give(c->q);
	}
	r->job = j;
	r->twice = 2 * j;
	atomic_fetch_add(&c->worked, 1);
}

static void
collect(void *arg, void *results, size_t n)
{
	struct ctx *c = arg;
	const struct result *r = results;
	size_t i;

	c->groups++;
	if (n > c->biggest_group)
		c->biggest_group = n;
	/* Not cr_assert: this is not the test's thread.  Checked once the batch is over. */
	for (i = 0; i < n; i++) {
		if (r[i].job >= NJOBS || r[i].twice != 2 * r[i].job) {
			c->bad++;
			continue;
		}
		c->collected[r[i].job]++;
		c->ncollected++;
	}
	if (c->fail_in_collect) {
		struct err e = ERR_INIT;

		err_set(&e, AK_INPUT, "the collector stops");
		workq_fail(c->q, &e);
	}
}

static void
worker_exit(void *arg)
{
	struct ctx *c = arg;

	atomic_fetch_add(&c->exits, 1);
}

static struct workq_conf
conf(struct ctx *c, unsigned workers, unsigned cpu)
{
	struct workq_conf w = {
		.job_size = sizeof(unsigned),
		.result_size = sizeof(struct result),
		.jobs_max = 3,
		.results_max = 5,
		.group = 7,
		.workers = workers,
		.cpu = cpu,
		.work = work,
		.collect = collect,
		.worker_exit = worker_exit,
		.arg = c,
	};
	return w;
}

static struct ctx ctx; /* large: not on a test thread's stack */

/* Start ctx's batch (ctx set up first). */
static void
start(unsigned workers, unsigned cpu)
{
	struct workq_conf w = conf(&ctx, workers, cpu);
	struct err e = ERR_INIT;

	cr_assert_eq(workq_start(&ctx.q, &w, &e), 0, "%s", e.msg);
}

/* Queue jobs 0 to n - 1, until one is refused; how many were queued. */
static unsigned
put(unsigned n)
{
	unsigned j;

	for (j = 0; j < n; j++)
		if (workq_put(ctx.q, &j) != 0)
			break;
	return j;
}

Test(workq, works_every_job_once_and_collects_every_result)
{
	struct err e = ERR_INIT;
	unsigned j;

	memset(&ctx, 0, sizeof(ctx));
	start(4, 2);
	cr_assert_eq(put(NJOBS), NJOBS);
	cr_assert_eq(workq_finish(ctx.q, &e), 0, "%s", e.msg);
	cr_assert_eq(atomic_load(&ctx.worked), NJOBS);
	cr_assert_eq(ctx.bad, 0);
	cr_assert_eq(ctx.ncollected, NJOBS);
	for (j = 0; j < NJOBS; j++)
		cr_assert_eq(ctx.collected[j], 1, "job %u collected %d times", j, ctx.collected[j]);
	cr_assert_leq(ctx.biggest_group, 7);
	cr_assert_eq(atomic_load(&ctx.exits), 4, "worker_exit once in each worker");
}

Test(workq, cpu_tokens_bound_the_workers_that_hold_one)
{
	struct err e = ERR_INIT;

	memset(&ctx, 0, sizeof(ctx));
	ctx.use_cpu = 1;
	start(6, 2);
	cr_assert_eq(put(2000), 2000);
	cr_assert_eq(workq_finish(ctx.q, &e), 0, "%s", e.msg);
	cr_assert_eq(ctx.ncollected, 2000);
	cr_assert_geq(atomic_load(&ctx.most_holding), 1);
	cr_assert_leq(atomic_load(&ctx.most_holding), 2, "%d workers held a token at once",
		      atomic_load(&ctx.most_holding));
}

Test(workq, the_first_failure_stops_the_batch_and_is_returned)
{
	struct err e = ERR_INIT, stop = ERR_INIT, later = ERR_INIT;
	unsigned j;

	memset(&ctx, 0, sizeof(ctx));
	start(2, 1);
	cr_assert_eq(put(10), 10);
	err_set(&stop, AK_INPUT, "stop here");
	workq_fail(ctx.q, &stop);
	cr_assert(workq_failed(ctx.q));
	j = 10;
	cr_assert_eq(workq_put(ctx.q, &j), -1, "a job queued after the failure");
	err_set(&later, AK_INTERNAL, "a later failure");
	workq_fail(ctx.q, &later);
	cr_assert_eq(workq_finish(ctx.q, &e), -1);
	cr_assert_eq(e.status, AK_INPUT);
	cr_assert_str_eq(e.msg, "stop here");
	cr_assert_leq(atomic_load(&ctx.worked), 10);
	cr_assert_eq(ctx.ncollected, (size_t)atomic_load(&ctx.worked),
		     "every result made is collected");
	cr_assert_eq(atomic_load(&ctx.exits), 2);
}

Test(workq, a_failure_in_the_collector_stops_the_producer)
{
	struct err e = ERR_INIT;
	unsigned j;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fail_in_collect = 1;
	start(2, 2);
	j = put(NJOBS);
	/*
	 * Before the first group is collected, at most the queues, the workers
	 * and that group hold jobs: the producer is that far ahead at most.
	 */
	cr_assert_lt(j, 3 + 2 + 5 + 7 + 2, "%u jobs queued after the collector failed", j);
	cr_assert_eq(workq_finish(ctx.q, &e), -1);
	cr_assert_str_eq(e.msg, "the collector stops");
	cr_assert_leq(atomic_load(&ctx.worked), j);
}

Test(workq, an_empty_batch_collects_nothing)
{
	struct err e = ERR_INIT;

	memset(&ctx, 0, sizeof(ctx));
	start(3, 1);
	cr_assert_eq(workq_finish(ctx.q, &e), 0, "%s", e.msg);
	cr_assert_eq(ctx.groups, 0);
	cr_assert_eq(atomic_load(&ctx.exits), 3);
}

Test(workq, refuses_a_batch_without_workers_or_tokens)
{
	struct workq_conf w = conf(&ctx, 0, 1);
	struct err e = ERR_INIT;

	memset(&ctx, 0, sizeof(ctx));
	ctx.q = (struct workq *)&ctx; /* must come back NULL */
	cr_assert_eq(workq_start(&ctx.q, &w, &e), -1);
	cr_assert_eq(e.status, AK_INTERNAL);
	cr_assert_null(ctx.q);
	w = conf(&ctx, 2, 0);
	cr_assert_eq(workq_start(&ctx.q, &w, &e), -1);
	cr_assert_null(ctx.q);
}
