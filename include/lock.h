/*
 * lock.h -- one daemon per state_dir: an exclusive flock(2) on
 * state_dir/deadlined.lock, held for as long as the process runs.
 */
#ifndef DEADLINED_LOCK_H
#define DEADLINED_LOCK_H

#include <sys/types.h>

/* Take the lock on state_dir (creating the directory, mode 0700, if
 * needed): 0 taken; 1 another process holds it (*holder its pid, or 0 if
 * it has not written it yet); -1 on an error (logged). */
int lock_take(const char *state_dir, pid_t *holder);

/* Give the lock up; a no-op if it is not held. */
void lock_release(void);

#endif
