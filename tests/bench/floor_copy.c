/*
 * floor_copy.c -- the compact-copy floor: floor_parse plus a compact copy
 * of every case, one file at a time.
 *
 * A daemon must keep its cases after libconfig's tree is gone.  The
 * least it can keep is this: the id, title and court strings packed in
 * one growing arena, and each dated event as a day number with the
 * index of its name.  Each case file's libconfig tree is destroyed
 * before the next one is read, so the peak memory is the copies plus
 * one file's tree, which is what deadlined's loader can aim for.
 *
 *   floor_copy MAIN.conf      prints cases, bytes kept and seconds
 */
#include <stdint.h>

#include "floor.h"

#define FLOOR_EVENTS 6 /* dated events one case may carry */

struct fcase {
	uint32_t id, title, court; /* offsets into the string arena */
	uint8_t nev;
	uint8_t ev_name[FLOOR_EVENTS];
	int32_t ev_day[FLOOR_EVENTS];
};

static struct {
	char *str;
	size_t nstr, cap_str;
	struct fcase *cases;
	size_t ncases, cap_cases;
	char *names[32]; /* event names seen */
	int nnames;
} fc;

/* Append s to the arena; its offset. */
static uint32_t
floor_copy_str(const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)fc.nstr;

	while (fc.nstr + n > fc.cap_str) {
		fc.cap_str = fc.cap_str ? fc.cap_str * 2 : 1 << 16;
		if ((fc.str = realloc(fc.str, fc.cap_str)) == NULL)
			exit(1);
	}
	memcpy(fc.str + fc.nstr, s, n);
	fc.nstr += n;
	return off;
}

/* The index of an event name, added when new. */
static uint8_t
floor_copy_name(const char *name)
{
	for (int i = 0; i < fc.nnames; i++)
		if (strcmp(fc.names[i], name) == 0)
			return (uint8_t)i;
	if (fc.nnames == 32)
		exit(1);
	fc.names[fc.nnames] = strdup(name);
	return (uint8_t)fc.nnames++;
}

/* Days since 1970-01-01 of "YYYY-MM-DD" (H. Hinnant's days_from_civil). */
static int32_t
floor_copy_day(const char *s)
{
	int y, m, d, era;
	unsigned yoe, doy, doe;

	if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

/* Copy one case group. */
static void
floor_copy_case(const config_setting_t *g)
{
	struct fcase *c;
	const char *v;
	int n = config_setting_length(g);

	if (fc.ncases == fc.cap_cases) {
		fc.cap_cases = fc.cap_cases ? fc.cap_cases * 2 : 1024;
		if ((fc.cases = realloc(fc.cases,
		         fc.cap_cases * sizeof(*fc.cases))) == NULL)
			exit(1);
	}
	c = &fc.cases[fc.ncases++];
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < n; i++) {
		const config_setting_t *s =
		    config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);

		if ((v = config_setting_get_string(s)) == NULL)
			continue;
		if (strcmp(name, "id") == 0)
			c->id = floor_copy_str(v);
		else if (strcmp(name, "title") == 0)
			c->title = floor_copy_str(v);
		else if (strcmp(name, "court") == 0)
			c->court = floor_copy_str(v);
		else if (c->nev < FLOOR_EVENTS) {
			c->ev_name[c->nev] = floor_copy_name(name);
			c->ev_day[c->nev++] = floor_copy_day(v);
		}
	}
}

int
main(int argc, char **argv)
{
	struct floor_stats st = {0};
	const config_setting_t *list;
	struct dirent **names;
	char *cases_dir, *p;
	double start = floor_seconds();
	config_t cf;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: floor_copy MAIN.conf\n");
		return 2;
	}
	floor_main(argv[1], &st, &cases_dir);
	names = floor_case_files(cases_dir, &n);
	for (int i = 0; i < n; i++) {
		p = floor_join(cases_dir, names[i]->d_name);
		floor_read(&cf, p, &st);
		floor_walk(config_root_setting(&cf), &st);
		if ((list = config_lookup(&cf, "cases")) != NULL)
			for (int k = 0; k < config_setting_length(list); k++)
				floor_copy_case(
				    config_setting_get_elem(list, (unsigned)k));
		config_destroy(&cf);
		free(p);
		free(names[i]);
	}
	free(names);
	free(cases_dir);
	printf("floor_copy: %zu files, %zu cases, %zu bytes kept, %.3f s\n",
	    st.files, fc.ncases, fc.nstr + fc.ncases * sizeof(struct fcase),
	    floor_seconds() - start);
	return 0;
}
