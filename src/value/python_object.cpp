// `python_object`: names, repr and hash of the standard-library objects a value may hold.

#include <bit>
#include <functional>

#include <fmt/format.h>

#include "functionfuse/python_object.hpp"

namespace functionfuse {

// A value is as large as its largest alternative (std::string); the objects live behind a
// shared pointer so that holding them does not make every value larger.
static_assert(sizeof(python_object) <= sizeof(std::string));

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::size_t mix(std::size_t h, std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(x ^ (x >> 31));
}

std::string repr_tz(const std::optional<py::timezone>& tz) {
    if (!tz)
        return {};
    if (tz->offset_us == 0 && !tz->name)
        return ", tzinfo=datetime.timezone.utc";
    std::string r = fmt::format(", tzinfo=datetime.timezone(datetime.timedelta(microseconds={})",
                                tz->offset_us);
    if (tz->name)
        r += fmt::format(", '{}'", *tz->name);
    return r + ")";
}

/// Python leaves out trailing zero fields of a time: (h, m), (h, m, s) or (h, m, s, us).
std::string repr_clock(unsigned h, unsigned m, unsigned s, unsigned us) {
    std::string r = fmt::format("{}, {}", h, m);
    if (s || us)
        r += fmt::format(", {}", s);
    if (us)
        r += fmt::format(", {}", us);
    return r;
}

}  // namespace

std::string_view python_object::type_name() const noexcept {
    return std::visit(
        overloaded{
            [](const py::date&) { return std::string_view("datetime.date"); },
            [](const py::time&) { return std::string_view("datetime.time"); },
            [](const py::datetime&) { return std::string_view("datetime.datetime"); },
            [](const py::timedelta&) { return std::string_view("datetime.timedelta"); },
            [](const std::complex<double>&) { return std::string_view("complex"); },
            [](const py::decimal&) { return std::string_view("decimal.Decimal"); },
        },
        *s_);
}

std::string python_object::repr() const {
    return std::visit(
        overloaded{
            [](const py::date& d) {
                return fmt::format("datetime.date({}, {}, {})", d.year, d.month, d.day);
            },
            [](const py::time& t) {
                return fmt::format("datetime.time({}{}{})",
                                   repr_clock(t.hour, t.minute, t.second, t.microsecond),
                                   repr_tz(t.tz), t.fold ? ", fold=1" : "");
            },
            [](const py::datetime& d) {
                return fmt::format("datetime.datetime({}, {}, {}, {}{}{})", d.year, d.month, d.day,
                                   repr_clock(d.hour, d.minute, d.second, d.microsecond),
                                   repr_tz(d.tz), d.fold ? ", fold=1" : "");
            },
            [](const py::timedelta& t) {
                return fmt::format("datetime.timedelta(days={}, seconds={}, microseconds={})",
                                   t.days, t.seconds, t.microseconds);
            },
            [](const std::complex<double>& c) {
                return fmt::format("({}{:+}j)", c.real(), c.imag());
            },
            [](const py::decimal& d) { return fmt::format("Decimal('{}')", d.text); },
        },
        *s_);
}

std::size_t python_object::hash() const noexcept {
    // Only the fields equality looks at (not fold, not a timezone's name).
    const auto tz = [](const std::optional<py::timezone>& z) -> std::uint64_t {
        return z ? static_cast<std::uint64_t>(z->offset_us) ^ 0x5A5A5A5A5A5A5A5Aull : 1;
    };
    std::size_t h = s_->index();
    std::visit(overloaded{
                   [&](const py::date& d) {
                       h = mix(h, static_cast<std::uint64_t>(d.year) << 16 | d.month << 8 | d.day);
                   },
                   [&](const py::time& t) {
                       h = mix(h, static_cast<std::uint64_t>(t.hour) << 48 |
                                      static_cast<std::uint64_t>(t.minute) << 40 |
                                      static_cast<std::uint64_t>(t.second) << 32 | t.microsecond);
                       h = mix(h, tz(t.tz));
                   },
                   [&](const py::datetime& d) {
                       h = mix(h, static_cast<std::uint64_t>(d.year) << 16 | d.month << 8 | d.day);
                       h = mix(h, static_cast<std::uint64_t>(d.hour) << 48 |
                                      static_cast<std::uint64_t>(d.minute) << 40 |
                                      static_cast<std::uint64_t>(d.second) << 32 | d.microsecond);
                       h = mix(h, tz(d.tz));
                   },
                   [&](const py::timedelta& t) {
                       // The fields, not total_microseconds(): that overflows int64 beyond
                       // ~106 million days, and the normalized form is unique anyway.
                       h = mix(h, static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.days))
                                          << 32 |
                                      static_cast<std::uint32_t>(t.seconds));
                       h = mix(h, static_cast<std::uint64_t>(t.microseconds));
                   },
                   [&](const std::complex<double>& c) {
                       // +0.0 == -0.0: hash both as +0.0
                       h = mix(h, std::bit_cast<std::uint64_t>(c.real() + 0.0));
                       h = mix(h, std::bit_cast<std::uint64_t>(c.imag() + 0.0));
                   },
                   [&](const py::decimal& d) { h = mix(h, std::hash<std::string>{}(d.text)); },
               },
               *s_);
    return h;
}

}  // namespace functionfuse
