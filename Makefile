# Two entry points: `make demo` and `make test`. Both install missing Debian packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DRIFT := $(BUILD_DIR)/drift
JOBS ?= 2

.PHONY: all deps configure build test demo bench clean asan

all: build

deps:
	@bash .ci/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

demo: build
	@mkdir -p results
	$(DRIFT) run scenarios/utrecht.yaml --out results/utrecht.h5
	$(DRIFT) summarize results/utrecht.h5

bench: build
	$(BUILD_DIR)/drift_bench

asan:
	@$(MAKE) test PRESET=asan

clean:
	rm -rf build
