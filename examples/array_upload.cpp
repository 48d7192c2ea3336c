// Array upload: one large array saved to a store, with a progress display fed by a
// ff::progress observer attached to the array (chunks and bytes stored of the total).
//
//   array_upload [MiB] [store]          (defaults: 256, ./store)
//
// `store` is a config JSON (`{"kind": "S3", "options": {...}}`, see docs/configuration.md),
// an `s3://bucket/prefix` (credentials, region and endpoint from the AWS_* environment), or a
// directory for the file kind. On a terminal the progress is a bar; otherwise plain lines.
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

boost::json::value store_config(const std::string& store) {
    if (!store.empty() && store.front() == '{')
        return boost::json::parse(store);
    if (store.rfind("s3://", 0) == 0)
        return boost::json::value{{"kind", "S3"}, {"options", {{"path", store.substr(5)}}}};
    return boost::json::value{{"kind", "file"}, {"options", {{"path", store}}}};
}

asio::awaitable<void> upload(std::shared_ptr<ff::storage> storage, std::size_t mib) {
    const std::string wf = "upload";
    co_await storage->new_workflow(wf);

    // mib MiB of float64 as rows of 1024 values, in chunks of 8 MiB (1024 rows).
    const std::size_t rows = mib * 128;
    xt::xarray<double> x = xt::xarray<double>::from_shape({rows, std::size_t{1024}});
    for (std::size_t i = 0; i < x.size(); ++i)
        x.data()[i] = static_cast<double>(i);
    auto observer = std::make_shared<ff::progress>();
    const ff::chunked_array array =
        ff::chunked_array::from(std::move(x), {std::size_t{1024}, std::size_t{1024}})
            .with_progress(observer);

    const auto start = std::chrono::steady_clock::now();
    bool done = false;
    auto save = [&]() -> asio::awaitable<void> {
        std::string task = "big";
        ff::value v(array);
        co_await storage->save(wf, task, std::move(v));
        done = true;
    };
    // Both on this io_context; `&&` waits for both (named first: GCC 12 coroutine rule).
    using namespace asio::experimental::awaitable_operators;
    auto both = save() && example::show_progress(*observer, done, example::progress_unit::bytes);
    co_await std::move(both);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("saved %zu MiB in %.2f s (%.0f MiB/s)\n", mib, seconds,
                static_cast<double>(mib) / seconds);
}

int main(int argc, char** argv) {
    const std::size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
    const std::string store = argc > 2 ? argv[2] : "store";
    try {
        auto storage = ff::storage_factory(store_config(store));
        storage->register_persistent_serializers(std::make_shared<ff::array_serializer>());
        asio::io_context ctx;
        asio::co_spawn(ctx, upload(storage, mib), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ctx.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "array_upload: %s\n", e.what());
        return 1;
    }
}
