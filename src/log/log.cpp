#include "log/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "functionfuse/error.hpp"
#include "log/log_filter.hpp"
#include "value/error_text.hpp"

namespace functionfuse {
namespace {

// One process-wide logger. `most_verbose` lets a disabled message return after one relaxed
// load; the filter and the sink are read under the mutex only for messages that may pass.
struct logger {
    std::atomic<int> most_verbose{static_cast<int>(log_level::warn)};
    std::mutex mutex;
    std::shared_ptr<const detail::log_filter> filter = std::make_shared<detail::log_filter>();
    std::shared_ptr<const log_sink> sink;

    logger() {
        const char* spec = std::getenv("FUNCTIONFUSE_LOG");
        if (spec == nullptr)
            return;
        try {
            install(detail::parse_log_filter(spec));
        } catch (const config_error& e) {
            // A bad variable must not stop the program that links us; say so once.
            std::fprintf(stderr, "functionfuse: %s; keeping the default (warn)\n", e.what());
        }
    }

    void install(detail::log_filter parsed) {
        const int most = static_cast<int>(parsed.most_verbose());
        std::lock_guard lock(mutex);
        filter = std::make_shared<const detail::log_filter>(std::move(parsed));
        most_verbose.store(most, std::memory_order_relaxed);
    }
};

logger& the_logger() {
    static logger instance;
    return instance;
}

void write_to_stderr(log_level level, std::string_view component, std::string_view message) {
    std::string line = "functionfuse ";
    line += to_string(level);
    line += ' ';
    line += component;
    line += ": ";
    line += message;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines of threads do not mix
}

}  // namespace

void set_log_sink(log_sink sink) {
    auto& l = the_logger();
    auto shared = sink ? std::make_shared<const log_sink>(std::move(sink)) : nullptr;
    std::lock_guard lock(l.mutex);
    l.sink = std::move(shared);
}

void set_log_level(log_level level) {
    detail::log_filter filter;
    filter.fallback = level;
    the_logger().install(std::move(filter));
}

void set_log_filter(std::string_view spec) {
    the_logger().install(detail::parse_log_filter(spec));
}

bool log_enabled(log_level level, std::string_view component) noexcept {
    auto& l = the_logger();
    if (level == log_level::off ||
        static_cast<int>(level) > l.most_verbose.load(std::memory_order_relaxed))
        return false;
    std::shared_ptr<const detail::log_filter> filter;
    {
        std::lock_guard lock(l.mutex);
        filter = l.filter;
    }
    return level <= filter->level_for(component);
}

std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::off:
            return "off";
        case log_level::error:
            return "error";
        case log_level::warn:
            return "warn";
        case log_level::info:
            return "info";
        case log_level::debug:
            return "debug";
        case log_level::trace:
            return "trace";
    }
    return "?";
}

std::optional<log_level> parse_log_level(std::string_view name) noexcept {
    std::string lower;
    for (char c : name)
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (auto level : {log_level::off, log_level::error, log_level::warn, log_level::info,
                       log_level::debug, log_level::trace}) {
        if (lower == to_string(level))
            return level;
    }
    if (lower == "warning")
        return log_level::warn;
    return std::nullopt;
}

namespace detail {

void log_write(log_level level, std::string_view component, std::string_view message) noexcept {
    try {
        std::string line;
        line.reserve(message.size());
        append_escaped(line, message);
        std::shared_ptr<const log_sink> sink;
        {
            std::lock_guard lock(the_logger().mutex);
            sink = the_logger().sink;
        }
        if (sink)
            (*sink)(level, component, line);
        else
            write_to_stderr(level, component, line);
    } catch (...) {
        // A sink that throws, or no memory: the message is lost, the operation goes on.
    }
}

}  // namespace detail
}  // namespace functionfuse
