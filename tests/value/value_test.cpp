#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "functionfuse/value.hpp"

namespace ff = functionfuse;

TEST(Value, KindsAndTypeNames) {
    EXPECT_EQ(ff::value().type_name(), "NoneType");
    EXPECT_EQ(ff::value(true).type_name(), "bool");
    EXPECT_EQ(ff::value(3).type_name(), "int");
    EXPECT_EQ(ff::value(2.5).type_name(), "float");
    EXPECT_EQ(ff::value("s").type_name(), "str");
    EXPECT_EQ(ff::value(ff::bytes("b")).type_name(), "bytes");
    EXPECT_EQ(ff::value(ff::list{}).type_name(), "list");
    EXPECT_EQ(ff::value(ff::tuple{}).type_name(), "tuple");
    EXPECT_EQ(ff::value(ff::dict{}).type_name(), "dict");
    EXPECT_EQ(ff::value(ff::set{}).type_name(), "set");
    EXPECT_EQ(ff::value(ff::frozenset{}).type_name(), "frozenset");
    EXPECT_EQ(ff::value(ff::extension::make(42)).type_name(), "extension");
    EXPECT_EQ(ff::value(7).kind(), ff::value::kind_t::integer);
}

TEST(Value, UnsignedConstructorsRejectValuesAboveInt64Max) {
    EXPECT_EQ(ff::value(9223372036854775807ull), ff::value(INT64_MAX));
    EXPECT_EQ(ff::value(5ul).get<std::int64_t>(), 5);
    EXPECT_THROW(ff::value(9223372036854775808ull), ff::type_error);
    EXPECT_THROW(ff::value(std::numeric_limits<unsigned long>::max()), ff::type_error);
}

TEST(Value, GetThrowsTypeErrorNamingBothTypes) {
    ff::value v(3);
    EXPECT_EQ(v.get<std::int64_t>(), 3);
    try {
        (void)v.get<std::string>();
        FAIL() << "no throw";
    } catch (const ff::type_error& e) {
        EXPECT_NE(std::string(e.what()).find("int"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("string"), std::string::npos) << e.what();
    }
}

TEST(Value, NumbersCompareByValueAcrossKinds) {
    EXPECT_EQ(ff::value(1), ff::value(1.0));
    EXPECT_EQ(ff::value(1), ff::value(true));
    EXPECT_EQ(ff::value(true), ff::value(1.0));
    EXPECT_EQ(ff::value(0), ff::value(-0.0));
    EXPECT_NE(ff::value(1), ff::value(1.5));
    EXPECT_NE(ff::value(2), ff::value(true));
    // Exact comparison: 2**53 + 1 is not equal to the double nearest to it.
    EXPECT_NE(ff::value(std::int64_t{9007199254740993}), ff::value(9007199254740992.0));
    EXPECT_NE(ff::value(INT64_MAX), ff::value(9223372036854775808.0));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(ff::value(nan), ff::value(nan));
    EXPECT_NE(ff::value(1), ff::value("1"));
    EXPECT_NE(ff::value("a"), ff::value(ff::bytes("a")));
    EXPECT_EQ(ff::value(), ff::value(ff::none));
    EXPECT_NE(ff::value(), ff::value(0));
}

TEST(Value, ListAndTupleNeverCompareEqual) {
    EXPECT_NE(ff::value(ff::list{1, 2}), ff::value(ff::tuple{1, 2}));
    EXPECT_EQ(ff::value(ff::list{1, 2}), ff::value(ff::list{1.0, true + 1}));
    EXPECT_NE(ff::value(ff::list{1, 2}), ff::value(ff::list{2, 1}));
    EXPECT_NE(ff::value(ff::list{1}), ff::value(ff::list{1, 1}));
}

TEST(Value, SetsCompareIgnoringOrderAndKind) {
    EXPECT_EQ(ff::value(ff::set{1, 2, 3}), ff::value(ff::set{3, 1, 2}));
    EXPECT_EQ(ff::value(ff::set{1, 2}), ff::value(ff::frozenset{2, 1}));
    EXPECT_NE(ff::value(ff::set{1, 2}), ff::value(ff::set{1, 3}));
    EXPECT_NE(ff::value(ff::set{1, 2}), ff::value(ff::set{1}));
    EXPECT_NE(ff::value(ff::set{1}), ff::value(ff::list{1}));
    ff::set big_a, big_b;
    for (int i = 0; i < 100; ++i) {
        big_a.emplace_back(i);
        big_b.emplace_back(99 - i);
    }
    EXPECT_EQ(ff::value(big_a), ff::value(big_b));
    big_b.back() = 1000;
    EXPECT_NE(ff::value(big_a), ff::value(big_b));
}

TEST(Value, EqualValuesHashEqual) {
    EXPECT_EQ(ff::value(1).hash(), ff::value(1.0).hash());
    EXPECT_EQ(ff::value(1).hash(), ff::value(true).hash());
    EXPECT_EQ(ff::value(0).hash(), ff::value(-0.0).hash());
    EXPECT_EQ(ff::value(ff::tuple{1, "a"}).hash(), ff::value(ff::tuple{1.0, "a"}).hash());
    EXPECT_EQ(ff::value(ff::frozenset{1, 2, 3}).hash(), ff::value(ff::frozenset{3, 2, 1}).hash());
    EXPECT_NE(ff::value(1).hash(), ff::value(2).hash());
    EXPECT_EQ(std::hash<ff::value>{}(ff::value("k")), ff::value(std::string("k")).hash());
}

TEST(Value, UnhashableKindsThrowTypeError) {
    EXPECT_THROW((void)ff::value(ff::list{}).hash(), ff::type_error);
    EXPECT_THROW((void)ff::value(ff::dict{}).hash(), ff::type_error);
    EXPECT_THROW((void)ff::value(ff::set{}).hash(), ff::type_error);
    EXPECT_THROW((void)ff::value(ff::extension::make(1)).hash(), ff::type_error);
    EXPECT_THROW((void)ff::value(ff::tuple{ff::list{}}).hash(), ff::type_error);
    try {
        (void)ff::value(ff::list{}).hash();
    } catch (const ff::type_error& e) {
        EXPECT_STREQ(e.what(), "unhashable type: 'list'");
    }
}

TEST(Value, ReprLooksLikePython) {
    EXPECT_EQ(ff::value().repr(), "None");
    EXPECT_EQ(ff::value(true).repr(), "True");
    EXPECT_EQ(ff::value(-12).repr(), "-12");
    EXPECT_EQ(ff::value(1.0).repr(), "1.0");
    EXPECT_EQ(ff::value(0.1).repr(), "0.1");
    EXPECT_EQ(ff::value(-0.0).repr(), "-0.0");
    EXPECT_EQ(ff::value(1e16).repr(), "1e+16");
    EXPECT_EQ(ff::value(1234567890123456.0).repr(), "1234567890123456.0");
    EXPECT_EQ(ff::value(1.5e-5).repr(), "1.5e-05");
    EXPECT_EQ(ff::value(0.0001).repr(), "0.0001");
    EXPECT_EQ(ff::value(std::numeric_limits<double>::infinity()).repr(), "inf");
    EXPECT_EQ(ff::value(std::numeric_limits<double>::quiet_NaN()).repr(), "nan");
    EXPECT_EQ(ff::value("it's\n").repr(), "\"it's\\n\"");
    EXPECT_EQ(ff::value("a'\"").repr(), "'a\\'\"'");
    EXPECT_EQ(ff::value("é").repr(), "'é'");
    EXPECT_EQ(ff::value(ff::bytes(std::string("\x00\xff"
                                              "a",
                                              3)))
                  .repr(),
              "b'\\x00\\xffa'");
    EXPECT_EQ(ff::value(ff::list{1, "a"}).repr(), "[1, 'a']");
    EXPECT_EQ(ff::value(ff::tuple{1}).repr(), "(1,)");
    EXPECT_EQ(ff::value(ff::tuple{}).repr(), "()");
    EXPECT_EQ(ff::value(ff::dict{{"a", 1}, {2, ff::none}}).repr(), "{'a': 1, 2: None}");
    EXPECT_EQ(ff::value(ff::set{}).repr(), "set()");
    EXPECT_EQ(ff::value(ff::set{1}).repr(), "{1}");
    EXPECT_EQ(ff::value(ff::frozenset{}).repr(), "frozenset()");
    EXPECT_EQ(ff::value(ff::frozenset{2}).repr(), "frozenset({2})");
    EXPECT_NE(ff::value(ff::extension::make(1)).repr().find("extension"), std::string::npos);
}

TEST(Dict, KeepsInsertionOrderAndFirstPosition) {
    ff::dict d;
    d.insert_or_assign("b", 1);
    d.insert_or_assign("a", 2);
    d.insert_or_assign("b", 3);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.items()[0].first, ff::value("b"));
    EXPECT_EQ(d.items()[0].second, ff::value(3));
    EXPECT_EQ(d.items()[1].first, ff::value("a"));
    d["c"] = 4;
    EXPECT_EQ(d.items().back().first, ff::value("c"));
    EXPECT_EQ(d.at("c"), ff::value(4));
}

TEST(Dict, NumericKeysAreOneKeyAsInPython) {
    ff::dict d;
    d.insert_or_assign(1, "int");
    d.insert_or_assign(1.0, "float");
    d.insert_or_assign(true, "bool");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items()[0].first.kind(), ff::value::kind_t::integer);  // the first key stays
    EXPECT_EQ(*d.find(1.0), ff::value("bool"));
}

TEST(Dict, LookupEraseAndMissingKeys) {
    ff::dict d;
    for (int i = 0; i < 10000; ++i)
        d.insert_or_assign(i, i * 2);
    ASSERT_EQ(d.size(), 10000u);
    for (int i = 0; i < 10000; i += 997)
        EXPECT_EQ(*d.find(i), ff::value(i * 2));
    EXPECT_EQ(d.find(10000), nullptr);
    EXPECT_FALSE(d.contains("0"));
    EXPECT_TRUE(d.erase(5));
    EXPECT_FALSE(d.erase(5));
    EXPECT_EQ(d.size(), 9999u);
    EXPECT_EQ(d.find(5), nullptr);
    EXPECT_EQ(*d.find(6), ff::value(12));
    EXPECT_EQ(d.items()[5].first, ff::value(6));  // order kept after erase
    EXPECT_THROW((void)d.at(5), ff::not_found);
    EXPECT_THROW((void)d.find(ff::list{}), ff::type_error);
    EXPECT_THROW(d.insert_or_assign(ff::dict{}, 1), ff::type_error);
}

TEST(Dict, CopyMoveAndEqualityIgnoreOrder) {
    ff::dict a{{"x", 1}, {"y", ff::list{1, 2}}};
    ff::dict b{{"y", ff::list{1, 2}}, {"x", 1.0}};
    EXPECT_EQ(a, b);
    ff::dict c = a;
    c.insert_or_assign("z", 0);
    EXPECT_EQ(a.size(), 2u);
    EXPECT_NE(a, c);
    ff::dict moved = std::move(c);
    EXPECT_EQ(moved.size(), 3u);
    EXPECT_TRUE(c.empty());  // NOLINT: a moved-from dict is valid and empty
    c.insert_or_assign("again", 1);
    EXPECT_EQ(c.size(), 1u);
    a = moved;
    EXPECT_EQ(a, moved);
    ff::dict empty_copy = ff::dict{};
    EXPECT_TRUE(empty_copy.empty());
    EXPECT_EQ(empty_copy.begin(), empty_copy.end());
    EXPECT_NE(ff::value(a), ff::value(ff::dict{}));
}

TEST(Extension, ComparesByIdentityAndExposesType) {
    auto e = ff::extension::make(std::string("payload"));
    ff::value v(e), w(e);
    EXPECT_EQ(v, w);
    EXPECT_NE(v, ff::value(ff::extension::make(std::string("payload"))));
    ASSERT_NE(e.get_if<std::string>(), nullptr);
    EXPECT_EQ(*e.get_if<std::string>(), "payload");
    EXPECT_EQ(e.get_if<int>(), nullptr);
}
