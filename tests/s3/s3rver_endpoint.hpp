#pragma once
// Test helper: the s3rver instance a ctest fixture started (tests/tools/s3rver.sh writes
// <state>/endpoint.env; FF_S3RVER_STATE names the state dir) as S3 client params.
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <exception>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "async_protocols/s3/client_params.hpp"

namespace ff_test {

struct s3rver_endpoint {
    functionfuse::s3::client_params params;
    std::string bucket;
    std::string scheme;
};

/// nullopt when no fixture state is available (test run outside ctest).
inline std::optional<s3rver_endpoint> load_s3rver_endpoint() {
    const char* state = std::getenv("FF_S3RVER_STATE");
    if (!state)
        return std::nullopt;
    std::ifstream in(std::string(state) + "/endpoint.env");
    if (!in)
        return std::nullopt;
    std::map<std::string, std::string> env;
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (eq != std::string::npos)
            env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    s3rver_endpoint e;
    e.scheme = env["FF_S3_SCHEME"];
    e.bucket = env["FF_S3_BUCKET"];
    e.params.host = env["FF_S3_HOST"];
    e.params.port = static_cast<std::uint16_t>(std::stoi(env["FF_S3_PORT"]));
    e.params.use_tls = e.scheme == "https";
    e.params.tls.ca_file = env["FF_S3_CA_FILE"];
    e.params.creds.access_key_id = env["FF_S3_KEY"];
    e.params.creds.secret_access_key = env["FF_S3_SECRET"];
    e.params.request_timeout = std::chrono::seconds(60);
    return e;
}

/// Runs `aw` to completion on `ctx` (which outlives the S3 clients bound to it) and returns
/// its result or rethrows its exception.
template <class T>
T run_on(boost::asio::io_context& ctx, boost::asio::awaitable<T> aw) {
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, int, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e) {
            error = e;
            result.emplace(0);
        });
    } else {
        boost::asio::co_spawn(ctx, std::move(aw), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
        });
    }
    ctx.restart();
    ctx.run();
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

}  // namespace ff_test
