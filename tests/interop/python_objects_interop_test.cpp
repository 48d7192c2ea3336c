// Standard-library objects with Debian's /usr/bin/python3: a corpus of datetime.date/time/
// datetime/timedelta (naive, UTC, fixed offsets, named, fold), collections.OrderedDict,
// complex and decimal.Decimal, nested in dicts, lists and tuples as FunctionFuse results are,
// pickled by Python with protocols 2, 3, 4 and 5 (and big integers with protocols 0 and 1,
// whose text LONG form C++ reads as big_int).
// - C++ loads every file and pickles the value again; Python loads each C++ copy and compares
//   it with the original: equal, and of exactly the same types all the way down (tzinfo,
//   fold and Decimal digits included).
// - C++'s bytes equal CPython's own protocol-4 bytes (except where Python shares one object).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pickle/pickle.hpp"
#include "python.hpp"
#include "python_corpus.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;

namespace {

constexpr char python_objects[] = R"PY(
import collections, datetime as dt, decimal, os, pickle, sys

D = decimal.Decimal
utc = dt.timezone.utc

def corpus():
    c = {}
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    c["datetimes"] = [dt.datetime(2024, 3, 1, 12, 30, 45, 123456),
                      dt.datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=utc),
                      dt.datetime(2024, 3, 1, 12, 30, tzinfo=ist),
                      dt.datetime(2024, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=2), "CEST")),
                      dt.datetime.min, dt.datetime.max, dt.datetime(2024, 2, 29),
                      dt.datetime(2024, 11, 3, 1, 30, fold=1)]
    c["dates"] = [dt.date(2024, 3, 1), dt.date.min, dt.date.max, dt.date(2000, 2, 29)]
    c["times"] = (dt.time(), dt.time(23, 59, 59, 999999), dt.time(1, 2, 3, tzinfo=utc),
                  dt.time(12, tzinfo=dt.timezone(-dt.timedelta(hours=3, minutes=30))),
                  dt.time(1, fold=1))
    c["timedeltas"] = [dt.timedelta(0), dt.timedelta(days=-3, seconds=5, microseconds=7),
                       dt.timedelta.max, dt.timedelta.min, dt.timedelta(microseconds=1),
                       dt.timedelta(days=40000, seconds=1)]
    c["odd_offsets"] = [
        dt.datetime(2000, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=23, minutes=59,
                                                                seconds=59, microseconds=999999))),
        dt.datetime(2000, 1, 1, tzinfo=dt.timezone(-dt.timedelta(microseconds=1))),
        dt.datetime(2000, 1, 1, tzinfo=dt.timezone(dt.timedelta(0), "UTC"))]
    c["ordered"] = collections.OrderedDict([(1, 2), ("a", [3]),
                                            ("nested", collections.OrderedDict(x=1))])
    c["ordered_empty"] = collections.OrderedDict()
    c["ordered_one"] = collections.OrderedDict(a=1)
    for n in (1000, 1001, 2500):
        c["ordered_%d" % n] = collections.OrderedDict((i, -i) for i in range(n, 0, -1))
    c["complex"] = [1.5 - 2j, complex(0, 0), complex(-0.0, float("inf")), 1j, -1e300 + 1e-300j]
    c["decimals"] = [D("1.10"), D("-Infinity"), D("NaN"), D("sNaN12"), D("1E+3"), D("-0.000001"),
                     D("123456789012345678901234567890.5"), D("-0"), D("0E-30")]
    c["result"] = {"when": dt.datetime(2024, 6, 1, 8, tzinfo=utc),
                   "took": dt.timedelta(seconds=3.25),
                   "params": collections.OrderedDict(lr=D("0.001"), steps=100),
                   "z": (1 + 2j, [dt.date(2024, 6, 1), {"at": dt.time(8, 30)}]),
                   "utc_again": [dt.datetime(2024, 6, 2, tzinfo=utc), dt.time(9, tzinfo=utc)],
                   "big": 2**70}
    t = dt.timezone(dt.timedelta(hours=2))
    c["shared_tz"] = [dt.datetime(2024, 1, 1, tzinfo=t), dt.datetime(2024, 1, 2, tzinfo=t)]
    return c

def text_ints():
    return [2**64, -2**63 - 1, 10**80, -(10**100), 2**63, {"k": 3**200}]

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, (dt.datetime, dt.time)):
        return (a == b and a.fold == b.fold and type(a.tzinfo) is type(b.tzinfo)
                and a.tzinfo == b.tzinfo
                and (a.tzinfo is None or a.tzinfo.tzname(None) == b.tzinfo.tzname(None))
                and (a.tzinfo is not utc or b.tzinfo is utc))
    if isinstance(a, D):
        return str(a) == str(b)
    if isinstance(a, complex):
        return repr(a) == repr(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return a == b

mode, directory = sys.argv[1], sys.argv[2]
if mode == "write":
    for name, value in corpus().items():
        for protocol in (2, 3, 4, 5):
            with open(os.path.join(directory, "py_%s_p%d.pkl" % (name, protocol)), "wb") as f:
                f.write(pickle.dumps(value, protocol=protocol))
    for protocol in (0, 1):
        with open(os.path.join(directory, "py_text_ints_p%d.pkl" % protocol), "wb") as f:
            f.write(pickle.dumps(text_ints(), protocol=protocol))
    import zoneinfo  # a tzinfo other than datetime.timezone: refused
    with open(os.path.join(directory, "refused_zoneinfo.pkl"), "wb") as f:
        f.write(pickle.dumps(dt.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC")), protocol=4))
    print("wrote", len(corpus()))
elif mode == "check":
    bad = checked = 0
    for name in sorted(os.listdir(directory)):
        if not name.startswith("cpp_"):
            continue
        with open(os.path.join(directory, name), "rb") as f:
            got = pickle.loads(f.read())
        with open(os.path.join(directory, "py_" + name[4:]), "rb") as f:
            original = pickle.loads(f.read())
        checked += 1
        if not same(got, original):
            print("MISMATCH", name, repr(got)[:300], repr(original)[:300]); bad += 1
    print("checked", checked, "bad", bad)
    sys.exit(1 if bad or not checked else 0)
)PY";

using PythonObjectsInterop = ff_test::python_corpus_test<python_objects>;

TEST_F(PythonObjectsInterop, CppReadsEveryProtocolAndPythonGetsTheSameObjectsBack) {
    const auto names = files("py_");
    ASSERT_GE(names.size(), 4u * 15 + 2);
    for (const auto& name : names) {
        ff::value v;
        ASSERT_NO_THROW(v = load(name)) << name;
        ff_test::write_binary(dir_->path() / ("cpp_" + name.substr(3)), pk::dumps(v));
    }
    const auto r = ff_test::run_python(python_objects, "check " + dir_->path().string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("checked " + std::to_string(names.size()) + " bad 0"),
              std::string::npos)
        << r.output;
}

TEST_F(PythonObjectsInterop, CppWritesCPythonsOwnProtocol4Bytes) {
    // "shared_tz": Python fetches the one timezone object from the memo, C++ (whose values hold
    // no shared references) writes it twice. timezone.utc, a singleton, is fetched by both.
    int compared = 0;
    for (const auto& name : files("py_")) {
        if (name.size() < 7 || name.substr(name.size() - 7) != "_p4.pkl" ||
            name.find("shared_tz") != std::string::npos)
            continue;
        const std::string python = ff_test::read_binary(dir_->path() / name);
        EXPECT_TRUE(pk::dumps(pk::loads(python)) == python) << name;
        ++compared;
    }
    EXPECT_GE(compared, 14);
}

TEST_F(PythonObjectsInterop, ValuesAreWhatPythonPickled) {
    for (int protocol = 2; protocol <= 5; ++protocol) {
        const std::string p = "_p" + std::to_string(protocol) + ".pkl";
        const ff::value datetimes = load("py_datetimes" + p);
        const auto& d = datetimes.get<ff::list>();
        const auto first = d[0].as<ff::py::datetime>();
        EXPECT_EQ(first, (ff::py::datetime{2024, 3, 1, 12, 30, 45, 123456, false, {}}));
        EXPECT_EQ(d[1].as<ff::py::datetime>().tz, ff::py::timezone::utc());
        EXPECT_EQ(d[2].as<ff::py::datetime>().tz->offset_us, (5 * 3600 + 30 * 60) * 1000000LL);
        EXPECT_EQ(d[3].as<ff::py::datetime>().tz->name, "CEST");
        EXPECT_EQ(d[5].as<ff::py::datetime>().year, 9999);
        // Protocols 2 and 3 have no fold bit: CPython drops it.
        EXPECT_EQ(d[7].as<ff::py::datetime>().fold, protocol >= 4) << p;
        const ff::value ordered = load("py_ordered" + p);
        EXPECT_EQ(ordered.type_name(), "collections.OrderedDict");
        EXPECT_EQ(ordered.get<ff::dict>().at("nested").type_name(), "collections.OrderedDict");
        EXPECT_EQ(load("py_complex" + p).get<ff::list>()[0].as<std::complex<double>>(),
                  std::complex<double>(1.5, -2));
        EXPECT_EQ(load("py_decimals" + p).get<ff::list>()[0].as<ff::py::decimal>().text, "1.10");
        EXPECT_EQ(load("py_timedeltas" + p).get<ff::list>()[3].as<ff::py::timedelta>(),
                  (ff::py::timedelta{-999999999, 0, 0}));
    }
    for (int protocol = 0; protocol <= 1; ++protocol) {
        const ff::value ints = load("py_text_ints_p" + std::to_string(protocol) + ".pkl");
        EXPECT_EQ(ints.get<ff::list>()[0].get<ff::big_int>().to_string(), "18446744073709551616");
    }
}

TEST_F(PythonObjectsInterop, OtherTimeZonesAreRefusedSayingWhy) {
    try {
        (void)load("refused_zoneinfo.pkl");
        ADD_FAILURE() << "a zoneinfo datetime loaded";
    } catch (const ff::invalid_pickle& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("forbidden global builtins.getattr"), std::string::npos) << what;
        EXPECT_NE(what.find("only datetime.timezone is read"), std::string::npos) << what;
    }
}

}  // namespace
