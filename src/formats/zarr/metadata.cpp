// zarr v2 metadata <-> JSON. Writing goes through python_json (exact zarr-python formatting);
// reading uses Boost.JSON and checks every field, so a corrupt or foreign `.zarray` becomes a
// format_error naming the key and field instead of a crash later in chunk arithmetic.

#include "formats/zarr/metadata.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include "formats/zarr/exact_json.hpp"

#include "formats/zarr/python_json.hpp"

namespace functionfuse::zarr {

namespace json = boost::json;
using detail::py_json;
using detail::py_json_list;
using detail::py_json_object;

// --- codec_config -----------------------------------------------------------------------------

namespace {
const char* param_type_name(const codec_param& p) {
    switch (p.index()) {
        case 0:
            return "null";
        case 1:
            return "a bool";
        case 2:
            return "an integer";
        case 3:
            return "a float";
        default:
            return "a string";
    }
}
}  // namespace

std::int64_t codec_config::get_int(const std::string& name, std::int64_t fallback) const {
    auto it = params.find(name);
    if (it == params.end())
        return fallback;
    if (auto* i = std::get_if<std::int64_t>(&it->second))
        return *i;
    throw config_error("compressor." + name,
                       std::string("must be an integer, not ") + param_type_name(it->second));
}

std::string codec_config::get_string(const std::string& name, const std::string& fallback) const {
    auto it = params.find(name);
    if (it == params.end())
        return fallback;
    if (auto* s = std::get_if<std::string>(&it->second))
        return *s;
    throw config_error("compressor." + name,
                       std::string("must be a string, not ") + param_type_name(it->second));
}

bool codec_config::get_bool(const std::string& name, bool fallback) const {
    auto it = params.find(name);
    if (it == params.end())
        return fallback;
    if (auto* b = std::get_if<bool>(&it->second))
        return *b;
    throw config_error("compressor." + name,
                       std::string("must be a bool, not ") + param_type_name(it->second));
}

codec_config default_compressor() {
    return blosc_compressor("lz4", 5, 1, 0);
}

codec_config blosc_compressor(std::string cname, int clevel, int shuffle, int blocksize) {
    return codec_config{"blosc",
                        {{"cname", std::move(cname)},
                         {"clevel", std::int64_t{clevel}},
                         {"shuffle", std::int64_t{shuffle}},
                         {"blocksize", std::int64_t{blocksize}}}};
}
codec_config zlib_compressor(int level) {
    return {"zlib", {{"level", std::int64_t{level}}}};
}
codec_config gzip_compressor(int level) {
    return {"gzip", {{"level", std::int64_t{level}}}};
}
codec_config zstd_compressor(int level) {
    return {"zstd", {{"level", std::int64_t{level}}}};
}

// --- fill values ------------------------------------------------------------------------------

fill_value default_fill_value(data_type t) noexcept {
    if (t == data_type::boolean)
        return false;
    if (t == data_type::float32 || t == data_type::float64)
        return 0.0;
    return std::int64_t{0};
}

namespace {

bool is_float(data_type t) {
    return t == data_type::float32 || t == data_type::float64;
}
bool is_signed(data_type t) {
    return t == data_type::int8 || t == data_type::int16 || t == data_type::int32 ||
           t == data_type::int64;
}

// Range of an integer type as [lo, hi] in a wide signed/unsigned pair.
struct int_range {
    std::int64_t lo;
    std::uint64_t hi;
};
int_range range_of(data_type t) {
    switch (t) {
        case data_type::int8:
            return {INT8_MIN, INT8_MAX};
        case data_type::int16:
            return {INT16_MIN, INT16_MAX};
        case data_type::int32:
            return {INT32_MIN, INT32_MAX};
        case data_type::int64:
            return {INT64_MIN, INT64_MAX};
        case data_type::uint8:
            return {0, UINT8_MAX};
        case data_type::uint16:
            return {0, UINT16_MAX};
        case data_type::uint32:
            return {0, UINT32_MAX};
        default:
            return {0, UINT64_MAX};
    }
}

// The fill as an integer of type `t`; nullopt if it does not fit or is not integral. The result
// is the two's complement bit pattern, ready to be truncated to the type's width.
std::optional<std::uint64_t> fill_as_integer_bits(const fill_value& v, data_type t) {
    auto r = range_of(t);
    if (std::holds_alternative<std::monostate>(v))
        return 0;
    if (auto* b = std::get_if<bool>(&v))
        return *b ? 1 : 0;
    if (auto* i = std::get_if<std::int64_t>(&v)) {
        if (*i < r.lo || (*i > 0 && static_cast<std::uint64_t>(*i) > r.hi))
            return std::nullopt;
        return static_cast<std::uint64_t>(*i);
    }
    if (auto* u = std::get_if<std::uint64_t>(&v)) {
        if (*u > r.hi)
            return std::nullopt;
        return *u;
    }
    double d = std::get<double>(v);
    if (!std::isfinite(d) || std::trunc(d) != d)
        return std::nullopt;
    // 2^63 and 2^64 are exact doubles; compare in double to avoid UB on conversion.
    if (d < static_cast<double>(r.lo) || d >= 18446744073709551616.0)
        return std::nullopt;
    if (d < 0)
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(d));
    auto u = static_cast<std::uint64_t>(d);
    if (u > r.hi)
        return std::nullopt;
    return u;
}

std::optional<double> fill_as_double(const fill_value& v) {
    if (std::holds_alternative<std::monostate>(v))
        return 0.0;
    if (auto* i = std::get_if<std::int64_t>(&v))
        return static_cast<double>(*i);
    if (auto* u = std::get_if<std::uint64_t>(&v))
        return static_cast<double>(*u);
    if (auto* d = std::get_if<double>(&v))
        return *d;
    return std::nullopt;  // a bool fill for a float array is a mistake, not a number
}

std::string describe_fill(const fill_value& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>)
                return "null";
            else if constexpr (std::is_same_v<T, bool>)
                return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, double>)
                return std::isnan(x)   ? "NaN"
                       : std::isinf(x) ? (x > 0 ? "Infinity" : "-Infinity")
                                       : detail::python_float_repr(x);
            else
                return std::to_string(x);
        },
        v);
}

bool fill_fits(const fill_value& v, data_type t) {
    if (std::holds_alternative<std::monostate>(v))
        return true;
    if (t == data_type::boolean) {
        if (std::holds_alternative<bool>(v))
            return true;
        auto bits = fill_as_integer_bits(v, data_type::uint8);
        return bits && *bits <= 1;
    }
    if (is_float(t))
        return fill_as_double(v).has_value();
    if (std::holds_alternative<bool>(v))
        return false;
    return fill_as_integer_bits(v, t).has_value();
}

}  // namespace

void fill_value_bytes(const fill_value& v, data_type t, std::byte* out) {
    if (!fill_fits(v, t))
        throw format_error("zarr fill_value " + describe_fill(v) + " does not fit dtype " +
                           dtype{t, byte_order::little}.str());
    if (t == data_type::boolean) {
        bool b = std::holds_alternative<bool>(v) ? std::get<bool>(v)
                                                 : fill_as_integer_bits(v, data_type::uint8) == 1u;
        *out = static_cast<std::byte>(b ? 1 : 0);
    } else if (t == data_type::float32) {
        float f = static_cast<float>(*fill_as_double(v));
        std::memcpy(out, &f, sizeof f);
    } else if (t == data_type::float64) {
        double d = *fill_as_double(v);
        std::memcpy(out, &d, sizeof d);
    } else {
        std::uint64_t bits = *fill_as_integer_bits(v, t);
        std::size_t size = dtype{t, byte_order::little}.itemsize();
        // Truncate the 64-bit two's complement pattern to the type's width in native order.
        switch (size) {
            case 1: {
                auto x = static_cast<std::uint8_t>(bits);
                std::memcpy(out, &x, 1);
                break;
            }
            case 2: {
                auto x = static_cast<std::uint16_t>(bits);
                std::memcpy(out, &x, 2);
                break;
            }
            case 4: {
                auto x = static_cast<std::uint32_t>(bits);
                std::memcpy(out, &x, 4);
                break;
            }
            default:
                std::memcpy(out, &bits, 8);
        }
    }
}

// --- validation -------------------------------------------------------------------------------

void validate(const array_metadata& m, std::string_view context) {
    auto fail = [&](const std::string& what) {
        throw format_error(std::string(context) + ": " + what);
    };
    if (m.chunks.size() != m.shape.size())
        fail("'chunks' has " + std::to_string(m.chunks.size()) + " dimensions but 'shape' has " +
             std::to_string(m.shape.size()));
    // A chunk is held in memory whole, so its byte size must fit a size_t (and a signed
    // ptrdiff_t, which is what spans and strings index with).
    std::uint64_t bytes = m.dtype.itemsize();
    constexpr std::uint64_t limit = static_cast<std::uint64_t>(PTRDIFF_MAX);
    for (std::size_t i = 0; i < m.chunks.size(); ++i) {
        if (m.chunks[i] == 0)
            fail("'chunks[" + std::to_string(i) + "]' is 0");
        if (m.chunks[i] > limit / bytes)
            fail("'chunks' describe a chunk too large for memory");
        bytes *= m.chunks[i];
    }
    if (!fill_fits(m.fill_value, m.dtype.type))
        fail("'fill_value' " + describe_fill(m.fill_value) + " does not fit dtype " +
             m.dtype.str());
    if (m.dimension_separator != '.' && m.dimension_separator != '/')
        fail(std::string("'dimension_separator' must be '.' or '/', not '") +
             m.dimension_separator + "'");
    if (m.compressor && m.compressor->id.empty())
        fail("'compressor.id' is empty");
}

// --- writing ----------------------------------------------------------------------------------

namespace {

py_json shape_json(const shape_type& s) {
    py_json_list l;
    for (auto x : s)
        l.emplace_back().v = x;
    return py_json{std::move(l)};
}

py_json param_json(const codec_param& p) {
    return std::visit([](const auto& x) { return py_json{x}; }, p);
}

// The fill as the alternative `fill_json` writes and parsing reads back, so that
// parse(to_json(parse(text))) == parse(text): `0.0` for an integer dtype becomes the integer 0
// (zarr-python does the same: it casts the fill to the dtype). Assumes `fill_fits`.
fill_value canonical_fill(const fill_value& v, data_type t) {
    if (std::holds_alternative<std::monostate>(v))
        return v;
    if (t == data_type::boolean) {
        std::byte b;
        fill_value_bytes(v, t, &b);
        return b != std::byte{0};
    }
    if (is_float(t)) {
        const double d = *fill_as_double(v);
        return t == data_type::float32 ? static_cast<double>(static_cast<float>(d)) : d;
    }
    const std::uint64_t bits = *fill_as_integer_bits(v, t);
    if (is_signed(t) || bits <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(bits);
    return bits;
}

// zarr-python's encode_fill_value: NaN/±inf as strings, floats as floats, ints as ints.
py_json fill_json(const fill_value& v, data_type t) {
    if (std::holds_alternative<std::monostate>(v))
        return py_json{};
    if (t == data_type::boolean) {
        std::byte b;
        fill_value_bytes(v, t, &b);
        return py_json{b != std::byte{0}};
    }
    if (is_float(t)) {
        double d = *fill_as_double(v);
        if (t == data_type::float32)
            d = static_cast<float>(d);
        if (std::isnan(d))
            return py_json{std::string("NaN")};
        if (std::isinf(d))
            return py_json{std::string(d > 0 ? "Infinity" : "-Infinity")};
        return py_json{d};
    }
    std::uint64_t bits = *fill_as_integer_bits(v, t);
    if (is_signed(t)) {
        // Sign-extend from the type's width is unnecessary: bits holds the 64-bit pattern.
        return py_json{static_cast<std::int64_t>(bits)};
    }
    return py_json{bits};
}

}  // namespace

std::string to_json(const array_metadata& m) {
    validate(m);
    py_json_object o;
    o.emplace_back("chunks", shape_json(m.chunks));
    if (m.compressor) {
        py_json_object c;
        c.emplace_back("id", py_json{m.compressor->id});
        for (const auto& [k, v] : m.compressor->params)
            c.emplace_back(k, param_json(v));
        o.emplace_back("compressor", py_json{std::move(c)});
    } else {
        o.emplace_back("compressor", py_json{});
    }
    o.emplace_back("dimension_separator", py_json{std::string(1, m.dimension_separator)});
    o.emplace_back("dtype", py_json{m.dtype.str()});
    o.emplace_back("fill_value", fill_json(m.fill_value, m.dtype.type));
    o.emplace_back("filters", py_json{});
    o.emplace_back("order", py_json{std::string("C")});
    o.emplace_back("shape", shape_json(m.shape));
    o.emplace_back("zarr_format", py_json{std::int64_t{2}});
    return detail::python_json_dumps(py_json{std::move(o)});
}

std::string zgroup_json() {
    py_json_object o;
    o.emplace_back("zarr_format", py_json{std::int64_t{2}});
    return detail::python_json_dumps(py_json{std::move(o)});
}

// --- reading ----------------------------------------------------------------------------------

namespace {

class reader {
  public:
    reader(std::string_view what, std::string_view key) : what_(what), key_(key) {}

    [[noreturn]] void corrupt(const std::string& detail) const {
        throw format_error("corrupt " + what_ + " at " + key_ + ": " + detail);
    }
    [[noreturn]] void unsupported(const std::string& detail) const {
        throw format_error("unsupported " + what_ + " at " + key_ + ": " + detail);
    }

    const json::object& parse_object(std::string_view text) {
        boost::system::error_code ec;
        doc_ = detail::parse_exact_json(text, ec);
        if (ec)
            corrupt("not valid JSON (" + ec.message() + ")");
        if (!doc_.is_object())
            corrupt("not a JSON object");
        return doc_.get_object();
    }

    const json::value& require(const json::object& o, const char* name) const {
        auto* v = o.if_contains(name);
        if (!v)
            corrupt(std::string("missing '") + name + "'");
        return *v;
    }

    void check_format(const json::object& o) const {
        const auto& v = require(o, "zarr_format");
        if (!v.is_int64() && !v.is_uint64())
            corrupt("'zarr_format' is not an integer");
        if (!(v.is_int64() ? v.get_int64() == 2 : v.get_uint64() == 2))
            unsupported("'zarr_format' is " + json::serialize(v) + " (only 2 is supported)");
    }

    shape_type shape(const json::object& o, const char* name) const {
        const auto& v = require(o, name);
        if (!v.is_array())
            corrupt(std::string("'") + name + "' is not a list");
        shape_type out;
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto& x = a[i];
            if (x.is_int64() && x.get_int64() >= 0)
                out.push_back(static_cast<std::uint64_t>(x.get_int64()));
            else if (x.is_uint64())
                out.push_back(x.get_uint64());
            else
                corrupt(std::string("'") + name + "[" + std::to_string(i) +
                        "]' is not a non-negative integer");
        }
        return out;
    }

    std::string string_field(const json::object& o, const char* name) const {
        const auto& v = require(o, name);
        if (!v.is_string())
            corrupt(std::string("'") + name + "' is not a string");
        return std::string(v.get_string());
    }

    codec_config compressor(const json::object& c) const {
        codec_config out;
        auto* id = c.if_contains("id");
        if (!id)
            corrupt("missing 'compressor.id'");
        if (!id->is_string() || id->get_string().empty())
            corrupt("'compressor.id' is not a non-empty string");
        out.id = std::string(id->get_string());
        for (const auto& kv : c) {
            if (kv.key() == "id")
                continue;
            std::string name(kv.key());
            const auto& v = kv.value();
            if (v.is_null())
                out.params[name] = std::monostate{};
            else if (v.is_bool())
                out.params[name] = v.get_bool();
            else if (v.is_int64())
                out.params[name] = v.get_int64();
            else if (v.is_double())
                out.params[name] = v.get_double();
            else if (v.is_string())
                out.params[name] = std::string(v.get_string());
            else
                unsupported("'compressor." + name + "' is " + json::serialize(v) +
                            " (only scalar codec parameters are supported)");
        }
        return out;
    }

    fill_value fill(const json::value& v, const dtype& dt) const {
        if (v.is_null())
            return std::monostate{};
        if (v.is_bool())
            return v.get_bool();
        if (v.is_int64())
            return v.get_int64();
        if (v.is_uint64())
            return v.get_uint64();
        if (v.is_double())
            return v.get_double();
        if (v.is_string() && is_float(dt.type)) {
            auto s = v.get_string();
            if (s == "NaN")
                return std::numeric_limits<double>::quiet_NaN();
            if (s == "Infinity")
                return std::numeric_limits<double>::infinity();
            if (s == "-Infinity")
                return -std::numeric_limits<double>::infinity();
        }
        corrupt("'fill_value' " + json::serialize(v) + " is not valid for dtype " + dt.str());
    }

  private:
    std::string what_, key_;
    json::value doc_;
};

}  // namespace

array_metadata parse_zarray(std::string_view text, std::string_view key) {
    reader r(".zarray", key);
    const auto& o = r.parse_object(text);
    r.check_format(o);
    array_metadata m;
    m.shape = r.shape(o, "shape");
    m.chunks = r.shape(o, "chunks");
    std::string dt = r.string_field(o, "dtype");
    if (!parse_dtype(dt, m.dtype))
        r.unsupported("'dtype' \"" + dt +
                      "\" (supported: bool, int8..int64, uint8..uint64, float32, float64)");

    const auto& comp = r.require(o, "compressor");
    if (comp.is_null())
        m.compressor.reset();
    else if (comp.is_object())
        m.compressor = r.compressor(comp.get_object());
    else
        r.corrupt("'compressor' is neither null nor an object");

    m.fill_value = r.fill(r.require(o, "fill_value"), m.dtype);

    std::string order = r.string_field(o, "order");
    if (order == "F")
        r.unsupported("'order' \"F\" (only \"C\" is supported)");
    else if (order != "C")
        r.corrupt("'order' \"" + order + "\" is neither \"C\" nor \"F\"");

    const auto& filters = r.require(o, "filters");
    if (filters.is_array() && !filters.get_array().empty()) {
        std::string ids;
        for (const auto& f : filters.get_array()) {
            const json::value* id = f.is_object() ? f.get_object().if_contains("id") : nullptr;
            if (!ids.empty())
                ids += ", ";
            ids += id && id->is_string() ? std::string(id->get_string()) : json::serialize(f);
        }
        r.unsupported("'filters' [" + ids + "] (only null is supported)");
    } else if (!filters.is_null() && !filters.is_array()) {
        r.corrupt("'filters' is neither null nor a list");
    }

    if (auto* sep = o.if_contains("dimension_separator")) {
        if (!sep->is_null()) {
            if (!sep->is_string() || (sep->get_string() != "." && sep->get_string() != "/"))
                r.corrupt("'dimension_separator' " + json::serialize(*sep) +
                          " is neither \".\" nor \"/\"");
            m.dimension_separator = sep->get_string()[0];
        }
    }
    validate(m, "corrupt .zarray at " + std::string(key));
    m.fill_value = canonical_fill(m.fill_value, m.dtype.type);
    return m;
}

void parse_zgroup(std::string_view text, std::string_view key) {
    reader r(".zgroup", key);
    r.check_format(r.parse_object(text));
}

}  // namespace functionfuse::zarr
