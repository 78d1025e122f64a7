#pragma once
// Part files: the runs of one unit of work (one sweep point and replicate, every strategy),
// written by the runner when the unit is done and read back by `--resume` and when the result
// file is composed. A part file is an HDF5 file (docs/results.md, "Part files"):
//
//   /                 format = "drift-part", format_version = 1, key = the unit's key
//   /runs/<k>         run k (strategy order): one dataset per array of RunOutput::arrays()
//                     (names with '/' make groups, e.g. ledger/releases), one integer attribute
//                     per RunOutput::dimensions(), fixed_cost, and checksum
//
// It is written atomically (temporary name, then rename). The checksum of each run covers its
// arrays, dimensions and fixed_cost, so a changed value is never read as data: the reader says
// why a file cannot be used and the caller runs the unit again.
#include <cstdint>
#include <string>
#include <vector>

#include "drift/results/run_output.hpp"

namespace drift {

inline constexpr int kPartFormatVersion = 1;

enum class PartStatus { ok, missing, damaged };

// Why a part file that exists cannot be used.
enum class PartDamage {
  none,
  not_hdf5,           // not an HDF5 file (e.g. a part of the older binary format)
  unreadable,         // HDF5, but cannot be opened or read (e.g. truncated)
  foreign_format,     // HDF5, but not a drift part file
  format_version,     // a drift part file of another format version
  key_mismatch,       // written for another configuration (stale)
  checksum_mismatch,  // a value differs from what was written
  shape,              // a run, array or attribute is missing or has the wrong size
};

struct PartRead {
  PartStatus status = PartStatus::missing;
  PartDamage damage = PartDamage::none;
  std::string reason;  // for damaged files: e.g. "checksum mismatch in run 3"
  bool ok() const { return status == PartStatus::ok; }
  explicit operator bool() const { return ok(); }
};

// A short name of the damage, e.g. "checksum mismatch", "stale configuration".
std::string damage_name(PartDamage damage);

// The checksum stored with each run: 64-bit FNV-1a over 64-bit words (each word xored in, then
// multiplied by the FNV prime). For every array of arrays() in order: its length, then the
// results of four FNV-1a lanes over the raw bits of its values (value i in lane i % 4); then
// every dimension, then the bits of fixed_cost. Any single changed value changes it.
std::uint64_t run_checksum(RunOutput& run);

// Writes `runs` (reordering nothing; `runs` is not changed) to `path` atomically.
// Throws std::runtime_error when the file cannot be written.
void write_part_file(const std::string& path, const std::string& key, std::vector<RunOutput>& runs);
// The same for runs that are not needed afterwards: each run's arrays are freed as soon as they
// are in the file's image, so that a unit's series and its file are never held in full at once
// (the peak memory of a run; docs/performance.md). The file is the same.
void write_part_file(const std::string& path, const std::string& key,
                     std::vector<RunOutput>&& runs);

// Reads the part file at `path` into `runs` if it exists, is a part file of this format version
// written for `key`, and every run's checksum matches. `runs` is unspecified unless ok.
// Never throws for a bad file; says why instead.
PartRead read_part_file(const std::string& path, const std::string& key,
                        std::vector<RunOutput>& runs);

}  // namespace drift
