// datetime states: see datetime_state.hpp.

#include "datetime_state.hpp"

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "objects.hpp"

namespace functionfuse::pickle::objects {

namespace {

constexpr std::int64_t us_per_day = 86400LL * 1000000;

bool leap(int y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) noexcept {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

std::string date_validity(int y, int m, int d) {
    if (y < 1 || y > 9999)
        return fmt::format("year {} is out of range 1-9999", y);
    if (m < 1 || m > 12)
        return fmt::format("month {} is out of range 1-12", m);
    if (d < 1 || d > days_in_month(y, m))
        return fmt::format("day {} is out of range for {}-{:02}", d, y, m);
    return {};
}

std::string clock_validity(unsigned h, unsigned m, unsigned s, std::uint32_t us) {
    if (h > 23)
        return fmt::format("hour {} is out of range 0-23", h);
    if (m > 59)
        return fmt::format("minute {} is out of range 0-59", m);
    if (s > 59)
        return fmt::format("second {} is out of range 0-59", s);
    if (us > 999999)
        return fmt::format("microsecond {} is out of range 0-999999", us);
    return {};
}

std::string tz_validity(const std::optional<py::timezone>& z) {
    return z ? validity(*z) : std::string();
}

unsigned u8(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]);
}

std::uint32_t micro(std::string_view s, std::size_t i) noexcept {
    return u8(s, i) << 16 | u8(s, i + 1) << 8 | u8(s, i + 2);
}

void check_length(std::string_view who, std::string_view state, std::size_t n) {
    if (state.size() != n)
        throw refused(
            fmt::format("{} with a state of {} bytes (CPython writes {})", who, state.size(), n));
}

template <class T>
T checked(std::string_view who, T x) {
    if (std::string why = validity(x); !why.empty())
        throw refused(fmt::format("{}: {}", who, why));
    return x;
}

template <class T>
void check_writable(std::string_view who, const T& x) {
    if (std::string why = validity(x); !why.empty())
        throw type_error(fmt::format("cannot pickle {}: {}", who, why));
}

void put_micro(std::string& out, std::uint32_t us) {
    out += static_cast<char>(us >> 16);
    out += static_cast<char>(us >> 8 & 0xFF);
    out += static_cast<char>(us & 0xFF);
}

}  // namespace

std::string validity(const py::date& d) {
    return date_validity(d.year, d.month, d.day);
}

std::string validity(const py::time& t) {
    std::string why = clock_validity(t.hour, t.minute, t.second, t.microsecond);
    return why.empty() ? tz_validity(t.tz) : why;
}

std::string validity(const py::datetime& d) {
    std::string why = date_validity(d.year, d.month, d.day);
    if (why.empty())
        why = clock_validity(d.hour, d.minute, d.second, d.microsecond);
    return why.empty() ? tz_validity(d.tz) : why;
}

std::string validity(const py::timedelta& t) {
    if (t.days < -999999999 || t.days > 999999999)
        return fmt::format("days {} is out of range +-999999999", t.days);
    if (t.seconds < 0 || t.seconds >= 86400)
        return fmt::format("seconds {} is not normalized (0-86399)", t.seconds);
    if (t.microseconds < 0 || t.microseconds > 999999)
        return fmt::format("microseconds {} is not normalized (0-999999)", t.microseconds);
    return {};
}

std::string validity(const py::timezone& z) {
    if (z.offset_us <= -us_per_day || z.offset_us >= us_per_day)
        return fmt::format("timezone offset of {} microseconds is not strictly within 24 hours",
                           z.offset_us);
    return {};
}

bool valid_decimal_text(std::string_view s) {
    if (!s.empty() && s[0] == '-')
        s.remove_prefix(1);
    const auto digits = [](std::string_view t) {
        for (char c : t)
            if (c < '0' || c > '9')
                return false;
        return true;
    };
    if (s == "Infinity")
        return true;
    if (s.starts_with("NaN"))
        return digits(s.substr(3));
    if (s.starts_with("sNaN"))
        return digits(s.substr(4));
    const std::size_t e = s.find('E');
    std::string_view mantissa = s.substr(0, e);
    if (e != std::string_view::npos) {
        std::string_view exponent = s.substr(e + 1);
        if (exponent.size() < 2 || (exponent[0] != '+' && exponent[0] != '-') ||
            !digits(exponent.substr(1)))
            return false;
    }
    const std::size_t dot = mantissa.find('.');
    std::string_view whole = mantissa.substr(0, dot);
    if (whole.empty() || !digits(whole))
        return false;
    if (dot == std::string_view::npos)
        return true;
    std::string_view fraction = mantissa.substr(dot + 1);
    return !fraction.empty() && digits(fraction);
}

py::date decode_date(std::string_view s) {
    check_length("datetime.date", s, 4);
    return checked("datetime.date", py::date{static_cast<std::int32_t>(u8(s, 0) << 8 | u8(s, 1)),
                                             static_cast<std::uint8_t>(u8(s, 2)),
                                             static_cast<std::uint8_t>(u8(s, 3))});
}

py::time decode_time(std::string_view s) {
    check_length("datetime.time", s, 6);
    py::time t;
    t.hour = static_cast<std::uint8_t>(u8(s, 0) & 0x7F);
    t.fold = (u8(s, 0) & 0x80) != 0;
    t.minute = static_cast<std::uint8_t>(u8(s, 1));
    t.second = static_cast<std::uint8_t>(u8(s, 2));
    t.microsecond = micro(s, 3);
    return checked("datetime.time", t);
}

py::datetime decode_datetime(std::string_view s) {
    check_length("datetime.datetime", s, 10);
    py::datetime d;
    d.year = static_cast<std::int32_t>(u8(s, 0) << 8 | u8(s, 1));
    d.month = static_cast<std::uint8_t>(u8(s, 2) & 0x7F);
    d.fold = (u8(s, 2) & 0x80) != 0;
    d.day = static_cast<std::uint8_t>(u8(s, 3));
    d.hour = static_cast<std::uint8_t>(u8(s, 4));
    d.minute = static_cast<std::uint8_t>(u8(s, 5));
    d.second = static_cast<std::uint8_t>(u8(s, 6));
    d.microsecond = micro(s, 7);
    return checked("datetime.datetime", d);
}

std::string encode_date(const py::date& d) {
    check_writable("datetime.date", d);
    std::string out;
    out += static_cast<char>(d.year >> 8);
    out += static_cast<char>(d.year & 0xFF);
    out += static_cast<char>(d.month);
    out += static_cast<char>(d.day);
    return out;
}

std::string encode_time(const py::time& t) {
    check_writable("datetime.time", t);
    std::string out;
    out += static_cast<char>(t.hour | (t.fold ? 0x80 : 0));
    out += static_cast<char>(t.minute);
    out += static_cast<char>(t.second);
    put_micro(out, t.microsecond);
    return out;
}

std::string encode_datetime(const py::datetime& d) {
    check_writable("datetime.datetime", d);
    std::string out;
    out += static_cast<char>(d.year >> 8);
    out += static_cast<char>(d.year & 0xFF);
    out += static_cast<char>(d.month | (d.fold ? 0x80 : 0));
    out += static_cast<char>(d.day);
    out += static_cast<char>(d.hour);
    out += static_cast<char>(d.minute);
    out += static_cast<char>(d.second);
    put_micro(out, d.microsecond);
    return out;
}

py::timedelta offset_timedelta(const py::timezone& z) {
    std::int64_t days = z.offset_us / us_per_day;
    std::int64_t rest = z.offset_us % us_per_day;
    if (rest < 0) {
        rest += us_per_day;
        --days;
    }
    return {static_cast<std::int32_t>(days), static_cast<std::int32_t>(rest / 1000000),
            static_cast<std::int32_t>(rest % 1000000)};
}

}  // namespace functionfuse::pickle::objects
