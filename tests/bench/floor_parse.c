/*
 * floor_parse.c -- the bare parse floor: libconfig reads every file of a
 * configuration and every setting is visited once; nothing is kept.
 *
 * Loading in deadlined (-t, start, reload) can never be faster than
 * this, so the benchmarks report its time as a ratio to this one.
 *
 *   floor_parse MAIN.conf     prints files, settings and seconds
 */
#include "floor.h"

int
main(int argc, char **argv)
{
	struct floor_stats st = {0};
	struct dirent **names;
	char *cases_dir, *p;
	double start = floor_seconds();
	config_t cf;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: floor_parse MAIN.conf\n");
		return 2;
	}
	floor_main(argv[1], &st, &cases_dir);
	names = floor_case_files(cases_dir, &n);
	for (int i = 0; i < n; i++) {
		p = floor_join(cases_dir, names[i]->d_name);
		floor_read(&cf, p, &st);
		floor_walk(config_root_setting(&cf), &st);
		config_destroy(&cf);
		free(p);
		free(names[i]);
	}
	free(names);
	free(cases_dir);
	printf("floor_parse: %zu files, %zu settings, %.3f s\n", st.files,
	    st.settings, floor_seconds() - start);
	return 0;
}
