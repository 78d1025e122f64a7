#!/usr/bin/env bash
# Runs tests/sanitizers/leak_probe, which leaks a Drift allocation on purpose, with the
# environment of the asan test preset (LSAN_OPTIONS with tests/sanitizers/lsan.supp). Passes only
# if LeakSanitizer reports the leak: a nonzero exit status and a report naming the Drift code
# that made the allocation. Fails if the suppressions (or a missing LSAN_OPTIONS) hide it.
set -uo pipefail
probe="$1"
case "${LSAN_OPTIONS:-}" in
  *suppressions=*) ;;
  *) echo "LSAN_OPTIONS does not name a suppressions file (run through ctest --preset asan)" >&2
     exit 1 ;;
esac
out=$("$probe" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
  printf '%s\n' "$out"
  echo "FAIL: leak_probe exited 0: LeakSanitizer did not report the deliberate leak" >&2
  exit 1
fi
for expected in "ERROR: LeakSanitizer: detected memory leaks" "drift::leak_a_population" \
                "drift::Population::resize"; do
  if ! grep -qF -- "$expected" <<<"$out"; then
    printf '%s\n' "$out"
    echo "FAIL: the sanitizer output does not mention '$expected'" >&2
    exit 1
  fi
done
# The start of the report and its summary.
head -n 8 <<<"$out"
grep -F "SUMMARY:" <<<"$out"
echo "OK: LeakSanitizer reported the leak in Drift code (exit status $status)"
