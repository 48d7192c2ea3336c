#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cpython_pickles.hpp"
#include "pickle/pickle.hpp"

namespace ff = functionfuse;
namespace pk = functionfuse::pickle;

TEST(PickleReader, ReadsCPythonProtocol4) {
    EXPECT_EQ(pk::loads(cpython::none4), ff::value());
    EXPECT_EQ(pk::loads(cpython::small_dict4),
              ff::value(ff::dict{{"a", 1}, {"b", ff::list{1.5, ff::none, true}}}));
    EXPECT_EQ(pk::loads(cpython::ints4),
              ff::value(ff::list{0, 255, 256, 65535, 65536, -1, std::int64_t{1} << 31,
                                 -(std::int64_t{1} << 31) - 1, INT64_MAX, INT64_MIN}));
    EXPECT_EQ(pk::loads(cpython::str_bytes4),
              ff::value(ff::tuple{"é\U0001F600", ff::bytes(std::string("\x00\xff", 2))}));
    const ff::value floats = pk::loads(cpython::floats4);
    EXPECT_EQ(floats, ff::value(ff::list{std::numeric_limits<double>::infinity(), -0.0, 1e300}));
    EXPECT_TRUE(std::signbit(floats.get<ff::list>()[1].get<double>()));
}

TEST(PickleReader, ReadsProtocol2And3ReduceForms) {
    EXPECT_EQ(pk::loads(cpython::bytes2), ff::value(ff::bytes(std::string("\x00\xff"
                                                                          "ab",
                                                                          4))));
    const ff::value s = pk::loads(cpython::set2);
    EXPECT_TRUE(s.is<ff::set>());
    EXPECT_EQ(s, ff::value(ff::set{2, 1}));
    const ff::value f = pk::loads(cpython::frozenset3);
    EXPECT_TRUE(f.is<ff::frozenset>());
    EXPECT_EQ(f, ff::value(ff::frozenset{7}));
}

TEST(PickleReader, ReadsBytearrayAsBytes) {
    EXPECT_EQ(pk::loads(cpython::bytearray5), ff::value(ff::bytes("xy")));
}

TEST(PickleReader, SharedReferencesBecomeCopies) {
    EXPECT_EQ(pk::loads(cpython::shared_list2), ff::value(ff::list{ff::list{1}, ff::list{1}}));
    EXPECT_EQ(pk::loads(cpython::shared_str4),
              ff::value(ff::list{ff::dict{{"k", 1}}, ff::dict{{"k", 2}}}));
}

TEST(PickleReader, ReadsProtocol0TextOpcodes) {
    EXPECT_EQ(pk::loads(cpython::proto0),
              ff::value(ff::list{1, "a\u00e9", 2.5, ff::none, true, std::int64_t{1} << 60}));
}

TEST(PickleReader, TuplesOfAllSizes) {
    EXPECT_EQ(pk::loads(cpython::tuples4),
              ff::value(ff::tuple{ff::tuple{}, ff::tuple{1}, ff::tuple{1, 2}, ff::tuple{1, 2, 3},
                                  ff::tuple{1, 2, 3, 4}}));
}

TEST(PickleReader, IntegerOpcodes) {
    using cpython::b;
    EXPECT_EQ(pk::loads(b("\x80\x02\x8a\x00.")), ff::value(0));       // LONG1 empty
    EXPECT_EQ(pk::loads(b("\x80\x02\x8a\x01\xff.")), ff::value(-1));  // LONG1
    EXPECT_EQ(pk::loads(b("\x80\x02\x8b\x02\x00\x00\x00\x00\x80.")), ff::value(-32768));  // LONG4
    // Sign-extension bytes beyond 8 are fine.
    EXPECT_EQ(pk::loads(b("\x80\x02\x8a\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff.")),
              ff::value(-1));
    EXPECT_EQ(pk::loads(b("I-7\n.")), ff::value(-7));
    EXPECT_EQ(pk::loads(b("I00\n.")), ff::value(false));
    EXPECT_EQ(pk::loads(b("L9223372036854775807L\n.")), ff::value(INT64_MAX));
    EXPECT_EQ(pk::loads(b("Finf\n.")), ff::value(std::numeric_limits<double>::infinity()));
}

TEST(PickleReader, MemoGetWhileStillOnTheStackAndAfterMutation) {
    using cpython::b;
    // [] MEMOIZE; GET 0 -> ([], ...) ; then APPEND to the original after the GET
    // EMPTY_LIST MEMOIZE MARK K1 APPENDS  BINGET 0  TUPLE2
    EXPECT_EQ(pk::loads(b("\x80\x04]\x94(K\x01"
                          "eh\x00\x86.")),
              ff::value(ff::tuple{ff::list{1}, ff::list{1}}));
    // PUT with an explicit index, fetched after the list was filled and consumed.
    EXPECT_EQ(pk::loads(b("\x80\x02](]q\x05K\x01"
                          "aK\x02h\x05"
                          "e.")),
              ff::value(ff::list{ff::list{1}, 2, ff::list{1}}));
    // Text PUT/GET and DUP.
    EXPECT_EQ(pk::loads(b("((lp3\nI5\nag3\n2t.")),
              ff::value(ff::tuple{ff::list{5}, ff::list{5}, ff::list{5}}));
}

TEST(PickleReader, PersistentIdsGoThroughTheCallback) {
    using cpython::b;
    // PERSID "abc"  and  BINPERSID ("t", 1)
    std::vector<ff::value> pids;
    auto load = [&](ff::value pid) {
        pids.push_back(pid);
        return ff::value(42);
    };
    EXPECT_EQ(pk::loads(b("\x80\x02Pabc\n."), load), ff::value(42));
    EXPECT_EQ(pk::loads(b("\x80\x04\x8c\x01tK\x01\x86Q."), load), ff::value(42));
    ASSERT_EQ(pids.size(), 2u);
    EXPECT_EQ(pids[0], ff::value("abc"));
    EXPECT_EQ(pids[1], ff::value(ff::tuple{"t", 1}));
}

TEST(PickleReader, DictSemanticsFollowPython) {
    using cpython::b;
    // {1: 'a', True: 'b'} written by hand: one key (the first), the last value.
    const ff::value d =
        pk::loads(b("\x80\x04}(K\x01\x8c\x01"
                    "a\x88\x8c\x01"
                    "bu."));
    ASSERT_EQ(d.get<ff::dict>().size(), 1u);
    EXPECT_EQ(d.get<ff::dict>().items()[0].first.kind(), ff::value::kind_t::integer);
    EXPECT_EQ(d.get<ff::dict>().at(1), ff::value("b"));
}

TEST(PickleReader, ListBatchesWithMixedItemsAndErrorsInsideThem) {
    using cpython::b;
    // A batch of scalars, short text and a nested container (the fast path rewinds on it).
    EXPECT_EQ(pk::loads(b("\x80\x04](K\x01G?\xf8\x00\x00\x00\x00\x00\x00N\x88\x89\x8c\x01s\x94"
                          "C\x01"
                          "b\x94]\x94K\x02"
                          "ae.")),
              ff::value(ff::list{1, 1.5, ff::none, true, false, "s", ff::bytes("b"), ff::list{2}}));
    // Errors inside a batch are still reported by the general path, with their offset.
    try {
        (void)pk::loads(
            b("\x80\x04](K\x01\x8c\x01\xff"
              "e."));
        FAIL() << "no throw";
    } catch (const ff::invalid_pickle& e) {
        EXPECT_NE(std::string(e.what()).find("offset 6: str is not valid UTF-8"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW((void)pk::loads(b("\x80\x04](K\x01K")), ff::invalid_pickle);
    EXPECT_THROW((void)pk::loads(b("\x80\x04](K\x01\x95\xff\x00\x00\x00\x00\x00\x00\x00"
                                   "e.")),
                 ff::invalid_pickle);
    // A thousand-item batch followed by a short one: sized from the first, trimmed after.
    std::string two_batches = "\x80\x04](";
    for (int i = 0; i < 1000; ++i)
        two_batches += "K\x07";
    two_batches +=
        "e(K\x08"
        "e.";
    const ff::value v = pk::loads(two_batches);
    ASSERT_EQ(v.get<ff::list>().size(), 1001u);
    EXPECT_EQ(v.get<ff::list>().back(), ff::value(8));
    EXPECT_LE(v.get<ff::list>().capacity(), 2 * 1001u + 64);
}
