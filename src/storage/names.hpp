#pragma once
// Workflow and task names become path components (file kind) or key segments (S3 kind), so
// only plain names are accepted; checked before any I/O so a refused name writes nothing.

#include <string_view>

namespace functionfuse::detail {

/// Throws `invalid_name` unless `name` is a plain name: not empty, not `.` or `..`, and
/// without `/`, `\` or NUL (which also rules out absolute paths). `what` is "task" or
/// "workflow", for the message.
void validate_name(std::string_view name, std::string_view what);

}  // namespace functionfuse::detail
