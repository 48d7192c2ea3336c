// The standard library's reconstructors, recognized by shape (see objects.hpp). What CPython
// writes (protocols 2-5; in protocols 2-3 the state bytes come through _codecs.encode):
//
//   datetime.date(state4)                     datetime.timedelta(days, seconds, microseconds)
//   datetime.time(state6[, tz])               datetime.timezone(timedelta[, name])
//   datetime.datetime(state10[, tz])          builtins.complex(real, imag)
//   collections.OrderedDict() + SETITEMS      decimal.Decimal(str)
//
// where tz is a datetime.timezone (timezone.utc is timezone(timedelta(0))). Other tzinfo
// classes (zoneinfo, pytz) pickle through their own globals and stay forbidden. The state
// bytes are checked field by field (datetime_state.cpp).

#include <fmt/format.h>

#include "datetime_state.hpp"
#include "objects.hpp"

namespace functionfuse::pickle::objects {

namespace {

[[noreturn]] void refuse(std::string message) {
    throw refused(std::move(message));
}

[[noreturn]] void bad_args(callable c, const tuple& args) {
    std::string types;
    for (const value& a : args) {
        if (!types.empty())
            types += ", ";
        const auto* e = a.get_if<extension>();
        types +=
            e && e->get_if<timezone_object>() ? "datetime.timezone" : std::string(a.type_name());
    }
    refuse(fmt::format("REDUCE of {} with arguments ({}) CPython would not write", name(c), types));
}

const std::string* state_bytes(const value& v) {
    const auto* b = v.get_if<bytes>();
    return b ? &b->data : nullptr;
}

/// The optional second argument of datetime and time: a `datetime.timezone`.
std::optional<py::timezone> timezone_argument(callable c, const tuple& args) {
    if (args.size() == 1)
        return std::nullopt;
    const auto* e = args[1].get_if<extension>();
    const auto* z = e ? e->get_if<timezone_object>() : nullptr;
    if (!z)
        bad_args(c, args);
    return z->tz;
}

result call_timedelta(const tuple& args) {
    const auto c = callable::datetime_timedelta;
    if (args.size() != 3)
        bad_args(c, args);
    std::int64_t f[3];
    for (int i = 0; i < 3; ++i) {
        const auto* x = args[i].get_if<std::int64_t>();
        if (!x)
            bad_args(c, args);
        f[i] = *x;
    }
    if (f[0] < INT32_MIN || f[0] > INT32_MAX || f[1] < INT32_MIN || f[1] > INT32_MAX ||
        f[2] < INT32_MIN || f[2] > INT32_MAX)
        refuse(fmt::format("datetime.timedelta({}, {}, {}) is out of range", f[0], f[1], f[2]));
    py::timedelta t{static_cast<std::int32_t>(f[0]), static_cast<std::int32_t>(f[1]),
                    static_cast<std::int32_t>(f[2])};
    if (std::string why = validity(t); !why.empty())
        refuse("datetime.timedelta: " + why);
    return {value(python_object(t)), false};
}

result call_timezone(const tuple& args) {
    const auto c = callable::datetime_timezone;
    if (args.empty() || args.size() > 2)
        bad_args(c, args);
    const auto* o = args[0].get_if<python_object>();
    const auto* offset = o ? o->get_if<py::timedelta>() : nullptr;
    if (!offset)
        bad_args(c, args);
    // Python's own bound (strictly inside ±24 h), checked on the fields first: a timedelta of
    // up to 999999999 days has no total in int64 microseconds.
    if (offset->days < -1 || offset->days > 0)
        refuse("datetime.timezone: offset of " + std::to_string(offset->days) +
               " days is not strictly within 24 hours");
    py::timezone z{offset->total_microseconds(), std::nullopt};
    if (args.size() == 2) {
        const auto* n = args[1].get_if<std::string>();
        if (!n)
            bad_args(c, args);
        z.name = *n;
    }
    if (std::string why = validity(z); !why.empty())
        refuse("datetime.timezone: " + why);
    return {value(extension::make(timezone_object{std::move(z)})), true};
}

result call_datetime_kind(callable c, const tuple& args) {
    const std::size_t max_args = c == callable::datetime_date ? 1 : 2;
    if (args.empty() || args.size() > max_args)
        bad_args(c, args);
    const std::string* state = state_bytes(args[0]);
    if (!state)
        bad_args(c, args);
    switch (c) {
        case callable::datetime_date:
            return {value(python_object(decode_date(*state))), false};
        case callable::datetime_time: {
            py::time t = decode_time(*state);
            t.tz = timezone_argument(c, args);
            return {value(python_object(std::move(t))), false};
        }
        default: {
            py::datetime d = decode_datetime(*state);
            d.tz = timezone_argument(c, args);
            return {value(python_object(std::move(d))), false};
        }
    }
}

}  // namespace

std::optional<callable> find_stdlib_global(std::string_view module, std::string_view name) {
    if (module == "datetime") {
        if (name == "date")
            return callable::datetime_date;
        if (name == "time")
            return callable::datetime_time;
        if (name == "datetime")
            return callable::datetime_datetime;
        if (name == "timedelta")
            return callable::datetime_timedelta;
        if (name == "timezone")
            return callable::datetime_timezone;
        return std::nullopt;
    }
    if (module == "collections" && name == "OrderedDict")
        return callable::ordered_dict;
    if ((module == "builtins" || module == "__builtin__") && name == "complex")
        return callable::complex;
    if (module == "decimal" && name == "Decimal")
        return callable::decimal;
    return std::nullopt;
}

result call_stdlib(callable c, tuple& args) {
    switch (c) {
        case callable::datetime_date:
        case callable::datetime_time:
        case callable::datetime_datetime:
            return call_datetime_kind(c, args);
        case callable::datetime_timedelta:
            return call_timedelta(args);
        case callable::datetime_timezone:
            return call_timezone(args);
        case callable::ordered_dict: {
            if (!args.empty())
                bad_args(c, args);
            dict d;
            d.set_ordered_dict();
            return {value(std::move(d)), false};
        }
        case callable::complex: {
            if (args.size() != 2 || !args[0].is<double>() || !args[1].is<double>())
                bad_args(c, args);
            return {value(python_object(
                        std::complex<double>(args[0].get<double>(), args[1].get<double>()))),
                    false};
        }
        case callable::decimal: {
            const auto* text = args.size() == 1 ? args[0].get_if<std::string>() : nullptr;
            if (!text)
                bad_args(c, args);
            if (!valid_decimal_text(*text))
                refuse(fmt::format("decimal.Decimal of {}: not a decimal as Python writes one",
                                   args[0].repr().substr(0, 60)));
            return {value(python_object(py::decimal{std::move(*args[0].get_if<std::string>())})),
                    false};
        }
        default:
            break;
    }
    refuse(fmt::format("{} cannot be called here", name(c)));
}

}  // namespace functionfuse::pickle::objects
