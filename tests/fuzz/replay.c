/*
 * replay.c -- run a fuzz target on files, without libFuzzer.
 *
 *   replay_<target> [-v] FILE|DIR...
 *
 * Links with one tests/fuzz/fuzz_<target>.c, so that the same target
 * builds with gcc under ASan and UBSan: `make fuzz-replay` (part of
 * `make check`) runs every corpus file and every past crash input this
 * way, with no fuzzing time.  A directory means every regular file in
 * it, in name order.  Inputs run in this one process, as libFuzzer runs
 * them, so the first failure ends the run: a sanitizer report or a
 * FUZZ_CHECK abort, with the file named on stderr (gcc's UBSan runtime
 * has no death callback: -v names each file before it runs).  Prints
 * "<target>: N inputs" and exits 0 when every input ran.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

static const char *replay_current; /* the input running, for reports */
static size_t replay_count;
static int replay_verbose;

/* Name the input that failed; safe in a signal handler. */
static void
replay_blame(void)
{
	static const char head[] = "replay: failed on ";

	if (replay_current == NULL)
		return;
	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
	    write(STDERR_FILENO, replay_current, strlen(replay_current)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		return;
}

/* SIGABRT (FUZZ_CHECK, assert): blame the input, then die of it. */
static void
replay_abort(int sig)
{
	replay_blame();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read the whole of path; a new buffer (never NULL) and its length. */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	uint8_t *data = NULL;
	size_t cap = 0, n;
	FILE *f;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do {
		if (*len == cap &&
		    (data = realloc(data, cap = cap * 2 + 4096)) == NULL)
			abort();
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		exit(2);
	}
	fclose(f);
	return data;
}

/* Run the target on one file.  It gets a copy of exactly len bytes, so
 * that ASan sees a read past the end as libFuzzer would. */
static void
replay_file(const char *path)
{
	size_t len;
	uint8_t *data = replay_read(path, &len), *copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();

	memcpy(copy, data, len);
	replay_current = path;
	if (replay_verbose)
		fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(copy, len);
	replay_current = NULL;
	replay_count++;
	free(copy);
	free(data);
}

static int
replay_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir, in name order. */
static void
replay_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) ==
		        NULL ||
		    (names[n++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), replay_name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	struct stat st;

	name = name != NULL ? name + 1 : argv[0];
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		replay_verbose = 1;
		argv[1] = argv[0];
		argc--, argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", name);
		return 2;
	}
	signal(SIGABRT, replay_abort);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(replay_blame);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 2;
		}
		if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("%s: %zu inputs\n", name, replay_count);
	return 0;
}
