#pragma once
// The library's side of logging (public side: include/functionfuse/log.hpp).
//
//     detail::log(log_level::debug, "s3.retry", "attempt {} of {} failed ({}); retrying in {} ms",
//                 attempt, max, reason, delay_ms);
//
// The format arguments are only formatted when the message passes the filter. Never pass a
// secret (keys, tokens, signatures, Authorization headers): the sink may be any logger.

#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "functionfuse/log.hpp"

namespace functionfuse::detail {

/// Hands one formatted message to the sink (escaping control characters). Never throws.
void log_write(log_level level, std::string_view component, std::string_view message) noexcept;

template <class... Args>
void log(log_level level, std::string_view component, fmt::format_string<Args...> format,
         Args&&... args) noexcept {
    if (!log_enabled(level, component)) {
        return;
    }
    try {
        log_write(level, component, fmt::format(format, std::forward<Args>(args)...));
    } catch (...) {
        // Logging never turns a working operation into a failing one (e.g. bad_alloc here).
    }
}

}  // namespace functionfuse::detail
