// Pickle interop with CPython (/usr/bin/python3): one corpus of values is built twice, in
// Python (below, as a script) and in C++ (`corpus()`), entry for entry.
// - Python pickles every entry with protocols 2, 3, 4 and 5; C++ loads each and compares.
// - C++ pickles every entry and appends the SHA-1 trailer; Python checks the trailer
//   (`hashlib.sha1(b[:-20]).digest() == b[-20:]`), loads `b[:-20]` and compares, types included.
// - For entries without shared sub-objects, C++'s bytes equal Python's protocol-4 bytes.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "pickle/checksum.hpp"
#include "pickle/pickle.hpp"
#include "python.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;

namespace {

constexpr const char* python_corpus = R"PY(
import hashlib, math, os, pickle, sys

def huge():
    return bytes(range(256)) * (100 * 1024 * 1024 // 256 + 1)  # 100 MiB + 256 bytes

def corpus():
    deep = 0
    for _ in range(200):
        deep = [deep]
    return {
        "none": None,
        "bools": [True, False],
        "ints_64bit_edges": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31,
                             -2**31 - 1, 2**32, 2**63 - 1, -2**63, -2**63 + 1],
        "floats": [0.0, 0.1, -2.5, 1e300, 5e-324, 1.7976931348623157e308, float("inf"),
                   float("-inf")],
        "nan": float("nan"),
        "neg_zero": -0.0,
        "unicode": ["", "ascii", "h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e",
                    "\U0001F600 emoji \U00010348 gothic", "\x00nul\x7f", "a" * 300],
        "bytes": [b"", b"\x00\x01\xff", bytes(range(256)), b"z" * 70000],
        "empty": [[], (), {}, set(), frozenset(), "", b""],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4, 5), ((1,), ((2,),))],
        "nested": {"a": [1, (2, 3), {"b": None}],
                   "c": {"d": [True, False, {"e": ("f", b"g")}]},
                   (1, "k"): frozenset({1})},
        "deep": deep,
        "big_dict": {"key%d" % i: i for i in range(100000)},
        "int_keys": {i: str(i) for i in range(-50, 50)},
        "sets": [{1, 2, 3}, frozenset({"a", "b"}), {(1, 2), "x", b"y", 2.5, None}],
        "shared_keys": [{"name": i, "value": -i} for i in range(2000)],
        "long_list": list(range(100000)),
        "huge_bytes": huge(),
    }

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return a == b

mode, directory = sys.argv[1], sys.argv[2]
values = corpus()
if mode == "write":
    for name, value in values.items():
        for protocol in (2, 3, 4, 5):
            with open(os.path.join(directory, "py_%s_p%d.pkl" % (name, protocol)), "wb") as f:
                f.write(pickle.dumps(value, protocol=protocol))
    print("wrote", len(values))
elif mode == "check":
    bad = 0
    for name, expected in values.items():
        with open(os.path.join(directory, "cpp_%s.pkl" % name), "rb") as f:
            b = f.read()
        if hashlib.sha1(b[:-20]).digest() != b[-20:]:
            print("BAD CHECKSUM", name); bad += 1; continue
        got = pickle.loads(b[:-20])
        if not same(got, expected):
            print("MISMATCH", name, repr(got)[:200]); bad += 1
    print("checked", len(values), "bad", bad)
    sys.exit(1 if bad else 0)
)PY";

ff::bytes huge() {
    std::string s;
    const std::size_t n = 100 * 1024 * 1024 / 256 + 1;
    s.reserve(n * 256);
    for (std::size_t k = 0; k < n; ++k)
        for (int i = 0; i < 256; ++i)
            s += static_cast<char>(i);
    return ff::bytes(std::move(s));
}

/// The C++ twin of the Python corpus, in the same order.
std::vector<std::pair<std::string, ff::value>> corpus() {
    const double inf = std::numeric_limits<double>::infinity();
    ff::value deep = 0;
    for (int i = 0; i < 200; ++i)
        deep = ff::list{std::move(deep)};
    std::string all_bytes;
    for (int i = 0; i < 256; ++i)
        all_bytes += static_cast<char>(i);
    ff::dict big;
    big.reserve(100000);
    for (int i = 0; i < 100000; ++i)
        big.insert_or_assign("key" + std::to_string(i), i);
    ff::dict int_keys;
    for (int i = -50; i < 50; ++i)
        int_keys.insert_or_assign(i, std::to_string(i));
    ff::list shared_keys;
    for (int i = 0; i < 2000; ++i)
        shared_keys.emplace_back(ff::dict{{"name", i}, {"value", -i}});
    ff::list long_list;
    for (int i = 0; i < 100000; ++i)
        long_list.emplace_back(i);
    return {
        {"none", ff::none},
        {"bools", ff::list{true, false}},
        {"ints_64bit_edges", ff::list{0, 1, -1, 255, 256, 65535, 65536, INT32_MAX, INT32_MIN,
                                      std::int64_t{1} << 31, std::int64_t{INT32_MIN} - 1,
                                      std::int64_t{1} << 32, INT64_MAX, INT64_MIN, INT64_MIN + 1}},
        {"floats", ff::list{0.0, 0.1, -2.5, 1e300, 5e-324, 1.7976931348623157e308, inf, -inf}},
        {"nan", std::numeric_limits<double>::quiet_NaN()},
        {"neg_zero", -0.0},
        {"unicode", ff::list{"", "ascii", "h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e",
                             "\U0001F600 emoji \U00010348 gothic", std::string("\0nul\x7f", 5),
                             std::string(300, 'a')}},
        {"bytes", ff::list{ff::bytes(), ff::bytes(std::string("\0\1\xff", 3)), ff::bytes(all_bytes),
                           ff::bytes(std::string(70000, 'z'))}},
        {"empty", ff::list{ff::list{}, ff::tuple{}, ff::dict{}, ff::set{}, ff::frozenset{}, "",
                           ff::bytes()}},
        {"tuples",
         ff::list{ff::tuple{}, ff::tuple{1}, ff::tuple{1, 2}, ff::tuple{1, 2, 3},
                  ff::tuple{1, 2, 3, 4, 5}, ff::tuple{ff::tuple{1}, ff::tuple{ff::tuple{2}}}}},
        {"nested",
         ff::dict{{"a", ff::list{1, ff::tuple{2, 3}, ff::dict{{"b", ff::none}}}},
                  {"c", ff::dict{{"d", ff::list{true, false,
                                                ff::dict{{"e", ff::tuple{"f", ff::bytes("g")}}}}}}},
                  {ff::tuple{1, "k"}, ff::frozenset{1}}}},
        {"deep", deep},
        {"big_dict", std::move(big)},
        {"int_keys", std::move(int_keys)},
        {"sets", ff::list{ff::set{1, 2, 3}, ff::frozenset{"a", "b"},
                          ff::set{ff::tuple{1, 2}, "x", ff::bytes("y"), 2.5, ff::none}}},
        {"shared_keys", std::move(shared_keys)},
        {"long_list", std::move(long_list)},
        {"huge_bytes", huge()},
    };
}

/// Structural equality that also tells NaN from NaN-less and -0.0 from 0.0, and list/tuple,
/// set/frozenset, int/bool/float apart (Python's `same` in the script does the same).
bool same(const ff::value& a, const ff::value& b) {
    if (a.kind() != b.kind())
        return false;
    if (auto* x = a.get_if<double>()) {
        const double y = b.get<double>();
        if (std::isnan(*x) || std::isnan(y))
            return std::isnan(*x) && std::isnan(y);
        return *x == y && std::signbit(*x) == std::signbit(y);
    }
    auto seq = [](const std::vector<ff::value>& p, const std::vector<ff::value>& q) {
        if (p.size() != q.size())
            return false;
        for (std::size_t i = 0; i < p.size(); ++i)
            if (!same(p[i], q[i]))
                return false;
        return true;
    };
    if (auto* l = a.get_if<ff::list>())
        return seq(*l, b.get<ff::list>());
    if (auto* t = a.get_if<ff::tuple>())
        return seq(*t, b.get<ff::tuple>());
    if (auto* d = a.get_if<ff::dict>()) {
        const auto& e = b.get<ff::dict>();
        if (d->size() != e.size())
            return false;
        for (std::size_t i = 0; i < d->size(); ++i) {
            if (!same(d->items()[i].first, e.items()[i].first) ||
                !same(d->items()[i].second, e.items()[i].second))
                return false;
        }
        return true;
    }
    return a == b;  // scalars, str, bytes; sets ignoring order
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

/// Entries whose Python pickle shares sub-objects (memo GET: repeated keys, tuple constants the
/// compiler shares) or whose order is hash order: their bytes legitimately differ from ours.
bool byte_exact_expected(const std::string& name) {
    return name != "sets" && name != "shared_keys" && name != "tuples";
}

class PickleInterop : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new ff_test::temp_dir();
        const auto r = ff_test::run_python(python_corpus, "write " + dir_->path().string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static ff_test::temp_dir* dir_;
};
ff_test::temp_dir* PickleInterop::dir_ = nullptr;

TEST_F(PickleInterop, CppLoadsWhatPythonWroteWithProtocols2To5) {
    for (const auto& [name, expected] : corpus()) {
        for (int protocol = 2; protocol <= 5; ++protocol) {
            const auto file =
                dir_->path() / ("py_" + name + "_p" + std::to_string(protocol) + ".pkl");
            const std::string data = read_file(file);
            ASSERT_FALSE(data.empty()) << file;
            ff::value got;
            ASSERT_NO_THROW(got = pk::loads(data)) << name << " protocol " << protocol;
            EXPECT_TRUE(same(got, expected))
                << name << " protocol " << protocol << ": " << got.repr().substr(0, 300);
        }
    }
}

TEST_F(PickleInterop, PythonLoadsWhatCppWrote) {
    const auto values = corpus();
    for (const auto& [name, v] : values) {
        std::string stored = pk::dumps(v, {}, ff::checksum::trailer_size);
        ff::checksum::append_sha1(stored);
        write_file(dir_->path() / ("cpp_" + name + ".pkl"), stored);
    }
    const auto r = ff_test::run_python(python_corpus, "check " + dir_->path().string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("checked " + std::to_string(values.size()) + " bad 0"),
              std::string::npos)
        << r.output;
}

TEST_F(PickleInterop, CppWritesTheSameBytesAsCPythonProtocol4) {
    for (const auto& [name, v] : corpus()) {
        if (!byte_exact_expected(name))
            continue;
        const std::string python = read_file(dir_->path() / ("py_" + name + "_p4.pkl"));
        const std::string ours = pk::dumps(v);
        EXPECT_TRUE(ours == python)
            << name << ": " << ours.size() << " vs " << python.size() << " bytes";
    }
}

/// Values CPython pickles that `value` cannot hold: self-referencing ones, and one whose shared
/// references expand exponentially. Written with every protocol (0-5) into argv[1].
constexpr const char* python_unloadable = R"PY(
import os, pickle, sys

def cases():
    l = []; l.append(l)
    d = {}; d["a"] = d
    t = ([],); t[0].append(t)
    s = [{}]; s[0]["k"] = s
    bomb = []
    for _ in range(30):
        bomb = [bomb] * 10
    return {"cyclic_list": l, "cyclic_dict": d, "cyclic_tuple": t, "cyclic_list_dict": s,
            "bomb": bomb}

for name, v in cases().items():
    for protocol in range(6):
        with open(os.path.join(sys.argv[1], "%s_p%d.pkl" % (name, protocol)), "wb") as f:
            f.write(pickle.dumps(v, protocol=protocol))
)PY";

TEST(PickleInteropUnloadable, CyclicAndAmplifyingPicklesFromCPythonAreInvalidPickle) {
    ff_test::temp_dir dir;
    const auto r = ff_test::run_python(python_unloadable, dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::pair<const char*, const char*> expected[] = {
        {"cyclic_list", "self-referencing/cyclic object"},
        {"cyclic_dict", "self-referencing/cyclic object"},
        {"cyclic_tuple", "self-referencing/cyclic object"},
        {"cyclic_list_dict", "self-referencing/cyclic object"},
        {"bomb", "shared references expand"}};
    for (const auto& [name, message] : expected) {
        for (int protocol = 0; protocol <= 5; ++protocol) {
            const std::string file = std::string(name) + "_p" + std::to_string(protocol) + ".pkl";
            const std::string data = read_file(dir.path() / file);
            ASSERT_FALSE(data.empty()) << file;
            try {
                (void)pk::loads(data);
                ADD_FAILURE() << file << " loaded";
            } catch (const ff::invalid_pickle& e) {
                EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
                    << file << ": " << e.what();
            }
        }
    }
}

}  // namespace
