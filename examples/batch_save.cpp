// Batch save: thousands of concurrent saves from one co_spawned runner, with a progress line.
//
//   batch_save [store-path] [count] [--no-fsync]     (defaults: ./store, 5000)
//
// All saves are started at once; the library spreads the file work over its blocking pool
// and each save resumes on this program's io_context, so the counter needs no lock.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

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

asio::awaitable<void> runner(std::shared_ptr<ff::storage> storage, int count) {
    const std::string wf = "batch";
    co_await storage->new_workflow(wf);
    auto ex = co_await asio::this_coro::executor;
    const auto start = std::chrono::steady_clock::now();
    int done = 0;

    auto save_one = [&](int i) -> asio::awaitable<void> {
        ff::value result =
            ff::dict{{"index", i},
                     {"score", i * 0.5},
                     {"label", "item-" + std::to_string(i)},
                     {"payload", ff::bytes(std::string(1024, static_cast<char>(i)))}};
        co_await storage->save(wf, "task-" + std::to_string(i), std::move(result));
        if (++done % 100 == 0 || done == count) {
            std::printf("\rsaved %d/%d", done, count);
            std::fflush(stdout);
        }
    };
    using op = decltype(asio::co_spawn(ex, save_one(0), asio::deferred));
    std::vector<op> ops;
    ops.reserve(count);
    for (int i = 0; i < count; ++i)
        ops.push_back(asio::co_spawn(ex, save_one(i), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    std::printf("\n");
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto names = co_await storage->list_tasks(wf, "task-*");
    std::printf("%d saves in %.2f s (%.0f saves/s); list_tasks finds %zu\n", count, seconds,
                count / seconds, names.size());
}

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "store";
    const int count = argc > 2 ? std::atoi(argv[2]) : 5000;
    const bool fsync = !(argc > 3 && std::string(argv[3]) == "--no-fsync");
    try {
        auto storage = ff::storage_factory(
            boost::json::value{{"kind", "file"}, {"options", {{"path", path}, {"fsync", fsync}}}});
        asio::io_context ctx;
        asio::co_spawn(ctx, runner(storage, count), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ctx.run();
    } catch (const ff::error& e) {
        std::fprintf(stderr, "batch_save: %s\n", e.what());
        return 1;
    }
}
