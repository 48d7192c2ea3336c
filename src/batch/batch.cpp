// save_many and read_many: each hops onto a strand of the caller's executor (so the batch's
// workers and its cancellation are serialized even on a multi-threaded io_context) and runs
// the bounded batch there; every item is one ordinary storage operation.
#include "functionfuse/batch.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

#include "batch/bounded_batch.hpp"
#include "functionfuse/storage.hpp"
#include "storage/async_util.hpp"

namespace functionfuse {

namespace asio = boost::asio;

namespace {

// Internal coroutines awaited at once: references to the public coroutine's frame (GCC 12
// coroutine rule, CONTRIBUTING.md).
asio::awaitable<std::vector<std::exception_ptr>> save_on_strand(storage& s,
                                                                const std::string& workflow,
                                                                std::vector<save_item>& items,
                                                                batch_options options) {
    auto body = [&](std::size_t i) -> asio::awaitable<void> {
        std::string w = workflow;
        std::string t = items[i].task;
        value v = std::move(items[i].result);
        co_await s.save(w, t, std::move(v));
    };
    co_return co_await detail::run_batch(items.size(), options, std::move(body));
}

asio::awaitable<std::vector<read_outcome>> read_on_strand(storage& s, const std::string& workflow,
                                                          const std::vector<std::string>& tasks,
                                                          batch_options options) {
    std::vector<read_outcome> out(tasks.size());
    auto body = [&](std::size_t i) -> asio::awaitable<void> {
        std::string w = workflow;
        std::string t = tasks[i];
        out[i].result = co_await s.read_task(w, t);
    };
    std::vector<std::exception_ptr> errors =
        co_await detail::run_batch(tasks.size(), options, std::move(body));
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i].error = std::move(errors[i]);
    co_return out;
}

}  // namespace

asio::awaitable<std::vector<std::exception_ptr>> save_many(storage& s, std::string workflow,
                                                           std::vector<save_item> items,
                                                           batch_options options) {
    const auto here = co_await asio::this_coro::executor;
    const asio::any_io_executor strand = asio::make_strand(here);
    auto op = save_on_strand(s, workflow, items, options);
    co_return co_await detail::hop_to(strand, std::move(op));
}

asio::awaitable<std::vector<std::exception_ptr>> save_many(storage& s, std::string workflow,
                                                           std::vector<save_item> items) {
    const batch_options options;
    co_return co_await save_many(s, std::move(workflow), std::move(items), options);
}

asio::awaitable<std::vector<read_outcome>> read_many(storage& s, std::string workflow,
                                                     std::vector<std::string> tasks,
                                                     batch_options options) {
    const auto here = co_await asio::this_coro::executor;
    const asio::any_io_executor strand = asio::make_strand(here);
    auto op = read_on_strand(s, workflow, tasks, options);
    co_return co_await detail::hop_to(strand, std::move(op));
}

asio::awaitable<std::vector<read_outcome>> read_many(storage& s, std::string workflow,
                                                     std::vector<std::string> tasks) {
    const batch_options options;
    co_return co_await read_many(s, std::move(workflow), std::move(tasks), options);
}

void rethrow_first_error(const std::vector<std::exception_ptr>& errors) {
    for (const auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

void rethrow_first_error(const std::vector<read_outcome>& outcomes) {
    for (const auto& o : outcomes)
        if (o.error)
            std::rethrow_exception(o.error);
}

}  // namespace functionfuse
