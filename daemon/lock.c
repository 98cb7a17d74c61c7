/*
 * lock.c -- one daemon per state_dir.
 *
 * Two processes writing one outbox would each plan and send the same
 * alerts.  So every command that writes the outbox (the daemon, --once)
 * first takes an exclusive flock(2) on state_dir/deadlined.lock, and
 * gives up at once if someone else has it.  The file then holds the
 * holder's pid, for the message the next one prints.
 *
 * flock rather than a pid file alone: the kernel drops the lock when the
 * holder dies, even by SIGKILL, so a stale file never keeps the daemon
 * from starting, and there is no pid to test for liveness (which could
 * belong to another process by now).  The file is never removed: an
 * unlink races with a process that has just opened it, and would let two
 * processes lock two different files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "xmalloc.h"

#define LOCK_FILE "deadlined.lock"

static int lock_fd = -1;

/* The pid written in the lock file open on fd, or 0 if none. */
static pid_t
lock_holder(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    pid <= 0)
		return 0;
	return (pid_t)pid;
}

/* Replace the lock file's contents with our pid; 0 or -1. */
static int
lock_write_pid(int fd)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)len, 0) != len)
		return -1;
	return 0;
}

int
lock_take(const char *state_dir, pid_t *holder)
{
	char *path;
	int fd, rc = -1;

	*holder = 0;
	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("cannot create state_dir %s", state_dir);
		return -1;
	}
	xasprintf(&path, "%s/%s", state_dir, LOCK_FILE);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		log_warn("cannot open %s", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			*holder = lock_holder(fd);
			rc = 1;
		} else
			log_warn("cannot lock %s", path);
		close(fd);
		free(path);
		return rc;
	}
	if (lock_write_pid(fd) == -1) {
		log_warn("cannot write %s", path);
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	lock_fd = fd;
	return 0;
}

void
lock_release(void)
{
	if (lock_fd == -1)
		return;
	/* Leave no pid behind that could be mistaken for a live holder. */
	if (ftruncate(lock_fd, 0) == -1)
		log_warn("cannot empty the lock file");
	close(lock_fd);
	lock_fd = -1;
}
