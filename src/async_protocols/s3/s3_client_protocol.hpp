#pragma once
// S3_PROTOCOL over the async S3 client: what an S3 storage lends to persistent serializers.
// Every request runs on the client's io context (co_spawn), whatever executor the serializer
// awaits from, and resumes the serializer on its own executor.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/s3_location.hpp"
#include "functionfuse/s3_protocol.hpp"

namespace functionfuse::detail {

class s3_client_protocol final : public s3_protocol {
  public:
    /// `io` is the executor the client is bound to; `blocking` the shared pool.
    s3_client_protocol(std::shared_ptr<s3::client> client, s3_location location,
                       boost::asio::any_io_executor io, boost::asio::any_io_executor blocking);

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
    boost::asio::awaitable<std::vector<stored_entry>> list_entries(std::string prefix) override;
    std::size_t max_concurrency() const noexcept override;
    const boost::asio::any_io_executor& blocking() const noexcept override { return blocking_; }

  private:
    std::shared_ptr<s3::client> client_;
    s3_location location_;
    boost::asio::any_io_executor io_;
    boost::asio::any_io_executor blocking_;
};

/// An S3 listing's timestamp (ISO 8601 UTC) as a time point; the epoch if it is not one.
std::chrono::system_clock::time_point s3_time(std::string_view iso8601);

/// Throws the first of `failures` (from DeleteObjects) as an `s3_error`; nothing if empty.
void throw_delete_failures(const std::vector<s3::delete_failure>& failures);

/// Rethrows an S3 error answer for a missing bucket with the bucket named in its message
/// (S3's own message does not name it); other errors unchanged. Call inside a catch block.
[[noreturn]] void rethrow_naming_bucket(const std::string& bucket);

/// GET `key`: its bytes, or nullopt if the object does not exist (a missing bucket is an
/// `s3_error` NoSuchBucket naming it). Must run on the client's executor.
boost::asio::awaitable<std::optional<std::string>> s3_get_or_null(s3::client& c,
                                                                  const std::string& bucket,
                                                                  const std::string& key);
/// DeleteObjects in batches of 1,000; the first per-key failure is thrown as `s3_error`.
/// Must run on the client's executor.
boost::asio::awaitable<void> s3_delete_keys(s3::client& c, const std::string& bucket,
                                            const std::vector<std::string>& keys);

}  // namespace functionfuse::detail
