// Helper process for the array crash test: saves a 64 MiB float64 array over and over into
// task `arr` of workflow `wf` of a file store at `<root>`, until it is killed. Generation g saves
// dict{"gen": g, "a": an array whose every element is g}, so a reader can tell a whole result of
// any generation from a torn or mixed one. After each save it writes "saved <g>" on stdout.
//
// usage: storage_array_crash_writer async|sync <root>
#include <cstdio>
#include <cstring>
#include <string>

#include <boost/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "functionfuse/functionfuse.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"

namespace ff = functionfuse;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s async|sync <root>\n", argv[0]);
        return 2;
    }
    const bool async = std::strcmp(argv[1], "async") == 0;
    boost::json::object options{{"path", argv[2]}, {"fsync", true}};
    const boost::json::value config{{"kind", "file"}, {"options", options}};
    auto async_store = ff::storage_factory(config);
    auto sync_store = ff::sync::storage_factory(config);
    async_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    sync_store->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    constexpr std::size_t elements = (64u << 20) / sizeof(double);
    for (std::int64_t gen = 0;; ++gen) {
        xt::xarray<double> data =
            xt::full_like(xt::xarray<double>::from_shape({elements}), static_cast<double>(gen));
        ff::value v(ff::dict{{"gen", gen}, {"a", ff::chunked_array::from(data, {1u << 20})}});
        if (async)
            ff_test::run_awaitable(async_store->save("wf", "arr", std::move(v)));
        else
            sync_store->save("wf", "arr", v);
        std::printf("saved %lld\n", static_cast<long long>(gen));
        std::fflush(stdout);
    }
}
