#pragma once
// `storage` over any `byte_store`: validates names, then runs the shared result codec on the
// shared executor's io context and resumes the caller on its own executor. A storage kind is
// a byte store plus a constructor (see file_storage).

#include <memory>

#include "functionfuse/executor.hpp"
#include "functionfuse/storage.hpp"
#include "storage/byte_store.hpp"
#include "storage/result_codec.hpp"

namespace functionfuse::detail {

class byte_store_storage : public storage {
  public:
    /// `executor` must be the one whose blocking pool `store` runs its file-system calls on.
    byte_store_storage(std::shared_ptr<byte_store> store,
                       std::shared_ptr<shared_executor> executor);

    boost::asio::awaitable<void> new_workflow(std::string workflow) override;
    boost::asio::awaitable<void> save(std::string workflow, std::string task,
                                      value result) override;
    boost::asio::awaitable<value> read_task(std::string workflow, std::string task) override;
    boost::asio::awaitable<bool> file_exists(std::string workflow, std::string task) override;
    boost::asio::awaitable<std::vector<std::string>> list_tasks(std::string workflow,
                                                                std::string pattern) override;
    boost::asio::awaitable<void> remove_task(std::string workflow, std::string task) override;
    boost::asio::awaitable<void> remove_task(std::string workflow, glob pattern) override;
    boost::asio::awaitable<void> remove_workflow(std::string workflow) override;
    const protocols& lent_protocols() const override { return store_->lent_protocols(); }

    const std::shared_ptr<shared_executor>& executor() const noexcept { return executor_; }
    /// What maintenance (src/maintenance) works with: the byte store and a codec environment
    /// with the serializers registered now.
    const std::shared_ptr<byte_store>& store() const noexcept { return store_; }
    codec_env env() const;

  private:
    void check_task(std::string_view task) const;
    /// Runs `op` on the io context; the caller resumes on its own executor.
    template <class T>
    boost::asio::awaitable<T> on_library(boost::asio::awaitable<T> op) const;

    std::shared_ptr<byte_store> store_;
    std::shared_ptr<shared_executor> executor_;
    /// Whether saves try a create-only publish first (result_codec.hpp).
    std::shared_ptr<overwrite_estimate> overwrites_ = std::make_shared<overwrite_estimate>();
};

}  // namespace functionfuse::detail
