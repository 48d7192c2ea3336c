// Design: one context per client, built once; verification is on unless the caller turned it
// off explicitly. The CA source order (explicit file, AWS_CA_BUNDLE, system paths) is the one
// the AWS SDKs and CLI use, so a user's existing environment works unchanged.
#include "async_protocols/s3/beast/tls_context.hpp"

#include <cstdlib>

#include "functionfuse/error.hpp"

namespace functionfuse::s3 {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const tls_options& options) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!options.verify_peer) {
        ctx->set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    std::string ca_file = options.ca_file;
    if (ca_file.empty()) {
        if (const char* env = std::getenv("AWS_CA_BUNDLE"); env && *env)
            ca_file = env;
    }
    boost::system::error_code ec;
    if (!ca_file.empty()) {
        ctx->load_verify_file(ca_file, ec);
        if (ec)
            throw io_error("cannot load TLS CA file '" + ca_file + "': " + ec.message());
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec)
            throw io_error("cannot load the system's TLS CA certificates: " + ec.message());
    }
    return ctx;
}

}  // namespace functionfuse::s3
