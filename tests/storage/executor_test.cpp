// Every storage awaitable resumes on the caller's executor, whatever it is; the work itself
// runs on the library's threads.
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "blob_serializer.hpp"
#include "functionfuse/executor.hpp"
#include "async_protocols/file/file_storage.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

/// Runs every operation once and checks after each co_await that the coroutine is back on
/// `expected` (via `on_caller()`).
template <class OnCaller>
asio::awaitable<void> exercise(ff::storage& s, OnCaller on_caller, int& checks) {
    auto check = [&] {
        EXPECT_TRUE(on_caller());
        ++checks;
    };
    // Arguments are named locals: GCC 12 mishandles array temporaries (string literals) in
    // co_await expressions.
    const std::string wf = "wf", t = "t", missing = "missing", dotdot = "..", all = "*";
    co_await s.new_workflow(wf);
    check();
    ff::value v = ff::dict{{"blob", ff_test::make_blob("data")}, {"x", 1}};
    co_await s.save(wf, t, v);
    check();
    (void)co_await s.read_task(wf, t);
    check();
    (void)co_await s.file_exists(wf, t);
    check();
    (void)co_await s.list_tasks(wf, all);
    check();
    co_await s.remove_task(wf, t);
    check();
    co_await s.remove_task(wf, ff::glob{all});
    check();
    try {
        (void)co_await s.read_task(wf, missing);
    } catch (const ff::not_found&) {
    }
    check();
    try {
        co_await s.save(wf, dotdot, v);
    } catch (const ff::invalid_name&) {
    }
    check();
    co_await s.remove_workflow(wf);
    check();
}

TEST(CallerExecutor, IoContextCallerResumesOnItsOwnThread) {
    ff_test::temp_dir dir;
    auto exec = std::make_shared<ff::shared_executor>(ff::shared_executor::options{1, 2});
    auto s = std::make_shared<ff::file_storage>(ff::file_storage_options{dir.path(), true}, exec);
    auto blobs = std::make_shared<ff_test::blob_serializer>();
    s->register_persistent_serializers(blobs);
    asio::io_context caller;
    const auto caller_thread = std::this_thread::get_id();
    int checks = 0;
    asio::co_spawn(
        caller,
        [&]() -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            co_await exercise(
                *s,
                [&] {
                    return std::this_thread::get_id() == caller_thread &&
                           caller.get_executor().running_in_this_thread();
                },
                checks);
            EXPECT_TRUE(ex == asio::any_io_executor(caller.get_executor()));
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    caller.run();
    EXPECT_EQ(checks, 10);
    // The serializer's file work ran on the blocking pool, not in the caller.
    const auto threads = blobs->blocking_threads();
    ASSERT_FALSE(threads.empty());
    EXPECT_EQ(threads.count(caller_thread), 0u);
}

TEST(CallerExecutor, StrandOnAThreadPoolResumesOnTheStrand) {
    ff_test::temp_dir dir;
    auto s = std::make_shared<ff::file_storage>(ff::file_storage_options{dir.path(), false},
                                                ff::shared_executor::default_instance());
    s->register_persistent_serializers(std::make_shared<ff_test::blob_serializer>());
    asio::thread_pool caller_pool(2);
    auto strand = asio::make_strand(caller_pool.get_executor());
    int checks = 0;
    auto done = asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<void> {
            co_await exercise(
                *s, [&] { return strand.running_in_this_thread(); }, checks);
        },
        asio::use_future);
    done.get();
    EXPECT_EQ(checks, 10);
    caller_pool.join();
}

TEST(SharedExecutor, SizesAreConfigurableAndDefaultInstanceIsShared) {
    ff::shared_executor e(ff::shared_executor::options{2, 3});
    EXPECT_EQ(e.blocking_threads(), 3u);
    EXPECT_GE(ff::shared_executor(ff::shared_executor::options{1, 0}).blocking_threads(), 2u);
    EXPECT_EQ(ff::shared_executor::default_instance(), ff::shared_executor::default_instance());
    // Work posted to each executor runs on a thread other than this one.
    std::promise<std::thread::id> io_thread, pool_thread;
    asio::post(e.io(), [&] { io_thread.set_value(std::this_thread::get_id()); });
    asio::post(e.blocking(), [&] { pool_thread.set_value(std::this_thread::get_id()); });
    const auto io_id = io_thread.get_future().get();
    const auto pool_id = pool_thread.get_future().get();
    EXPECT_NE(io_id, std::this_thread::get_id());
    EXPECT_NE(pool_id, std::this_thread::get_id());
    EXPECT_NE(io_id, pool_id);
}

}  // namespace
