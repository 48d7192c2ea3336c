// save_many / read_many on the file kind: the bound on items in flight, per-item errors, both
// failure policies, and a batch cancelled by its caller. The bound is observed by a storage
// that forwards every call to a real file storage and counts the saves and reads under way.
#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "functionfuse/functionfuse.hpp"
#include "run_awaitable.hpp"
#include "temp_dir.hpp"

namespace ff = functionfuse;
namespace asio = boost::asio;

namespace {

/// A storage that forwards to `inner` and counts the saves and reads in flight.
class counting_storage : public ff::storage {
  public:
    explicit counting_storage(std::shared_ptr<ff::storage> inner) : inner_(std::move(inner)) {}

    std::atomic<int> in_flight{0}, peak{0}, finished{0};
    /// Called after each save or read ends (on the batch's strand).
    std::function<void()> on_finished;

    asio::awaitable<void> new_workflow(std::string workflow) override {
        co_await inner_->new_workflow(workflow);
    }
    asio::awaitable<void> save(std::string workflow, std::string task, ff::value v) override {
        enter();
        std::exception_ptr e;
        try {
            co_await inner_->save(workflow, task, std::move(v));
        } catch (...) {
            e = std::current_exception();
        }
        leave();
        if (e)
            std::rethrow_exception(e);
    }
    asio::awaitable<ff::value> read_task(std::string workflow, std::string task) override {
        enter();
        std::exception_ptr e;
        ff::value v;
        try {
            v = co_await inner_->read_task(workflow, task);
        } catch (...) {
            e = std::current_exception();
        }
        leave();
        if (e)
            std::rethrow_exception(e);
        co_return v;
    }
    asio::awaitable<bool> file_exists(std::string workflow, std::string task) override {
        co_return co_await inner_->file_exists(workflow, task);
    }
    asio::awaitable<std::vector<std::string>> list_tasks(std::string workflow,
                                                         std::string pattern) override {
        co_return co_await inner_->list_tasks(workflow, pattern);
    }
    asio::awaitable<void> remove_task(std::string workflow, std::string task) override {
        co_await inner_->remove_task(workflow, task);
    }
    asio::awaitable<void> remove_task(std::string workflow, ff::glob pattern) override {
        co_await inner_->remove_task(workflow, pattern);
    }
    asio::awaitable<void> remove_workflow(std::string workflow) override {
        co_await inner_->remove_workflow(workflow);
    }
    const ff::protocols& lent_protocols() const override { return inner_->lent_protocols(); }

  private:
    void enter() {
        const int now = ++in_flight;
        for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
        }
    }
    void leave() {
        --in_flight;
        ++finished;
        if (on_finished)
            on_finished();
    }
    std::shared_ptr<ff::storage> inner_;
};

class Batch : public ::testing::Test {
  protected:
    void SetUp() override {
        auto inner = ff::storage_factory(boost::json::value{
            {"kind", "file"}, {"options", {{"path", dir_.path().string()}, {"fsync", false}}}});
        storage_ = std::make_shared<counting_storage>(inner);
        std::string w = wf_;
        ff_test::run_on(ctx_, storage_->new_workflow(w));
    }

    static ff::value item_value(int i) {
        return ff::value(ff::dict{{"i", i}, {"label", "item-" + std::to_string(i)}});
    }
    static std::vector<ff::save_item> items(int n) {
        std::vector<ff::save_item> out;
        for (int i = 0; i < n; ++i)
            out.push_back({"t" + std::to_string(i), item_value(i)});
        return out;
    }
    bool stored(const std::string& task) {
        std::string w = wf_, t = task;
        return ff_test::run_on(ctx_, storage_->file_exists(w, t));
    }

    static bool is_aborted(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const boost::system::system_error& x) {
            return x.code() == asio::error::operation_aborted;
        } catch (...) {
            return false;
        }
    }
    template <class E>
    static bool is(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const E&) {
            return true;
        } catch (...) {
            return false;
        }
    }

    ff_test::temp_dir dir_;
    std::shared_ptr<counting_storage> storage_;
    asio::io_context ctx_;
    const std::string wf_ = "wf";
};

TEST_F(Batch, SavesAndReadsEveryItemWithAtMostMaxInFlightAtOnce) {
    ff::batch_options opts;
    opts.max_in_flight = 4;
    std::string w = wf_;
    auto batch = items(100);
    const auto errors = ff_test::run_on(ctx_, ff::save_many(*storage_, w, std::move(batch), opts));
    ASSERT_EQ(errors.size(), 100u);
    for (const auto& e : errors)
        EXPECT_FALSE(e);
    // Every save suspends on the library, so the four workers are all in flight at once.
    EXPECT_EQ(storage_->peak.load(), 4);

    storage_->peak = 0;
    std::vector<std::string> tasks;
    for (int i = 0; i < 100; ++i)
        tasks.push_back("t" + std::to_string(i));
    std::string w2 = wf_;
    const auto read = ff_test::run_on(ctx_, ff::read_many(*storage_, w2, tasks, opts));
    ASSERT_EQ(read.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_FALSE(read[i].error);
        EXPECT_EQ(read[i].result, item_value(i));
    }
    EXPECT_EQ(storage_->peak.load(), 4);
    EXPECT_NO_THROW(ff::rethrow_first_error(read));
}

TEST_F(Batch, EachItemReportsItsOwnErrorAndTheOthersFinishByDefault) {
    auto batch = items(20);
    batch[5].task = "bad/name";
    std::string w = wf_;
    const auto errors = ff_test::run_on(ctx_, ff::save_many(*storage_, w, std::move(batch)));
    ASSERT_EQ(errors.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        if (i == 5) {
            EXPECT_TRUE(is<ff::invalid_name>(errors[i]));
        } else {
            EXPECT_FALSE(errors[i]) << i;
            EXPECT_TRUE(stored("t" + std::to_string(i))) << i;
        }
    }
    EXPECT_THROW(ff::rethrow_first_error(errors), ff::invalid_name);

    std::vector<std::string> tasks{"t1", "missing", "t2"};
    std::string w2 = wf_;
    const auto read = ff_test::run_on(ctx_, ff::read_many(*storage_, w2, tasks));
    EXPECT_FALSE(read[0].error);
    EXPECT_EQ(read[0].result, item_value(1));
    EXPECT_TRUE(is<ff::not_found>(read[1].error));
    EXPECT_FALSE(read[2].error);
    EXPECT_EQ(read[2].result, item_value(2));
}

TEST_F(Batch, CancelOthersStartsNothingAfterTheFirstFailure) {
    auto batch = items(10);
    batch[1].task = "bad/name";
    ff::batch_options opts;
    opts.max_in_flight = 1;
    opts.on_failure = ff::batch_failure::cancel_others;
    std::string w = wf_;
    const auto errors = ff_test::run_on(ctx_, ff::save_many(*storage_, w, std::move(batch), opts));
    ASSERT_EQ(errors.size(), 10u);
    EXPECT_FALSE(errors[0]);
    EXPECT_TRUE(stored("t0"));
    EXPECT_TRUE(is<ff::invalid_name>(errors[1]));
    for (int i = 2; i < 10; ++i) {
        EXPECT_TRUE(is_aborted(errors[i])) << i;
        EXPECT_FALSE(stored("t" + std::to_string(i))) << i;
    }
}

// Items in flight when another fails are cancelled with it: each ends saved or aborted, and
// an aborted one left nothing.
TEST_F(Batch, CancelOthersCancelsTheItemsInFlight) {
    auto batch = items(64);
    batch[20].task = "bad/name";
    ff::batch_options opts;
    opts.max_in_flight = 8;
    opts.on_failure = ff::batch_failure::cancel_others;
    std::string w = wf_;
    const auto errors = ff_test::run_on(ctx_, ff::save_many(*storage_, w, std::move(batch), opts));
    int aborted = 0;
    for (int i = 0; i < 64; ++i) {
        if (i == 20) {
            EXPECT_TRUE(is<ff::invalid_name>(errors[i]));
            continue;
        }
        const bool there = stored("t" + std::to_string(i));
        if (!errors[i]) {
            EXPECT_TRUE(there) << i;
        } else {
            EXPECT_TRUE(is_aborted(errors[i])) << i;
            EXPECT_FALSE(there) << i;
            ++aborted;
        }
    }
    EXPECT_GE(aborted, 64 - 21 - 8);  // at least the items that were never started
}

// The caller cancels the batch once ten saves have ended: the batch still returns, the saved
// items are stored, and every other item reports operation_aborted and left nothing.
TEST_F(Batch, ACancelledBatchReturnsWhatItDid) {
    asio::cancellation_signal cancel;
    storage_->on_finished = [&] {
        if (storage_->finished == 10)
            cancel.emit(asio::cancellation_type::terminal);
    };
    ff::batch_options opts;
    opts.max_in_flight = 8;
    std::string w = wf_;
    auto batch = items(200);
    std::optional<std::vector<std::exception_ptr>> errors;
    std::exception_ptr thrown;
    asio::co_spawn(ctx_, ff::save_many(*storage_, w, std::move(batch), opts),
                   asio::bind_cancellation_slot(
                       cancel.slot(), [&](std::exception_ptr e, std::vector<std::exception_ptr> r) {
                           thrown = e;
                           errors = std::move(r);
                       }));
    ctx_.restart();
    ctx_.run();
    storage_->on_finished = nullptr;
    ASSERT_FALSE(thrown);
    ASSERT_TRUE(errors);
    int ok = 0, aborted = 0;
    for (int i = 0; i < 200; ++i) {
        const bool there = stored("t" + std::to_string(i));
        if (!(*errors)[i]) {
            ++ok;
            EXPECT_TRUE(there) << i;
        } else {
            EXPECT_TRUE(is_aborted((*errors)[i])) << i;
            EXPECT_FALSE(there) << i;
            ++aborted;
        }
    }
    EXPECT_GE(ok, 10);
    EXPECT_GE(aborted, 200 - 10 - 8);
}

}  // namespace
