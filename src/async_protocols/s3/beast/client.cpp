// Design: every operation is a `request` built by core/request.hpp that `impl::execute` signs
// and sends.
// - The payload hash is computed once per request (bodies are viewed, never copied) and the
//   request is re-signed per attempt, since the signature covers the time.
// - An attempt takes a connection from the pool; its deadline (request_timeout) covers
//   connect, TLS, write and read. A reused connection that fails before any answer byte
//   arrived was closed by the server while idle: the request goes once more on a fresh
//   connection without counting as an attempt.
// - Failures are classified for `retry_policy` (HTTP status + S3 code, reset, timeout);
//   backoff waits on a timer of the awaiting coroutine's executor.
// - Error answers become s3_error (XML fields only: no secrets); transport failures become
//   io_error naming the method, endpoint and key.
#include "async_protocols/s3/beast/client.hpp"

#include <fmt/format.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "async_protocols/s3/beast/client_impl.hpp"
#include "async_protocols/s3/beast/multipart_upload.hpp"
#include "async_protocols/s3/beast/tls_context.hpp"
#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/error_response.hpp"
#include "async_protocols/s3/core/operations.hpp"
#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "async_protocols/s3/core/xml_documents.hpp"
#include "async_protocols/s3/credentials/credentials_cache.hpp"
#include "functionfuse/error.hpp"
#include "log/log.hpp"
#include "storage/gcc_frame_warning.hpp"
#include "value/error_text.hpp"

namespace functionfuse::s3 {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

failure_kind classify(const boost::system::error_code& ec) {
    if (ec == beast::error::timeout)
        return failure_kind::timeout;
    if (ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
        ec == asio::error::broken_pipe || ec == asio::error::eof ||
        ec == asio::error::not_connected || ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated) {
        return failure_kind::connection_reset;
    }
    if (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
        ec == asio::error::network_unreachable) {
        return failure_kind::connect_failed;
    }
    return failure_kind::other_transport;
}

std::string header_value(const http_response& r, std::string_view name) {
    auto it = r.find(beast::string_view(name.data(), name.size()));
    return it == r.end() ? std::string{} : std::string(it->value());
}

/// Sends a pager's page requests (GET on the bucket with the pager's query) until it is done.
/// Every multi-page listing of core/operations.hpp goes through here; the pager checks each
/// answer (and throws on a malformed or looping listing), so this loop only sends.
template <class Pager>
asio::awaitable<void> drive_pager(client::impl& impl, std::string_view bucket, Pager& pager) {
    while (!pager.done()) {
        const request page = list_page_request(bucket, pager.query());
        http_response r = co_await impl.execute(page);
        pager.take(r.body(), static_cast<int>(r.result_int()), header_value(r, "x-amz-request-id"));
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// impl

client::impl::impl(asio::any_io_executor io, client_params p)
    : params(std::move(p)), retry(params.retry) {
    if (params.host.empty())
        throw config_error("host", "the S3 endpoint host is empty");
    check_resolve_map(params.resolve, "resolve");
    server.host = params.host;
    server.use_tls = params.use_tls;
    server.port = params.port ? params.port : (params.use_tls ? 443 : 80);
    // Refused here already, so a bad setting fails at construction rather than per request.
    check_host(params.host);
    check_signing_inputs(params.region, params.creds);
    pool_state::params pool_params;
    pool_params.max_connections = params.max_connections;
    pool_params.idle_timeout = params.idle_timeout;
    pool = std::make_unique<connection_pool>(
        std::move(io), pool_params, params.use_tls ? make_tls_context(params.tls) : nullptr,
        params.resolve);
}

http_request client::impl::build_request(const request& spec, const prepared_request& p,
                                         const credentials& creds) const {
    const std::string& encoded_path = p.address.encoded_path;
    const std::string& host_header = p.address.host_header;
    const std::string& payload_hash = p.payload_hash;
    const http::verb method = http::string_to_verb(method_name(spec.method));
    http_request req{method, p.target, 11};
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, "functionfuse-s3/0.1");
    for (const auto& [name, value] : spec.headers)
        req.set(name, value);
    req.body() = http::span_body<const char>::value_type(spec.body.data(), spec.body.size());
    req.keep_alive(true);
    if (!spec.body.empty() || method == http::verb::put || method == http::verb::post) {
        req.content_length(spec.body.size());
    }

    if (creds.anonymous()) {
        req.set("x-amz-content-sha256", payload_hash);
        return req;
    }
    request_to_sign to_sign;
    to_sign.method = std::string(method_name(spec.method));
    to_sign.encoded_path = encoded_path;
    to_sign.query = spec.query;
    to_sign.headers.emplace_back("host", host_header);
    for (const auto& h : spec.headers)
        to_sign.headers.push_back(h);
    to_sign.payload_hash = payload_hash;
    signing_params scope;
    scope.region = params.region;
    scope.time = std::chrono::system_clock::now();
    for (auto& [name, value] : sign_request(to_sign, creds, scope).headers) {
        req.set(name, value);
    }
    return req;
}

asio::awaitable<credentials> client::impl::signing_credentials() {
    if (!params.creds_cache)
        co_return params.creds;
    credentials c = co_await async_current(*params.creds_cache);
    check_signing_inputs(params.region, c);  // checked where they entered; again before use
    co_return c;
}

asio::awaitable<http_response> client::impl::attempt(const request& spec, const prepared_request& p,
                                                     const credentials& creds) {
    const object_address& address = p.address;
    bool fresh = false;
    for (;;) {
        pool_lease lease =
            co_await pool->acquire(address.host, server.port, params.request_timeout, fresh);
        http_request req = build_request(spec, p, creds);
        bool stale = false;
        try {
            http_response response = co_await lease.conn().exchange(
                req, spec.head(), lease.deadline(), params.cancel_grace);
            lease.release(true);
            co_return response;
        } catch (const exchange_error& e) {
            // Once only: a second failure is a real one and goes to the retry policy.
            stale = lease.reused() && e.nothing_received && !fresh &&
                    classify(e.code()) == failure_kind::connection_reset;
            if (!stale)
                throw;
        }
        detail::log(log_level::debug, "s3.connection",
                    "a kept-alive connection to {} was closed by the server; reconnecting",
                    detail::shown(address.host));
        lease.release(false);
        fresh = true;
    }
}

FF_GCC_FRAME_DELETE_WARNING_OFF;  // GCC PR 109224, storage/gcc_frame_warning.hpp
asio::awaitable<http_response> client::impl::execute(const request& spec) {
    // Nothing reaches the wire unchecked (no CR/LF/NUL in Host, headers or signing inputs),
    // and a refused request does not even open a connection.
    const prepared_request prepared = prepare_request(spec, server, params);
    const std::string& described = prepared.described;
    auto executor = co_await asio::this_coro::executor;
    bool refreshed = false;  // the one retry after ExpiredToken and the like
    for (int attempt_no = 1;; ++attempt_no) {
        std::string reason;
        try {
            const credentials creds = co_await signing_credentials();
            http_response response = co_await attempt(spec, prepared, creds);
            const int status = static_cast<int>(response.result_int());
            if (status < 300 || (spec.allow_not_found && status == 404))
                co_return response;
            const error_fields fields = parse_error_body(response.body());
            if (params.creds_cache && !refreshed && is_expired_credentials(fields.code)) {
                refreshed = true;
                params.creds_cache->invalidate(creds);
                detail::log(log_level::info, "s3.credentials",
                            "{} answered {}; refreshing the credentials and trying once more",
                            described, fields.code);
                --attempt_no;  // not counted against max_attempts
                continue;
            }
            if (!retry.should_retry(attempt_no, failure_kind::http_status, status, fields.code)) {
                throw make_s3_error(response.body(), status, spec.key,
                                    header_value(response, "x-amz-request-id"));
            }
            reason = http_failure_reason(status, fields.code);
        } catch (const boost::system::system_error& e) {
            const boost::system::error_code transport_error = e.code();
            // Cancelled by the caller: neither a transport failure nor worth a retry.
            if (transport_error == asio::error::operation_aborted)
                throw;
            if (!retry.should_retry(attempt_no, classify(transport_error), 0, "")) {
                throw io_error(fmt::format("S3 request {} failed after {} attempt(s): {}",
                                           described, attempt_no, transport_error.message()));
            }
            reason = transport_error.message();
        }
        const auto delay = retry.backoff(attempt_no);
        log_retry(described, attempt_no, retry.params().max_attempts, reason, delay);
        asio::steady_timer backoff(executor, delay);
        co_await backoff.async_wait(asio::use_awaitable);
    }
}

FF_GCC_FRAME_DELETE_WARNING_ON;

// ---------------------------------------------------------------------------------------
// client

client::client(asio::any_io_executor io, client_params params)
    : impl_(std::make_unique<impl>(std::move(io), std::move(params))) {}
client::~client() = default;

const client_params& client::params() const noexcept {
    return impl_->params;
}

std::size_t client::open_connections() const {
    return impl_->pool->open_connections();
}

std::size_t client::connections_in_use() const {
    return impl_->pool->in_use();
}

std::size_t client::waiting_requests() const {
    return impl_->pool->waiting();
}

asio::awaitable<std::string> client::put_object(std::string_view bucket, std::string_view key,
                                                std::string_view body, const put_options& options) {
    // Decided here, outside any coroutine: the two paths are separate coroutines.
    if (body.size() > impl_->params.multipart.threshold) {
        return upload_multipart(*this, bucket, key, body, options.content_type);
    }
    return put_single(bucket, key, body, options.content_type, false);
}

asio::awaitable<std::string> client::put_object(std::string_view bucket, std::string_view key,
                                                std::string_view body) {
    static const put_options defaults;
    return put_object(bucket, key, body, defaults);
}

asio::awaitable<std::string> client::put_single(std::string_view bucket, std::string_view key,
                                                std::string_view body,
                                                std::string_view content_type, bool if_absent) {
    const request spec = if_absent ? put_object_if_absent_request(bucket, key, body, content_type)
                                   : put_object_request(bucket, key, body, content_type);
    http_response r = co_await impl_->execute(spec);
    co_return header_value(r, "etag");
}

asio::awaitable<bool> client::put_object_if_absent(std::string_view bucket, std::string_view key,
                                                   std::string_view body) {
    bool refused = false;
    try {
        const std::string_view no_type;
        co_await put_single(bucket, key, body, no_type, true);
    } catch (const s3_error& e) {
        if (!detail::refused_as_existing(e.http_status(), e.code()))
            throw;
        refused = true;
    }
    co_return !refused;
}

namespace {
struct shared_put {
    std::shared_ptr<const std::string> body;
    std::string content_type;
};

asio::awaitable<std::string> put_shared(client& c, std::string_view bucket, std::string_view key,
                                        shared_put* raw) {
    std::unique_ptr<shared_put> args(raw);  // owned by this frame from its first resumption
    const put_options options{args->content_type};
    std::string etag = co_await c.put_object(bucket, key, std::string_view(*args->body), options);
    co_return etag;
}
}  // namespace

asio::awaitable<std::string> client::put_object(std::string_view bucket, std::string_view key,
                                                std::shared_ptr<const std::string> body,
                                                const put_options& options) {
    // The buffer travels as a raw pointer: coroutine parameters stay trivially copyable (see
    // client.hpp). An awaitable destroyed without ever running leaks this small holder.
    return put_shared(*this, bucket, key, new shared_put{std::move(body), options.content_type});
}

asio::awaitable<std::string> client::get_object(std::string_view bucket, std::string_view key) {
    // Not a coroutine: hands on the awaitable of the general form (byte_range is trivially
    // copyable, so the by-value parameter is safe to build here).
    return get_object(bucket, key, std::nullopt);
}

asio::awaitable<std::string> client::get_object(std::string_view bucket, std::string_view key,
                                                std::optional<byte_range> range) {
    const request spec = get_object_request(bucket, key, range);
    http_response r = co_await impl_->execute(spec);
    if (r.result_int() == 404) {
        // Only a missing key is "absent". Any other 404 (NoSuchBucket) is an error the caller
        // must not mistake for a missing object. A 404 without an S3 error document (a bare
        // answer some servers give) counts as a missing key.
        const error_fields f = parse_error_body(r.body());
        if (!f.code.empty() && f.code != "NoSuchKey")
            throw make_s3_error(r.body(), 404, spec.key, header_value(r, "x-amz-request-id"));
        throw not_found(fmt::format("S3 object '{}' not found in bucket '{}' (NoSuchKey)",
                                    detail::shown(spec.key), spec.bucket));
    }
    co_return std::move(r.body());
}

asio::awaitable<std::optional<object_info>> client::head_object(std::string_view bucket,
                                                                std::string_view key) {
    const request spec = head_object_request(bucket, key);
    http_response r = co_await impl_->execute(spec);
    // A HEAD answer has no body, so no S3 code tells a missing bucket from a missing key:
    // every 404 is "absent" here.
    std::optional<object_info> result;
    if (r.result_int() != 404) {
        object_info info;
        info.key = spec.key;
        const std::string length = header_value(r, "content-length");
        info.size = length.empty() ? 0 : std::stoull(length);
        info.etag = header_value(r, "etag");
        info.last_modified = header_value(r, "last-modified");
        info.content_type = header_value(r, "content-type");
        result = std::move(info);
    }
    co_return result;
}

asio::awaitable<void> client::delete_object(std::string_view bucket, std::string_view key) {
    const request spec = delete_object_request(bucket, key);  // a 404 is success
    co_await impl_->execute(spec);
}

asio::awaitable<std::vector<delete_failure>> client::delete_objects(
    std::string_view bucket, const std::vector<std::string>& keys) {
    std::vector<delete_failure> failures;
    for (const delete_batch& batch : delete_batches(keys)) {
        const request spec = delete_objects_request(bucket, batch);
        http_response r = co_await impl_->execute(spec);
        for (auto& f : parse_delete_result(r.body()))
            failures.push_back(std::move(f));
    }
    co_return failures;
}

asio::awaitable<list_result> client::list_objects_v2(std::string_view bucket,
                                                     std::string_view prefix,
                                                     std::string_view delimiter) {
    list_objects_pager pager(prefix, delimiter);
    co_await drive_pager(*impl_, bucket, pager);
    co_return pager.take_result();
}

asio::awaitable<std::vector<multipart_upload_info>> client::list_multipart_uploads(
    std::string_view bucket, std::string_view prefix) {
    list_uploads_pager pager(prefix);
    co_await drive_pager(*impl_, bucket, pager);
    co_return pager.take_result();
}

asio::awaitable<void> client::create_bucket(std::string_view bucket) {
    std::string body;
    if (impl_->params.region != "us-east-1") {
        body = "<CreateBucketConfiguration><LocationConstraint>" +
               xml_escape(impl_->params.region) +
               "</LocationConstraint></CreateBucketConfiguration>";
    }
    const request spec = create_bucket_request(bucket, body);
    try {
        co_await impl_->execute(spec);
    } catch (const s3_error& e) {
        if (e.code() != "BucketAlreadyOwnedByYou")
            throw;
    }
}

asio::awaitable<std::string> client::create_multipart_upload(std::string_view bucket,
                                                             std::string_view key,
                                                             const put_options& options) {
    const request spec = create_multipart_upload_request(bucket, key, options.content_type);
    http_response r = co_await impl_->execute(spec);
    co_return parse_upload_id(r.body());
}

asio::awaitable<std::string> client::upload_part(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id, int part_number,
                                                 std::string_view body) {
    const request spec = upload_part_request(bucket, key, upload_id, part_number, body);
    http_response r = co_await impl_->execute(spec);
    co_return header_value(r, "etag");
}

asio::awaitable<std::string> client::complete_multipart_upload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<completed_part>& parts) {
    const std::string body = complete_multipart_body(parts);
    const request spec = complete_multipart_upload_request(bucket, key, upload_id, body);
    http_response r = co_await impl_->execute(spec);
    // S3 may start a 200 answer and then report a failure in its body.
    if (is_error_document(r.body())) {
        throw make_s3_error(r.body(), static_cast<int>(r.result_int()), spec.key,
                            header_value(r, "x-amz-request-id"));
    }
    std::string etag = parse_complete_etag(r.body());
    if (etag.empty())
        etag = header_value(r, "etag");
    co_return etag;
}

asio::awaitable<void> client::abort_multipart_upload(std::string_view bucket, std::string_view key,
                                                     std::string_view upload_id) {
    const request spec = abort_multipart_upload_request(bucket, key, upload_id);
    co_await impl_->execute(spec);
}

}  // namespace functionfuse::s3
