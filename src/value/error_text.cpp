#include "value/error_text.hpp"

#include <fmt/format.h>

namespace functionfuse::detail {

std::string shown(std::string_view text) {
    std::string_view head = text;
    if (text.size() > max_quoted_chars) {
        std::size_t cut = max_quoted_chars;
        // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        head = text.substr(0, cut);
    }
    std::string out;
    out.reserve(head.size() + 16);
    append_escaped(out, head);
    if (head.size() < text.size())
        out += fmt::format("\u2026({} bytes)", text.size());
    return out;
}

void append_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) {
            out += fmt::format("\\x{:02x}", b);
        } else {
            out += c;
        }
    }
}

}  // namespace functionfuse::detail
