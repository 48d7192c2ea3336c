#include "functionfuse/error.hpp"

#include <fmt/format.h>

#include "value/error_text.hpp"

namespace functionfuse {

namespace {
std::string describe(const std::string& code, const std::string& message,
                     const std::string& request_id, int status, const std::string& key) {
    std::string text = fmt::format("S3 error {} (HTTP {})", code.empty() ? "?" : code, status);
    if (!key.empty())
        text += fmt::format(" for key '{}'", detail::shown(key));
    if (!message.empty())
        text += ": " + message;
    if (!request_id.empty())
        text += fmt::format(" [request id {}]", request_id);
    return text;
}
}  // namespace

s3_error::s3_error(std::string code, std::string message, std::string request_id, int http_status,
                   std::string key)
    : error(describe(code, message, request_id, http_status, key)),
      code_(std::move(code)),
      message_(std::move(message)),
      request_id_(std::move(request_id)),
      http_status_(http_status),
      key_(std::move(key)) {}

}  // namespace functionfuse
