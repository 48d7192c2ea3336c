#pragma once
// The S3_PROTOCOL array store: one zarr v2 array per chunked array, in the group
// <bigdata_prefix>/dask_arrays/ (see zarr_array_store.cpp for the design).
#include <memory>

#include "functionfuse/array_serializer.hpp"

namespace functionfuse::zarr_detail {

/// The built-in store for S3_PROTOCOL (registered by `register_s3_kind`).
std::shared_ptr<array_store> make_zarr_array_store();

}  // namespace functionfuse::zarr_detail
