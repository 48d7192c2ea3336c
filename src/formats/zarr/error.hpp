#pragma once
/// \file
/// The one exception the zarr layer adds: stored zarr data (a `.zarray`, a `.zgroup`, a chunk)
/// that is corrupt or uses a feature this library does not support.

#include "functionfuse/error.hpp"

namespace functionfuse::zarr {

/// Stored zarr data is corrupt or unsupported. Derives from `io_error`, so a caller that treats
/// every failed read alike can catch that; `what()` names the key and the offending field, e.g.
/// `corrupt .zarray at wf/bigdata/dask_arrays/<uuid>/.zarray: missing 'chunks'`.
class format_error : public io_error {
  public:
    using io_error::io_error;
};

}  // namespace functionfuse::zarr
