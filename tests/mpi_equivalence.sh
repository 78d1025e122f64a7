#!/usr/bin/env bash
# drift-mpi under mpirun with 3 ranks must write a result file whose datasets equal those of a
# single-process run, for an ordinary scenario and for a sweep.
set -euo pipefail
drift="$1"
drift_mpi="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
cat > "$dir/plain.yaml" <<'YAML'
name: plain
simulation: {weeks: 40, burn_in_weeks: 30, replicates: 5, population_scale: 0.5}
networks: {count: 4}
areas:
  list:
    - {name: North, youth_12_17: 600, youth_18_26: 900, low_income_share: 0.3, schools: 1}
    - {name: South, youth_12_17: 400, youth_18_26: 700, low_income_share: 0.1, schools: 1}
strategies:
  - name: baseline
  - name: mentors
    interventions:
      - {type: mentors, workers: 5, caseload: 4}
YAML
cat "$dir/plain.yaml" > "$dir/sweep.yaml"
cat >> "$dir/sweep.yaml" <<'YAML'
sweep:
  design: grid
  parameters:
    strategies.mentors.mentors.workers: [0, 10]
YAML
# The ranks get mpirun's environment, so the sanitizer options of the asan test preset reach them
# (mpirun -x NAME is needed only for ranks on other hosts). In an AddressSanitizer build they
# record whole allocation stacks (fast_unwind_on_malloc=0): OpenMPI and its libraries have no
# frame pointers and MPI_Finalize unloads OpenMPI's components, so with the default unwinder the
# stack of one of OpenMPI's own leaks often stops in an unloaded component, where no library
# suppression of tests/sanitizers/lsan.supp can match it. Without AddressSanitizer it is ignored.
mpi_asan_options="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
for s in plain sweep; do
  "$drift" run "$dir/$s.yaml" --out "$dir/$s-single.h5" -q -t 1 > /dev/null
  ASAN_OPTIONS="$mpi_asan_options" \
    mpirun --oversubscribe -n 3 "$drift_mpi" run "$dir/$s.yaml" --out "$dir/$s-mpi.h5" -q -t 1 > /dev/null
done
/usr/bin/python3 - "$dir" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
checked = 0
for s in ("plain", "sweep"):
    a, b = h5py.File(f"{d}/{s}-single.h5", "r"), h5py.File(f"{d}/{s}-mpi.h5", "r")
    names = []
    a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    for n in names:
        x, y = a[n][()], b[n][()]
        if x.dtype.kind in "fiu":
            assert np.array_equal(x, y, equal_nan=True), f"{s}: {n} differs"
        else:
            assert list(x) == list(y), f"{s}: {n} differs"
        checked += 1
print(f"{checked} datasets equal")
PY
