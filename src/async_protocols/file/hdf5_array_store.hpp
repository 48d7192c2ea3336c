#pragma once
// The FILE_PROTOCOL array store: one HDF5 file per array under <root>/<workflow>/bigdata/.
#include <memory>

#include "functionfuse/array_serializer.hpp"

namespace functionfuse::file_detail {

/// The built-in store for FILE_PROTOCOL (see hdf5_array_store.cpp for the design).
std::shared_ptr<array_store> make_hdf5_array_store();

}  // namespace functionfuse::file_detail
