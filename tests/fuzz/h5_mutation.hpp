#pragma once
// Structured mutation of an HDF5 file for the binary-file fuzz targets: the fuzz input is read
// as a short program of edits (remove a dataset, attribute or group; give a dataset another
// shape or type; write NaN, a negative or a huge value into it; set an attribute to another type
// or value; truncate the file), applied with the HDF5 library. Flipping raw bytes would mostly
// exercise the HDF5 library's own parser; these edits produce the damaged files a reader of
// Drift's layouts must refuse: a dataset missing, a wrong shape, NaN where a count belongs, a
// foreign or older format, a truncated file.
#include <cstddef>
#include <cstdint>
#include <string>

namespace drift::fuzz {

// Copies `base` to `out` and applies the edits the bytes describe. Returns a one-line account of
// the edits (for the finding's message).
std::string mutate_h5(const std::string& base, const std::string& out, const std::uint8_t* data,
                      std::size_t size);

}  // namespace drift::fuzz
