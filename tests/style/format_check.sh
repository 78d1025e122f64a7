#!/usr/bin/env bash
# Checks that every C++ file of the project follows .clang-format (make format applies it).
# One clang-format process checks every file (one per file takes minutes on a loaded machine).
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find sim include tests -name '*.cpp' -o -name '*.hpp')
if [ ${#files[@]} -eq 0 ]; then echo "no C++ files found" >&2; exit 2; fi
report=$(clang-format --dry-run --Werror "${files[@]}" 2>&1 >/dev/null || true)
# Each violation is reported as "FILE:LINE:COL: error: code should be clang-formatted".
mapfile -t bad_files < <(printf '%s\n' "$report" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
for f in "${bad_files[@]}"; do
  [ -n "$f" ] && echo "not formatted: $f (run: make format)"
done
bad=0
for f in "${bad_files[@]}"; do [ -n "$f" ] && bad=$((bad + 1)); done
if [ "$bad" -eq 0 ] && [ -n "$report" ]; then
  echo "clang-format failed: $report" >&2
  exit 2
fi
echo "$(( ${#files[@]} - bad )) passed, $bad failed"
[ "$bad" -eq 0 ]
