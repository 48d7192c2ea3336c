// Cancellation of the "file" kind's operations (async path), through Asio's own mechanisms:
// a cancellation slot bound by the caller, awaitable_operators `||` with a timer, and a
// parallel group's wait_for_one.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "async_protocols/file/file_byte_store.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/executor.hpp"
#include "storm.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace ff_test {
namespace {

class FileCancellation : public ::testing::Test {
  protected:
    void SetUp() override {
        ff::shared_executor::options o;
        o.blocking_threads = 2;
        executor_ = std::make_shared<ff::shared_executor>(o);
        storage_ = ff::storage_factory(
            boost::json::object{{"kind", "file"},
                                {"options", {{"path", dir_.path().string()}, {"fsync", false}}}},
            executor_);
        storage_->register_persistent_serializers(std::make_shared<ff::array_serializer>());
    }

    storm_store_view view(const std::string& wf) const {
        const fs::path root = dir_.path();
        storm_store_view v;
        v.raw_task = [root, wf](const std::string& task) {
            std::ifstream in(root / wf / task, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        v.bigdata_names = [root, wf] {
            std::set<std::string> names;
            std::error_code ec;
            for (const auto& e : fs::directory_iterator(root / wf / "bigdata", ec))
                names.insert(e.path().filename().string());
            return names;
        };
        v.temporaries = [root] {
            std::vector<std::string> found;
            for (const auto& e : fs::recursive_directory_iterator(root))
                if (e.path().filename().string().starts_with(ff::detail::temp_prefix))
                    found.push_back(e.path().string());
            return found;
        };
        return v;
    }

    temp_dir dir_;
    std::shared_ptr<ff::shared_executor> executor_;
    std::shared_ptr<ff::storage> storage_;
    asio::io_context ctx_;
};

// The must-hold storm: 1,000 saves and reads (values and arrays), each cancelled at a random
// moment; every one ends, every task is absent, old or new, nothing is left out of band.
TEST_F(FileCancellation, ThousandRandomCancellationsLeaveNoTornTaskAndNoOrphan) {
    storm_params p;
    p.max_delay = std::chrono::microseconds(3000);
    const storm_report r = run_storm(*storage_, ctx_, "wf", p, view("wf"));
    for (const auto& f : r.failures)
        ADD_FAILURE() << f;
    std::cout << "storm: " << r.ok << " ok, " << r.aborted << " aborted, " << r.not_found
              << " not found\n";
    EXPECT_GT(r.aborted, 0) << "no operation was actually cancelled";

    // The blocking pool is whole again: a burst of saves all succeed.
    std::vector<std::pair<std::string, ff::value>> burst;
    for (int i = 0; i < 20; ++i) {
        std::string w = "wf", t = "burst" + std::to_string(i);
        run_on(ctx_, storage_->save(w, t, storm_value(i, 1, true, p)));
    }
    std::string w = "wf", pattern = "burst*";
    EXPECT_EQ(run_on(ctx_, storage_->list_tasks(w, pattern)).size(), 20u);
}

// A large HDF5 array save cancelled while its chunks are being written: the chunk writes
// already on the pool finish, no further one starts, and the temporary file is removed. Before
// per-operation cancellation reached the chunk workers, the save ran to its end and its
// cleanup was cut short by the cancellation, leaving the array in bigdata/ without a task.
TEST_F(FileCancellation, CancelledArraySaveRemovesWhatItWrote) {
    storm_params p;
    p.shape = {2048, 2048};  // 32 MiB in 4,096 chunks
    p.chunks = {32, 32};
    std::string w = "wf";
    run_on(ctx_, storage_->new_workflow(w));
    std::optional<ending> end;
    std::string msg;
    const auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point finished;
    std::string t = "big";
    spawn_cancelled_after(ctx_, storage_->save(w, t, storm_value(2, 1, true, p)),
                          std::chrono::microseconds(20000),
                          [&](std::exception_ptr e, std::optional<int>) {
                              finished = std::chrono::steady_clock::now();
                              end = classify(e, msg);
                          });
    ctx_.restart();
    ctx_.run();
    ASSERT_TRUE(end);
    std::cout << "cancelled 32 MiB HDF5 save ended after "
              << std::chrono::duration<double, std::milli>(finished - start).count()
              << " ms (cancel at 20 ms): " << (*end == ending::aborted ? "aborted" : msg) << "\n";
    ASSERT_EQ(*end, ending::aborted) << msg;
    auto v = view("wf");
    EXPECT_TRUE(v.bigdata_names().empty());
    EXPECT_TRUE(v.temporaries().empty());
    EXPECT_EQ(v.raw_task("big"), "");
}

// A per-call deadline the Asio way: `save || timer`. The timer wins, the save is cancelled,
// and the store holds the old value or none.
TEST_F(FileCancellation, AwaitableOperatorsOrWithATimerCancelsTheSave) {
    using namespace asio::experimental::awaitable_operators;
    storm_params p;
    p.shape = {1024, 1024};
    std::string w = "wf", t = "x";
    run_on(ctx_, storage_->new_workflow(w));
    auto body = [&]() -> asio::awaitable<bool> {
        asio::steady_timer deadline(co_await asio::this_coro::executor);
        deadline.expires_after(std::chrono::milliseconds(1));
        ff::value v = storm_value(2, 1, true, p);
        auto save = storage_->save(w, t, std::move(v));
        auto wait = deadline.async_wait(asio::use_awaitable);
        auto winner = co_await (std::move(save) || std::move(wait));
        co_return winner.index() == 1;  // the timer won
    };
    const bool timed_out = run_on(ctx_, body());
    auto v = view("wf");
    EXPECT_TRUE(v.temporaries().empty());
    if (timed_out) {
        EXPECT_TRUE(v.bigdata_names().empty());
        EXPECT_EQ(v.raw_task("x"), "");
    }
}

// A parallel group's wait_for_one: the first read to finish cancels the other operations.
TEST_F(FileCancellation, ParallelGroupWaitForOneCancelsTheOthers) {
    storm_params p;
    p.shape = {1024, 1024};
    std::string w = "wf", small = "small", big = "big";
    run_on(ctx_, storage_->save(w, small, storm_value(0, 0, false, p)));
    auto body = [&]() -> asio::awaitable<std::pair<bool, bool>> {
        auto ex = co_await asio::this_coro::executor;
        ff::value v = storm_value(2, 1, true, p);
        auto read = asio::co_spawn(ex, storage_->read_task(w, small), asio::deferred);
        auto save = asio::co_spawn(ex, storage_->save(w, big, std::move(v)), asio::deferred);
        auto group = asio::experimental::make_parallel_group(std::move(read), std::move(save));
        auto [order, read_error, value, save_error] = co_await std::move(group).async_wait(
            asio::experimental::wait_for_one(), asio::use_awaitable);
        co_return std::pair{order[0] == 0 && !read_error, save_error && is_aborted(save_error)};
    };
    const auto [read_first, save_aborted] = run_on(ctx_, body());
    auto v = view("wf");
    EXPECT_TRUE(v.temporaries().empty());
    if (read_first && save_aborted) {
        EXPECT_TRUE(v.bigdata_names().empty());
        EXPECT_EQ(v.raw_task("big"), "");
    }
}

}  // namespace
}  // namespace ff_test
