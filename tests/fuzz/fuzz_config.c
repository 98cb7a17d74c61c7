/*
 * fuzz_config.c -- config_load on a whole tree: the input is split at
 * each "\n%%\n" into the main file, a cases file, a holiday file and
 * (if there is a fourth part) a second cases file, written with fixed
 * names into this process's directory:
 *
 *   deadlined.conf  cases.d/a.conf  holidays/h.conf  cases.d/b.conf
 *
 * beside a secret file `secret` for secret_file and password_file.  A
 * missing part is a missing file.  The seeds are conf/ split so.
 *
 * A configuration may name any file (an absolute holiday file, a
 * cases_dir "../..", a libconfig @include).  So that no input reads
 * /dev/zero or a FIFO, or depends on what this machine holds, open(2),
 * fopen(3) and opendir(3) are wrapped while config_load runs: a path
 * that exists outside the directory and the tz database is refused with
 * EACCES, as an unreadable file would be.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#define FUZZ_LIBCONFIG
#include "fuzz.h"

#define FUZZ_SEP    "\n%%\n"
#define FUZZ_NFILES 4

static const char *fuzz_names[FUZZ_NFILES] = {"deadlined.conf",
    "cases.d/a.conf", "holidays/h.conf", "cases.d/b.conf"};
static char fuzz_paths[FUZZ_NFILES][PATH_MAX];
static char fuzz_root[PATH_MAX];
static bool fuzz_guard;

/* True if path may be opened: the guard is off, it does not exist (so
 * the real call fails as well), or it is ours or the tz database's. */
static bool
fuzz_path_ok(const char *path)
{
	char real[PATH_MAX];
	size_t n = strlen(fuzz_root);

	if (!fuzz_guard || path == NULL || realpath(path, real) == NULL)
		return true;
	if (strncmp(real, fuzz_root, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0'))
		return true;
	return strncmp(real, "/usr/share/zoneinfo/", 20) == 0;
}

int open(const char *path, int flags, ...);
FILE *fopen(const char *path, const char *mode);
DIR *opendir(const char *path);

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (!fuzz_path_ok(path)) {
		errno = EACCES;
		return -1;
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	static FILE *(*real)(const char *, const char *);

	if (real == NULL &&
	    (*(void **)&real = dlsym(RTLD_NEXT, "fopen")) == NULL)
		abort();
	if (!fuzz_path_ok(path)) {
		errno = EACCES;
		return NULL;
	}
	return real(path, mode);
}

DIR *
opendir(const char *path)
{
	static DIR *(*real)(const char *);

	if (real == NULL &&
	    (*(void **)&real = dlsym(RTLD_NEXT, "opendir")) == NULL)
		abort();
	if (!fuzz_path_ok(path)) {
		errno = EACCES;
		return NULL;
	}
	return real(path);
}

/* mkdir dir/sub, aborting on failure. */
static void
fuzz_mkdir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0700) == -1) {
		perror(path);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_tmpdir();
	char path[PATH_MAX];

	(void)argc, (void)argv;
	if (realpath(dir, fuzz_root) == NULL) {
		perror(dir);
		abort();
	}
	fuzz_mkdir(dir, "cases.d");
	fuzz_mkdir(dir, "holidays");
	for (int i = 0; i < FUZZ_NFILES; i++)
		snprintf(fuzz_paths[i], sizeof(fuzz_paths[i]), "%s/%s", dir,
		    fuzz_names[i]);
	snprintf(path, sizeof(path), "%s/secret", dir);
	fuzz_write_file(path, "s3cret-DO-NOT-LEAK\n", 19);
	return 0;
}

/* Write the parts of the input into their files; a missing one is
 * removed. */
static void
fuzz_tree(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *sep;
	size_t seplen = strlen(FUZZ_SEP);

	for (int i = 0; i < FUZZ_NFILES; i++) {
		if (p == NULL) {
			unlink(fuzz_paths[i]);
			continue;
		}
		sep = i < FUZZ_NFILES - 1
		    ? memmem(p, (size_t)(end - p), FUZZ_SEP, seplen)
		    : NULL;
		fuzz_write_file(fuzz_paths[i], p,
		    (size_t)((sep != NULL ? sep : end) - p));
		p = sep != NULL ? sep + seplen : NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = {NULL, 0};
	struct config *cfg;

	fuzz_tree(data, size);
	fuzz_guard = true;
	cfg = config_load(fuzz_paths[0], &errs);
	fuzz_guard = false;
	FUZZ_CHECK((cfg == NULL) == (errs.n > 0));
	/* A secret never shows in an error (unless the input says it). */
	for (size_t i = 0; i < errs.n; i++)
		FUZZ_CHECK(strstr(errs.msgs[i], "s3cret") == NULL ||
		    memmem(data, size, "s3cret", 6) != NULL);
	if (cfg != NULL) {
		FUZZ_CHECK(cfg->notify_at >= 0 && cfg->notify_at < 86400);
		FUZZ_CHECK(cfg->nreceivers > 0);
		for (size_t i = 0; i < cfg->ncases; i++)
			FUZZ_CHECK(cfg->cases[i].id != NULL);
	}
	config_free(cfg);
	config_errors_free(&errs);
	return 0;
}
