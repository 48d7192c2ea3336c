#pragma once
// Reads the "file" kind's `options` (`{"path": "<dir>", "fsync": true}`) into
// `file_storage_options`; declared here so that the fuzz targets and tests reach the same
// reader the kind registration uses.

#include <boost/json/fwd.hpp>

#include "async_protocols/file/file_storage.hpp"

namespace functionfuse::detail {

/// Throws `config_error` naming the offending field (dotted path under `options`). Pure: does
/// not touch the file system.
file_storage_options read_file_options(const boost::json::value& options);

}  // namespace functionfuse::detail
