#!/usr/bin/env bash
# Checks that every C++ file of the project follows .clang-format (make format applies it).
set -euo pipefail
cd "$1"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find sim include tests -name '*.cpp' -o -name '*.hpp')
if [ ${#files[@]} -eq 0 ]; then echo "no C++ files found" >&2; exit 2; fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: make format)"
    bad=$((bad + 1))
  fi
done
echo "$(( ${#files[@]} - bad )) passed, $bad failed"
[ "$bad" -eq 0 ]
