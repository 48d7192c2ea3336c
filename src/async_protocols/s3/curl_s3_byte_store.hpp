#pragma once
// The sync S3 kind's byte store: the same keys as the async `s3_byte_store`, through the
// blocking libcurl client. Its awaitables do their request inline and complete at once; they
// run on the sync call's private io_context in the calling thread.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/curl/curl_s3_client.hpp"
#include "async_protocols/s3/s3_location.hpp"
#include "functionfuse/s3_protocol.hpp"
#include "storage/byte_store.hpp"

namespace functionfuse::detail {

/// S3_PROTOCOL over the libcurl client: one request at a time, CPU work inline.
class curl_s3_protocol final : public s3_protocol {
  public:
    curl_s3_protocol(std::shared_ptr<curl_s3_client> client, s3_location location,
                     boost::asio::any_io_executor blocking);

    const std::string& bucket() const noexcept override { return location_.bucket; }
    std::string bigdata_prefix(std::string_view workflow) const override {
        return location_.bigdata_prefix(workflow);
    }
    boost::asio::awaitable<void> put(std::string key,
                                     std::shared_ptr<const std::string> body) override;
    boost::asio::awaitable<void> put_bytes(std::string key, std::shared_ptr<const void> owner,
                                           std::span<const std::byte> bytes) override;
    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
    boost::asio::awaitable<std::vector<std::string>> list(std::string prefix) override;
    boost::asio::awaitable<void> remove(std::vector<std::string> keys) override;
    std::size_t max_concurrency() const noexcept override { return 1; }
    const boost::asio::any_io_executor& blocking() const noexcept override { return blocking_; }

  private:
    std::shared_ptr<curl_s3_client> client_;
    s3_location location_;
    boost::asio::any_io_executor blocking_;
};

class curl_s3_byte_store final : public byte_store {
  public:
    /// `blocking` is the sync call's private context (lent to serializers); with no
    /// executor the store is only used for its name rules.
    /// `conditional` is the storage's decision on create-only PUTs, shared by the stores of
    /// all its calls (null: never).
    curl_s3_byte_store(std::shared_ptr<curl_s3_client> client, s3_location location,
                       std::shared_ptr<conditional_support> conditional,
                       boost::asio::any_io_executor blocking);

    boost::asio::awaitable<void> new_workflow(std::string workflow) override;
    boost::asio::awaitable<void> put_atomic(std::string workflow, std::string task,
                                            std::string bytes) override;
    /// One PUT with `If-None-Match: *` (the sync path never uploads in parts), where the
    /// storage's `conditional_writes` allow it; the first such save may probe the server.
    boost::asio::awaitable<create_outcome> put_if_absent(const std::string& workflow,
                                                         const std::string& task,
                                                         const std::string& bytes) override;
    boost::asio::awaitable<std::optional<std::string>> get(std::string workflow,
                                                           std::string task) override;
    boost::asio::awaitable<bool> exists(std::string workflow, std::string task) override;
    boost::asio::awaitable<std::vector<std::string>> list(std::string workflow) override;
    boost::asio::awaitable<void> remove(std::string workflow, std::string task) override;
    boost::asio::awaitable<void> remove_workflow(std::string workflow) override;
    void check_task_name(std::string_view task) const override;
    std::string describe(std::string_view workflow, std::string_view task) const override {
        return location_.url(location_.task_key(workflow, task));
    }
    const protocols& lent_protocols() const override { return protocols_; }

  private:
    /// As `s3_byte_store::probe_conditional_writes`, blocking.
    std::optional<bool> probe_conditional_writes();

    std::shared_ptr<curl_s3_client> client_;
    s3_location location_;
    protocols protocols_;
    std::shared_ptr<conditional_support> conditional_;
};

}  // namespace functionfuse::detail
