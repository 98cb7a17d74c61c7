/*
 * fuzz.h -- what the fuzz targets share.
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput (and may
 * define LLVMFuzzerInitialize).  The same source links either with
 * libFuzzer (clang -fsanitize=fuzzer: `make fuzz`) or with replay.c
 * (gcc under ASan/UBSan: `make fuzz-replay`, part of `make check`), so
 * nothing here may depend on libFuzzer itself.
 *
 * A target checks what the daemon promises (a date that parses formats
 * back to the same text, a body that is JSON, a text that is UTF-8) with
 * FUZZ_CHECK, which aborts: a broken promise is a finding like a crash.
 */
#ifndef DEADLINED_FUZZ_H
#define DEADLINED_FUZZ_H

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

#ifdef FUZZ_LIBCONFIG
/*
 * libconfig before 1.7.3 leaks a string token that the parser drops in
 * error recovery (hyperrealm/libconfig#142, fixed by #155): the file
 * `""` alone leaks 64 bytes inside config_read_file.  Debian 12 has 1.5,
 * so the targets that load configurations (they define FUZZ_LIBCONFIG)
 * tell LeakSanitizer to ignore what libconfig's scanner allocated for a
 * string: strbuf_append is its string builder, and often the only frame
 * of libconfig in the report (the library has no frame pointers).
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\nleak:strbuf_append\n";
}

/* ... and not to list them at every exit of make check. */
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* The input as a NUL-terminated string (cut at its first NUL, as every
 * C string the daemon reads would be); a new string. */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* FNV-1a of the input: picks a target's options (language, test, ...)
 * so that every corpus file always runs the same way. */
static inline uint32_t
fuzz_hash(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

/* Write len bytes to path (created or truncated); aborts on failure,
 * since a target that cannot write its files tests nothing. */
static inline void
fuzz_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static char fuzz_dir[64];

/* nftw callback: remove one entry of the directory, children first. */
static inline int
fuzz_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* atexit: remove the directory fuzz_tmpdir made, with what is in it. */
static inline void
fuzz_rmdir(void)
{
	nftw(fuzz_dir, fuzz_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory for this process's files (in /dev/shm when there
 * is one, so that the targets that load a configuration do not wear a
 * disk), removed at exit.  The same one on every call. */
static inline const char *
fuzz_tmpdir(void)
{
	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/dev/shm/deadlined-fuzz-XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		snprintf(fuzz_dir, sizeof(fuzz_dir),
		    "/tmp/deadlined-fuzz-XXXXXX");
		if (mkdtemp(fuzz_dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	atexit(fuzz_rmdir);
	return fuzz_dir;
}

#endif
