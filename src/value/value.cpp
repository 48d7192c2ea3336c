// `value`: Python equality and hashing, type names, and the conversion errors.
//
// Equality and hashing follow Python where the value model can: numbers compare by value
// across bool/int/float (so `1 == 1.0 == True`, and they hash alike to be usable as the same
// dict key), list and tuple never compare equal, set and frozenset compare as sets.

#include "functionfuse/value.hpp"

#include <cxxabi.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <unordered_set>

#include <fmt/format.h>

namespace functionfuse {

namespace {

using kind_t = value::kind_t;

std::size_t mix64(std::uint64_t x) noexcept {
    // splitmix64 finalizer: cheap and spreads consecutive integers.
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return static_cast<std::size_t>(x);
}

std::size_t hash_int(std::int64_t i) noexcept {
    return mix64(static_cast<std::uint64_t>(i));
}

/// The double as an int64 if it is integral and in range (Python equality of int and float).
bool double_as_int(double d, std::int64_t& out) noexcept {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;  // NaN too
    if (std::trunc(d) != d)
        return false;
    out = static_cast<std::int64_t>(d);
    return true;
}

bool is_numeric(kind_t k) noexcept {
    return k == kind_t::boolean || k == kind_t::integer || k == kind_t::floating;
}

bool is_setlike(kind_t k) noexcept {
    return k == kind_t::set || k == kind_t::frozenset;
}

bool numeric_equal(const value& a, const value& b) noexcept {
    auto as_int = [](const value& v, std::int64_t& out) {
        if (auto* b = v.get_if<bool>()) {
            out = *b;
            return true;
        }
        if (auto* i = v.get_if<std::int64_t>()) {
            out = *i;
            return true;
        }
        return false;
    };
    std::int64_t ia, ib;
    const bool a_int = as_int(a, ia), b_int = as_int(b, ib);
    if (a_int && b_int)
        return ia == ib;
    if (!a_int && !b_int)
        return *a.get_if<double>() == *b.get_if<double>();
    // One int, one float: exact comparison, as Python does (no rounding of the int).
    const double d = a_int ? *b.get_if<double>() : *a.get_if<double>();
    const std::int64_t i = a_int ? ia : ib;
    std::int64_t di;
    return double_as_int(d, di) && di == i;
}

struct value_ptr_hash {
    std::size_t operator()(const value* v) const { return v->hash(); }
};
struct value_ptr_eq {
    bool operator()(const value* a, const value* b) const { return *a == *b; }
};

/// Whether every element of `needles` equals some element of `hay`.
bool contains_all(const std::vector<value>& hay, const std::vector<value>& needles) {
    if (hay.size() > 8) {
        try {
            std::unordered_set<const value*, value_ptr_hash, value_ptr_eq> index;
            index.reserve(hay.size());
            for (const value& v : hay)
                index.insert(&v);
            for (const value& v : needles)
                if (!index.contains(&v))
                    return false;
            return true;
        } catch (const type_error&) {
            // An unhashable element (only possible in a hand-built set): compare pairwise.
        }
    }
    for (const value& n : needles) {
        bool found = false;
        for (const value& h : hay) {
            if (h == n) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

const std::vector<value>& elements(const value& v) {
    if (auto* s = v.get_if<set>())
        return *s;
    return *v.get_if<frozenset>();
}

bool sequence_equal(const std::vector<value>& a, const std::vector<value>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i]))
            return false;
    return true;
}

std::string demangle(const char* name) {
    int status = 0;
    char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status != 0 || !out)
        return name;
    std::string s(out);
    std::free(out);
    return s;
}

// ---- repr -----------------------------------------------------------------------------------

void repr_float(double d, std::string& out) {
    if (std::isnan(d)) {
        out += "nan";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-inf" : "inf";
        return;
    }
    // Shortest round-trip digits, laid out as Python's repr(): positional for decimal
    // exponents in [-4, 16), scientific otherwise.
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    bool negative = false;
    if (!sci.empty() && sci[0] == '-') {
        negative = true;
        sci.remove_prefix(1);
    }
    const auto e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.')
            digits += c;
    const int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
    if (negative)
        out += '-';
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exp - 1), '0');
            out += digits;
        } else {
            const auto int_len = static_cast<std::size_t>(exp + 1);
            if (digits.size() <= int_len) {
                out += digits;
                out.append(int_len - digits.size(), '0');
                out += ".0";
            } else {
                out += digits.substr(0, int_len);
                out += '.';
                out += digits.substr(int_len);
            }
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1) {
            out += '.';
            out += digits.substr(1);
        }
        out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
    }
}

void repr_text(std::string_view s, bool is_bytes, std::string& out) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    if (is_bytes)
        out += 'b';
    out += quote;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == static_cast<unsigned char>(quote)) {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f || (is_bytes && c >= 0x80)) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += ch;  // printable ASCII, or a UTF-8 byte of a str shown as the text itself
        }
    }
    out += quote;
}

void repr_into(const value& v, std::string& out, std::size_t depth, std::size_t limit);

/// numpy's spelling where it is short: `np.float64(1.5)`, `np.bool_(True)`; arrays by dtype and
/// shape only (their data can be large): `array(dtype=int32, shape=(2, 3))`.
void repr_ndarray(const ndarray& a, std::string& out) {
    if (a.is_scalar()) {
        out += fmt::format("np.{}(", a.kind() == 'b' ? std::string_view("bool_") : a.dtype_name());
        const double d = a.element_as_double(0);
        if (a.kind() == 'b')
            out += d != 0 ? "True" : "False";
        else if (a.kind() == 'f')
            repr_float(d, out);
        else if (a.kind() == 'c')
            out += "complex";
        else
            out += fmt::format("{}", d);
        out += ')';
        return;
    }
    out += fmt::format("array(dtype={}, shape=(", a.dtype_name());
    for (std::size_t i = 0; i < a.ndim(); ++i)
        out += (i ? ", " : "") + std::to_string(a.shape()[i]);
    out += a.ndim() == 1 ? ",))" : "))";
}

void repr_items(const std::vector<value>& items, std::string& out, std::size_t depth,
                std::size_t limit) {
    for (std::size_t i = 0; i < items.size() && out.size() <= limit; ++i) {
        if (i)
            out += ", ";
        repr_into(items[i], out, depth + 1, limit);
    }
}

void repr_into(const value& v, std::string& out, std::size_t depth, std::size_t limit) {
    if (depth > 1000 || out.size() > limit) {
        out += "...";
        return;
    }
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, none_t>) {
                out += "None";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += x ? "True" : "False";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += std::to_string(x);
            } else if constexpr (std::is_same_v<T, double>) {
                repr_float(x, out);
            } else if constexpr (std::is_same_v<T, std::string>) {
                repr_text(std::string_view(x).substr(0, limit), false, out);
            } else if constexpr (std::is_same_v<T, bytes>) {
                repr_text(std::string_view(x.data).substr(0, limit), true, out);
            } else if constexpr (std::is_same_v<T, list>) {
                out += '[';
                repr_items(x, out, depth, limit);
                out += ']';
            } else if constexpr (std::is_same_v<T, tuple>) {
                out += '(';
                repr_items(x, out, depth, limit);
                if (x.size() == 1)
                    out += ',';
                out += ')';
            } else if constexpr (std::is_same_v<T, dict>) {
                if (x.is_ordered_dict())
                    out += "OrderedDict(";
                out += '{';
                bool first = true;
                for (const auto& [k, val] : x) {
                    if (out.size() > limit)
                        break;
                    if (!first)
                        out += ", ";
                    first = false;
                    repr_into(k, out, depth + 1, limit);
                    out += ": ";
                    repr_into(val, out, depth + 1, limit);
                }
                out += '}';
                if (x.is_ordered_dict())
                    out += ')';
            } else if constexpr (std::is_same_v<T, set>) {
                if (x.empty()) {
                    out += "set()";
                } else {
                    out += '{';
                    repr_items(x, out, depth, limit);
                    out += '}';
                }
            } else if constexpr (std::is_same_v<T, frozenset>) {
                out += "frozenset(";
                if (!x.empty()) {
                    out += '{';
                    repr_items(x, out, depth, limit);
                    out += '}';
                }
                out += ')';
            } else if constexpr (std::is_same_v<T, big_int>) {
                out += x.to_string();
            } else if constexpr (std::is_same_v<T, ndarray>) {
                repr_ndarray(x, out);
            } else if constexpr (std::is_same_v<T, python_object>) {
                out += x.repr();
            } else {
                out += "<extension " + demangle(x.type().name()) + ">";
            }
        },
        v.variant());
}

/// A repr short enough for an error message.
std::string short_repr(const value& v) {
    std::string r;
    repr_into(v, r, 0, 80);
    if (r.size() > 80) {
        r.resize(77);
        r += "...";
    }
    return r;
}

}  // namespace

value::value(unsigned long i) : value(static_cast<unsigned long long>(i)) {}

value::value(unsigned long long i) {
    if (i > static_cast<unsigned long long>(INT64_MAX))
        throw type_error(fmt::format("integer {} does not fit in a 64-bit signed int", i));
    v_ = static_cast<std::int64_t>(i);
}

std::string_view value::type_name() const noexcept {
    switch (kind()) {
        case kind_t::none:
            return "NoneType";
        case kind_t::boolean:
            return "bool";
        case kind_t::integer:
            return "int";
        case kind_t::floating:
            return "float";
        case kind_t::str:
            return "str";
        case kind_t::bytes:
            return "bytes";
        case kind_t::list:
            return "list";
        case kind_t::tuple:
            return "tuple";
        case kind_t::dict:
            return get_if<dict>()->is_ordered_dict() ? "collections.OrderedDict" : "dict";
        case kind_t::set:
            return "set";
        case kind_t::frozenset:
            return "frozenset";
        case kind_t::extension:
            return "extension";
        case kind_t::big_integer:
            return "int";
        case kind_t::ndarray:
            return get_if<ndarray>()->python_type_name();
        case kind_t::python_object:
            return get_if<python_object>()->type_name();
    }
    return "?";
}

std::size_t value::hash() const {
    switch (kind()) {
        case kind_t::none:
            return 0x6E6F6E65u;
        case kind_t::boolean:
            return hash_int(*get_if<bool>() ? 1 : 0);
        case kind_t::integer:
            return hash_int(*get_if<std::int64_t>());
        case kind_t::floating: {
            const double d = *get_if<double>();
            std::int64_t i;
            if (double_as_int(d, i))
                return hash_int(i);  // 1.0 hashes like 1; -0.0 like 0
            return mix64(std::bit_cast<std::uint64_t>(d));
        }
        case kind_t::str:
            return std::hash<std::string_view>{}(*get_if<std::string>());
        case kind_t::bytes:
            return std::hash<std::string_view>{}(get_if<bytes>()->data) ^ 0xB7E151628AED2A6Bull;
        case kind_t::tuple: {
            std::size_t h = 0x345678u;
            for (const value& x : *get_if<tuple>())
                h = mix64(h ^ x.hash()) + 0x9E3779B9u;
            return h;
        }
        case kind_t::big_integer: {
            const big_int& b = *get_if<big_int>();
            if (b.fits_int64())
                return hash_int(b.to_int64());  // equal to the int it equals
            return std::hash<std::string_view>{}(b.bytes_le) ^ 0x243F6A8885A308D3ull;
        }
        case kind_t::ndarray: {
            // numpy scalars are hashable (arrays are not); by dtype and bytes (a scalar equals
            // only a scalar of the same dtype and bytes here, see operator==).
            const ndarray& a = *get_if<ndarray>();
            if (!a.is_scalar())
                throw type_error("unhashable type: 'numpy.ndarray'");
            return std::hash<std::string_view>{}(a.data()) ^
                   std::hash<std::string_view>{}(a.typestr());
        }
        case kind_t::python_object:
            return get_if<python_object>()->hash();
        case kind_t::frozenset: {
            // Order-independent: a sum of mixed element hashes.
            std::size_t h = 0x1F2E3D4Cu;
            for (const value& x : *get_if<frozenset>())
                h += mix64(x.hash());
            return mix64(h);
        }
        default:
            throw type_error(fmt::format("unhashable type: '{}'", type_name()));
    }
}

bool operator==(const value& a, const value& b) {
    const kind_t ka = a.kind(), kb = b.kind();
    if (ka != kb) {
        if (is_numeric(ka) && is_numeric(kb))
            return numeric_equal(a, b);
        if (is_setlike(ka) && is_setlike(kb))
            return contains_all(elements(a), elements(b)) && contains_all(elements(b), elements(a));
        if (ka == kind_t::big_integer || kb == kind_t::big_integer) {
            const value& big = ka == kind_t::big_integer ? a : b;
            const value& other = ka == kind_t::big_integer ? b : a;
            const big_int& x = *big.get_if<big_int>();
            return is_numeric(other.kind()) && x.fits_int64() && value(x.to_int64()) == other;
        }
        return false;
    }
    switch (ka) {
        case kind_t::none:
            return true;
        case kind_t::boolean:
            return *a.get_if<bool>() == *b.get_if<bool>();
        case kind_t::integer:
            return *a.get_if<std::int64_t>() == *b.get_if<std::int64_t>();
        case kind_t::floating:
            return *a.get_if<double>() == *b.get_if<double>();  // NaN != NaN, as in Python
        case kind_t::str:
            return *a.get_if<std::string>() == *b.get_if<std::string>();
        case kind_t::bytes:
            return *a.get_if<bytes>() == *b.get_if<bytes>();
        case kind_t::list:
            return sequence_equal(*a.get_if<list>(), *b.get_if<list>());
        case kind_t::tuple:
            return sequence_equal(*a.get_if<tuple>(), *b.get_if<tuple>());
        case kind_t::dict:
            return *a.get_if<dict>() == *b.get_if<dict>();
        case kind_t::set:
        case kind_t::frozenset:
            return contains_all(elements(a), elements(b)) && contains_all(elements(b), elements(a));
        case kind_t::extension:
            return *a.get_if<extension>() == *b.get_if<extension>();
        case kind_t::big_integer:
            return *a.get_if<big_int>() == *b.get_if<big_int>();
        case kind_t::ndarray:
            return *a.get_if<ndarray>() == *b.get_if<ndarray>();
        case kind_t::python_object:
            return *a.get_if<python_object>() == *b.get_if<python_object>();
    }
    return false;
}

std::string value::repr() const {
    std::string out;
    repr_into(*this, out, 0, static_cast<std::size_t>(-1));
    return out;
}

void value::throw_type_error(const char* wanted) const {
    throw type_error(fmt::format("value holds {}, not {}", type_name(), demangle(wanted)));
}

namespace detail {
void throw_conversion_error(const value& v, const char* wanted) {
    throw type_error(
        fmt::format("cannot convert {} {} to {}", v.type_name(), short_repr(v), wanted));
}
}  // namespace detail

}  // namespace functionfuse
