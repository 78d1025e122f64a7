#pragma once
// Writers shared by every HDF5 file Drift makes (result, sweep, trial, calibration files).
#include <H5Cpp.h>

#include <functional>
#include <string>
#include <vector>

#include "drift/scenario/scenario.hpp"

namespace drift::h5 {

void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value);
void number_attr(H5::H5Object& obj, const std::string& name, double value);
void int_attr(H5::H5Object& obj, const std::string& name, long long value);
void strings(H5::Group& g, const std::string& name, const std::vector<std::string>& values);
// A one-dimensional attribute of variable-length UTF-8 strings.
void strings_attr(H5::H5Object& obj, const std::string& name,
                  const std::vector<std::string>& values);
H5::DataSet array(H5::Group& g, const std::string& name, const std::vector<hsize_t>& shape,
                  const std::vector<double>& values, const std::string& unit,
                  const std::string& description, const std::string& dims);
// Format, program, build, command line and scenario attributes of the root group.
void root_attributes(H5::H5File& file, const Scenario& scenario, const std::string& command_line);
// Writes through `fill` into a temporary file renamed to `path` only when complete.
void write_atomically(const std::string& path, const std::function<void(H5::H5File&)>& fill);

}  // namespace drift::h5
