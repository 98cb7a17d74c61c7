/*
 * pidfile.c -- state_dir/deadlined.pid, written when the daemon starts
 * (not for --once) and removed when it exits.
 *
 * Its one reader is `deadlined --resend`, which signals the daemon to
 * send what it queued again.  A pid read back is trusted only if
 * /proc/PID/exe is the binary doing the reading: a file left by a crash
 * may name a pid since reused by another program, which must never get
 * our signal.  One daemon per state_dir is lock.c's business, whose
 * deadlined.lock also holds a pid: that of whoever writes the outbox, a
 * `--once` run included, for the message a second one prints.  This
 * file names only a running daemon, the one process --resend may
 * signal, so the two stay apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "xmalloc.h"

static char *pidfile_path; /* the file we wrote, or NULL */

int
pidfile_write(const char *dir)
{
	char *path;
	int fd, rc;

	xasprintf(&path, "%s/deadlined.pid", dir);
	if ((fd = open(path,
	         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	         0644)) == -1) {
		log_warn("cannot write %s", path);
		free(path);
		return -1;
	}
	rc = dprintf(fd, "%ld\n", (long)getpid());
	if (close(fd) == -1 || rc < 0) {
		log_warn("cannot write %s", path);
		unlink(path);
		free(path);
		return -1;
	}
	pidfile_path = path;
	return 0;
}

void
pidfile_remove(void)
{
	if (pidfile_path == NULL)
		return;
	if (unlink(pidfile_path) == -1 && errno != ENOENT)
		log_warn("cannot remove %s", pidfile_path);
	free(pidfile_path);
	pidfile_path = NULL;
}

/* The pid in dir/deadlined.pid, or 0. */
static pid_t
pidfile_read(const char *dir)
{
	char *path, line[32], *end;
	long pid = 0;
	FILE *fp;

	xasprintf(&path, "%s/deadlined.pid", dir);
	fp = fopen(path, "re");
	free(path);
	if (fp == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL) {
		errno = 0;
		pid = strtol(line, &end, 10);
		if (errno != 0 || end == line || (*end != '\n' && *end != '\0'))
			pid = 0;
	}
	fclose(fp);
	return pid > 1 && pid < INT_MAX ? (pid_t)pid : 0;
}

/* True if process pid runs the same binary as we do. */
static bool
pidfile_same_binary(pid_t pid)
{
	char link[64], mine[PATH_MAX], theirs[PATH_MAX];
	ssize_t n, m;

	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	if ((n = readlink("/proc/self/exe", mine, sizeof(mine) - 1)) <= 0 ||
	    (m = readlink(link, theirs, sizeof(theirs) - 1)) <= 0)
		return false;
	mine[n] = '\0';
	theirs[m] = '\0';
	return strcmp(mine, theirs) == 0;
}

pid_t
pidfile_signal(const char *dir, int sig)
{
	pid_t pid = pidfile_read(dir);

	if (pid == 0 || pid == getpid() || !pidfile_same_binary(pid))
		return 0;
	if (kill(pid, sig) == -1)
		return errno == ESRCH ? 0 : -1;
	return pid;
}
