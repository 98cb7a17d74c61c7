/*
 * floor.h -- what the load floors share: finding the files a
 * configuration names, and walking every setting libconfig parsed.
 *
 * The floors are what loading a configuration costs with no daemon
 * around it: libconfig reads each file (the main file, its calendar
 * includes, every *.conf of cases_dir in name order) and every setting
 * is visited once.  Included by floor_parse.c and floor_copy.c only.
 */
#ifndef FLOOR_H
#define FLOOR_H

#include <dirent.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct floor_stats {
	size_t files;
	size_t settings;
	size_t bytes; /* of string values */
	long long ints;
};

static inline double
floor_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Visit s and everything under it. */
static inline void
floor_walk(const config_setting_t *s, struct floor_stats *st)
{
	const char *v;
	int n;

	st->settings++;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		n = config_setting_length(s);
		for (int i = 0; i < n; i++)
			floor_walk(config_setting_get_elem(s, (unsigned)i), st);
		break;
	case CONFIG_TYPE_STRING:
		if ((v = config_setting_get_string(s)) != NULL)
			st->bytes += strlen(v);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_BOOL:
		st->ints += config_setting_get_int(s);
		break;
	default:
		break;
	}
}

/* Read path into cf (exits on an error: a floor has no error path). */
static inline void
floor_read(config_t *cf, const char *path, struct floor_stats *st)
{
	config_init(cf);
	if (config_read_file(cf, path) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", path, config_error_line(cf),
		    config_error_text(cf));
		exit(1);
	}
	st->files++;
}

/* path joined to dir unless it is absolute; a new string. */
static inline char *
floor_join(const char *dir, const char *path)
{
	char *s;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&s, "%s/%s", dir, path) == -1)
		exit(1);
	return s;
}

static inline int
floor_conf_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 &&
	    strcmp(e->d_name + n - 5, ".conf") == 0;
}

/* Read and walk the main file and its calendar includes; set *cases_dir
 * (a new string) to the directory of case files. */
static inline void
floor_main(const char *main_path, struct floor_stats *st, char **cases_dir)
{
	char *dir = strdup(main_path), *slash = strrchr(dir, '/');
	const config_setting_t *inc;
	const char *cd = "cases.d";
	config_t cf, hf;

	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	floor_read(&cf, main_path, st);
	floor_walk(config_root_setting(&cf), st);
	if ((inc = config_lookup(&cf, "calendar.include")) != NULL)
		for (int i = 0; i < config_setting_length(inc); i++) {
			char *p = floor_join(dir,
			    config_setting_get_string_elem(inc, (unsigned)i));

			floor_read(&hf, p, st);
			floor_walk(config_root_setting(&hf), st);
			config_destroy(&hf);
			free(p);
		}
	config_lookup_string(&cf, "cases_dir", &cd);
	*cases_dir = floor_join(dir, cd);
	config_destroy(&cf);
	free(dir);
}

/* The *.conf files of dir in name order; their count in *n. */
static inline struct dirent **
floor_case_files(const char *dir, int *n)
{
	struct dirent **names;

	if ((*n = scandir(dir, &names, floor_conf_file, alphasort)) == -1) {
		perror(dir);
		exit(1);
	}
	return names;
}

#endif
