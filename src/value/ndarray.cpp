// `ndarray` and `big_int`: the numpy arrays/scalars and the integers beyond 64 bits that a
// value keeps inline. Both keep the bytes exactly as the pickle carried them, so a value read
// and written again gives Python the same objects (and, in the common cases, the same bytes).

#include "functionfuse/ndarray.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "functionfuse/value.hpp"

namespace functionfuse {

namespace {

struct dtype_info {
    char kind;
    std::size_t size;
    std::string_view name;
    std::string_view scalar_type;  // Python's type name of a numpy scalar of this dtype
};

constexpr dtype_info dtypes[] = {
    {'b', 1, "bool", "numpy.bool_"},          {'i', 1, "int8", "numpy.int8"},
    {'i', 2, "int16", "numpy.int16"},         {'i', 4, "int32", "numpy.int32"},
    {'i', 8, "int64", "numpy.int64"},         {'u', 1, "uint8", "numpy.uint8"},
    {'u', 2, "uint16", "numpy.uint16"},       {'u', 4, "uint32", "numpy.uint32"},
    {'u', 8, "uint64", "numpy.uint64"},       {'f', 2, "float16", "numpy.float16"},
    {'f', 4, "float32", "numpy.float32"},     {'f', 8, "float64", "numpy.float64"},
    {'c', 8, "complex64", "numpy.complex64"}, {'c', 16, "complex128", "numpy.complex128"},
};

const dtype_info* find_dtype(char kind, std::size_t size) noexcept {
    for (const auto& d : dtypes)
        if (d.kind == kind && d.size == size)
            return &d;
    return nullptr;
}

/// Parses "<f8" / ">i4" / "|b1" / "=u2" into (byte order, info); nullptr if unsupported.
const dtype_info* parse_typestr(std::string_view t, char& order) noexcept {
    if (t.size() < 3 || t.size() > 4)
        return nullptr;
    order = t[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return nullptr;
    std::size_t size = 0;
    for (char c : t.substr(2)) {
        if (c < '0' || c > '9')
            return nullptr;
        size = size * 10 + static_cast<std::size_t>(c - '0');
    }
    const dtype_info* d = find_dtype(t[1], size);
    if (!d)
        return nullptr;
    if (order == '=')
        order = std::endian::native == std::endian::big ? '>' : '<';
    if (d->size == 1)
        order = '|';
    else if (order == '|')
        return nullptr;  // a multi-byte type needs a byte order
    return d;
}

/// Half precision to double (IEEE 754 binary16).
double half_to_double(std::uint16_t h) noexcept {
    const int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0)
        v = std::ldexp(frac, -24);
    else if (exp == 31)
        v = frac ? std::nan("") : INFINITY;
    else
        v = std::ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

}  // namespace

struct ndarray::state {
    std::string typestr;
    const dtype_info* info = nullptr;
    shape_type shape;
    std::size_t count = 0;
    std::string data;
    order memory_order = order::c;
    bool scalar = false;
};

std::string ndarray_typestr(std::string_view typestr) {
    char order;
    const dtype_info* d = parse_typestr(typestr, order);
    if (!d)
        return {};
    return fmt::format("{}{}{}", order, d->kind, d->size);
}

ndarray::ndarray() : ndarray("<f8", {0}, std::string()) {}

ndarray::ndarray(std::string_view typestr, shape_type shape, std::string data, order o) {
    auto s = std::make_shared<state>();
    char byte_order;
    s->info = parse_typestr(typestr, byte_order);
    if (!s->info)
        throw type_error(
            fmt::format("unsupported numpy dtype '{}' (supported: bool, int8-64, "
                        "uint8-64, float16/32/64, complex64/128)",
                        std::string(typestr.substr(0, 40))));
    s->typestr = fmt::format("{}{}{}", byte_order, s->info->kind, s->info->size);
    // numpy allows any dimension next to a zero-sized one, but not a product of the others
    // that overflows.
    std::size_t nonzero = 1;
    bool overflow = false, empty = false;
    for (std::size_t d : shape) {
        if (d == 0) {
            empty = true;
            continue;
        }
        if (nonzero > SIZE_MAX / d)
            overflow = true;
        else
            nonzero *= d;
    }
    const std::size_t count = empty ? 0 : nonzero;
    if (overflow || count > SIZE_MAX / s->info->size)
        throw type_error("ndarray shape is too large");
    if (data.size() != count * s->info->size)
        throw type_error(fmt::format("ndarray of {} elements of {} bytes needs {} bytes, got {}",
                                     count, s->info->size, count * s->info->size, data.size()));
    s->count = count;
    s->shape = std::move(shape);
    s->data = std::move(data);
    s->memory_order = o;
    s_ = std::move(s);
}

ndarray ndarray::scalar(std::string_view typestr, std::string data) {
    ndarray a(typestr, {}, std::move(data));
    std::const_pointer_cast<state>(a.s_)->scalar = true;  // not yet shared
    return a;
}

std::string_view ndarray::typestr() const noexcept {
    return s_->typestr;
}
char ndarray::kind() const noexcept {
    return s_->info->kind;
}
std::size_t ndarray::itemsize() const noexcept {
    return s_->info->size;
}
bool ndarray::big_endian() const noexcept {
    return s_->typestr[0] == '>';
}
std::string_view ndarray::dtype_name() const noexcept {
    return s_->info->name;
}
std::string_view ndarray::python_type_name() const noexcept {
    return s_->scalar ? s_->info->scalar_type : "numpy.ndarray";
}
const ndarray::shape_type& ndarray::shape() const noexcept {
    return s_->shape;
}
std::size_t ndarray::size() const noexcept {
    return s_->count;
}
ndarray::order ndarray::memory_order() const noexcept {
    return s_->memory_order;
}
bool ndarray::is_scalar() const noexcept {
    return s_->scalar;
}
std::string_view ndarray::data() const noexcept {
    return s_->data;
}

double ndarray::element_as_double(std::size_t i) const noexcept {
    const std::size_t n = itemsize();
    unsigned char b[16];
    std::memcpy(b, s_->data.data() + i * n, std::min<std::size_t>(n, 8));
    if (big_endian() != (std::endian::native == std::endian::big))
        std::reverse(b, b + std::min<std::size_t>(n, 8));
    switch (kind()) {
        case 'b':
            return b[0] != 0;
        case 'i':
        case 'u': {
            std::uint64_t u = 0;
            std::memcpy(&u, b, n);  // little-endian host (the library targets x86-64/arm64)
            if (kind() == 'i' && n < 8 && (u >> (8 * n - 1)) & 1)
                u |= ~std::uint64_t{0} << (8 * n);
            return kind() == 'i' ? static_cast<double>(static_cast<std::int64_t>(u))
                                 : static_cast<double>(u);
        }
        case 'f':
            if (n == 2) {
                std::uint16_t h;
                std::memcpy(&h, b, 2);
                return half_to_double(h);
            } else if (n == 4) {
                float f;
                std::memcpy(&f, b, 4);
                return f;
            } else {
                double d;
                std::memcpy(&d, b, 8);
                return d;
            }
        default:
            return std::nan("");  // complex: no real value
    }
}

bool operator==(const ndarray& a, const ndarray& b) noexcept {
    if (a.s_ == b.s_)
        return true;
    return a.s_->typestr == b.s_->typestr && a.s_->shape == b.s_->shape &&
           a.s_->scalar == b.s_->scalar && a.s_->memory_order == b.s_->memory_order &&
           a.s_->data == b.s_->data;
}

// ---- big_int ----------------------------------------------------------------------------------

bool big_int::fits_int64() const noexcept {
    const std::size_t n = bytes_le.size();
    if (n <= 8)
        return true;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes_le.data());
    const bool negative = b[n - 1] & 0x80;
    for (std::size_t k = 8; k < n; ++k)
        if (b[k] != (negative ? 0xff : 0x00))
            return false;
    return static_cast<bool>(b[7] & 0x80) == negative;
}

std::int64_t big_int::to_int64() const {
    if (!fits_int64())
        throw type_error(fmt::format("integer {} does not fit in 64 bits", to_string()));
    const std::size_t n = std::min<std::size_t>(bytes_le.size(), 8);
    if (n == 0)
        return 0;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes_le.data());
    std::uint64_t x = (b[n - 1] & 0x80) ? ~std::uint64_t{0} : 0;
    for (std::size_t k = 0; k < n; ++k) {
        x &= ~(std::uint64_t{0xff} << (8 * k));
        x |= std::uint64_t{b[k]} << (8 * k);
    }
    return static_cast<std::int64_t>(x);
}

std::string big_int::to_string() const {
    if (bytes_le.empty())
        return "0";
    // Magnitude, big-endian, then repeated division by 10.
    std::vector<unsigned char> mag(bytes_le.rbegin(), bytes_le.rend());
    const bool negative = mag[0] & 0x80;
    if (negative) {  // two's complement negate
        for (auto& c : mag)
            c = static_cast<unsigned char>(~c);
        for (std::size_t k = mag.size(); k-- > 0;)
            if (++mag[k] != 0)
                break;
    }
    std::string digits;
    std::size_t start = 0;
    while (start < mag.size()) {
        unsigned rem = 0;
        for (std::size_t k = start; k < mag.size(); ++k) {
            const unsigned cur = rem * 256 + mag[k];
            mag[k] = static_cast<unsigned char>(cur / 10);
            rem = cur % 10;
        }
        digits += static_cast<char>('0' + rem);
        while (start < mag.size() && mag[start] == 0)
            ++start;
    }
    if (negative)
        digits += '-';
    std::reverse(digits.begin(), digits.end());
    return digits;
}

bool operator==(const big_int& a, const big_int& b) noexcept {
    // Compare after sign extension to the same length.
    const std::size_t n = std::max(a.bytes_le.size(), b.bytes_le.size());
    auto at = [](const std::string& s, std::size_t k) -> unsigned char {
        if (k < s.size())
            return static_cast<unsigned char>(s[k]);
        return !s.empty() && (static_cast<unsigned char>(s.back()) & 0x80) ? 0xff : 0x00;
    };
    for (std::size_t k = 0; k < n; ++k)
        if (at(a.bytes_le, k) != at(b.bytes_le, k))
            return false;
    return true;
}

// ---- numpy scalars for the arithmetic converters ---------------------------------------------

namespace detail {

bool numpy_scalar_bool(const value& v, bool& out) noexcept {
    const auto* a = v.get_if<ndarray>();
    if (!a || !a->is_scalar() || a->kind() != 'b')
        return false;
    out = a->data()[0] != 0;
    return true;
}

bool numpy_scalar_int(const value& v, std::int64_t& out) noexcept {
    const auto* a = v.get_if<ndarray>();
    if (!a || !a->is_scalar())
        return false;
    const char k = a->kind();
    if (k != 'b' && k != 'i' && k != 'u')
        return false;
    unsigned char b[8] = {};
    const std::size_t n = a->itemsize();
    std::memcpy(b, a->data().data(), n);
    if (a->big_endian())
        std::reverse(b, b + n);
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < n; ++i)
        u |= std::uint64_t{b[i]} << (8 * i);
    if (k == 'i' && n < 8 && (u >> (8 * n - 1)) & 1)
        u |= ~std::uint64_t{0} << (8 * n);
    if (k == 'u' && u > static_cast<std::uint64_t>(INT64_MAX))
        return false;
    out = static_cast<std::int64_t>(u);
    return true;
}

bool numpy_scalar_double(const value& v, double& out) noexcept {
    const auto* a = v.get_if<ndarray>();
    if (!a || !a->is_scalar() || a->kind() == 'c')
        return false;
    out = a->element_as_double(0);
    return true;
}

}  // namespace detail

}  // namespace functionfuse
