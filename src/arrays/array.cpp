// chunked_array: dtype names, shape/chunk validation, default chunking.
#include "functionfuse/array.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

namespace functionfuse {

namespace {

struct dtype_info {
    dtype type;
    std::size_t size;
    std::string_view name;
    std::string_view typestr;
};

constexpr std::array<dtype_info, 11> dtypes = {{
    {dtype::bool_, 1, "bool", "|b1"},
    {dtype::int8, 1, "int8", "|i1"},
    {dtype::int16, 2, "int16", "<i2"},
    {dtype::int32, 4, "int32", "<i4"},
    {dtype::int64, 8, "int64", "<i8"},
    {dtype::uint8, 1, "uint8", "|u1"},
    {dtype::uint16, 2, "uint16", "<u2"},
    {dtype::uint32, 4, "uint32", "<u4"},
    {dtype::uint64, 8, "uint64", "<u8"},
    {dtype::float32, 4, "float32", "<f4"},
    {dtype::float64, 8, "float64", "<f8"},
}};

const dtype_info& info(dtype t) noexcept {
    return dtypes[static_cast<std::size_t>(t)];
}

std::size_t checked_product(const chunked_array::shape_type& shape) {
    std::size_t n = 1;
    for (auto d : shape) {
        if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d)
            throw config_error("shape", "array shape " + to_string(shape) + " is too large");
        n *= d;
    }
    return n;
}

}  // namespace

std::size_t itemsize(dtype t) noexcept {
    return info(t).size;
}
std::string_view dtype_name(dtype t) noexcept {
    return info(t).name;
}
std::string_view dtype_typestr(dtype t) noexcept {
    return info(t).typestr;
}

dtype parse_dtype(std::string_view s) {
    for (const auto& d : dtypes) {
        if (s == d.name || s == d.typestr)
            return d.type;
        // "f8" / "=f8" (native = little-endian here) and "<b1"-style spellings.
        std::string_view bare = d.typestr.substr(1);
        if (s == bare)
            return d.type;
        if (s.size() == 3 && (s[0] == '<' || s[0] == '|' || s[0] == '=') && s.substr(1) == bare)
            return d.type;
    }
    throw type_error("unsupported array dtype '" + std::string(s) +
                     "' (supported: bool, int8..int64, uint8..uint64, float32, float64, "
                     "little-endian)");
}

std::string to_string(const chunked_array::shape_type& shape) {
    std::string out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            out += ", ";
        out += std::to_string(shape[i]);
    }
    if (shape.size() == 1)
        out += ",";
    return out + ")";
}

chunked_array::chunked_array() : shape_{0}, chunks_{1} {}

chunked_array::chunked_array(dtype type, shape_type shape, shape_type chunks,
                             std::shared_ptr<const std::byte> data)
    : type_(type), shape_(std::move(shape)), chunks_(std::move(chunks)), data_(std::move(data)) {
    if (chunks_.size() != shape_.size())
        throw config_error("chunks", "chunk shape " + to_string(chunks_) + " has " +
                                         std::to_string(chunks_.size()) +
                                         " dimensions but the array shape " + to_string(shape_) +
                                         " has " + std::to_string(shape_.size()));
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
        if (chunks_[i] == 0)
            throw config_error("chunks", "chunk shape " + to_string(chunks_) +
                                             " has a zero entry in dimension " + std::to_string(i));
        chunks_[i] = std::min(chunks_[i], std::max<std::size_t>(shape_[i], 1));
    }
    size_ = checked_product(shape_);
    if (size_ > std::numeric_limits<std::size_t>::max() / functionfuse::itemsize(type_))
        throw config_error("shape", "array shape " + to_string(shape_) + " is too large");
    if (size_ != 0 && !data_)
        throw config_error("data", "a non-empty array needs a data buffer");
}

chunked_array chunked_array::zeros(dtype type, shape_type shape, shape_type chunks) {
    std::size_t n = checked_product(shape) * functionfuse::itemsize(type);
    std::shared_ptr<std::byte[]> buf(new std::byte[std::max<std::size_t>(n, 1)]());
    std::shared_ptr<const std::byte> data(buf, buf.get());
    return chunked_array(type, std::move(shape), std::move(chunks), std::move(data));
}

chunked_array::shape_type chunked_array::auto_chunks(const shape_type& shape, std::size_t itemsize,
                                                     std::size_t target_bytes) {
    shape_type chunks(shape.size());
    for (std::size_t i = 0; i < shape.size(); ++i)
        chunks[i] = std::max<std::size_t>(shape[i], 1);
    auto bytes = [&] {
        long double b = static_cast<long double>(itemsize);
        for (auto c : chunks)
            b *= static_cast<long double>(c);
        return b;
    };
    while (!chunks.empty() && bytes() > static_cast<long double>(target_bytes)) {
        auto it = std::max_element(chunks.begin(), chunks.end());
        if (*it == 1)
            break;
        *it = (*it + 1) / 2;
    }
    return chunks;
}

chunked_array::shape_type chunked_array::chunk_grid() const {
    shape_type grid(shape_.size());
    for (std::size_t i = 0; i < shape_.size(); ++i)
        grid[i] = (shape_[i] + chunks_[i] - 1) / chunks_[i];
    return grid;
}

std::size_t chunked_array::chunk_count() const {
    std::size_t n = 1;
    for (auto g : chunk_grid())
        n *= g;
    return n;
}

void chunked_array::check_type(dtype wanted) const {
    if (wanted != type_)
        throw type_error("chunked_array holds " + std::string(dtype_name(type_)) + ", not " +
                         std::string(dtype_name(wanted)));
}

void chunked_array::check_rank(std::size_t wanted) const {
    if (wanted != shape_.size())
        throw type_error("chunked_array has " + std::to_string(shape_.size()) +
                         " dimensions, not " + std::to_string(wanted));
}

bool operator==(const chunked_array& a, const chunked_array& b) {
    if (a.type_ != b.type_ || a.shape_ != b.shape_ || a.chunks_ != b.chunks_)
        return false;
    if (a.data_ == b.data_ || a.nbytes() == 0)
        return true;
    return std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

}  // namespace functionfuse
