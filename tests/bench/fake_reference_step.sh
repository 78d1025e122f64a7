#!/bin/sh
# Stands in for the reference step program in drift_bench's tests: prints its line for
# "<youths> <weeks>" on OMP_NUM_THREADS threads, at 10,000 youth-weeks/s per youth on one thread
# (a week of all youths in 100 us) and 1.9 times that on more; fails without both arguments.
[ $# -eq 2 ] || exit 3
awk -v n="$1" -v w="$2" -v t="${OMP_NUM_THREADS:-1}" 'BEGIN {
  s = n * 1e4 * (t == 1 ? 1 : 1.9)
  printf "threads %d n %d weeks %d: %.2f ns/youth-week, %.6g youth-weeks/s, dealing 0, transitions 0, checksum 0\n", t, n, w, 1e9 / s, s
}'
