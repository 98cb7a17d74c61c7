/*
 * bench_outbox.c -- what sharing a transaction buys the outbox.
 *
 * The outbox writes a row before it sends and commits with
 * synchronous=FULL, so every commit is an fsync.  A burst (a first start,
 * 09:00 on a busy day) shares one transaction.  This measures alerts
 * queued per second both ways, in the same run on the same disk, and
 * reports the ratio: the per-alert commit is the baseline the issue warns
 * about ("one fsync per alert would cap delivery near 7,000/s").
 *
 *   bench_outbox [N]     N alerts each way (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "outbox.h"

static double
bench_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Queue n alerts, committing every `per` of them; alerts per second. */
static double
bench_queue(struct outbox *ob, const char *tag, int n, int per)
{
	char id[64], case_id[64];
	double start = bench_seconds();

	for (int i = 0; i < n; i++) {
		if (i % per == 0 && outbox_begin(ob) == -1)
			fatalx("begin");
		snprintf(id, sizeof(id), "%s-%08d", tag, i);
		snprintf(case_id, sizeof(case_id), "(2025)测%06d号", i);
		if (outbox_add(ob, id, case_id, "decision", "reminder", 0,
		        "{\"id\":\"x\"}", "hook", 0, 0) != 1)
			fatalx("outbox_add");
		if ((i + 1) % per == 0 || i + 1 == n)
			if (outbox_commit(ob) == -1)
				fatalx("commit");
	}
	return n / (bench_seconds() - start);
}

int
main(int argc, char **argv)
{
	char dir[] = "build/bench/outbox-XXXXXX", path[128];
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	struct outbox *ob;
	double one, batch;

	log_init(0);
	if (n < 1 || mkdtemp(dir) == NULL)
		fatal("usage: bench_outbox [N]");
	if ((ob = outbox_open(dir)) == NULL)
		fatalx("outbox_open");
	one = bench_queue(ob, "single", n, 1);
	batch = bench_queue(ob, "batch", n, n);
	outbox_close(ob);
	for (const char **f = (const char *[]){"outbox.db", "outbox.db-wal",
	         "outbox.db-shm", NULL};
	     *f != NULL; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
	printf("outbox: %d alerts queued each way\n", n);
	printf("  baseline, one commit per alert: %10.0f alerts/s\n", one);
	printf("  one commit per burst:           %10.0f alerts/s\n", batch);
	printf("  ratio: %.1fx\n", batch / one);
	return 0;
}
