#pragma once
/// \file
/// zarr v2 / NumPy data type strings (`"<f8"`, `"|b1"`, ...) for the element types this
/// library stores: bool, int8..int64, uint8..uint64, float32, float64.
///
/// Byte order: little-endian (`<`) and big-endian (`>`) dtypes are both readable and writable.
/// In memory, arrays and chunks handed to this layer are always in the machine's native order;
/// the chunk codec (`chunk_codec.hpp`) swaps bytes when the stored dtype differs from it.
/// One-byte types use `|` (NumPy's "not applicable"); `<` and `>` are accepted for them too.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace functionfuse::zarr {

/// The element type, independent of byte order.
enum class data_type : std::uint8_t {
    boolean,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float32,
    float64,
};

/// Byte order of the stored elements.
enum class byte_order : std::uint8_t { little, big };

/// A zarr dtype: element type plus the byte order the chunks are stored in.
struct dtype {
    data_type type = data_type::float64;
    byte_order order = byte_order::little;

    /// Bytes per element (1, 2, 4 or 8).
    std::size_t itemsize() const noexcept;
    /// The dtype string as zarr-python writes it: `"<f8"`, `">i4"`, `"|b1"`, `"|u1"`.
    std::string str() const;
    /// True when stored bytes differ from the machine's native layout (a swap is needed).
    bool needs_swap() const noexcept;

    friend bool operator==(const dtype&, const dtype&) = default;
};

/// Parses a dtype string. Returns false (leaving `out` untouched) when `text` is not one of
/// the supported types; callers turn that into an error naming the key.
bool parse_dtype(std::string_view text, dtype& out) noexcept;

/// The dtype of C++ element type `T` in little-endian order (what zarr-python writes on x86).
template <class T>
constexpr dtype dtype_of() noexcept;

/// Reverses the bytes of every `itemsize`-byte element of `bytes` in place.
void swap_bytes(std::span<std::byte> bytes, std::size_t itemsize) noexcept;

// --- implementation of dtype_of ---------------------------------------------------------------
template <class T>
constexpr dtype dtype_of() noexcept {
    if constexpr (std::is_same_v<T, bool>)
        return {data_type::boolean, byte_order::little};
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return {data_type::int8, byte_order::little};
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return {data_type::int16, byte_order::little};
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return {data_type::int32, byte_order::little};
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return {data_type::int64, byte_order::little};
    else if constexpr (std::is_same_v<T, std::uint8_t>)
        return {data_type::uint8, byte_order::little};
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return {data_type::uint16, byte_order::little};
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return {data_type::uint32, byte_order::little};
    else if constexpr (std::is_same_v<T, std::uint64_t>)
        return {data_type::uint64, byte_order::little};
    else if constexpr (std::is_same_v<T, float>)
        return {data_type::float32, byte_order::little};
    else if constexpr (std::is_same_v<T, double>)
        return {data_type::float64, byte_order::little};
    else
        static_assert(sizeof(T) == 0, "unsupported zarr element type");
}

}  // namespace functionfuse::zarr
