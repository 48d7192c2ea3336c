#pragma once
// A small blocking HTTP call for the credential providers (instance metadata, container
// endpoint, STS), on libcurl: short timeouts, a cap on the answer's size, no redirects.
// Everything it returns comes from the network and is hostile: callers check it.

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace functionfuse::s3 {

/// One request.
struct http_call {
    std::string method = "GET";        ///< GET, PUT or POST
    std::string url;                   ///< http:// or https://
    std::vector<std::string> headers;  ///< "Name: value" lines (checked by the caller)
    std::string body;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds timeout{1000};  ///< the whole exchange
    std::size_t max_body = 64 * 1024;         ///< a larger answer is a failure
    std::string ca_file;                      ///< PEM bundle for https; empty: system default
};

/// The answer.
struct http_answer {
    int status = 0;
    std::string body;
};

/// A transport failure: nothing (or too much) came back.
class http_failure : public std::runtime_error {
  public:
    enum class kind { timeout, connect_failed, too_large, other };
    http_failure(kind k, const std::string& detail) : std::runtime_error(detail), kind_(k) {}
    kind what_kind() const noexcept { return kind_; }

  private:
    kind kind_;
};

/// Performs `call`. Throws `http_failure` (its text names the URL and curl's reason, never a
/// header or body). Thread-safe.
http_answer http_perform(const http_call& call);

}  // namespace functionfuse::s3
