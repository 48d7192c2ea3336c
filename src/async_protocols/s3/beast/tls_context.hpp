#pragma once
// The OpenSSL context an https S3 client shares among its connections. Internal header.

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "async_protocols/s3/core/client_params.hpp"

namespace functionfuse::s3 {

/// A TLS 1.2+ client context. With `verify_peer` it trusts `ca_file`, else the file named by
/// `AWS_CA_BUNDLE`, else the system's default CA paths, and rejects unverifiable peers.
/// Throws `functionfuse::io_error` naming the CA file if it cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& options);

}  // namespace functionfuse::s3
