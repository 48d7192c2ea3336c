// Random (version 4) UUIDs for bigdata file names, as Python's uuid.uuid4().
#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "functionfuse/array_serializer.hpp"

namespace functionfuse {

std::string new_uuid4() {
    // std::random_device is the OS entropy source here (getrandom); one per thread avoids
    // reopening it for every array.
    thread_local std::random_device rd;
    std::array<std::uint8_t, 16> b;
    for (std::size_t i = 0; i < b.size(); i += 4) {
        std::uint32_t r = rd();
        for (std::size_t j = 0; j < 4; ++j)
            b[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 0x0f];
    }
    return out;
}

}  // namespace functionfuse
