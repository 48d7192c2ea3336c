// save_many against the hand-written parallel group that examples/batch_save.cpp used before
// batches existed (every save co_spawned at once, awaited with wait_for_all): N small saves on
// the file kind, both ways, alternating which goes first, R rounds; prints each round and the
// medians and their ratio.
//
//   batch_bench [store-path] [count] [rounds] [--fsync]    (defaults: ./bench-store, 10000, 5)
//
// fsync is off unless asked for: the comparison is about scheduling, not the disk.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <functionfuse/functionfuse.hpp>

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

/// The result batch_save.cpp saves: a small dict with a 1 KiB payload.
ff::value item(int i) {
    return ff::dict{{"index", i},
                    {"score", i * 0.5},
                    {"label", "item-" + std::to_string(i)},
                    {"payload", ff::bytes(std::string(1024, static_cast<char>(i)))}};
}

/// The old way: every save co_spawned at once into one parallel group.
asio::awaitable<void> by_group(ff::storage& storage, const std::string& wf, int count) {
    auto ex = co_await asio::this_coro::executor;
    auto save_one = [&](int i) -> asio::awaitable<void> {
        std::string task = "task-" + std::to_string(i);
        ff::value v = item(i);
        co_await storage.save(wf, task, std::move(v));
    };
    using op = decltype(asio::co_spawn(ex, save_one(0), asio::deferred));
    std::vector<op> ops;
    ops.reserve(count);
    for (int i = 0; i < count; ++i)
        ops.push_back(asio::co_spawn(ex, save_one(i), asio::deferred));
    auto group = asio::experimental::make_parallel_group(std::move(ops));
    const asio::experimental::wait_for_all all;
    auto [order, errors] = co_await std::move(group).async_wait(all, asio::use_awaitable);
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

/// The batch, as examples/batch_save.cpp runs it now.
asio::awaitable<void> by_batch(ff::storage& storage, const std::string& wf, int count) {
    std::vector<ff::save_item> items;
    items.reserve(count);
    for (int i = 0; i < count; ++i)
        items.push_back({"task-" + std::to_string(i), item(i)});
    ff::batch_options options;
    options.max_in_flight = 256;
    auto errors = co_await ff::save_many(storage, wf, std::move(items), options);
    ff::rethrow_first_error(errors);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

asio::awaitable<void> bench(std::shared_ptr<ff::storage> storage, int count, int rounds) {
    std::vector<double> group_s, batch_s;
    for (int r = 0; r < rounds; ++r) {
        for (int k = 0; k < 2; ++k) {
            const bool batch = (r + k) % 2 == 1;  // alternate which goes first
            std::string wf = "bench-" + std::to_string(r) + (batch ? "-batch" : "-group");
            co_await storage->new_workflow(wf);
            const auto start = std::chrono::steady_clock::now();
            if (batch)
                co_await by_batch(*storage, wf, count);
            else
                co_await by_group(*storage, wf, count);
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            (batch ? batch_s : group_s).push_back(s);
            std::printf("round %d %-5s %d saves in %.3f s\n", r, batch ? "batch" : "group", count,
                        s);
            co_await storage->remove_workflow(wf);
        }
    }
    const double g = median(group_s), b = median(batch_s);
    std::printf(
        "median: parallel group %.3f s (%.0f saves/s), save_many %.3f s (%.0f saves/s); "
        "save_many / group time = %.3f\n",
        g, count / g, b, count / b, b / g);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "bench-store";
    const int count = argc > 2 ? std::atoi(argv[2]) : 10000;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
    const bool fsync = argc > 4 && std::string(argv[4]) == "--fsync";
    try {
        auto storage = ff::storage_factory(
            boost::json::value{{"kind", "file"}, {"options", {{"path", path}, {"fsync", fsync}}}});
        asio::io_context ctx;
        asio::co_spawn(ctx, bench(storage, count, rounds), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ctx.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "batch_bench: %s\n", e.what());
        return 1;
    }
}
