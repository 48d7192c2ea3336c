// datetime's date/time/datetime/timedelta/timezone, collections.OrderedDict, complex and
// decimal.Decimal in the pickle reader and writer, and protocol 0-1 text integers beyond 64
// bits: the shapes CPython writes load, every variation of them (argument counts and types,
// state lengths, out-of-range fields, a timezone where it does not belong) is
// `invalid_pickle`, never a crash. The pickles are built here opcode by opcode (protocol 2
// spellings); the interop test covers the bytes CPython itself writes.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "pickle/pickle.hpp"
#include "pickle_builders.hpp"
#include "pickle_errors.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;
using pickle_test::contains;
using pickle_test::error_of;
using pickle_test::global;
using pickle_test::int1;
using pickle_test::int4;
using pickle_test::raw;
using pickle_test::str;
using pickle_test::tuple_of;

namespace {

std::string call(const std::string& module, const std::string& name,
                 const std::vector<std::string>& args) {
    return global(module, name) + tuple_of(args) + "R";
}
std::string pickle2(const std::string& body) {
    return "\x80\x02" + body + ".";
}
std::string bytes_of(std::initializer_list<int> b) {
    std::string s;
    for (int x : b)
        s += static_cast<char>(x);
    return s;
}

std::string timedelta_call(std::int32_t d, std::int32_t s, std::int32_t us) {
    return call("datetime", "timedelta", {int4(d), int4(s), int4(us)});
}
std::string utc() {
    return call("datetime", "timezone", {timedelta_call(0, 0, 0)});
}
// 2024-03-01 12:30:45.123456
const std::string dt_state = bytes_of({0x07, 0xE8, 3, 1, 12, 30, 45, 0x01, 0xE2, 0x40});
const std::string date_state = bytes_of({0x07, 0xE8, 3, 1});
const std::string time_state = bytes_of({1, 2, 3, 0, 0, 4});

ff::value load(const std::string& body) {
    return pk::loads(pickle2(body));
}

}  // namespace

TEST(PythonObjectsPickle, DatetimeFamilyLoads) {
    const auto d = load(call("datetime", "datetime", {raw(dt_state)})).as<ff::py::datetime>();
    EXPECT_EQ(d.year, 2024);
    EXPECT_EQ(d.month, 3);
    EXPECT_EQ(d.day, 1);
    EXPECT_EQ(d.hour, 12);
    EXPECT_EQ(d.minute, 30);
    EXPECT_EQ(d.second, 45);
    EXPECT_EQ(d.microsecond, 123456u);
    EXPECT_FALSE(d.fold);
    EXPECT_FALSE(d.tz);

    const auto aware =
        load(call("datetime", "datetime", {raw(dt_state), utc()})).as<ff::py::datetime>();
    ASSERT_TRUE(aware.tz);
    EXPECT_EQ(aware.tz->offset_us, 0);
    EXPECT_FALSE(aware.tz->name);

    // timezone(timedelta(days=-1, seconds=68400), 'EST') is -5 h.
    const auto est = load(call("datetime", "datetime",
                               {raw(dt_state), call("datetime", "timezone",
                                                    {timedelta_call(-1, 68400, 0), str("EST")})}))
                         .as<ff::py::datetime>();
    ASSERT_TRUE(est.tz);
    EXPECT_EQ(est.tz->offset_us, -5LL * 3600 * 1000000);
    EXPECT_EQ(est.tz->name, "EST");

    // Protocol 4's fold bit: the high bit of the month byte.
    std::string folded = dt_state;
    folded[2] = static_cast<char>(0x83);
    EXPECT_TRUE(load(call("datetime", "datetime", {raw(folded)})).as<ff::py::datetime>().fold);

    const auto date = load(call("datetime", "date", {raw(date_state)})).as<ff::py::date>();
    EXPECT_EQ(date, (ff::py::date{2024, 3, 1}));
    const auto t = load(call("datetime", "time", {raw(time_state), utc()})).as<ff::py::time>();
    EXPECT_EQ(t.hour, 1);
    EXPECT_EQ(t.minute, 2);
    EXPECT_EQ(t.second, 3);
    EXPECT_EQ(t.microsecond, 4u);
    EXPECT_TRUE(t.tz);
    const auto td = load(timedelta_call(-3, 5, 7)).as<ff::py::timedelta>();
    EXPECT_EQ(td, (ff::py::timedelta{-3, 5, 7}));
    EXPECT_EQ(td.total_microseconds(), (-3LL * 86400 + 5) * 1000000 + 7);

    // Protocol 2's spelling of the state: _codecs.encode(latin-1 text, 'latin1').
    const std::string latin1_text = "\x07\xc3\xa8\x03\x01";  // '\x07', 'è' (0xE8), 3, 1
    EXPECT_EQ(load(call("datetime", "date",
                        {call("_codecs", "encode", {str(latin1_text), str("latin1")})}))
                  .as<ff::py::date>(),
              (ff::py::date{2024, 3, 1}));
    // Leap days.
    EXPECT_EQ(
        load(call("datetime", "date", {raw(bytes_of({0x07, 0xD0, 2, 29}))})).as<ff::py::date>().day,
        29);
}

TEST(PythonObjectsPickle, OrderedDictComplexDecimalLoad) {
    const ff::value od = load(call("collections", "OrderedDict", {}) + "(" + int1(2) + int1(20) +
                              int1(1) + int1(10) + "u");
    const auto& d = od.get<ff::dict>();
    EXPECT_TRUE(d.is_ordered_dict());
    EXPECT_EQ(od.type_name(), "collections.OrderedDict");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.items()[0].first, ff::value(2));
    // Python: OrderedDict == dict ignores order, OrderedDict == OrderedDict does not.
    ff::dict plain{{1, 10}, {2, 20}};
    EXPECT_EQ(od, ff::value(plain));
    ff::dict other = plain;
    other.set_ordered_dict();
    EXPECT_NE(od, ff::value(other));

    const std::string bf15("G\x3f\xf8\0\0\0\0\0\0", 9);  // BINFLOAT 1.5
    const std::string bfm2("G\xc0\0\0\0\0\0\0\0", 9);    // BINFLOAT -2.0
    const ff::value c = load(call("__builtin__", "complex", {bf15, bfm2}));
    EXPECT_EQ(c.as<std::complex<double>>(), std::complex<double>(1.5, -2));
    EXPECT_EQ(c.type_name(), "complex");

    const ff::value dec = load(call("decimal", "Decimal", {str("-1.10E+5")}));
    EXPECT_EQ(dec.as<ff::py::decimal>().text, "-1.10E+5");
    EXPECT_EQ(dec.type_name(), "decimal.Decimal");
    for (const char* ok : {"0", "1.10", "-Infinity", "NaN", "sNaN12", "-NaN", "1E-7"})
        EXPECT_EQ(error_of(pickle2(call("decimal", "Decimal", {str(ok)}))), "") << ok;
}

TEST(PythonObjectsPickle, HostileDatetimeStatesAreInvalidPickle) {
    const auto dt = [](const std::string& state) {
        return error_of(pickle2(call("datetime", "datetime", {raw(state)})));
    };
    auto with = [](std::string s, std::size_t i, int b) {
        s[i] = static_cast<char>(b);
        return s;
    };
    EXPECT_TRUE(contains(dt(dt_state.substr(0, 9)), "state of 9 bytes"));
    EXPECT_TRUE(contains(dt(dt_state + "x"), "state of 11 bytes"));
    EXPECT_TRUE(contains(dt(""), "state of 0 bytes"));
    EXPECT_TRUE(contains(dt(with(dt_state, 2, 0)), "month 0"));
    EXPECT_TRUE(contains(dt(with(dt_state, 2, 13)), "month 13"));
    EXPECT_TRUE(contains(dt(with(dt_state, 2, 0x8D)), "month 13"));  // fold bit + 13
    EXPECT_TRUE(contains(dt(with(with(dt_state, 2, 2), 3, 30)), "day 30"));
    EXPECT_TRUE(contains(dt(with(dt_state, 3, 0)), "day 0"));
    EXPECT_TRUE(contains(dt(with(with(dt_state, 0, 0), 1, 0)), "year 0"));
    EXPECT_TRUE(contains(dt(with(dt_state, 0, 0x27).replace(1, 1, "\x10")), "year 10000"));
    EXPECT_TRUE(contains(dt(with(dt_state, 4, 24)), "hour 24"));
    EXPECT_TRUE(contains(dt(with(dt_state, 5, 60)), "minute 60"));
    EXPECT_TRUE(contains(dt(with(dt_state, 6, 60)), "second 60"));
    EXPECT_TRUE(
        contains(dt(with(with(with(dt_state, 7, 0x0F), 8, 0x42), 9, 0x40)), "microsecond 1000000"));
    // 2023 is not a leap year.
    EXPECT_TRUE(
        contains(error_of(pickle2(call("datetime", "date", {raw(bytes_of({0x07, 0xE7, 2, 29}))}))),
                 "day 29"));
    EXPECT_TRUE(contains(error_of(pickle2(call("datetime", "date", {raw(dt_state)}))),
                         "state of 10 bytes"));
    const auto tm = [](const std::string& state) {
        return error_of(pickle2(call("datetime", "time", {raw(state)})));
    };
    EXPECT_TRUE(contains(tm(time_state.substr(0, 5)), "state of 5 bytes"));
    EXPECT_TRUE(contains(tm(with(time_state, 0, 24)), "hour 24"));
    EXPECT_TRUE(contains(tm(with(time_state, 0, 0x98)), "hour 24"));  // fold bit + 24
    EXPECT_TRUE(contains(tm(with(time_state, 1, 60)), "minute 60"));
    EXPECT_TRUE(contains(tm(with(time_state, 3, 0xFF)), "microsecond"));
    EXPECT_EQ(tm(with(time_state, 0, 0x81)), "");  // fold bit + hour 1
}

TEST(PythonObjectsPickle, HostileArgumentsAreInvalidPickle) {
    const auto err = [](const std::string& body) { return error_of(pickle2(body)); };
    // Argument counts and types.
    EXPECT_TRUE(contains(err(call("datetime", "datetime", {})), "datetime.datetime"));
    EXPECT_TRUE(contains(err(call("datetime", "datetime", {raw(dt_state), utc(), int1(1)})),
                         "CPython would not write"));
    EXPECT_TRUE(contains(err(call("datetime", "datetime", {str("abcdefghij")})),
                         "(str) CPython would not write"));
    // The constructor's own signature, datetime(2024, 3, 1), is not what pickle writes.
    EXPECT_TRUE(contains(err(call("datetime", "datetime", {int4(2024), int1(3), int1(1)})),
                         "CPython would not write"));
    EXPECT_TRUE(contains(err(call("datetime", "date", {raw(date_state), utc()})),
                         "CPython would not write"));
    EXPECT_TRUE(
        contains(err(call("datetime", "datetime", {raw(dt_state), timedelta_call(0, 0, 0)})),
                 "CPython would not write"));
    EXPECT_TRUE(contains(err(call("datetime", "datetime", {raw(dt_state), "N"})),
                         "CPython would not write"));
    EXPECT_TRUE(
        contains(err(global("datetime", "datetime") + raw(dt_state) + "R"), "a tuple is required"));
    // timedelta: three normalized ints.
    EXPECT_TRUE(
        contains(err(call("datetime", "timedelta", {int1(1), int1(2)})), "datetime.timedelta"));
    EXPECT_TRUE(contains(err(call("datetime", "timedelta", {int1(1), int1(2), "\x88"})),
                         "(int, int, bool)"));
    EXPECT_TRUE(contains(err(timedelta_call(0, 86400, 0)), "seconds 86400"));
    EXPECT_TRUE(contains(err(timedelta_call(0, -1, 0)), "seconds -1"));
    EXPECT_TRUE(contains(err(timedelta_call(0, 0, 1000000)), "microseconds 1000000"));
    EXPECT_TRUE(contains(err(timedelta_call(1000000000, 0, 0)), "days 1000000000"));
    EXPECT_TRUE(
        contains(err(call("datetime", "timedelta",
                          {"\x8a\x09" + std::string(8, '\x7f') + "\x01", int1(0), int1(0)})),
                 "datetime.timedelta"));  // a big_int day count
    // timezone: a timedelta strictly within 24 h, and an optional str name.
    EXPECT_TRUE(contains(
        err(call("datetime", "datetime",
                 {raw(dt_state), call("datetime", "timezone", {timedelta_call(1, 0, 0)})})),
        "not strictly within 24 hours"));
    EXPECT_TRUE(contains(
        err(call("datetime", "datetime",
                 {raw(dt_state), call("datetime", "timezone", {timedelta_call(-1, 0, 0)})})),
        "not strictly within 24 hours"));
    EXPECT_TRUE(contains(err(call("datetime", "timezone", {int1(0)})), "datetime.timezone"));
    EXPECT_TRUE(contains(err(call("datetime", "timezone", {timedelta_call(0, 0, 0), int1(1)})),
                         "(datetime.timedelta, int)"));
    EXPECT_TRUE(contains(err(call("datetime", "timezone", {})), "datetime.timezone"));
    // A timezone is read only as a datetime's or time's tzinfo.
    EXPECT_TRUE(contains(err(utc()), "datetime.timezone"));
    EXPECT_TRUE(contains(err("]" + utc() + "a"), "datetime.timezone"));
    EXPECT_TRUE(contains(err(utc() + tuple_of({}) + "b"), "BUILD"));
    // complex(float, float), Decimal(str), OrderedDict().
    EXPECT_TRUE(contains(err(call("builtins", "complex", {int1(1), int1(2)})),
                         "(int, int) CPython would not write"));
    EXPECT_TRUE(contains(err(call("builtins", "complex", {})), "builtins.complex"));
    EXPECT_TRUE(contains(err(call("decimal", "Decimal", {raw("1")})), "decimal.Decimal"));
    EXPECT_TRUE(contains(err(call("decimal", "Decimal", {str("1"), str("2")})), "decimal.Decimal"));
    for (const char* bad : {"", "1e5", "1.", ".5", "--1", "1E5", "1E+", "inf", " 1", "1_0", "NaNx",
                            "Infinity1", "0x10"})
        EXPECT_TRUE(contains(err(call("decimal", "Decimal", {str(bad)})), "not a decimal")) << bad;
    EXPECT_TRUE(
        contains(err(call("collections", "OrderedDict", {int1(1)})), "collections.OrderedDict"));
    // BUILD on an OrderedDict (an instance __dict__) is not read.
    EXPECT_TRUE(contains(err(call("collections", "OrderedDict", {}) + "}b"), "BUILD"));
    // Other globals of these modules stay forbidden, named.
    for (const auto& [m, n] :
         std::vector<std::pair<std::string, std::string>>{{"datetime", "tzinfo"},
                                                          {"zoneinfo", "ZoneInfo"},
                                                          {"collections", "defaultdict"},
                                                          {"decimal", "Context"},
                                                          {"builtins", "eval"},
                                                          {"datetime", "datetime.now"}})
        EXPECT_TRUE(
            contains(err(global(m, n) + tuple_of({}) + "R"), "forbidden global " + m + "." + n))
            << m << "." << n;
}

TEST(PythonObjectsPickle, ValuesRoundTripThroughTheWriter) {
    ff::py::datetime when{2024, 11, 3, 1, 30, 0, 5, true, ff::py::timezone::utc()};
    ff::py::time at{23,     59,    59,
                    999999, false, ff::py::timezone{-(3 * 3600 + 30 * 60) * 1000000LL, "NST"}};
    ff::dict ordered{{"b", 1}, {"a", ff::list{ff::value(ff::py::date{1, 1, 1})}}};
    ordered.set_ordered_dict();
    const ff::value v = ff::dict{
        {"when", when},
        {"at", at},
        {"naive", ff::py::datetime{9999, 12, 31, 23, 59, 59, 999999, false, {}}},
        {"took", ff::py::timedelta{-999999999, 0, 0}},
        {"z", std::complex<double>(0.5, -0.0)},
        {"price", ff::py::decimal{"12.50"}},
        {"ordered", ordered},
        {"empty_ordered",
         [] {
             ff::dict d;
             d.set_ordered_dict();
             return d;
         }()},
    };
    const ff::value back = pk::loads(pk::dumps(v));
    EXPECT_EQ(back, v);
    const auto w = back.get<ff::dict>().at("when").as<ff::py::datetime>();
    EXPECT_TRUE(w.fold);  // kept, though equality ignores it as Python's does
    EXPECT_EQ(back.get<ff::dict>().at("at").as<ff::py::time>().tz->name, "NST");
    EXPECT_TRUE(back.get<ff::dict>().at("ordered").get<ff::dict>().is_ordered_dict());
    EXPECT_TRUE(back.get<ff::dict>().at("empty_ordered").get<ff::dict>().is_ordered_dict());
    EXPECT_FALSE(back.get<ff::dict>().is_ordered_dict());
    // OrderedDicts of 1, 1000, 1001 and 2500 items (pickle's item batches).
    for (int n : {1, 999, 1000, 1001, 2500}) {
        ff::dict big;
        big.set_ordered_dict();
        for (int i = n; i > 0; --i)
            big.insert_or_assign(i, i);
        const ff::value again = pk::loads(pk::dumps(big));
        EXPECT_EQ(again, ff::value(big)) << n;
        EXPECT_EQ(again.get<ff::dict>().items().front().first, ff::value(n)) << n;
    }
}

TEST(PythonObjectsPickle, WriterRefusesWhatPythonCouldNotLoad) {
    EXPECT_THROW((void)pk::dumps(ff::py::date{2023, 2, 29}), ff::type_error);
    EXPECT_THROW((void)pk::dumps(ff::py::datetime{2024, 1, 1, 24, 0, 0, 0, false, {}}),
                 ff::type_error);
    EXPECT_THROW((void)pk::dumps(ff::py::time{0, 0, 0, 1000000, false, {}}), ff::type_error);
    EXPECT_THROW((void)pk::dumps(ff::py::timedelta{0, 86400, 0}), ff::type_error);
    EXPECT_THROW((void)pk::dumps(ff::py::datetime{2024, 1, 1, 0, 0, 0, 0, false,
                                                  ff::py::timezone{86400LL * 1000000, {}}}),
                 ff::type_error);
    EXPECT_THROW((void)pk::dumps(ff::py::decimal{"1e5"}), ff::type_error);
}

TEST(PythonObjectsPickle, ValueModel) {
    const ff::value a = ff::py::date{2024, 3, 1};
    EXPECT_EQ(a.type_name(), "datetime.date");
    EXPECT_EQ(a.repr(), "datetime.date(2024, 3, 1)");
    EXPECT_EQ(ff::value(ff::py::datetime{2024, 3, 1, 12, 30, 0, 0, false, {}}).repr(),
              "datetime.datetime(2024, 3, 1, 12, 30)");
    EXPECT_EQ(ff::value(ff::py::decimal{"1.10"}).repr(), "Decimal('1.10')");
    EXPECT_EQ(ff::value(ff::py::time{1, 2, 3, 0, false, ff::py::timezone::utc()}).repr(),
              "datetime.time(1, 2, 3, tzinfo=datetime.timezone.utc)");
    // Hashable (dict keys), equal objects hash equal; fold and a timezone's name are ignored.
    ff::py::datetime x{2024, 3, 1, 1, 0, 0, 0, false, ff::py::timezone{3600000000LL, "A"}};
    ff::py::datetime y = x;
    y.fold = true;
    y.tz->name = "B";
    EXPECT_EQ(ff::value(x), ff::value(y));
    EXPECT_EQ(ff::value(x).hash(), ff::value(y).hash());
    ff::dict keyed;
    keyed.insert_or_assign(x, 1);
    EXPECT_TRUE(keyed.contains(y));
    // A date is not a datetime, naive is not aware, complex(1, 0) is not 1 (here).
    EXPECT_NE(ff::value(ff::py::date{2024, 3, 1}),
              ff::value(ff::py::datetime{2024, 3, 1, 0, 0, 0, 0, false, {}}));
    ff::py::datetime naive = x;
    naive.tz.reset();
    EXPECT_NE(ff::value(naive), ff::value(x));
    EXPECT_EQ(ff::value(std::complex<double>(0.0, 1)).hash(),
              ff::value(std::complex<double>(-0.0, 1)).hash());
    EXPECT_THROW((void)ff::value(1).as<ff::py::date>(), ff::type_error);
    EXPECT_THROW((void)a.as<ff::py::datetime>(), ff::type_error);
    // Copies keep the OrderedDict mark.
    ff::dict od{{1, 2}};
    od.set_ordered_dict();
    ff::dict copy = od;
    EXPECT_TRUE(copy.is_ordered_dict());
    ff::dict assigned;
    assigned = od;
    EXPECT_TRUE(assigned.is_ordered_dict());
    EXPECT_EQ(ff::value(od).repr(), "OrderedDict({1: 2})");
}

TEST(PythonObjectsPickle, TextIntegersBeyond64BitsLoadAsBigInts) {
    // LONG (protocols 0-1 write ints beyond 32 bits so) and INT (Python 2), both directions of
    // the 64-bit range; each equals the LONG1 CPython writes for the same int.
    const auto big = [](const std::string& p) { return pk::loads(p).get<ff::big_int>(); };
    EXPECT_EQ(big("L99999999999999999999L\n.").to_string(), "99999999999999999999");
    EXPECT_EQ(big("I-9223372036854775809\n.").to_string(), "-9223372036854775809");
    EXPECT_EQ(big("L18446744073709551616L\n.").bytes_le, std::string("\0\0\0\0\0\0\0\0\1", 9));
    EXPECT_EQ(big("L-9223372036854775809L\n.").bytes_le,
              std::string("\xff\xff\xff\xff\xff\xff\xff\x7f\xff", 9));
    EXPECT_EQ(big("L-18446744073709551616L\n.").bytes_le, std::string("\0\0\0\0\0\0\0\0\xff", 9));
    EXPECT_EQ(big("L+9223372036854775808L\n.").bytes_le, std::string("\0\0\0\0\0\0\0\x80\0", 9));
    // Written back as LONG1, which loads as the same value.
    const ff::value v = pk::loads("L-340282366920938463463374607431768211456L\n.");
    EXPECT_EQ(pk::loads(pk::dumps(v)), v);
    EXPECT_EQ(v.get<ff::big_int>().to_string(), "-340282366920938463463374607431768211456");
    // 64-bit values stay ints.
    EXPECT_EQ(pk::loads("L9223372036854775807L\n."), ff::value(INT64_MAX));
    // Python's limit of 4300 digits; malformed text.
    EXPECT_EQ(error_of("L" + std::string(4300, '9') + "L\n."), "");
    EXPECT_TRUE(contains(error_of("L" + std::string(4301, '9') + "L\n."), "4300 digits"));
    EXPECT_TRUE(contains(error_of("I99999999999999999999x\n."), "not an integer"));
    EXPECT_TRUE(contains(error_of("I--99999999999999999999\n."), "not an integer"));
}
