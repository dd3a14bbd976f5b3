# SPDX-License-Identifier: MIT
#
# Convenience wrapper around CMake + Ninja.  `make help` lists the targets.
#
#   make                  build into build/ (RelWithDebInfo)
#   make check            build, then run the CTest suite
#   make check-asan       same, in build-asan/ with clang ASan+UBSan
#   make check-tsan       tests labelled "tsan" (stress), in build-tsan/ with clang TSan
#   make check-generic    the suite on the portable fallback (-DSONDE_ARCH_GENERIC)
#   make fuzz             short libFuzzer runs (FUZZ_SECONDS, default 30)
#   make demo             record build/bin/hello 20 and print the trace
#   make bench            Release build in build-release/, then bench/run.sh
#   make install [PREFIX=/usr/local] [DESTDIR=...]
#   make deps             install the Debian packages (scripts/install-deps.sh)
#   make clean            remove all build directories
#
# Variables: PREFIX, CTEST_ARGS (extra ctest arguments, e.g. CTEST_ARGS='-R ring').

PREFIX     ?= /usr/local
CMAKE      ?= cmake
CTEST      ?= ctest
NINJA      ?= ninja
CTEST_ARGS ?=

BUILD         := build
BUILD_ASAN    := build-asan
BUILD_TSAN    := build-tsan
BUILD_RELEASE := build-release
BUILD_GENERIC := build-generic
BUILD_FUZZ    := build-fuzz
FUZZ_SECONDS  ?= 30
DEMO_TRACE    := $(BUILD)/demo-trace
DEMO_LOG      := $(BUILD)/demo-record.log
DEMO_TEXT     := $(BUILD)/demo-trace.txt

ARGS_DEFAULT := -DCMAKE_BUILD_TYPE=RelWithDebInfo
ARGS_ASAN    := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSONDE_SANITIZE=address,undefined \
		-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
ARGS_TSAN    := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSONDE_SANITIZE=thread \
		-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
ARGS_RELEASE := -DCMAKE_BUILD_TYPE=Release
ARGS_FUZZ    := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSONDE_FUZZ=ON \
		-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
ARGS_GENERIC := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-DSONDE_ARCH_GENERIC \
		-DCMAKE_CXX_FLAGS=-DSONDE_ARCH_GENERIC

# Sanitizer runtime options (the caller's own settings win).
check-asan check-tsan: export UBSAN_OPTIONS ?= print_stacktrace=1
check-tsan: export TSAN_OPTIONS ?= second_deadlock_stack=1

# Sanitizer runtimes of clang 14 cannot map their shadow memory on kernels
# with vm.mmap_rnd_bits=32; run the sanitized tests without ASLR when the
# kernel (and any seccomp policy) allows it.
NO_ASLR = $(shell setarch -R true 2>/dev/null && echo setarch -R)

# $(call configure,DIR,ARGS): configure DIR with the Ninja generator unless
# it is already configured with exactly ARGS (recorded in DIR/.make-args).
# Ninja re-runs CMake by itself when a CMakeLists.txt changes.
define configure
	@args='$(strip $(2))'; \
	if [ -f $(1)/build.ninja ] && \
	   [ "$$(cat $(1)/.make-args 2>/dev/null)" = "$$args" ]; then \
		exit 0; \
	fi; \
	if [ -f $(1)/CMakeCache.txt ] && \
	   ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$$' $(1)/CMakeCache.txt; then \
		echo "$(1) was configured with another generator; reconfiguring"; \
		rm -rf $(1)/CMakeCache.txt $(1)/CMakeFiles; \
	fi; \
	echo "$(CMAKE) -S . -B $(1) -G Ninja $$args"; \
	$(CMAKE) -S . -B $(1) -G Ninja $$args && \
	printf '%s\n' "$$args" > $(1)/.make-args
endef

.PHONY: all build deps check check-asan check-tsan check-generic fuzz demo bench install \
	clean help

all: build

build:
	$(call configure,$(BUILD),$(ARGS_DEFAULT))
	$(NINJA) -C $(BUILD)

deps:
	@bash scripts/install-deps.sh

check: deps
	$(call configure,$(BUILD),$(ARGS_DEFAULT))
	$(NINJA) -C $(BUILD)
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j2 $(CTEST_ARGS)

check-asan: deps
	$(call configure,$(BUILD_ASAN),$(ARGS_ASAN))
	$(NINJA) -C $(BUILD_ASAN)
	$(NO_ASLR) $(CTEST) --test-dir $(BUILD_ASAN) \
		--output-on-failure -j2 $(CTEST_ARGS)

check-tsan: deps
	$(call configure,$(BUILD_TSAN),$(ARGS_TSAN))
	$(NINJA) -C $(BUILD_TSAN)
	$(NO_ASLR) $(CTEST) --test-dir $(BUILD_TSAN) -L tsan --no-tests=error \
		--output-on-failure -j2 $(CTEST_ARGS)

# The portable fallback (no rseq, no TSC: compare-and-swap reservation,
# CLOCK_MONOTONIC), as other architectures would build it.
check-generic: deps
	$(call configure,$(BUILD_GENERIC),$(ARGS_GENERIC))
	$(NINJA) -C $(BUILD_GENERIC)
	SONDE_TEST_GENERIC=1 $(CTEST) --test-dir $(BUILD_GENERIC) \
		--output-on-failure -j2 $(CTEST_ARGS)

# Short libFuzzer runs of the trace reader, of the consumer's registry
# and record parsers, of the control protocol, and of the consumer against
# shared memory that traced processes rewrite (FUZZ_SECONDS each);
# findings fail the target.
fuzz: deps
	$(call configure,$(BUILD_FUZZ),$(ARGS_FUZZ))
	$(NINJA) -C $(BUILD_FUZZ)
	$(NO_ASLR) bash tests/fuzz/run-fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)
	mkdir -p $(BUILD_FUZZ)/fuzz-registry-corpus $(BUILD_FUZZ)/fuzz-artifacts
	cp tests/data/fuzz-registry/* $(BUILD_FUZZ)/fuzz-registry-corpus/
	$(NO_ASLR) $(BUILD_FUZZ)/bin/fuzz-registry $(BUILD_FUZZ)/fuzz-registry-corpus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(BUILD_FUZZ)/fuzz-artifacts/
	mkdir -p $(BUILD_FUZZ)/fuzz-proto-corpus
	cp tests/data/fuzz-proto/* $(BUILD_FUZZ)/fuzz-proto-corpus/
	$(NO_ASLR) $(BUILD_FUZZ)/bin/fuzz-proto $(BUILD_FUZZ)/fuzz-proto-corpus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=70000 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(BUILD_FUZZ)/fuzz-artifacts/
	mkdir -p $(BUILD_FUZZ)/fuzz-shm-corpus
	cp tests/data/fuzz-shm/* $(BUILD_FUZZ)/fuzz-shm-corpus/
	$(NO_ASLR) $(BUILD_FUZZ)/bin/fuzz-shm $(BUILD_FUZZ)/fuzz-shm-corpus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(BUILD_FUZZ)/fuzz-artifacts/

demo: deps
	$(call configure,$(BUILD),$(ARGS_DEFAULT))
	$(NINJA) -C $(BUILD)
	rm -rf $(DEMO_TRACE)
	@echo "$(BUILD)/bin/sonde record -o $(DEMO_TRACE) -- $(BUILD)/bin/hello 20"
	@$(BUILD)/bin/sonde record -o $(DEMO_TRACE) -- $(BUILD)/bin/hello 20 \
		2> $(DEMO_LOG) || { cat $(DEMO_LOG) >&2; exit 1; }
	@echo
	@babeltrace2 $(DEMO_TRACE) > $(DEMO_TEXT)
	@echo "First 10 events (babeltrace2 $(DEMO_TRACE) | head -n 10):"
	@head -n 10 $(DEMO_TEXT)
	@echo
	@grep '^sonde: .* events recorded' $(DEMO_LOG) || cat $(DEMO_LOG)
	@echo
	@echo "The same trace through sonde's own reader ($(BUILD)/bin/sonde view $(DEMO_TRACE) | head -n 4):"
	@$(BUILD)/bin/sonde view $(DEMO_TRACE) | head -n 4
	@echo
	@echo "$(BUILD)/bin/sonde stats $(DEMO_TRACE):"
	@$(BUILD)/bin/sonde stats $(DEMO_TRACE)

bench: deps
	$(call configure,$(BUILD_RELEASE),$(ARGS_RELEASE))
	$(NINJA) -C $(BUILD_RELEASE)
	bash bench/run.sh $(BUILD_RELEASE)

# The install prefix is also written into sonde.pc at configure time, so
# the build directory is configured with it before installing.
install:
	$(call configure,$(BUILD),$(ARGS_DEFAULT))
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(abspath $(PREFIX)) >/dev/null
	$(NINJA) -C $(BUILD)
	$(CMAKE) --install $(BUILD) --prefix $(abspath $(PREFIX))

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_RELEASE) $(BUILD_GENERIC) $(BUILD_FUZZ)

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
