#pragma once
/// \file
/// Logging: what the library says about its own work (retries, reconnects, multipart aborts,
/// cleanup after failures, credential refreshes, slow operations).
///
/// Off by default except warnings and errors, written to stderr. Chosen at start-up by the
/// environment variable `FUNCTIONFUSE_LOG` or at run time by `set_log_filter`, with the same
/// syntax: a default level, then optional `component=level` pairs, comma-separated:
///
///     FUNCTIONFUSE_LOG=debug                 everything at debug and above
///     FUNCTIONFUSE_LOG=warn,s3=debug         debug for "s3" and "s3.*", warn elsewhere
///     FUNCTIONFUSE_LOG=off                   nothing at all
///
/// Levels, most to least severe: `error`, `warn`, `info`, `debug`, `trace`. A component is a
/// dot-separated name (`s3.retry`, `s3.credentials`, `file`); a filter entry for `s3` covers
/// every component under it, and the longest matching entry wins.
///
/// A runner routes the messages into its own logger with `set_log_sink`. Messages never hold a
/// secret (keys, session tokens, web-identity tokens, signatures); control characters in them
/// (CR, LF, ...) are escaped, so a hostile name cannot forge a log line.
///
/// Thread-safety: every function here may be called from any thread at any time. A disabled
/// message costs one relaxed atomic load.

#include <functional>
#include <optional>
#include <string_view>

namespace functionfuse {

/// How severe a message is; `off` as a filter level lets nothing through.
enum class log_level { off = 0, error, warn, info, debug, trace };

/// Receives each message that passes the filter: its level, its component (e.g. `s3.retry`)
/// and the text (one line, no trailing newline). Called on the thread that logs, possibly on
/// several threads at once; it must not throw and should not block for long.
using log_sink =
    std::function<void(log_level level, std::string_view component, std::string_view message)>;

/// Sends messages to `sink` instead of stderr; an empty function restores stderr.
void set_log_sink(log_sink sink);

/// Sets one level for every component (drops per-component entries).
void set_log_level(log_level level);

/// Sets the filter from a `FUNCTIONFUSE_LOG`-style spec (see the file comment). Throws
/// `config_error` naming the bad entry; the filter is unchanged then.
void set_log_filter(std::string_view spec);

/// Whether a message of `level` from `component` would be passed to the sink.
bool log_enabled(log_level level, std::string_view component) noexcept;

/// `"error"`, `"warn"`, ... (`"off"` for off).
std::string_view to_string(log_level level) noexcept;

/// The level named by `name` (`error`, `warn`/`warning`, `info`, `debug`, `trace`, `off`;
/// ASCII case-insensitive), or nothing.
std::optional<log_level> parse_log_level(std::string_view name) noexcept;

}  // namespace functionfuse
