// Sync S3 byte store and S3_PROTOCOL over libcurl. Same key layout and the same listing rule
// (one level, delimiter '/') as the async store, so either path reads what the other wrote.
#include "async_protocols/s3/curl_s3_byte_store.hpp"

#include <algorithm>

#include "async_protocols/s3/s3_byte_store.hpp"
#include "async_protocols/s3/s3_client_protocol.hpp"
#include "functionfuse/error.hpp"
#include "log/log.hpp"

namespace functionfuse::detail {

namespace asio = boost::asio;

namespace {
/// Runs `f()`, rethrowing a missing-bucket error with the bucket named.
template <class F>
auto naming_bucket(const std::string& bucket, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (...) {
        rethrow_naming_bucket(bucket);
    }
}

void delete_all(curl_s3_client& c, const std::string& bucket,
                const std::vector<std::string>& keys) {
    if (keys.empty())
        return;
    throw_delete_failures(naming_bucket(bucket, [&] { return c.delete_objects(bucket, keys); }));
}
}  // namespace

// --- S3_PROTOCOL ---------------------------------------------------------------------------

curl_s3_protocol::curl_s3_protocol(std::shared_ptr<curl_s3_client> client, s3_location location,
                                   asio::any_io_executor blocking)
    : client_(std::move(client)), location_(std::move(location)), blocking_(std::move(blocking)) {}

asio::awaitable<void> curl_s3_protocol::put(std::string key,
                                            std::shared_ptr<const std::string> body) {
    naming_bucket(location_.bucket, [&] { client_->put_object(location_.bucket, key, *body); });
    co_return;
}

asio::awaitable<void> curl_s3_protocol::put_bytes(std::string key,
                                                  std::shared_ptr<const void> owner,
                                                  std::span<const std::byte> bytes) {
    (void)owner;  // the upload is done before this returns
    const std::string_view body(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    naming_bucket(location_.bucket, [&] { client_->put_object(location_.bucket, key, body); });
    co_return;
}

asio::awaitable<std::optional<std::string>> curl_s3_protocol::get(std::string key) {
    co_return naming_bucket(location_.bucket,
                            [&] { return client_->get_object(location_.bucket, key); });
}

asio::awaitable<std::vector<std::string>> curl_s3_protocol::list(std::string prefix) {
    s3::list_result r = naming_bucket(
        location_.bucket, [&] { return client_->list_objects_v2(location_.bucket, prefix, ""); });
    std::vector<std::string> keys;
    keys.reserve(r.objects.size());
    for (auto& o : r.objects)
        keys.push_back(std::move(o.key));
    std::sort(keys.begin(), keys.end());
    co_return keys;
}

asio::awaitable<void> curl_s3_protocol::remove(std::vector<std::string> keys) {
    delete_all(*client_, location_.bucket, keys);
    co_return;
}

// --- byte store ----------------------------------------------------------------------------

curl_s3_byte_store::curl_s3_byte_store(std::shared_ptr<curl_s3_client> client, s3_location location,
                                       std::shared_ptr<conditional_support> conditional,
                                       asio::any_io_executor blocking)
    : client_(std::move(client)),
      location_(std::move(location)),
      conditional_(std::move(conditional)) {
    if (blocking)
        protocols_.emplace(std::string(S3_PROTOCOL),
                           std::make_shared<curl_s3_protocol>(client_, location_, blocking));
}

void curl_s3_byte_store::check_task_name(std::string_view task) const {
    check_s3_task_name(task);
}

asio::awaitable<void> curl_s3_byte_store::new_workflow(std::string) {
    co_return;
}

asio::awaitable<void> curl_s3_byte_store::put_atomic(std::string workflow, std::string task,
                                                     std::string bytes) {
    const std::string key = location_.task_key(workflow, task);
    naming_bucket(location_.bucket, [&] { client_->put_object(location_.bucket, key, bytes); });
    co_return;
}

std::optional<bool> curl_s3_byte_store::probe_conditional_writes() {
    const std::string key = probe_key(location_);
    const std::string body = "probe";
    try {
        const bool first = client_->put_object_if_absent(location_.bucket, key, body);
        const bool second = client_->put_object_if_absent(location_.bucket, key, body);
        client_->delete_object(location_.bucket, key);
        const bool verdict = probe_verdict(first, second);
        log(log_level::info, "s3.conditional_writes", "bucket '{}' {}: saves of new tasks {}",
            location_.bucket,
            verdict ? "refuses create-only PUTs over existing keys"
                    : "ignores If-None-Match on PUT",
            verdict ? "take one request" : "read before they replace");
        return verdict;
    } catch (const std::exception& e) {
        log(log_level::warn, "s3.conditional_writes",
            "probing whether {} refuses create-only PUTs failed ({}); saves read before they "
            "replace until a later probe succeeds",
            location_.url(key), e.what());
        return std::nullopt;
    }
}

asio::awaitable<create_outcome> curl_s3_byte_store::put_if_absent(const std::string& workflow,
                                                                  const std::string& task,
                                                                  const std::string& bytes) {
    switch (conditional_ ? conditional_->next() : conditional_support::step::skip) {
        case conditional_support::step::skip:
            co_return create_outcome::unsupported;
        case conditional_support::step::use:
            break;
        case conditional_support::step::probe: {
            if (!conditional_->record_probe(probe_conditional_writes()))
                co_return create_outcome::unsupported;
            break;
        }
    }
    const std::string key = location_.task_key(workflow, task);
    const bool stored = naming_bucket(location_.bucket, [&] {
        return client_->put_object_if_absent(location_.bucket, key, bytes);
    });
    co_return stored ? create_outcome::published : create_outcome::exists;
}

asio::awaitable<std::optional<std::string>> curl_s3_byte_store::get(std::string workflow,
                                                                    std::string task) {
    const std::string key = location_.task_key(workflow, task);
    co_return naming_bucket(location_.bucket,
                            [&] { return client_->get_object(location_.bucket, key); });
}

asio::awaitable<bool> curl_s3_byte_store::exists(std::string workflow, std::string task) {
    const std::string key = location_.task_key(workflow, task);
    co_return naming_bucket(location_.bucket,
                            [&] { return client_->object_exists(location_.bucket, key); });
}

asio::awaitable<std::vector<std::string>> curl_s3_byte_store::list(std::string workflow) {
    const std::string prefix = location_.workflow_prefix(workflow);
    s3::list_result r = naming_bucket(
        location_.bucket, [&] { return client_->list_objects_v2(location_.bucket, prefix, "/"); });
    std::vector<std::string> names;
    for (auto& o : r.objects)
        if (o.key.size() > prefix.size() && o.key.starts_with(prefix))
            names.push_back(o.key.substr(prefix.size()));
    co_return names;
}

asio::awaitable<void> curl_s3_byte_store::remove(std::string workflow, std::string task) {
    const std::string key = location_.task_key(workflow, task);
    naming_bucket(location_.bucket, [&] { client_->delete_object(location_.bucket, key); });
    co_return;
}

asio::awaitable<void> curl_s3_byte_store::remove_workflow(std::string workflow) {
    const std::string prefix = location_.workflow_prefix(workflow);
    s3::list_result r = naming_bucket(
        location_.bucket, [&] { return client_->list_objects_v2(location_.bucket, prefix, ""); });
    std::vector<std::string> keys;
    keys.reserve(r.objects.size());
    for (auto& o : r.objects)
        keys.push_back(std::move(o.key));
    delete_all(*client_, location_.bucket, keys);
    co_return;
}

}  // namespace functionfuse::detail
