#pragma once
// `sync::storage` over any `byte_store`, reusing the async path's result codec unchanged: each
// call builds a private io_context, a byte store whose blocking executor is that same context,
// runs the codec's coroutine on it and drives it with `run()` in the calling thread. So all
// work, including serializers' "blocking" work, runs inline in the caller, one step at a
// time, and the bytes written are exactly the async path's.

#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "functionfuse/sync.hpp"
#include "storage/byte_store.hpp"
#include "storage/result_codec.hpp"

namespace functionfuse::detail {

class byte_store_sync_storage : public sync::storage {
  public:
    /// Makes a byte store for one call whose blocking work runs on `blocking` (the call's
    /// private context). Called once per operation; should be cheap.
    using store_maker = std::function<std::shared_ptr<byte_store>(boost::asio::any_io_executor)>;

    explicit byte_store_sync_storage(store_maker make_store);

    void new_workflow(const std::string& workflow) override;
    void save(const std::string& workflow, const std::string& task, const value& result) override;
    value read_task(const std::string& workflow, const std::string& task) override;
    bool file_exists(const std::string& workflow, const std::string& task) override;
    std::vector<std::string> list_tasks(const std::string& workflow,
                                        const std::string& pattern) override;
    void remove_task(const std::string& workflow, const std::string& task) override;
    void remove_task(const std::string& workflow, const glob& pattern) override;
    void remove_workflow(const std::string& workflow) override;

  private:
    /// Runs `op(env)` to completion in the calling thread.
    template <class T>
    T run(const std::function<boost::asio::awaitable<T>(const codec_env&)>& op);
    void check_task(const std::string& task);

    store_maker make_store_;
    /// A store made with no executor, used only for its name rules.
    std::shared_ptr<byte_store> name_rules_;
    /// One for the storage: every call's store is new, the estimate must outlive them.
    std::shared_ptr<overwrite_estimate> overwrites_ = std::make_shared<overwrite_estimate>();
};

}  // namespace functionfuse::detail
