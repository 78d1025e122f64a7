#!/bin/bash
# make demo's MARKET_END_REPLICATES: a wrong value stops the demo before anything is built or run,
# with one line naming the variable, its value and what was expected (exit code 2); a valid value
# or none passes the check; its default is 8. Usage: demo_options.sh SOURCE_DIR
set -u
src=$1
fail=0
for bad in abc 0 5x -3 1000 "2 3"; do
  err=$(make --no-print-directory -s -C "$src" demo-options MARKET_END_REPLICATES="$bad" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "MARKET_END_REPLICATES='$bad' was accepted"; fail=1; continue
  fi
  case "$err" in
    *"MARKET_END_REPLICATES=$bad: expected a whole number of replicates from 1 to 999"*) ;;
    *) echo "MARKET_END_REPLICATES='$bad': unclear message: $err"; fail=1;;
  esac
done
for good in "" 1 5 10 999; do
  if ! make --no-print-directory -s -C "$src" demo-options MARKET_END_REPLICATES="$good" >/dev/null 2>&1; then
    echo "MARKET_END_REPLICATES='$good' was refused"; fail=1
  fi
done
# Without the variable the two ends run 8 replicates and the main comparison the scenario's own
# (no -r); set empty, the ends run the scenario's own too. Read from make's dry run (-n), which
# runs nothing.
plan=$(make -n --no-print-directory -s -C "$src" demo 2>/dev/null)
case "$plan" in *"-r 8"*) ;; *) echo "the ends do not run 8 replicates by default"; fail=1;; esac
if echo "$plan" | grep -- "--out results/utrecht.h5" | grep -q -- " -r "; then
  echo "the main comparison was given a replicate count"; fail=1
fi
plan=$(make -n --no-print-directory -s -C "$src" demo MARKET_END_REPLICATES= 2>/dev/null)
case "$plan" in *"drift run"*) ;; *) echo "no run in the demo's dry run"; fail=1;; esac
case "$plan" in *" -r "*) echo "MARKET_END_REPLICATES= still gave a replicate count"; fail=1;; esac
exit $fail
