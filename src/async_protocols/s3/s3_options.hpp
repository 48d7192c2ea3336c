#pragma once
// Reads the "S3" kind's `options` (the Python original's s3fs shape and the native keys; see
// docs/configuration.md) into `s3_storage_options`, resolving credentials, region and
// endpoint from the config, then the environment, then the AWS profile files.

#include <boost/json/fwd.hpp>

#include "async_protocols/s3/credentials/credentials.hpp"
#include "async_protocols/s3/s3_storage.hpp"

namespace functionfuse::detail {

/// Throws `config_error` naming the offending field (dotted path under `options`, or the
/// environment variable / profile it came from); never quotes a secret.
s3_storage_options read_s3_options(const boost::json::value& options,
                                   const s3::env_lookup& env = s3::process_environment());

}  // namespace functionfuse::detail
