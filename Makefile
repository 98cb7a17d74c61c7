# deadlined -- GNU Makefile.
#
#   make            build build/deadlined
#   make SAN=1      build build/san/deadlined with ASan and UBSan
#   make run        install what is missing, build, run on conf/
#   make check      install what is missing, then every test
#   make bench      install what is missing, then the benchmarks
#                   (BENCH=quick: a subset in under 2 minutes)
#   make fuzz       fuzz each tests/fuzz target FUZZ_SECONDS (clang)
#   make install    PREFIX=/usr/local SYSCONFDIR=/etc UNITDIR= DESTDIR=

VERSION    = 0.1.0
PREFIX    ?= /usr/local
SYSCONFDIR ?= /etc
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/deadlined
# Where systemd looks for the units of software installed under PREFIX:
# /usr/local/lib/systemd/system for the default, /usr/lib/... for /usr.
UNITDIR   ?= $(PREFIX)/lib/systemd/system

CC        ?= cc
PKG_CONFIG ?= pkg-config
PYTHON    ?= /usr/bin/python3
LIBS_PC    = libevent libcurl libconfig sqlite3 jansson libcrypto

# Debian 12 packages: to build, and to run the tests as well.
DEB_BUILD  = gcc make pkg-config libevent-dev libcurl4-openssl-dev \
             libconfig-dev libsqlite3-dev libjansson-dev libssl-dev tzdata
DEB_CHECK  = $(DEB_BUILD) libcmocka-dev python3 python3-pytest \
             python3-aiosmtpd python3-prometheus-client python3-icalendar \
             groff-base strace systemd clang-format openssl \
             chromium fonts-noto-cjk poppler-utils
# ... and to run the benchmarks (tests/bench/README.md).
DEB_BENCH  = $(DEB_CHECK) nginx-light time
# To fuzz: clang, and libclang-rt-14-dev for -fsanitize=fuzzer.
DEB_FUZZ   = $(DEB_BUILD) clang libclang-rt-14-dev

ifeq ($(SAN),1)
BUILD      = build/san
SANFLAGS   = -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
OPT        = -O1
else
BUILD      = build
SANFLAGS   =
OPT        = -O2
endif

WARN       = -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
             -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude \
             -DVERSION='"$(VERSION)"' -MMD -MP \
             $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LDLIBS     = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)

SRCS       = $(wildcard daemon/*.c)
OBJS       = $(SRCS:daemon/%.c=$(BUILD)/obj/%.o)
LIB_OBJS   = $(filter-out $(BUILD)/obj/main.o,$(OBJS))
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
MANS       = daemon/deadlined.8 daemon/deadlined.conf.5

.PHONY: all clean run check check-deps build-deps unit integration \
        lint-man install uninstall format format-check bench bench-deps \
        fuzz fuzz-deps fuzz-bins fuzz-replay fuzz-replay-bins \
        fuzz-replay-run

all: $(BUILD)/deadlined

$(BUILD)/deadlined: $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/obj/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) \
	    $(LDLIBS) $$($(PKG_CONFIG) --libs cmocka)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)

# Install the Debian packages that are missing: as root with apt-get,
# otherwise print the exact command to run.
define install_missing
	@missing=""; \
	for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	        grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:$$missing"; \
	        apt-get update && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y --no-install-recommends $$missing \
	            || exit 1; \
	    else \
	        echo "deadlined needs these Debian packages; as root run:"; \
	        echo "  apt-get update && apt-get install -y$$missing"; \
	        exit 1; \
	    fi; \
	fi
endef

build-deps:
	$(call install_missing,$(DEB_BUILD))

check-deps:
	$(call install_missing,$(DEB_CHECK))

bench-deps:
	$(call install_missing,$(DEB_BENCH))

# The example configuration, run in the foreground with its state in
# build/run (fresh each time, so the first-start alerts show at once), as
# if the clock read NOW: ten seconds before 09:00 on a day when the
# example cases have every kind of timed alert due.  NOW= runs it on the
# real clock.
NOW ?= 2026-11-30T08:59:50
RUN_NOW = $(if $(NOW),--now $(NOW))

run: build-deps
	$(MAKE) all
	rm -rf build/run && mkdir -p build/run
	cp -R conf/. build/run/
	sed 's|^state_dir .*|state_dir = "state";|' conf/deadlined.conf \
	    > build/run/deadlined.conf
	./build/deadlined -c build/run/deadlined.conf -t
	./build/deadlined -c build/run/deadlined.conf --list $(RUN_NOW)
	@if [ -n "$(NOW)" ]; then \
	    echo "== running the example as if it were $(NOW):" \
	        "alerts at 09:00, ten seconds from now (make run NOW=..." \
	        "picks another moment, NOW= the real clock; Ctrl-C stops)"; \
	fi
	exec ./build/deadlined -c build/run/deadlined.conf $(RUN_NOW)

check: check-deps
	$(MAKE) all
	$(MAKE) SAN=1 all unit-bins
	$(MAKE) SAN=1 unit integration
	$(MAKE) fuzz-replay
	$(MAKE) lint-man format-check

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

integration: $(BUILD)/deadlined
	DEADLINED=$(CURDIR)/$(BUILD)/deadlined $(PYTHON) -m pytest -q \
	    -p no:cacheprovider tests/integration

# Benchmarks report ratios against a baseline measured in the same run;
# they are not part of `make check` (these machines are shared and noisy).
# tests/bench/run.py prints one table (and writes build/bench/last.txt);
# BENCH=quick runs a subset.  See tests/bench/README.md.
BENCH     ?= full
BENCH_SRCS = $(wildcard tests/bench/bench_*.c)
BENCH_BINS = $(BENCH_SRCS:tests/bench/%.c=build/bench/%)
FLOOR_BINS = build/bench/floor_parse build/bench/floor_copy \
             build/bench/floor_poster build/bench/floor_outbox
FLOOR_LIBS = $(shell $(PKG_CONFIG) --libs libconfig libcurl libevent \
               sqlite3 libcrypto 2>/dev/null)

build/bench/%: tests/bench/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The floors: libconfig, curl, libevent and SQLite alone, none of our code.
build/bench/floor_%: tests/bench/floor_%.c tests/bench/floor.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(FLOOR_LIBS)

bench: bench-deps
	$(MAKE) all $(BENCH_BINS) $(FLOOR_BINS)
	@for b in $(BENCH_BINS); do $$b; done
	DEADLINED=$(CURDIR)/build/deadlined BENCH=$(BENCH) \
	    $(PYTHON) tests/bench/run.py

# Fuzzing (tests/fuzz/README.md).  `make fuzz` builds each target with
# clang and libFuzzer against the daemon's objects built again with clang
# into build/fuzz/obj (as build/san, plus coverage for libFuzzer), then
# runs each for FUZZ_SECONDS on its corpus, one after the other; new
# corpus inputs go into tests/fuzz/corpus/<target>, crash inputs into
# tests/fuzz/crashes/<target>.  `make fuzz-replay` (in `make check`)
# builds the same targets with $(CC) under ASan/UBSan, linked with
# replay.c instead of libFuzzer, and runs every corpus and crash file.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?=
FUZZ_SRCS    = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   = $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS    = $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_OBJS    = $(filter-out build/fuzz/obj/main.o,\
                   $(SRCS:daemon/%.c=build/fuzz/obj/%.o))
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=gnu11 -D_GNU_SOURCE $(WARN) -O1 -g $(FUZZ_SAN) \
               -Iinclude -DVERSION='"$(VERSION)"' -MMD -MP \
               $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
REPLAY_BINS  = $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

fuzz-deps:
	$(call install_missing,$(DEB_FUZZ))

# clang's -Wformat=2 also flags log.c's vfprintf of its caller's format.
build/fuzz/obj/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-format-nonliteral \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	    $(LDLIBS)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)

fuzz-bins: $(FUZZ_OBJS) $(FUZZ_BINS)

fuzz: fuzz-deps
	$(MAKE) fuzz-bins
	@found=""; for n in $(FUZZ_NAMES); do \
	    mkdir -p tests/fuzz/corpus/$$n tests/fuzz/crashes/$$n; \
	    echo "== fuzz_$$n for $(FUZZ_SECONDS)s"; \
	    build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	        -dict=tests/fuzz/deadlined.dict -print_final_stats=1 \
	        -artifact_prefix=tests/fuzz/crashes/$$n/ $(FUZZ_ARGS) \
	        tests/fuzz/corpus/$$n || found="$$found $$n"; \
	done; \
	if [ -n "$$found" ]; then \
	    echo "fuzz: found something in:$$found (tests/fuzz/crashes/)"; \
	    exit 1; \
	fi; echo "fuzz: nothing found"

$(BUILD)/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/replay.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/fuzz/replay.o \
	    $(LIB_OBJS) $(LDLIBS)

-include $(BUILD)/fuzz/replay.d $(REPLAY_BINS:=.d)

fuzz-replay-bins: $(REPLAY_BINS)

fuzz-replay:
	$(MAKE) SAN=1 fuzz-replay-run

# Each target runs its corpus and crash files in one process and stops
# at its first failure, so "failed" counts the targets that failed.
fuzz-replay-run: $(REPLAY_BINS)
	@total=0; failed=0; \
	for n in $(FUZZ_NAMES); do \
	    dirs=tests/fuzz/corpus/$$n; \
	    [ -d tests/fuzz/crashes/$$n ] && dirs="$$dirs tests/fuzz/crashes/$$n"; \
	    if out=$$($(BUILD)/fuzz/replay_$$n $$dirs); then \
	        echo "$$out"; c=$${out#*: }; total=$$((total + $${c%% *})); \
	    else \
	        $(BUILD)/fuzz/replay_$$n -v $$dirs 2>&1 | tail -n 30; \
	        echo "replay_$$n: FAILED"; failed=$$((failed + 1)); \
	    fi; \
	done; \
	echo "fuzz replay: $$total inputs, $$failed failed"; \
	[ $$failed -eq 0 ]

lint-man:
	@for m in $(MANS); do \
	    out=$$(LC_ALL=C.UTF-8 groff -man -ww -z $$m 2>&1); \
	    if [ -n "$$out" ]; then echo "$$m:"; echo "$$out"; exit 1; fi; \
	done; echo "man pages: groff -man -ww -z is silent"

install: all
	install -D -m 755 build/deadlined $(DESTDIR)$(SBINDIR)/deadlined
	install -D -m 644 daemon/deadlined.8 $(DESTDIR)$(MANDIR)/man8/deadlined.8
	install -D -m 644 daemon/deadlined.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/deadlined.conf.5
	install -d $(DESTDIR)$(SYSCONFDIR)/deadlined/cases.d \
	    $(DESTDIR)$(SYSCONFDIR)/deadlined/holidays
	install -m 644 conf/holidays/*.conf \
	    $(DESTDIR)$(SYSCONFDIR)/deadlined/holidays/
	install -D -m 644 conf/deadlined.conf \
	    $(DESTDIR)$(DATADIR)/examples/deadlined.conf
	install -D -m 644 conf/cases.d/example.conf \
	    $(DESTDIR)$(DATADIR)/examples/cases.d/example.conf
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/sbin|$(SBINDIR)|g' \
	    -e 's|/etc/deadlined|$(SYSCONFDIR)/deadlined|g' \
	    systemd/deadlined.service > $(DESTDIR)$(UNITDIR)/deadlined.service
	chmod 644 $(DESTDIR)$(UNITDIR)/deadlined.service
	test -e $(DESTDIR)$(SYSCONFDIR)/deadlined/deadlined.conf || \
	    install -m 644 conf/deadlined.conf \
	        $(DESTDIR)$(SYSCONFDIR)/deadlined/deadlined.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/deadlined \
	    $(DESTDIR)$(UNITDIR)/deadlined.service \
	    $(DESTDIR)$(MANDIR)/man8/deadlined.8 \
	    $(DESTDIR)$(MANDIR)/man5/deadlined.conf.5
	rm -rf $(DESTDIR)$(DATADIR)

C_FILES = daemon/*.c include/*.h tests/unit/*.c tests/unit/*.h \
          tests/bench/*.c tests/bench/*.h tests/fuzz/*.c tests/fuzz/*.h

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run -Werror $(C_FILES)
	@echo "sources: formatted as .clang-format says"

clean:
	rm -rf build
