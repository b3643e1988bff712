# vigil: one build from BPF C to one binary.
#   make            build build/vigil (installs missing Debian packages first)
#   make run        build, then run the agent with its defaults
#   make test       build, then run the whole suite (unit + end to end; root for the latter)
#   make BUILD=dir  build somewhere else (parallel work trees)
#   make install    install (PREFIX=/usr/local, SYSCONFDIR=/etc, DESTDIR for staging)
#   make deb        build/vigil_VERSION_ARCH.deb (docs/deployment.md)

BUILD ?= build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-format-truncation
USER_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -Isrc/include -I$(BUILD) $(EXTRA_CFLAGS)
LDLIBS := -lbpf -lelf -lz -lyaml -ljansson -lseccomp -lsystemd -lm -lcurl -lgnutls -lmicrohttpd -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -D__VIGIL_BPF__ -Wall -Werror \
	-Wno-unused-function -Isrc/include -I$(BUILD)

BPF_OBJS := vigil probe enforce_connect enforce_block enforce_task enforce_packet
BPF_SRCS := $(wildcard src/bpf/*.bpf.c src/bpf/*.bpf.h)
SKELS := $(BPF_OBJS:%=$(BUILD)/%.skel.h)
HDRS := $(wildcard src/*.h src/*/*.h src/include/vigil/*.h)

# Every user-space module but main.c goes into a library the unit tests link too.
LIB_SRCS := $(filter-out src/main.c src/bpf/%,$(wildcard src/*.c src/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bundled_policies.o
POLICY_FILES := $(sort $(wildcard policies/*.yaml))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

DEPS_STAMP := $(BUILD)/.deps-ok
TEST_DEPS_STAMP := $(BUILD)/.test-deps-ok

.PHONY: all deps test-deps run test unit e2e clean bench-pipeline fuzz install uninstall deb
.DELETE_ON_ERROR:
# BPF objects and skeletons are intermediate files: keep them, or every make rebuilds it all.
.SECONDARY:

all: $(BUILD)/vigil $(BUILD)/man/.stamp $(BUILD)/vigil.bash

# Install what is missing (quiet and quick when everything is there).
$(DEPS_STAMP): scripts/install-deps.sh scripts/apt-install-missing.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh
	@touch $@

deps: $(DEPS_STAMP)

# What only the suite and the benchmarks use (qemu, busybox-static, bpftrace, auditd, ...).
$(TEST_DEPS_STAMP): scripts/install-test-deps.sh scripts/apt-install-missing.sh | $(DEPS_STAMP)
	@scripts/install-test-deps.sh
	@touch $@

test-deps: $(TEST_DEPS_STAMP)

$(BUILD)/vmlinux.h: | $(DEPS_STAMP)
	@test -r /sys/kernel/btf/vmlinux || { echo "vigil: this kernel has no BTF (/sys/kernel/btf/vmlinux); vigil needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/%.bpf.o: src/bpf/%.bpf.c $(BPF_SRCS) src/include/vigil/abi.h $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/obj/%.o: %.c $(HDRS) $(SKELS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

# The default rule library goes into the binary.
$(BUILD)/bundled_policies.c: $(POLICY_FILES) scripts/embed-policies.py | $(DEPS_STAMP)
	python3 scripts/embed-policies.py $@ $(POLICY_FILES)

$(BUILD)/obj/bundled_policies.o: $(BUILD)/bundled_policies.c src/policy/bundled.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/libvigil.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/vigil: $(BUILD)/obj/src/main.o $(BUILD)/libvigil.a
	$(CC) $(CFLAGS) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvigil.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(BUILD)/libvigil.a $(LDLIBS) -lcmocka

$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< -lpthread

# User-space pipeline throughput on one core (bench/pipeline/).
$(BUILD)/bench/pipeline_throughput: bench/pipeline/pipeline_throughput.c $(BUILD)/libvigil.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(BUILD)/libvigil.a $(LDLIBS)

bench-pipeline: $(BUILD)/bench/pipeline_throughput
	$(BUILD)/bench/pipeline_throughput

# libFuzzer target for the policy parser: every library source rebuilt with clang, ASan, UBSan.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzzobj/%.o) $(BUILD)/fuzzobj/bundled_policies.o

$(BUILD)/fuzzobj/%.o: %.c $(HDRS) $(SKELS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -D_GNU_SOURCE -w $(FUZZ_FLAGS) -Isrc -Isrc/include -I$(BUILD) -c $< -o $@

$(BUILD)/fuzzobj/bundled_policies.o: $(BUILD)/bundled_policies.c
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 $(FUZZ_FLAGS) -Isrc -c $< -o $@

# One target per tests/fuzz/fuzz_NAME.c, its corpus in tests/fuzz/NAME_corpus/.
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 60

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc -Isrc/include -I$(BUILD) -o $@ $^ $(LDLIBS)

# make fuzz: every target for FUZZ_TIME seconds on a copy of its corpus (make test runs each
# for a few seconds: tests/e2e/test_fuzz.py)
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$${t##*/fuzz_}; w=$$(mktemp -d); cp -r tests/fuzz/$${n}_corpus $$w/corpus; \
	  echo "fuzz $$n: $(FUZZ_TIME) s"; $$t -max_total_time=$(FUZZ_TIME) -rss_limit_mb=1024 -artifact_prefix=$$w/ $$w/corpus 2>&1 | tail -1; \
	  ls $$w | grep -q -e crash- -e leak- -e oom- -e timeout- && { echo "fuzz $$n: artifacts in $$w"; exit 1; }; rm -rf $$w; done

# Man pages and bash completion, generated from the binary's own --help and tables.
$(BUILD)/man/.stamp: $(BUILD)/vigil scripts/gen-man.py
	@rm -rf $(BUILD)/man
	python3 scripts/gen-man.py $(BUILD)/vigil $(BUILD)/man
	@touch $@

$(BUILD)/vigil.bash: $(BUILD)/vigil scripts/gen-completion.py scripts/gen-man.py
	python3 scripts/gen-completion.py $(BUILD)/vigil $@

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
VERSION := $(shell sed -n 's/^\#define VIGIL_VERSION "\(.*\)"/\1/p' src/cli.h)

install: all
	install -D -m 0755 $(BUILD)/vigil $(DESTDIR)$(BINDIR)/vigil
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/vigil/rules.d \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		packaging/vigil.service.in > $(DESTDIR)$(UNITDIR)/vigil.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vigil.service
	@# an existing configuration is the administrator's: never overwritten
	test -e $(DESTDIR)$(SYSCONFDIR)/vigil/vigil.yaml || \
		install -m 0644 packaging/vigil.yaml $(DESTDIR)$(SYSCONFDIR)/vigil/vigil.yaml
	install -m 0644 packaging/vigil.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/vigil
	install -m 0644 $(BUILD)/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(BUILD)/man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -D -m 0644 $(BUILD)/vigil.bash $(DESTDIR)$(BASHCOMPDIR)/vigil

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vigil $(DESTDIR)$(UNITDIR)/vigil.service \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/vigil $(DESTDIR)$(BASHCOMPDIR)/vigil \
		$(DESTDIR)$(MANDIR)/man8/vigil.8 $(DESTDIR)$(MANDIR)/man8/vigil-*.8 \
		$(DESTDIR)$(MANDIR)/man5/vigil.yaml.5
	@echo "left in place: $(SYSCONFDIR)/vigil (your configuration and rules)"

# The Debian package: the install tree under /usr (units in /lib/systemd/system, as Debian 12).
deb: all
	rm -rf $(BUILD)/deb
	$(MAKE) -s install DESTDIR=$(abspath $(BUILD)/deb/root) PREFIX=/usr SYSCONFDIR=/etc \
		UNITDIR=/lib/systemd/system BUILD=$(BUILD)
	scripts/mkdeb.sh $(abspath $(BUILD)/deb/root) $(BUILD) $(VERSION)

run: $(BUILD)/vigil
	$(BUILD)/vigil run

unit: $(UNIT_BINS)
e2e: $(BUILD)/vigil $(HELPER_BINS) $(FUZZ_TARGETS)

test: all $(UNIT_BINS) $(HELPER_BINS) $(FUZZ_TARGETS) $(TEST_DEPS_STAMP)
	@python3 tests/run.py --build $(BUILD)

# Longer chaos soaks (tests/chaos/): the cases with durations and counts multiplied.
CHAOS_SCALE ?= 10
.PHONY: chaos-soak
chaos-soak: $(BUILD)/vigil $(HELPER_BINS)
	VIGIL_CHAOS_SCALE=$(CHAOS_SCALE) python3 tests/run.py --build $(BUILD) --e2e-only -k chaos/

clean:
	rm -rf $(BUILD)

# The VM kernel matrix (tests/vm/run, docs/vm-matrix.md): the VM tests on Debian's 6.1 and 6.12
# cloud kernels under qemu TCG; SKIP (exit 0) without qemu. Not part of `make test` yet.
# make test-vm VM_ARGS="--kernel 6.1 --only probe -v"
.PHONY: test-vm
test-vm: $(BUILD)/vigil $(BUILD)/tests/helpers/enforce_connect $(BUILD)/tests/helpers/probe_trial
	@tests/vm/run --build $(BUILD) $(VM_ARGS)
