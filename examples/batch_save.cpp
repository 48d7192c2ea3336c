// Batch save: thousands of saves from one co_spawned runner with ff::save_many, which keeps a
// bounded number in flight and returns one error per item.
//
//   batch_save [store-path] [count] [--no-fsync]     (defaults: ./store, 5000)
//
// The library spreads the file work over its blocking pool; the batch resumes on this
// program's io_context. A ff::progress observer counts the finished saves; a sibling coroutine
// polls it (progress_display.hpp): a bar on a terminal, plain lines otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <functionfuse/functionfuse.hpp>

#include "progress_display.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

asio::awaitable<void> runner(std::shared_ptr<ff::storage> storage, int count) {
    const std::string wf = "batch";
    co_await storage->new_workflow(wf);
    const auto start = std::chrono::steady_clock::now();

    // Built here, outside any co_await expression (GCC 12 coroutine rule, CONTRIBUTING.md).
    std::vector<ff::save_item> items;
    items.reserve(count);
    for (int i = 0; i < count; ++i) {
        ff::value result =
            ff::dict{{"index", i},
                     {"score", i * 0.5},
                     {"label", "item-" + std::to_string(i)},
                     {"payload", ff::bytes(std::string(1024, static_cast<char>(i)))}};
        items.push_back({"task-" + std::to_string(i), std::move(result)});
    }
    ff::batch_options options;
    options.max_in_flight = 256;  // enough to keep the blocking pool busy
    options.on_failure = ff::batch_failure::finish_others;
    options.progress = std::make_shared<ff::progress>();
    std::vector<std::exception_ptr> errors;
    bool done = false;
    auto save = [&]() -> asio::awaitable<void> {
        errors = co_await ff::save_many(*storage, wf, std::move(items), options);
        done = true;
    };
    // Both on this io_context; `&&` waits for both (named first: GCC 12 coroutine rule).
    using namespace asio::experimental::awaitable_operators;
    auto both =
        save() && example::show_progress(*options.progress, done, example::progress_unit::items);
    co_await std::move(both);
    int failed = 0;
    for (const auto& e : errors)
        failed += e ? 1 : 0;
    if (failed)
        std::fprintf(stderr, "%d of %d saves failed; the first:\n", failed, count);
    ff::rethrow_first_error(errors);

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
