#pragma once
// The S3 kind's byte store over the async client: task results are objects
// `<prefix>/<workflow>/<task>`; out-of-band data lives under `<prefix>/<workflow>/bigdata/`.

#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/s3_location.hpp"
#include "storage/byte_store.hpp"

namespace functionfuse::detail {

/// Throws `invalid_name` for "bigdata", which the S3 layout reserves for out-of-band data
/// (shared by the async and the sync S3 stores).
void check_s3_task_name(std::string_view task);

class s3_byte_store final : public byte_store {
  public:
    /// `client` is bound to `io` (the shared executor's io context, where the codec awaits
    /// these); `blocking` is lent to serializers. `keepalive` is held until the client is
    /// gone (it owns the io context the client's sockets live on).
    s3_byte_store(std::shared_ptr<s3::client> client, s3_location location,
                  std::shared_ptr<conditional_support> conditional, boost::asio::any_io_executor io,
                  boost::asio::any_io_executor blocking, std::shared_ptr<const void> keepalive);
    ~s3_byte_store() override;

    /// S3 has no directories: nothing to create.
    boost::asio::awaitable<void> new_workflow(std::string workflow) override;
    /// One PUT: S3 publishes an object atomically.
    boost::asio::awaitable<void> put_atomic(std::string workflow, std::string task,
                                            std::string bytes) override;
    /// One PUT with `If-None-Match: *` where the storage's `conditional_writes` allow it (the
    /// first such save may probe the server first, conditional_writes.hpp) and the result is
    /// small enough for one PUT; else `unsupported`.
    boost::asio::awaitable<create_outcome> put_if_absent(const std::string& workflow,
                                                         const std::string& task,
                                                         const std::string& bytes) override;
    boost::asio::awaitable<std::optional<std::string>> get(std::string workflow,
                                                           std::string task) override;
    /// HEAD.
    boost::asio::awaitable<bool> exists(std::string workflow, std::string task) override;
    /// ListObjectsV2 of `<prefix>/<workflow>/` with delimiter '/': direct objects only.
    boost::asio::awaitable<std::vector<std::string>> list(std::string workflow) override;
    boost::asio::awaitable<void> remove(std::string workflow, std::string task) override;
    /// Lists everything under `<prefix>/<workflow>/` and deletes it with DeleteObjects.
    boost::asio::awaitable<void> remove_workflow(std::string workflow) override;
    /// ListObjectsV2 of the root prefix with delimiter '/': its "folders".
    boost::asio::awaitable<std::vector<std::string>> list_workflows() override;
    boost::asio::awaitable<std::vector<stored_entry>> stat_tasks(std::string workflow) override;
    /// ListMultipartUploads under the root prefix (S3 keeps no other leftovers: a PUT is
    /// atomic). Servers that do not implement it (s3rver) answer `s3_error` NotImplemented.
    boost::asio::awaitable<std::vector<leftover>> list_leftovers() override;
    /// AbortMultipartUpload.
    boost::asio::awaitable<void> remove_leftover(leftover l) override;
    void check_task_name(std::string_view task) const override { check_s3_task_name(task); }
    std::string describe(std::string_view workflow, std::string_view task) const override {
        return location_.url(location_.task_key(workflow, task));
    }
    const protocols& lent_protocols() const override { return protocols_; }
    std::chrono::milliseconds operation_timeout() const override {
        return client_->params().operation_timeout;
    }

  private:
    std::shared_ptr<const void> keepalive_;  // declared first: destroyed after the client
    std::shared_ptr<s3::client> client_;
    s3_location location_;
    protocols protocols_;
    std::shared_ptr<conditional_support> conditional_;

    /// Whether the server refuses a create-only PUT over an existing key (two PUTs of a probe
    /// object, then its DELETE); nullopt when the probe failed (logged). Cancellation
    /// propagates as operation_aborted.
    boost::asio::awaitable<std::optional<bool>> probe_conditional_writes();
};

}  // namespace functionfuse::detail
