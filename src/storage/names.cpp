#include "storage/names.hpp"

#include <string>

#include <fmt/format.h>

#include "functionfuse/error.hpp"

namespace functionfuse::detail {

namespace {
/// The name as printable text: control bytes (NUL above all) shown as \xNN.
std::string printable(std::string_view name) {
    std::string out;
    for (char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) {
            out += fmt::format("\\x{:02x}", b);
        } else {
            out += c;
        }
    }
    return out;
}
}  // namespace

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
                                       printable(name), why));
}

}  // namespace functionfuse::detail
