#include "formats/zarr/dtype.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace functionfuse::zarr {

namespace {
struct type_code {
    char kind;
    std::size_t size;
    data_type type;
};
constexpr type_code type_codes[] = {
    {'b', 1, data_type::boolean}, {'i', 1, data_type::int8},    {'i', 2, data_type::int16},
    {'i', 4, data_type::int32},   {'i', 8, data_type::int64},   {'u', 1, data_type::uint8},
    {'u', 2, data_type::uint16},  {'u', 4, data_type::uint32},  {'u', 8, data_type::uint64},
    {'f', 4, data_type::float32}, {'f', 8, data_type::float64},
};

const type_code& code_of(data_type t) noexcept {
    for (const auto& c : type_codes)
        if (c.type == t)
            return c;
    return type_codes[0];  // unreachable: every enumerator is listed
}
}  // namespace

std::size_t dtype::itemsize() const noexcept {
    return code_of(type).size;
}

std::string dtype::str() const {
    const auto& c = code_of(type);
    char prefix = c.size == 1 ? '|' : (order == byte_order::little ? '<' : '>');
    return std::string{prefix, c.kind, static_cast<char>('0' + c.size)};
}

bool dtype::needs_swap() const noexcept {
    if (itemsize() == 1)
        return false;
    auto native = std::endian::native == std::endian::little ? byte_order::little : byte_order::big;
    return order != native;
}

bool parse_dtype(std::string_view text, dtype& out) noexcept {
    if (text.size() != 3)
        return false;
    byte_order order;
    switch (text[0]) {
        case '<':
            order = byte_order::little;
            break;
        case '>':
            order = byte_order::big;
            break;
        case '|':
            order = byte_order::little;
            break;
        default:
            return false;
    }
    if (text[2] < '1' || text[2] > '9')
        return false;
    std::size_t size = static_cast<std::size_t>(text[2] - '0');
    for (const auto& c : type_codes) {
        if (c.kind == text[1] && c.size == size) {
            // '|' only means "byte order does not apply", which is true only of 1-byte types.
            if (text[0] == '|' && size != 1)
                return false;
            out = dtype{c.type, size == 1 ? byte_order::little : order};
            return true;
        }
    }
    return false;
}

namespace {
template <class U, U (*swap)(U)>
void swap_all(std::span<std::byte> bytes) noexcept {
    for (std::size_t i = 0; i + sizeof(U) <= bytes.size(); i += sizeof(U)) {
        U x;
        std::memcpy(&x, bytes.data() + i, sizeof(U));
        x = swap(x);
        std::memcpy(bytes.data() + i, &x, sizeof(U));
    }
}
std::uint16_t swap16(std::uint16_t x) {
    return __builtin_bswap16(x);
}
std::uint32_t swap32(std::uint32_t x) {
    return __builtin_bswap32(x);
}
std::uint64_t swap64(std::uint64_t x) {
    return __builtin_bswap64(x);
}
}  // namespace

void swap_bytes(std::span<std::byte> bytes, std::size_t itemsize) noexcept {
    switch (itemsize) {
        case 2:
            swap_all<std::uint16_t, swap16>(bytes);
            return;
        case 4:
            swap_all<std::uint32_t, swap32>(bytes);
            return;
        case 8:
            swap_all<std::uint64_t, swap64>(bytes);
            return;
        default:
            if (itemsize <= 1)
                return;
            for (std::size_t i = 0; i + itemsize <= bytes.size(); i += itemsize)
                std::reverse(bytes.begin() + i, bytes.begin() + i + itemsize);
    }
}

}  // namespace functionfuse::zarr
