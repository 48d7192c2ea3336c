// Decimal text to two's complement bytes: schoolbook base-256 accumulation, bounded by
// `max_text_int_digits` (at most about 1800 bytes, 8 million byte steps).

#include "big_int_text.hpp"

#include <cstdint>
#include <vector>

namespace functionfuse::pickle {

std::optional<big_int> big_int_from_decimal(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text.empty() || text.size() > max_text_int_digits)
        return std::nullopt;
    std::vector<std::uint8_t> mag;  // little-endian magnitude
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        unsigned carry = static_cast<unsigned>(c - '0');
        for (auto& b : mag) {
            const unsigned x = b * 10u + carry;
            b = static_cast<std::uint8_t>(x & 0xFF);
            carry = x >> 8;
        }
        if (carry)
            mag.push_back(static_cast<std::uint8_t>(carry));
    }
    mag.push_back(0);  // room for the sign bit
    if (negative) {
        unsigned carry = 1;
        for (auto& b : mag) {
            const unsigned x = static_cast<std::uint8_t>(~b) + carry;
            b = static_cast<std::uint8_t>(x & 0xFF);
            carry = x >> 8;
        }
    }
    // Minimal: drop a top byte that only repeats the sign of the byte below it.
    while (mag.size() > 1) {
        const std::uint8_t top = mag.back(), below = mag[mag.size() - 2];
        if ((top == 0x00 && !(below & 0x80)) || (top == 0xFF && (below & 0x80)))
            mag.pop_back();
        else
            break;
    }
    if (mag.size() == 1 && mag[0] == 0)
        mag.clear();  // zero is LONG1 with no bytes
    return big_int(std::string(mag.begin(), mag.end()));
}

}  // namespace functionfuse::pickle
