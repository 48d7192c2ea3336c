#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cpython_pickles.hpp"
#include "pickle/pickle.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;

// For values without shared sub-objects our protocol-4 bytes equal CPython's.
TEST(PickleWriter, MatchesCPythonBytes) {
    EXPECT_EQ(pk::dumps(ff::value()), cpython::none4);
    EXPECT_EQ(pk::dumps(ff::dict{{"a", 1}, {"b", ff::list{1.5, ff::none, true}}}),
              cpython::small_dict4);
    EXPECT_EQ(pk::dumps(ff::list{0, 255, 256, 65535, 65536, -1, std::int64_t{1} << 31,
                                 -(std::int64_t{1} << 31) - 1, INT64_MAX, INT64_MIN}),
              cpython::ints4);
    EXPECT_EQ(pk::dumps(ff::tuple{"é\U0001F600", ff::bytes(std::string("\x00\xff", 2))}),
              cpython::str_bytes4);
    EXPECT_EQ(pk::dumps(ff::list{std::numeric_limits<double>::infinity(), -0.0, 1e300}),
              cpython::floats4);
    EXPECT_EQ(pk::dumps(ff::tuple{ff::tuple{}, ff::tuple{1}, ff::tuple{1, 2}, ff::tuple{1, 2, 3},
                                  ff::tuple{1, 2, 3, 4}}),
              cpython::tuples4);
}

TEST(PickleWriter, LargePayloadIsWrittenOutsideFramesInOneBuffer) {
    const std::string payload(200 * 1024, 'x');
    const std::string out = pk::dumps(ff::list{1, ff::bytes(payload), 2}, {}, 20);
    // PROTO 4, a short frame for the list head, then BINBYTES + payload outside any frame.
    const auto at = out.find(payload);
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(static_cast<unsigned char>(out[at - 5]), 'B');  // BINBYTES, 4-byte length
    EXPECT_EQ(static_cast<unsigned char>(out[2]), 0x95);      // FRAME before it
    EXPECT_GE(out.capacity(), out.size() + 20);               // room for the checksum
    EXPECT_EQ(pk::loads(out), ff::value(ff::list{1, ff::bytes(payload), 2}));
}

TEST(PickleWriter, ManyItemsAreBatchedInThousands) {
    ff::list many;
    for (int i = 0; i < 2500; ++i)
        many.emplace_back(i);
    const std::string out = pk::dumps(many);
    // EMPTY_LIST MEMOIZE, then three MARK ... APPENDS batches (1000, 1000, 500).
    EXPECT_EQ(out.size(), 2 + 9 + 2 + 3 * 2 + 256 * 2 + (2500 - 256) * 3 + 1);
    EXPECT_EQ(pk::loads(out), ff::value(many));
}

TEST(PickleWriter, RejectsWhatPythonCouldNotLoad) {
    EXPECT_THROW(pk::dumps(ff::value(std::string("\xff\xfe"))), ff::type_error);
    EXPECT_THROW(pk::dumps(ff::list{ff::extension::make(1)}), ff::type_error);
    ff::value deep = ff::list{};
    for (std::size_t i = 0; i < pk::max_depth + 5; ++i)
        deep = ff::list{std::move(deep)};
    EXPECT_THROW(pk::dumps(deep), ff::type_error);
}

TEST(PickleWriter, PersistentIdsBecomeBinpersid) {
    struct blob {
        int id;
    };
    auto e = ff::extension::make(blob{7});
    pk::persistent_id_fn pid = [](const ff::extension& x) -> std::optional<ff::value> {
        if (auto* b = x.get_if<blob>())
            return ff::tuple{"blob", ff::tuple{1, b->id}};
        return std::nullopt;
    };
    const std::string out = pk::dumps(ff::dict{{"a", e}}, pid);
    EXPECT_NE(out.find('Q'), std::string::npos);  // BINPERSID
    ff::value seen;
    const ff::value back = pk::loads(out, [&](ff::value p) {
        seen = p;
        return ff::value("loaded");
    });
    EXPECT_EQ(seen, ff::value(ff::tuple{"blob", ff::tuple{1, 7}}));
    EXPECT_EQ(back, ff::value(ff::dict{{"a", "loaded"}}));
}

namespace {
ff::value corpus() {
    ff::dict big;
    for (int i = 0; i < 3000; ++i)
        big.insert_or_assign("key" + std::to_string(i), ff::list{i, -i});
    return ff::list{ff::none,
                    true,
                    false,
                    0,
                    -1,
                    INT64_MAX,
                    INT64_MIN,
                    std::int64_t{1} << 32,
                    1.25,
                    -0.0,
                    std::numeric_limits<double>::infinity(),
                    "",
                    "text",
                    "日本語 \U0001F680",
                    ff::bytes(),
                    ff::bytes(std::string("\0\1\2", 3)),
                    ff::list{},
                    ff::tuple{},
                    ff::dict{},
                    ff::set{},
                    ff::frozenset{},
                    ff::set{1, "a", ff::tuple{1, 2}},
                    ff::frozenset{ff::bytes("b")},
                    ff::dict{{ff::tuple{1, "k"}, ff::dict{{1.5, ff::none}}}, {ff::frozenset{1}, 2}},
                    std::move(big),
                    ff::tuple{ff::list{ff::list{ff::list{}}}},
                    std::string(70000, 's'),
                    ff::bytes(std::string(65536, 'b'))};
}
}  // namespace

TEST(PickleRoundTrip, CorpusSurvives) {
    const ff::value v = corpus();
    EXPECT_EQ(pk::loads(pk::dumps(v)), v);
}

TEST(PickleRoundTrip, NaNSurvivesBitForBit) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const ff::value back = pk::loads(pk::dumps(nan));
    ASSERT_TRUE(back.is<double>());
    EXPECT_TRUE(std::isnan(back.get<double>()));
}

TEST(PickleRoundTrip, DepthUpToTheLimitIsFine) {
    ff::value deep = 1;
    for (std::size_t i = 0; i < pk::max_depth; ++i)
        deep = ff::list{std::move(deep)};
    EXPECT_EQ(pk::loads(pk::dumps(deep)), deep);
}
