// Rendering values for people (summary, repr) and for scripts (JSON).
#include "render.hpp"

#include <cmath>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <boost/json.hpp>

namespace ffuse {

namespace json = boost::json;

std::string human_size(std::uint64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        ++u;
    }
    return fmt::format("{:.1f} {}", v, units[u]);
}

std::string iso_time(std::chrono::system_clock::time_point t) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

std::string dims(const ff::chunked_array::shape_type& s, const char* open, const char* close) {
    std::string out = open;
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? "," : "") + std::to_string(s[i]);
    if (s.size() == 1 && std::string(open) == "(")
        out += ",";
    return out + close;
}

const ff::chunked_array* eager(const ff::value& v) {
    const auto* e = v.get_if<ff::extension>();
    return e ? e->get_if<ff::chunked_array>() : nullptr;
}
const ff::lazy_array* lazy(const ff::value& v) {
    const auto* e = v.get_if<ff::extension>();
    return e ? e->get_if<ff::lazy_array>() : nullptr;
}
std::optional<array_info> info_of(const ff::value& v) {
    if (const auto* a = eager(v))
        return array_info{a->type(), a->shape(), a->chunks()};
    if (const auto* a = lazy(v))
        return array_info{a->type(), a->shape(), a->chunks()};
    return std::nullopt;
}

const std::vector<ff::value>* sequence(const ff::value& v) {
    if (const auto* l = v.get_if<ff::list>())
        return l;
    if (const auto* t = v.get_if<ff::tuple>())
        return t;
    if (const auto* s = v.get_if<ff::set>())
        return s;
    if (const auto* f = v.get_if<ff::frozenset>())
        return f;
    return nullptr;
}

std::string type_name(const ff::value& v) {
    using k = ff::value::kind_t;
    switch (v.kind()) {
        case k::none:
            return "None";
        case k::boolean:
            return "bool";
        case k::integer:
            return "int";
        case k::floating:
            return "float";
        case k::str:
            return "str";
        case k::bytes:
            return "bytes";
        case k::list:
            return "list";
        case k::tuple:
            return "tuple";
        case k::dict:
            return "dict";
        case k::set:
            return "set";
        case k::frozenset:
            return "frozenset";
        case k::extension:
            if (auto a = info_of(v))
                return std::string(ff::dtype_name(a->type)) + dims(a->shape, "[", "]") + "/" +
                       dims(a->chunks, "[", "]");
            return "object";
        case k::big_integer:
            return "int";
        case k::ndarray: {
            // Like a chunked array without chunks (it is kept inline): `float64[2,3]`; a numpy
            // scalar by its numpy type: `numpy.float64`.
            const auto& a = v.get<ff::ndarray>();
            if (a.is_scalar())
                return std::string(a.python_type_name());
            return std::string(a.dtype_name()) + dims(a.shape(), "[", "]");
        }
        case k::python_object:
            return std::string(v.type_name());
    }
    return "?";
}

/// Whether `v` is shown with its value in a top-level summary (`int 7`, `datetime.date ...`).
bool is_scalar_like(const ff::value& v) {
    using k = ff::value::kind_t;
    switch (v.kind()) {
        case k::none:
        case k::boolean:
        case k::integer:
        case k::floating:
        case k::str:
        case k::big_integer:
        case k::python_object:
            return true;
        case k::ndarray:
            return v.get<ff::ndarray>().is_scalar();
        default:
            return false;
    }
}

std::string short_summary(const ff::value& v, int depth) {
    if (const auto* d = v.get_if<ff::dict>()) {
        if (depth > 1)
            return fmt::format("dict({})", d->size());
        std::string out = "dict{";
        bool first = true;
        for (const auto& [key, x] : d->items()) {
            out += (first ? "" : ", ");
            first = false;
            out += (key.is<std::string>() ? key.get<std::string>() : key.repr()) + ": " +
                   short_summary(x, depth + 1);
        }
        return out + "}";
    }
    if (const auto* s = sequence(v)) {
        std::string out = type_name(v) + "(" + std::to_string(s->size()) + ")";
        return out;
    }
    if (is_scalar_like(v)) {
        if (depth == 0)
            return type_name(v) + " " + v.repr();
        return type_name(v);
    }
    if (v.kind() == ff::value::kind_t::bytes)
        return fmt::format("bytes({})", v.get<ff::bytes>().data.size());
    return type_name(v);
}

std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned n =
            (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned n = (unsigned char)in[i] << 16;
        out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned n = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
    }
    return out;
}

json::value float_json(double d) {
    if (std::isnan(d))
        return "NaN";
    if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    return d;
}

/// Element `i` of an array as JSON.
json::value element_json(const ff::chunked_array& a, std::size_t i) {
    const std::byte* p = a.data() + i * a.itemsize();
    auto load = [&](auto x) {
        std::memcpy(&x, p, sizeof x);
        return x;
    };
    switch (a.type()) {
        case ff::dtype::bool_:
            return load(bool{});
        case ff::dtype::int8:
            return load(std::int8_t{});
        case ff::dtype::int16:
            return load(std::int16_t{});
        case ff::dtype::int32:
            return load(std::int32_t{});
        case ff::dtype::int64:
            return load(std::int64_t{});
        case ff::dtype::uint8:
            return load(std::uint8_t{});
        case ff::dtype::uint16:
            return load(std::uint16_t{});
        case ff::dtype::uint32:
            return load(std::uint32_t{});
        case ff::dtype::uint64:
            return load(std::uint64_t{});
        case ff::dtype::float32:
            return float_json(load(float{}));
        case ff::dtype::float64:
            return float_json(load(double{}));
    }
    return nullptr;
}

/// The array's elements as nested lists (row-major), from dimension `d` at element `at`.
json::value nested(const ff::chunked_array& a, std::size_t d, std::size_t at) {
    if (a.shape().empty())
        return element_json(a, 0);
    std::size_t stride = 1;
    for (std::size_t k = d + 1; k < a.shape().size(); ++k)
        stride *= a.shape()[k];
    json::array out;
    for (std::size_t i = 0; i < a.shape()[d]; ++i)
        out.push_back(d + 1 == a.shape().size() ? element_json(a, at + i)
                                                : nested(a, d + 1, at + i * stride));
    return out;
}

json::array shape_json(const ff::chunked_array::shape_type& s) {
    json::array out;
    for (auto x : s)
        out.push_back(x);
    return out;
}

std::string element_repr(const json::value& j) {
    if (j.is_string()) {
        const auto& s = j.as_string();
        return s == "NaN" ? "nan" : s == "Infinity" ? "inf" : "-inf";
    }
    if (j.is_bool())
        return j.as_bool() ? "True" : "False";
    if (j.is_double())
        return ff::value(j.as_double()).repr();
    return json::serialize(j);
}

std::string nested_repr(const json::value& j) {
    if (!j.is_array())
        return element_repr(j);
    std::string out = "[";
    bool first = true;
    for (const auto& x : j.as_array()) {
        out += (first ? "" : ", ") + nested_repr(x);
        first = false;
    }
    return out + "]";
}

/// Element `i` (storage order) of a bool or integer ndarray, exactly (element_as_double would
/// round 64-bit integers).
json::value ndarray_integer(const ff::ndarray& a, std::size_t i) {
    const std::size_t n = a.itemsize();
    const auto* p = reinterpret_cast<const unsigned char*>(a.data().data()) + i * n;
    std::uint64_t u = 0;
    for (std::size_t b = 0; b < n; ++b)
        u |= std::uint64_t{p[a.big_endian() ? n - 1 - b : b]} << (8 * b);
    if (a.kind() == 'b')
        return u != 0;
    if (a.kind() == 'u')
        return u;
    if (n < 8 && (u >> (8 * n - 1)) & 1)  // sign-extend
        u |= ~std::uint64_t{0} << (8 * n);
    return static_cast<std::int64_t>(u);
}

/// An inline numpy array or scalar: a scalar as its value (complex as `{"$object": repr}`),
/// an array summarized like a chunked one (`{"$ndarray": {"dtype", "shape"}}`).
json::value ndarray_json(const ff::ndarray& a) {
    if (a.is_scalar()) {
        switch (a.kind()) {
            case 'b':
            case 'i':
            case 'u':
                return ndarray_integer(a, 0);
            case 'f':
                return float_json(a.element_as_double(0));
            default:
                return json::object{{"$object", ff::value(a).repr()}};
        }
    }
    json::array shape;
    for (auto x : a.shape())
        shape.push_back(x);
    return json::object{
        {"$ndarray", json::object{{"dtype", std::string(a.dtype_name())}, {"shape", shape}}}};
}

}  // namespace

std::string summary(const ff::value& v, std::size_t width) {
    std::string s = short_summary(v, 0);
    if (s.size() > width)
        s = s.substr(0, width - 3) + "...";
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    return s;
}

json::value to_json(const ff::value& v, bool array_data) {
    using k = ff::value::kind_t;
    switch (v.kind()) {
        case k::none:
            return nullptr;
        case k::boolean:
            return v.get<bool>();
        case k::integer:
            return v.get<std::int64_t>();
        case k::floating:
            return float_json(v.get<double>());
        case k::str:
            return json::string(v.get<std::string>());
        case k::bytes:
            return json::object{{"$bytes", base64(v.get<ff::bytes>().data)}};
        case k::list:
        case k::tuple:
        case k::set:
        case k::frozenset: {
            json::array out;
            for (const auto& x : *sequence(v))
                out.push_back(to_json(x, array_data));
            return out;
        }
        case k::dict: {
            const auto& d = v.get<ff::dict>();
            bool string_keys = true;
            for (const auto& [key, x] : d.items())
                string_keys = string_keys && key.is<std::string>();
            if (string_keys) {
                json::object out;
                for (const auto& [key, x] : d.items())
                    out[key.get<std::string>()] = to_json(x, array_data);
                return out;
            }
            json::array pairs;
            for (const auto& [key, x] : d.items())
                pairs.push_back(json::array{to_json(key, array_data), to_json(x, array_data)});
            return pairs;
        }
        case k::extension: {
            auto a = info_of(v);
            if (!a)
                return json::object{{"$object", v.repr()}};
            json::object meta{{"dtype", std::string(ff::dtype_name(a->type))},
                              {"shape", shape_json(a->shape)},
                              {"chunks", shape_json(a->chunks)}};
            if (array_data)
                if (const auto* e = eager(v))
                    meta["data"] = nested(*e, 0, 0);
            return json::object{{"$array", meta}};
        }
        case k::big_integer: {
            // Beyond 64 bits: a JSON number would lose digits in most readers, so its exact
            // decimal text.
            const auto& b = v.get<ff::big_int>();
            if (b.fits_int64())
                return b.to_int64();
            return json::object{{"$int", b.to_string()}};
        }
        case k::ndarray:
            return ndarray_json(v.get<ff::ndarray>());
        case k::python_object:
            // datetime, date, time, timedelta, complex, Decimal: Python's repr, which names
            // the type and keeps every field exactly.
            return json::object{{"$object", v.repr()}};
    }
    return nullptr;
}

std::string to_repr(const ff::value& v, bool array_data) {
    if (const auto* d = v.get_if<ff::dict>()) {
        std::string out = "{";
        bool first = true;
        for (const auto& [key, x] : d->items()) {
            out += (first ? "" : ", ") + to_repr(key, array_data) + ": " + to_repr(x, array_data);
            first = false;
        }
        return out + "}";
    }
    if (const auto* s = sequence(v)) {
        std::string out;
        for (std::size_t i = 0; i < s->size(); ++i)
            out += (i ? ", " : "") + to_repr((*s)[i], array_data);
        if (v.is<ff::list>())
            return "[" + out + "]";
        if (v.is<ff::tuple>())
            return "(" + out + (s->size() == 1 ? ",)" : ")");
        if (v.is<ff::set>())
            return s->empty() ? "set()" : "{" + out + "}";
        return s->empty() ? "frozenset()" : "frozenset({" + out + "})";
    }
    if (auto a = info_of(v)) {
        const std::string dt(ff::dtype_name(a->type));
        if (array_data)
            if (const auto* e = eager(v))
                return "array(" + nested_repr(nested(*e, 0, 0)) + ", dtype=" + dt + ")";
        return "array(dtype=" + dt + ", shape=" + dims(a->shape, "(", ")") +
               ", chunks=" + dims(a->chunks, "(", ")") + ")";
    }
    return v.repr();
}

boost::asio::awaitable<void> read_arrays(ff::value& v, const region_spec* region) {
    if (const auto* l = lazy(v)) {
        ff::chunked_array a;
        if (region) {
            ff::array_region r = resolve_region(*region, l->shape());
            a = co_await l->read(std::move(r));  // GCC 12 coroutine rule, CONTRIBUTING.md
        } else {
            a = co_await l->read();
        }
        v = ff::value(ff::extension::make(std::move(a)));
        co_return;
    }
    if (auto* d = v.get_if<ff::dict>()) {
        for (const auto& item : d->items())
            co_await read_arrays(*d->find(item.first), region);
        co_return;
    }
    std::vector<ff::value>* s = nullptr;
    if (auto* l = v.get_if<ff::list>())
        s = l;
    else if (auto* t = v.get_if<ff::tuple>())
        s = t;
    if (s)
        for (auto& x : *s)
            co_await read_arrays(x, region);
}

std::vector<array_info> arrays_in(const ff::value& v) {
    std::vector<array_info> out;
    if (auto a = info_of(v)) {
        out.push_back(*a);
    } else if (const auto* d = v.get_if<ff::dict>()) {
        for (const auto& [key, x] : d->items())
            for (auto& a : arrays_in(x))
                out.push_back(std::move(a));
    } else if (const auto* s = sequence(v)) {
        for (const auto& x : *s)
            for (auto& a : arrays_in(x))
                out.push_back(std::move(a));
    }
    return out;
}

}  // namespace ffuse
