#include "storage/names.hpp"

#include <string>

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "value/error_text.hpp"

namespace functionfuse::detail {

void validate_name(std::string_view name, std::string_view what) {
    const char* why = nullptr;
    if (name.empty()) {
        why = "it is empty";
    } else if (name == "." || name == "..") {
        why = "it is a relative directory reference";
    } else if (name.find('/') != std::string_view::npos) {
        why = name.front() == '/' ? "it is an absolute path" : "it contains '/'";
    } else if (name.find('\\') != std::string_view::npos) {
        why = "it contains '\\'";
    } else if (name.find('\0') != std::string_view::npos) {
        why = "it contains a NUL byte";
    }
    if (why)
        throw invalid_name(fmt::format("invalid {} name '{}': {}; names must be plain names", what,
                                       shown(name), why));
}

}  // namespace functionfuse::detail
