#pragma once
/// \file
/// S3_PROTOCOL: what an S3 storage lends to persistent serializers — object I/O by key inside
/// the storage's bucket, with the same transport the storage uses (the async Beast client, or
/// libcurl one request at a time on the sync path).

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "functionfuse/serializer.hpp"

namespace functionfuse {

/// The S3 protocol. Keys are bucket-relative object keys (no leading '/').
/// Thread-safety: every member may be used by many coroutines at once.
class s3_protocol : public protocol {
  public:
    /// The bucket all keys live in (for messages).
    virtual const std::string& bucket() const noexcept = 0;
    /// The key prefix of a workflow's out-of-band data: `<prefix>/<workflow>/bigdata`
    /// (no trailing '/'; Python: the protocol's "folder").
    virtual std::string bigdata_prefix(std::string_view workflow) const = 0;
    /// Stores `body` under `key` (atomically per object, as S3 PUT is).
    virtual boost::asio::awaitable<void> put(std::string key,
                                             std::shared_ptr<const std::string> body) = 0;
    /// Stores `bytes` under `key` without copying them where the transport can send from the
    /// caller's memory; `owner` keeps that memory alive until the upload has finished. The
    /// default copies them into a string for `put`.
    virtual boost::asio::awaitable<void> put_bytes(std::string key,
                                                   std::shared_ptr<const void> owner,
                                                   std::span<const std::byte> bytes) {
        (void)owner;
        auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(bytes.data()),
                                                        bytes.size());
        co_await put(std::move(key), std::move(body));
    }
    /// The object's bytes, or nullopt if it does not exist.
    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
    /// Every key under `prefix` (all pages), sorted.
    virtual boost::asio::awaitable<std::vector<std::string>> list(std::string prefix) = 0;
    /// Every object under `prefix` (all pages) with its size and modification time; `name`
    /// is the key. The default lists keys with `list` and leaves sizes and times unknown (0).
    virtual boost::asio::awaitable<std::vector<stored_entry>> list_entries(std::string prefix) {
        std::vector<std::string> keys = co_await list(std::move(prefix));
        std::vector<stored_entry> out;
        for (auto& k : keys) {
            stored_entry e;
            e.location = "s3://" + bucket() + "/" + k;
            e.name = std::move(k);
            out.push_back(std::move(e));
        }
        co_return out;
    }
    /// Deletes `keys` (missing keys are not an error).
    virtual boost::asio::awaitable<void> remove(std::vector<std::string> keys) = 0;
    /// How many requests are worth having in flight at once (the connection pool size on the
    /// async path; 1 on the sync path).
    virtual std::size_t max_concurrency() const noexcept = 0;
    /// Executor for CPU work such as compression: the shared pool (async) or the calling
    /// thread (sync).
    virtual const boost::asio::any_io_executor& blocking() const noexcept = 0;
};

}  // namespace functionfuse
