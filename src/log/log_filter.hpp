#pragma once
// The parsed form of a FUNCTIONFUSE_LOG spec ("warn,s3=debug"): a default level and
// per-component levels. Pure; the global state lives in log.cpp.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "functionfuse/log.hpp"

namespace functionfuse::detail {

struct log_filter {
    log_level fallback = log_level::warn;
    /// (component, level); an entry covers the component and every `component.*` below it.
    std::vector<std::pair<std::string, log_level>> components;

    /// The level in force for `component`: the longest matching entry, else `fallback`.
    log_level level_for(std::string_view component) const noexcept;
    /// The most verbose level any component may log at (the cheap first check).
    log_level most_verbose() const noexcept;
};

/// Parses a spec; throws `config_error` (field `FUNCTIONFUSE_LOG`) naming the bad entry.
log_filter parse_log_filter(std::string_view spec);

}  // namespace functionfuse::detail
