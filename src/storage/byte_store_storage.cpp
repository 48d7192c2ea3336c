#include "storage/byte_store_storage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "storage/async_util.hpp"
#include "storage/names.hpp"

namespace functionfuse::detail {

byte_store_storage::byte_store_storage(std::shared_ptr<byte_store> store,
                                       std::shared_ptr<shared_executor> executor)
    : store_(std::move(store)), executor_(std::move(executor)) {}

codec_env byte_store_storage::env() const {
    return codec_env{store_, serializers().snapshot(), executor_->blocking(), overwrites_};
}

void byte_store_storage::check_task(std::string_view task) const {
    validate_name(task, "task");
    store_->check_task_name(task);
}

template <class T>
boost::asio::awaitable<T> byte_store_storage::on_library(boost::asio::awaitable<T> op) const {
    // The completion is dispatched to the awaiting coroutine's own executor, so the caller
    // never continues on a library thread; the caller's cancellation slot is forwarded across
    // the hop and delivered on the io context, where the library's work runs.
    std::exception_ptr failure;
    const auto timeout = store_->operation_timeout();
    std::shared_ptr<std::atomic<bool>> expired;
    try {
        if (timeout.count() <= 0)
            co_return co_await hop_to(executor_->io(), std::move(op));
        expired = std::make_shared<std::atomic<bool>>(false);
        co_return co_await hop_to(executor_->io(), std::move(op), timeout, expired);
    } catch (...) {
        failure = std::current_exception();
    }
    if (expired && expired->load())
        throw io_error(
            fmt::format("storage operation did not finish within operation_timeout_ms "
                        "({} ms) and was cancelled",
                        timeout.count()));
    // However an inner layer reported the interruption (a transport error, a failed worker),
    // a cancelled operation ends with one documented error. (Reading the state does not throw,
    // unlike other co_awaits of a cancelled coroutine.)
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none || is_operation_aborted(failure))
        throw_operation_aborted();
    std::rethrow_exception(failure);
}

boost::asio::awaitable<void> byte_store_storage::new_workflow(std::string workflow) {
    validate_name(workflow, "workflow");
    co_await on_library(store_->new_workflow(std::move(workflow)));
}

boost::asio::awaitable<void> byte_store_storage::save(std::string workflow, std::string task,
                                                      value result) {
    validate_name(workflow, "workflow");
    check_task(task);
    co_await on_library(save_result(env(), std::move(workflow), std::move(task),
                                    std::make_shared<const value>(std::move(result))));
}

boost::asio::awaitable<value> byte_store_storage::read_task(std::string workflow,
                                                            std::string task) {
    validate_name(workflow, "workflow");
    check_task(task);
    co_return co_await on_library(read_result(env(), std::move(workflow), std::move(task)));
}

boost::asio::awaitable<bool> byte_store_storage::file_exists(std::string workflow,
                                                             std::string task) {
    validate_name(workflow, "workflow");
    check_task(task);
    co_return co_await on_library(result_exists(env(), std::move(workflow), std::move(task)));
}

boost::asio::awaitable<std::vector<std::string>> byte_store_storage::list_tasks(
    std::string workflow, std::string pattern) {
    validate_name(workflow, "workflow");
    co_return co_await on_library(list_results(env(), std::move(workflow), std::move(pattern)));
}

boost::asio::awaitable<void> byte_store_storage::remove_task(std::string workflow,
                                                             std::string task) {
    validate_name(workflow, "workflow");
    check_task(task);
    co_await on_library(remove_result(env(), std::move(workflow), std::move(task)));
}

boost::asio::awaitable<void> byte_store_storage::remove_task(std::string workflow, glob pattern) {
    validate_name(workflow, "workflow");
    co_await on_library(remove_matching(env(), std::move(workflow), std::move(pattern.pattern)));
}

boost::asio::awaitable<void> byte_store_storage::remove_workflow(std::string workflow) {
    validate_name(workflow, "workflow");
    co_await on_library(store_->remove_workflow(std::move(workflow)));
}

}  // namespace functionfuse::detail
