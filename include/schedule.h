/*
 * schedule.h -- planning: bring the outbox up to date with the cases at a
 * moment in time, and say when that must next be done.
 */
#ifndef DEADLINED_SCHEDULE_H
#define DEADLINED_SCHEDULE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "outbox.h"

/*
 * Queue in the outbox every alert due by now that no receiver has yet:
 * state changes (opened, extended, closed) against what the outbox last
 * recorded, and for each open window the latest timed alert due by now
 * (after downtime that is the catch-up: the most recent one missed, not a
 * burst of stale ones).  All in one transaction.  Returns the time the
 * next timed alert falls due after now, -1 if none, or -2 on an outbox
 * error (nothing of the pass is then kept).  With group, announcements
 * wait each receiver's group_wait so that a burst goes out as digests.
 */
time_t schedule_plan(const struct config *cfg, struct outbox *ob, time_t now,
    bool group);

/*
 * The same pass in slices, for a daemon that must stay responsive while
 * a large configuration is planned: plan the n cases from *from at now
 * in one transaction and advance *from past them; the earliest next
 * timed alert is min'd into *next (start it at -1).  A case is planned
 * whole in one slice, so a crash between slices leaves each case either
 * planned or not, and the next pass finds what is left.  0, or -2 on an
 * outbox error (nothing of the slice is kept; *from stays).
 */
int schedule_plan_slice(const struct config *cfg, struct outbox *ob, time_t now,
    bool group, size_t *from, size_t n, time_t *next);

/*
 * Find the windows the outbox tracks that the configuration no longer
 * has (a case deleted, its file renamed away, its opening event removed)
 * and, for each that was open, cancel its waiting deliveries and queue a
 * `removed` alert to the receivers that heard of it; then mark them
 * removed.  Run at start and after a reload.  How many windows were
 * found, or -1 on an outbox error (nothing is then kept).
 */
int schedule_removed(const struct config *cfg, struct outbox *ob, time_t now,
    bool group);

/*
 * The same sweep in steps, so that a daemon's loop goes on between them:
 * schedule_sweep_new sorts cfg's cases (cfg must outlive the sweep);
 * each schedule_sweep_step checks up to n more of the windows the outbox
 * tracks, 1 while more remain, 0 once all are checked, -1 on an outbox
 * error; schedule_sweep_finish then does what schedule_removed does with
 * the windows found gone, in one transaction, and says the same.  The
 * outbox may change between steps: a window recorded after the sweep
 * began is checked if it comes after the last one checked (the planner
 * records only configured windows).  Free with schedule_sweep_free.
 */
struct schedule_sweep;
struct schedule_sweep *schedule_sweep_new(const struct config *cfg);
int schedule_sweep_step(struct schedule_sweep *sw, struct outbox *ob, size_t n);
int schedule_sweep_finish(struct schedule_sweep *sw, struct outbox *ob,
    time_t now, bool group);
void schedule_sweep_free(struct schedule_sweep *sw);

#endif
