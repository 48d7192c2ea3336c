#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "functionfuse/value.hpp"

namespace ff = functionfuse;

namespace demo {
/// A user type made convertible by one `converter` specialization.
struct point {
    std::string label;
    double x = 0, y = 0;
    friend bool operator==(const point&, const point&) = default;
};
}  // namespace demo

template <>
struct functionfuse::converter<demo::point> {
    static value to_value(const demo::point& p) {
        return dict{{"label", p.label}, {"x", p.x}, {"y", p.y}};
    }
    static demo::point from_value(const value& v) {
        const auto& d = v.get<dict>();
        return {d.at("label").as<std::string>(), d.at("x").as<double>(), d.at("y").as<double>()};
    }
};

TEST(Converter, ArithmeticRoundTripsAndRangeChecks) {
    EXPECT_EQ(ff::value(std::uint8_t{200}).as<std::uint8_t>(), 200);
    EXPECT_EQ(ff::value(-5).as<short>(), -5);
    EXPECT_EQ(ff::value(true).as<int>(), 1);  // bool is an int, as in Python
    EXPECT_THROW((void)ff::value(300).as<std::uint8_t>(), ff::type_error);
    EXPECT_THROW((void)ff::value(-1).as<unsigned>(), ff::type_error);
    EXPECT_THROW((void)ff::value(1.5).as<int>(), ff::type_error);
    EXPECT_EQ(ff::value(3).as<double>(), 3.0);
    EXPECT_FLOAT_EQ(ff::value(2.5f).as<float>(), 2.5f);
    EXPECT_EQ(ff::value(std::uint64_t{INT64_MAX}).as<std::uint64_t>(), std::uint64_t{INT64_MAX});
    EXPECT_THROW(ff::value(std::uint64_t{1} << 63), ff::type_error);
    EXPECT_TRUE(ff::value(true).as<bool>());
    EXPECT_THROW((void)ff::value(1).as<bool>(), ff::type_error);
}

TEST(Converter, ErrorsNameTheHeldType) {
    try {
        (void)ff::value("text").as<int>();
        FAIL() << "no throw";
    } catch (const ff::type_error& e) {
        EXPECT_NE(std::string(e.what()).find("str"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("integer"), std::string::npos) << e.what();
    }
}

TEST(Converter, StandardContainers) {
    std::vector<int> xs{1, 2, 3};
    ff::value v(xs);
    EXPECT_EQ(v, ff::value(ff::list{1, 2, 3}));
    EXPECT_EQ(v.as<std::vector<int>>(), xs);
    EXPECT_EQ(ff::value(ff::tuple{1, 2}).as<std::vector<long>>(), (std::vector<long>{1, 2}));

    std::map<std::string, double> m{{"a", 1.5}, {"b", 2}};
    ff::value mv(m);
    EXPECT_EQ(mv.get<ff::dict>().size(), 2u);
    EXPECT_EQ((mv.as<std::map<std::string, double>>()), m);
    std::unordered_map<int, std::string> um{{1, "one"}};
    EXPECT_EQ((ff::value(um).as<std::unordered_map<int, std::string>>()), um);

    std::optional<int> none;
    EXPECT_TRUE(ff::value(none).is_none());
    EXPECT_EQ(ff::value(std::optional<int>(4)).as<std::optional<int>>(), 4);
    EXPECT_EQ(ff::value().as<std::optional<int>>(), std::nullopt);

    auto t = std::make_tuple(1, std::string("s"), 2.5);
    ff::value tv(t);
    EXPECT_EQ(tv, ff::value(ff::tuple{1, "s", 2.5}));
    EXPECT_EQ((tv.as<std::tuple<int, std::string, double>>()), t);
    EXPECT_THROW(((void)tv.as<std::pair<int, int>>()), ff::type_error);
    EXPECT_EQ((ff::value(std::pair<int, int>(1, 2)).as<std::pair<int, int>>()),
              (std::pair<int, int>(1, 2)));
    EXPECT_THROW((void)ff::value(1).as<std::vector<int>>(), ff::type_error);
    EXPECT_THROW(((void)ff::value(ff::list{}).as<std::map<int, int>>()), ff::type_error);
}

TEST(Converter, UserStructThroughSpecialization) {
    demo::point p{"origin", 0.5, -1};
    ff::value v(p);
    EXPECT_EQ(v.get<ff::dict>().at("label"), ff::value("origin"));
    EXPECT_EQ(v.as<demo::point>(), p);
    std::vector<demo::point> many{p, {"b", 1, 2}};
    ff::value mv(many);
    EXPECT_EQ(mv.as<std::vector<demo::point>>(), many);
    EXPECT_THROW((void)ff::value(1).as<demo::point>(), ff::type_error);
}

TEST(Converter, IdentityConvertersForAlternatives) {
    EXPECT_EQ(ff::value(ff::bytes("b")).as<ff::bytes>(), ff::bytes("b"));
    EXPECT_THROW((void)ff::value("b").as<ff::bytes>(), ff::type_error);
    EXPECT_EQ(ff::value(ff::set{1}).as<ff::set>().size(), 1u);
    EXPECT_EQ(ff::value(ff::list{1}).as<ff::value>(), ff::value(ff::list{1}));
    EXPECT_EQ(ff::value("x").as<std::string>(), "x");
}
