// Small results: N saves of a ~1 KiB dict (the shape of examples/batch_save.cpp), then N reads,
// through the public API of one path. scripts/bench_small.sh runs it beside the Python
// original's FileStorage on the same data and prints the table.
//
//   small_results async|sync <store-dir> <count> <fsync 0|1> [window]
//
// async: `window` saves (default 256) in flight at once, on workers that each take the next
// index, so memory stays bounded however large <count> is; sync: one call after another.
// Prints one line: impl=... n=... save_s=... read_s=... peak_rss_kb=...
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <functionfuse/functionfuse.hpp>
#include <functionfuse/sync.hpp>

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

ff::value small_result(int i) {
    return ff::dict{{"index", i},
                    {"score", i * 0.5},
                    {"label", "item-" + std::to_string(i)},
                    {"payload", ff::bytes(std::string(1024, static_cast<char>(i)))}};
}

std::string task_name(int i) {
    return "task-" + std::to_string(i);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `window` workers share one counter; each saves (or reads) the next index until none is left.
asio::awaitable<void> worker(std::shared_ptr<ff::storage> storage, int* next, int count,
                             bool save) {
    const std::string wf = "small";
    while (*next < count) {
        const int i = (*next)++;
        std::string task = task_name(i);
        if (save) {
            ff::value v = small_result(i);
            co_await storage->save(wf, task, std::move(v));
        } else {
            ff::value v = co_await storage->read_task(wf, task);
            if (!v.is<ff::dict>())
                throw std::runtime_error("read back a non-dict");
        }
    }
}

asio::awaitable<void> run_all(std::shared_ptr<ff::storage> storage, int count, int window,
                              bool save) {
    auto ex = co_await asio::this_coro::executor;
    int next = 0;
    using op = decltype(asio::co_spawn(ex, worker(storage, &next, count, save), asio::deferred));
    std::vector<op> ops;
    for (int w = 0; w < window; ++w)
        ops.push_back(asio::co_spawn(ex, worker(storage, &next, count, save), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

void run_async(const boost::json::value& config, int count, int window, double& save_s,
               double& read_s) {
    auto storage = ff::storage_factory(config);
    asio::io_context ctx;
    auto run = [&](bool save) {
        std::exception_ptr failure;
        asio::co_spawn(ctx, run_all(storage, count, window, save),
                       [&](std::exception_ptr e) { failure = e; });
        ctx.restart();
        ctx.run();
        if (failure)
            std::rethrow_exception(failure);
    };
    std::string wf = "small";
    asio::co_spawn(ctx, storage->new_workflow(wf), asio::detached);
    ctx.run();
    auto start = std::chrono::steady_clock::now();
    run(true);
    save_s = seconds_since(start);
    start = std::chrono::steady_clock::now();
    run(false);
    read_s = seconds_since(start);
}

void run_sync(const boost::json::value& config, int count, double& save_s, double& read_s) {
    auto storage = ff::sync::storage_factory(config);
    storage->new_workflow("small");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i)
        storage->save("small", task_name(i), small_result(i));
    save_s = seconds_since(start);
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i)
        if (!storage->read_task("small", task_name(i)).is<ff::dict>())
            throw std::runtime_error("read back a non-dict");
    read_s = seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr,
                     "usage: small_results async|sync <store-dir> <count> <fsync 0|1> [window]\n");
        return 2;
    }
    const std::string impl = argv[1];
    const int count = std::atoi(argv[3]);
    const bool fsync = std::atoi(argv[4]) != 0;
    const int window = argc > 5 ? std::atoi(argv[5]) : 256;
    const boost::json::value config{{"kind", "file"},
                                    {"options", {{"path", argv[2]}, {"fsync", fsync}}}};
    double save_s = 0, read_s = 0;
    try {
        if (impl == "async")
            run_async(config, count, window, save_s, read_s);
        else
            run_sync(config, count, save_s, read_s);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "small_results: %s\n", e.what());
        return 1;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("impl=%s n=%d fsync=%d save_s=%f read_s=%f peak_rss_kb=%ld\n", impl.c_str(), count,
                fsync ? 1 : 0, save_s, read_s, usage.ru_maxrss);
}
