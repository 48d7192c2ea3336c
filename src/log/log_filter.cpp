#include "log/log_filter.hpp"

#include <algorithm>

#include "functionfuse/error.hpp"
#include "value/error_text.hpp"

namespace functionfuse::detail {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool valid_component(std::string_view name) {
    if (name.empty() || name.front() == '.' || name.back() == '.')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

log_level level_or_throw(std::string_view name, std::string_view entry) {
    if (auto level = parse_log_level(name))
        return *level;
    throw config_error("FUNCTIONFUSE_LOG",
                       "unknown level in '" + shown(entry) +
                           "' (expected error, warn, info, debug, trace or off)");
}

bool covers(std::string_view entry, std::string_view component) {
    return component.substr(0, entry.size()) == entry &&
           (component.size() == entry.size() || component[entry.size()] == '.');
}

}  // namespace

log_level log_filter::level_for(std::string_view component) const noexcept {
    log_level level = fallback;
    std::size_t best = 0;
    for (const auto& [name, entry_level] : components) {
        if (name.size() > best && covers(name, component)) {
            best = name.size();
            level = entry_level;
        }
    }
    return level;
}

log_level log_filter::most_verbose() const noexcept {
    log_level most = fallback;
    for (const auto& entry : components)
        most = std::max(most, entry.second);
    return most;
}

log_filter parse_log_filter(std::string_view spec) {
    log_filter filter;
    bool saw_default = false;
    while (true) {
        const auto comma = spec.find(',');
        const std::string_view entry = trimmed(spec.substr(0, comma));
        if (!entry.empty()) {
            const auto eq = entry.find('=');
            if (eq == std::string_view::npos) {
                if (saw_default)
                    throw config_error("FUNCTIONFUSE_LOG",
                                       "two default levels in '" + shown(spec) + "'");
                filter.fallback = level_or_throw(entry, entry);
                saw_default = true;
            } else {
                const std::string_view component = trimmed(entry.substr(0, eq));
                if (!valid_component(component))
                    throw config_error("FUNCTIONFUSE_LOG",
                                       "bad component name in '" + shown(entry) + "'");
                filter.components.emplace_back(
                    std::string(component), level_or_throw(trimmed(entry.substr(eq + 1)), entry));
            }
        }
        if (comma == std::string_view::npos)
            break;
        spec.remove_prefix(comma + 1);
    }
    return filter;
}

}  // namespace functionfuse::detail
