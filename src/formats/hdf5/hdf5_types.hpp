#pragma once
// dtype <-> HDF5 datatype. Files get little-endian standard types (what h5py writes on x86);
// bool is h5py's enum {FALSE = 0, TRUE = 1} over int8 so h5py reads it back as numpy bool.
#include <filesystem>

#include "formats/hdf5/hdf5_handle.hpp"
#include "functionfuse/array.hpp"

namespace functionfuse::hdf5 {

/// The datatype to store `t` as in a file.
handle file_type(dtype t);
/// The in-memory (native) datatype of `t`.
handle memory_type(dtype t);
/// The dtype of a dataset's stored type `type`. Throws `type_error` naming the file and the
/// HDF5 type for anything unsupported (complex/compound, strings, 16-bit floats, ...).
dtype dtype_of(hid_t type, const std::filesystem::path& file);

}  // namespace functionfuse::hdf5
