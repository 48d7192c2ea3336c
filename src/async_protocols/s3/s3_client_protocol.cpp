// S3_PROTOCOL for the async path. The client's sockets live on its io context, so each call
// hops there (hop_to): a serializer may await from the blocking pool (e.g. right after
// compressing a chunk) without touching the connection pool from a pool thread.
#include "async_protocols/s3/s3_client_protocol.hpp"

#include "async_protocols/s3/core/operations.hpp"

#include <algorithm>

#include <boost/asio/use_awaitable.hpp>

#include "functionfuse/error.hpp"
#include "storage/async_util.hpp"

namespace functionfuse::detail {

namespace asio = boost::asio;

void throw_delete_failures(const std::vector<s3::delete_failure>& failures) {
    if (failures.empty())
        return;
    const auto& f = failures.front();
    throw s3_error(
        f.code,
        f.message + " (" + std::to_string(failures.size()) + " key(s) could not be deleted)", "",
        200, f.key);
}

void rethrow_naming_bucket(const std::string& bucket) {
    try {
        throw;
    } catch (const s3_error& e) {
        if (e.code() != "NoSuchBucket")
            throw;
        throw s3_error(e.code(), "the bucket '" + bucket + "' does not exist", e.request_id(),
                       e.http_status(), e.key());
    }
}

s3_client_protocol::s3_client_protocol(std::shared_ptr<s3::client> client, s3_location location,
                                       asio::any_io_executor io, asio::any_io_executor blocking)
    : client_(std::move(client)),
      location_(std::move(location)),
      io_(std::move(io)),
      blocking_(std::move(blocking)) {}

std::size_t s3_client_protocol::max_concurrency() const noexcept {
    return std::max<std::size_t>(1, client_->params().max_connections);
}

namespace {
// Coroutine parameters here are references only (see client.hpp on GCC 12).

asio::awaitable<void> do_put(s3::client& c, const std::string& bucket, const std::string& key,
                             const std::string_view& body) {
    try {
        co_await c.put_object(bucket, key, body);
    } catch (...) {
        rethrow_naming_bucket(bucket);
    }
}

}  // namespace

asio::awaitable<std::optional<std::string>> s3_get_or_null(s3::client& c, const std::string& bucket,
                                                           const std::string& key) {
    // HEAD-free: a missing key is an ordinary answer of GET.
    try {
        co_return co_await c.get_object(bucket, key, std::nullopt);
    } catch (const not_found&) {
        // A missing key only: the client throws s3_error NoSuchBucket for a missing bucket.
    } catch (...) {
        rethrow_naming_bucket(bucket);
    }
    co_return std::nullopt;
}

namespace {
asio::awaitable<std::vector<std::string>> do_list(s3::client& c, const std::string& bucket,
                                                  const std::string& prefix) {
    std::vector<std::string> keys;
    try {
        s3::list_result r = co_await c.list_objects_v2(bucket, prefix, std::string_view());
        keys.reserve(r.objects.size());
        for (auto& o : r.objects)
            keys.push_back(std::move(o.key));
    } catch (...) {
        rethrow_naming_bucket(bucket);
    }
    std::sort(keys.begin(), keys.end());
    co_return keys;
}

}  // namespace

asio::awaitable<void> s3_delete_keys(s3::client& c, const std::string& bucket,
                                     const std::vector<std::string>& keys) {
    std::vector<s3::delete_failure> failures;
    try {
        failures = co_await c.delete_objects(bucket, keys);
    } catch (...) {
        rethrow_naming_bucket(bucket);
    }
    throw_delete_failures(failures);
}

namespace {
asio::awaitable<std::vector<stored_entry>> do_list_entries(s3::client& c,
                                                           const s3_location& location,
                                                           const std::string& prefix) {
    std::vector<stored_entry> out;
    try {
        s3::list_result r = co_await c.list_objects_v2(location.bucket, prefix, std::string_view());
        out.reserve(r.objects.size());
        for (auto& o : r.objects) {
            stored_entry e;
            e.location = location.url(o.key);
            e.name = std::move(o.key);
            e.size = o.size;
            e.modified = s3_time(o.last_modified);
            out.push_back(std::move(e));
        }
    } catch (...) {
        rethrow_naming_bucket(location.bucket);
    }
    co_return out;
}
}  // namespace

// Each public member hops onto the io context with `hop_to` and resumes the caller on its own
// executor. Unlike a plain co_spawn with use_awaitable, hop_to delivers the caller's
// cancellation on the io context through state both sides share, so a caller off the library
// thread (a serializer on the blocking pool) can be cancelled safely. The awaitables are
// created as named locals first and reference this frame's locals, which outlive them (GCC 12
// coroutine rule, CONTRIBUTING.md).

asio::awaitable<void> s3_client_protocol::put(std::string key,
                                              std::shared_ptr<const std::string> body) {
    const std::string_view bytes(*body);
    auto op = do_put(*client_, location_.bucket, key, bytes);
    co_await hop_to(io_, std::move(op));
}

asio::awaitable<void> s3_client_protocol::put_bytes(std::string key,
                                                    std::shared_ptr<const void> owner,
                                                    std::span<const std::byte> bytes) {
    (void)owner;  // the caller's reference keeps the bytes alive until this returns
    const std::string_view body(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto op = do_put(*client_, location_.bucket, key, body);
    co_await hop_to(io_, std::move(op));
}

asio::awaitable<std::optional<std::string>> s3_client_protocol::get(std::string key) {
    auto op = s3_get_or_null(*client_, location_.bucket, key);
    co_return co_await hop_to(io_, std::move(op));
}

asio::awaitable<std::vector<std::string>> s3_client_protocol::list(std::string prefix) {
    auto op = do_list(*client_, location_.bucket, prefix);
    co_return co_await hop_to(io_, std::move(op));
}

asio::awaitable<void> s3_client_protocol::remove(std::vector<std::string> keys) {
    if (keys.empty())
        co_return;
    auto op = s3_delete_keys(*client_, location_.bucket, keys);
    co_await hop_to(io_, std::move(op));
}

asio::awaitable<std::vector<stored_entry>> s3_client_protocol::list_entries(std::string prefix) {
    auto op = do_list_entries(*client_, location_, prefix);
    co_return co_await hop_to(io_, std::move(op));
}

std::chrono::system_clock::time_point s3_time(std::string_view iso8601) {
    const auto seconds = s3::parse_iso8601_utc(iso8601);
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds.value_or(0)));
}

}  // namespace functionfuse::detail
