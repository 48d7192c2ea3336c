#include "storage/byte_store_sync_storage.hpp"

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "storage/names.hpp"

namespace functionfuse::detail {

byte_store_sync_storage::byte_store_sync_storage(store_maker make_store)
    : make_store_(std::move(make_store)), name_rules_(make_store_({})) {}

template <class T>
T byte_store_sync_storage::run(
    const std::function<boost::asio::awaitable<T>(const codec_env&)>& op) {
    boost::asio::io_context ctx(1);
    codec_env env{make_store_(ctx.get_executor()), serializers().snapshot(), ctx.get_executor(),
                  overwrites_};
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ctx, op(env), [&](std::exception_ptr e) {
            error = e;
            result.emplace(true);
        });
    } else {
        boost::asio::co_spawn(ctx, op(env), [&](std::exception_ptr e, T v) {
            error = e;
            if (!e)
                result.emplace(std::move(v));
        });
    }
    ctx.run();
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*result);
}

void byte_store_sync_storage::check_task(const std::string& task) {
    validate_name(task, "task");
    name_rules_->check_task_name(task);
}

void byte_store_sync_storage::new_workflow(const std::string& workflow) {
    validate_name(workflow, "workflow");
    run<void>([&](const codec_env& env) { return env.store->new_workflow(workflow); });
}

void byte_store_sync_storage::save(const std::string& workflow, const std::string& task,
                                   const value& result) {
    validate_name(workflow, "workflow");
    check_task(task);
    // The call blocks until the codec is done, so it may borrow `result` without a copy.
    std::shared_ptr<const value> borrowed(std::shared_ptr<const value>{}, &result);
    run<void>([&](const codec_env& env) { return save_result(env, workflow, task, borrowed); });
}

value byte_store_sync_storage::read_task(const std::string& workflow, const std::string& task) {
    validate_name(workflow, "workflow");
    check_task(task);
    return run<value>([&](const codec_env& env) { return read_result(env, workflow, task); });
}

bool byte_store_sync_storage::file_exists(const std::string& workflow, const std::string& task) {
    validate_name(workflow, "workflow");
    check_task(task);
    return run<bool>([&](const codec_env& env) { return result_exists(env, workflow, task); });
}

std::vector<std::string> byte_store_sync_storage::list_tasks(const std::string& workflow,
                                                             const std::string& pattern) {
    validate_name(workflow, "workflow");
    return run<std::vector<std::string>>(
        [&](const codec_env& env) { return list_results(env, workflow, pattern); });
}

void byte_store_sync_storage::remove_task(const std::string& workflow, const std::string& task) {
    validate_name(workflow, "workflow");
    check_task(task);
    run<void>([&](const codec_env& env) { return remove_result(env, workflow, task); });
}

void byte_store_sync_storage::remove_task(const std::string& workflow, const glob& pattern) {
    validate_name(workflow, "workflow");
    run<void>(
        [&](const codec_env& env) { return remove_matching(env, workflow, pattern.pattern); });
}

void byte_store_sync_storage::remove_workflow(const std::string& workflow) {
    validate_name(workflow, "workflow");
    run<void>([&](const codec_env& env) { return env.store->remove_workflow(workflow); });
}

}  // namespace functionfuse::detail
