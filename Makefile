# Two entry points: `make demo` and `make test`. Both install missing Debian packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DRIFT := $(BUILD_DIR)/drift
JOBS ?= 2

.PHONY: all deps configure build test demo demo-options report validation sensitivity bench bench-sweep bench-calibration clean asan fuzz docs format

all: build

deps:
	@bash .ci/install-deps.sh

# Configured once per build directory, and again when the presets change; changes to the
# CMakeLists files make the build itself configure again (CMake's own check).
configure: deps $(BUILD_DIR)/build.ninja
$(BUILD_DIR)/build.ninja: CMakePresets.json | deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The Utrecht comparison, then the same comparison under both ends of the market assumption
# (scenarios/assumptions/), so that the report shows the ranking under each.
# MARKET_END_REPLICATES: replicates of each end, 8 unless given (empty: the scenario's own, 10).
# The main comparison keeps its 10. Eight keep the ends' conclusions with intervals 15-30% wider
# than ten, and the demo within a minute on two CPUs (README.md, docs/performance.md); the report
# gives each setting's count.
MARKET_ENDS := market_full_replacement market_no_replacement
MARKET_END_REPLICATES ?= 8
# Checked before anything is built or run (tests/cli/demo_options.sh).
demo-options:
	@case "$(MARKET_END_REPLICATES)" in ""|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;; \
	  *) echo "make demo: MARKET_END_REPLICATES=$(MARKET_END_REPLICATES): expected a whole number of replicates from 1 to 999, or nothing for the scenario's own" >&2; exit 2;; esac
demo: demo-options
	@$(MAKE) --no-print-directory build
	@mkdir -p results
	$(DRIFT) run scenarios/utrecht.yaml --out results/utrecht.h5
	@for m in $(MARKET_ENDS); do \
	  echo "Under the assumptions of scenarios/assumptions/$$m.yaml (summary: results/utrecht_$$m.txt)"; \
	  $(DRIFT) run scenarios/utrecht.yaml -q --assumptions scenarios/assumptions/$$m.yaml \
	    $(if $(MARKET_END_REPLICATES),-r $(MARKET_END_REPLICATES)) \
	    --out results/utrecht_$$m.h5 > results/utrecht_$$m.txt || exit 1; done
	/usr/bin/python3 analysis/report.py results/utrecht.h5 \
	  $(foreach m,$(MARKET_ENDS),--setting results/utrecht_$(m).h5) -o results/utrecht.html

report: build
	@test -f results/utrecht.h5 || $(MAKE) demo
	/usr/bin/python3 analysis/report.py results/utrecht.h5 \
	  $(foreach m,$(MARKET_ENDS),$(if $(wildcard results/utrecht_$(m).h5),--setting results/utrecht_$(m).h5)) \
	  -o results/utrecht.html

# Which assumption decides the advice: the Sobol sweep over the market parameters (the others at
# the posterior medians) and its report; about 7 minutes on two cores.
sensitivity: build
	@mkdir -p results
	$(DRIFT) run scenarios/what_decides_the_advice.yaml --out results/what_decides_the_advice.h5
	/usr/bin/python3 analysis/report.py results/what_decides_the_advice.h5 \
	  -o results/what_decides_the_advice.html

# Calibration of the Utrecht scenario, the shipped virtual trials and their validation report.
TRIALS := mentors_arches mentoring_meta job_coaches_werk_na_detentie summer_jobs
validation: build
	@mkdir -p results
	$(DRIFT) calibrate scenarios/utrecht_calibration.yaml --out results/utrecht_calibration.h5
	@for t in $(TRIALS); do $(DRIFT) run scenarios/trials/$$t.yaml -q --out results/trial_$$t.h5 || exit 1; done
	/usr/bin/python3 analysis/validate.py results/utrecht_calibration.h5 \
	  --trials $(foreach t,$(TRIALS),results/trial_$(t).h5) -o results/validation.html

# Formats every C++ file with the checked-in .clang-format (the test style_sources_follow_clang_format checks it).
format: deps
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# Regenerates the parameter tables of docs/parameters.md from include/drift/model/parameters.def.
docs: build
	/usr/bin/python3 tests/docs/parameters_doc.py --drift $(DRIFT) --doc docs/parameters.md --write

bench: build
	$(BUILD_DIR)/drift_bench --per-cpu

bench-sweep: build
	$(BUILD_DIR)/drift_bench --sweep --runs 200 --threads 1,2 --mpi-ranks 2 --per-cpu

bench-calibration: build
	$(BUILD_DIR)/drift_bench --calibration --points 48 --threads 1,2 --per-cpu

asan:
	@$(MAKE) test PRESET=asan

# libFuzzer targets of tests/fuzz (clang, ASan + UBSan), each run FUZZ_SECONDS (default 60);
# `make fuzz FUZZ_SECONDS=480` runs the seven for about an hour.
FUZZ_SECONDS ?= 60
fuzz:
	@bash .ci/install-deps.sh fuzz
	@cmake --preset fuzz -DDRIFT_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@ctest --preset fuzz

clean:
	rm -rf build
