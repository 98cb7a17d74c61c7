/*
 * pidfile.h -- state_dir/deadlined.pid: where the running daemon is, so
 * that `deadlined --resend` can tell it to send at once.
 */
#ifndef DEADLINED_PIDFILE_H
#define DEADLINED_PIDFILE_H

#include <sys/types.h>

/* Write our pid into dir/deadlined.pid; 0, or -1 with a logged warning. */
int pidfile_write(const char *dir);

/* Remove the file pidfile_write wrote, if it did. */
void pidfile_remove(void);

/* Send sig to the daemon dir/deadlined.pid names, if that process runs
 * this very binary: the pid signalled, 0 if there is no such daemon, -1
 * if kill failed. */
pid_t pidfile_signal(const char *dir, int sig);

#endif
