// Writes the stores the ffuse tests look at, through the library (async path):
//   write_store '<config json>' sample   workflow "demo": values of every kind + two arrays
//   write_store '<config json>' many     workflow "many": 1,000 small results + 2 arrays
#include <cmath>
#include <iostream>

#include <boost/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "functionfuse/functionfuse.hpp"
#include "run_awaitable.hpp"

namespace ff = functionfuse;
using ff_test::run_awaitable;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: write_store CONFIG_JSON sample|many\n";
        return 2;
    }
    auto store = ff::storage_factory(boost::json::parse(argv[1]));
    store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    const std::string mode = argv[2];
    xt::xarray<double> w = xt::arange<double>(0.0, 12.0) * 0.5;
    w.reshape({3, 4});
    const auto weights = ff::chunked_array::from(w, {2, 2});
    xt::xarray<std::int32_t> m = xt::arange<std::int32_t>(0, 10);
    const auto mask = ff::chunked_array::from(m, {4});
    if (mode == "sample") {
        std::string wf = "demo";
        std::string t1 = "train", t2 = "odd", t3 = "number", t4 = "text";
        run_awaitable(store->save(
            wf, t1, ff::dict{{"loss", 0.25}, {"weights", weights}, {"mask", mask}, {"epoch", 3}}));
        ff::dict odd{{"pair", ff::tuple{1, "a"}}, {"raw", ff::bytes("\x00\x01hi", 4)},
                     {"nan", std::nan("")},       {"inf", HUGE_VAL},
                     {"none", ff::none},          {"set", ff::set{1}}};
        run_awaitable(store->save(wf, t2, odd));
        run_awaitable(store->save(wf, t3, ff::dict{{1, "one"}, {2, "two"}}));
        run_awaitable(store->save(wf, t4, ff::value("hello")));
    } else if (mode == "many") {
        std::string wf = "many";
        for (int i = 0; i < 1000; ++i) {
            std::string t = "r" + std::to_string(i);
            run_awaitable(store->save(wf, t, ff::dict{{"i", i}, {"x", i * 0.5}}));
        }
        std::string a = "arr_a", b = "arr_b";
        run_awaitable(store->save(wf, a, ff::dict{{"w", weights}}));
        run_awaitable(store->save(wf, b, ff::list{mask, 7}));
    } else {
        std::cerr << "unknown mode\n";
        return 2;
    }
    return 0;
}
