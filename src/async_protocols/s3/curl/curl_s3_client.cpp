// libcurl S3 client for the sync path. Each request resets a reused easy handle (connections,
// DNS and TLS sessions survive a reset) and sets every option afresh, so no state leaks from
// one request into the next. Retries follow the same policy as the async client, waiting in
// the calling thread.
#include "async_protocols/s3/curl/curl_s3_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "async_protocols/s3/conditional_writes/conditional_writes.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/error_response.hpp"
#include "async_protocols/s3/core/operations.hpp"
#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/core/retry_policy.hpp"
#include "async_protocols/s3/core/sigv4.hpp"
#include "async_protocols/s3/core/xml_documents.hpp"
#include "async_protocols/s3/credentials/credentials_cache.hpp"
#include "functionfuse/error.hpp"
#include "log/log.hpp"
#include "value/error_text.hpp"

namespace functionfuse::detail {

namespace {

void global_init() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        throw io_error(fmt::format("cannot initialise libcurl: {}", curl_easy_strerror(rc)));
}

/// A curl_slist freed on scope exit.
class header_list {
  public:
    header_list() = default;
    ~header_list() { curl_slist_free_all(list_); }
    header_list(const header_list&) = delete;
    header_list& operator=(const header_list&) = delete;
    void add(const std::string& line) {
        curl_slist* next = curl_slist_append(list_, line.c_str());
        if (!next)
            throw std::bad_alloc();
        list_ = next;
    }
    curl_slist* get() const noexcept { return list_; }

  private:
    curl_slist* list_ = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    std::string_view line(data, size * n);
    constexpr std::string_view name = "x-amz-request-id:";
    if (line.size() > name.size() &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        line.remove_prefix(name.size());
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
            line.remove_suffix(1);
        static_cast<curl_s3_response*>(user)->request_id = std::string(line);
    }
    return size * n;
}

s3::failure_kind classify(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return s3::failure_kind::timeout;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
            return s3::failure_kind::connection_reset;
        case CURLE_COULDNT_CONNECT:  // refused or unreachable, as on the async path
            return s3::failure_kind::connect_failed;
        default:
            return s3::failure_kind::other_transport;
    }
}

/// Transport failure of one attempt.
struct transport_failure {
    CURLcode code;
    std::string detail;
};

}  // namespace

struct curl_s3_client::easy_handle {
    CURL* curl = nullptr;
    easy_handle() : curl(curl_easy_init()) {
        if (!curl)
            throw io_error("cannot create a libcurl easy handle");
    }
    ~easy_handle() { curl_easy_cleanup(curl); }
    easy_handle(const easy_handle&) = delete;
    easy_handle& operator=(const easy_handle&) = delete;
};

curl_s3_client::curl_s3_client(s3::client_params params) : params_(std::move(params)) {
    global_init();
    if (params_.host.empty())
        throw config_error("endpoint", "the S3 endpoint has no host");
    s3::check_host(params_.host);
    s3::check_signing_inputs(params_.region, params_.creds);
    s3::check_resolve_map(params_.resolve, "resolve");
    server_.use_tls = params_.use_tls;
    server_.host = params_.host;
    server_.port =
        params_.port ? params_.port : static_cast<std::uint16_t>(server_.use_tls ? 443 : 80);
    origin_ = server_.origin();
    for (const auto& [host, address] : params_.resolve) {
        // curl's "HOST:PORT:ADDRESS" (IPv6 addresses in brackets).
        const bool v6 = address.find(':') != std::string::npos;
        resolve_lines_.push_back(host + ":" + std::to_string(server_.port) + ":" +
                                 (v6 ? "[" + address + "]" : address));
    }
    sigv4_provider_ = "aws:amz:" + params_.region + ":s3";
    ca_file_ = params_.tls.ca_file;
    if (ca_file_.empty())
        if (const char* bundle = std::getenv("AWS_CA_BUNDLE"))
            ca_file_ = bundle;
}

curl_s3_client::~curl_s3_client() = default;

std::unique_ptr<curl_s3_client::easy_handle> curl_s3_client::take_handle() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto h = std::move(idle_.back());
            idle_.pop_back();
            return h;
        }
    }
    return std::make_unique<easy_handle>();
}

void curl_s3_client::return_handle(std::unique_ptr<easy_handle> h) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(h));
}

curl_s3_response curl_s3_client::attempt(easy_handle& h, const s3::request& req,
                                         const s3::prepared_request& p, const std::string& url,
                                         const s3::credentials& creds) {
    CURL* c = h.curl;
    curl_easy_reset(c);
    curl_s3_response response;
    char errbuf[CURL_ERROR_SIZE] = {0};

    header_list headers;
    headers.add("x-amz-content-sha256: " + p.payload_hash);
    if (!creds.session_token.empty())
        headers.add("x-amz-security-token: " + creds.session_token);
    // No "Expect:" or "Content-Type:" blanking lines here: curl 7.88 would list such removed
    // headers among the signed ones, and the server, never receiving them, rejects the
    // signature. Curl's own additions (Content-Type of POSTFIELDS, Expect) stay unsigned.
    for (const auto& [name, value] : req.headers)
        headers.add(name + ": " + value);
    header_list resolve;
    for (const auto& line : resolve_lines_)
        resolve.add(line);

    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (resolve.get())
        curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(params_.request_timeout.count()));
    if (!creds.anonymous()) {
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4_provider_.c_str());
        curl_easy_setopt(c, CURLOPT_USERNAME, creds.access_key_id.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, creds.secret_access_key.c_str());
    }
    if (params_.use_tls) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, params_.tls.verify_peer ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, params_.tls.verify_peer ? 2L : 0L);
        if (!ca_file_.empty())
            curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
    }
    const std::string method(s3::method_name(req.method));
    if (req.head()) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT" || method == "POST") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.empty() ? "" : req.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        if (method != "GET")
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        throw transport_failure{rc, errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc)};
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

curl_s3_response curl_s3_client::perform(const s3::request& req) {
    // Nothing reaches curl unchecked: no CR/LF/NUL in Host, headers or signing inputs (curl
    // would send a CR/LF in a header line as it is, and stop a C string at a NUL).
    const s3::prepared_request prepared = s3::prepare_request(req, server_, params_);
    // The canonical query in the URL: curl signs the URL's query verbatim.
    const std::string url =
        (server_.use_tls ? "https://" : "http://") + prepared.address.host_header + prepared.target;

    const s3::retry_policy retry(params_.retry);
    const std::string& described = prepared.described;
    bool refreshed = false;  // the one retry after ExpiredToken and the like
    for (int attempt_no = 1;; ++attempt_no) {
        std::string reason;
        // The sync path may block for a refresh: it runs on the caller's thread.
        const s3::credentials creds =
            params_.creds_cache ? params_.creds_cache->current() : params_.creds;
        if (params_.creds_cache)
            s3::check_signing_inputs(params_.region, creds);
        auto handle = take_handle();
        try {
            curl_s3_response r = attempt(*handle, req, prepared, url, creds);
            return_handle(std::move(handle));
            const int status = static_cast<int>(r.status);
            if (status < 300 || (req.allow_not_found && status == 404))
                return r;
            const s3::error_fields fields = s3::parse_error_body(r.body);
            if (params_.creds_cache && !refreshed && s3::is_expired_credentials(fields.code)) {
                refreshed = true;
                params_.creds_cache->invalidate(creds);
                detail::log(log_level::info, "s3.credentials",
                            "{} answered {}; refreshing the credentials and trying once more",
                            described, fields.code);
                --attempt_no;  // not counted against max_attempts
                continue;
            }
            if (!retry.should_retry(attempt_no, s3::failure_kind::http_status, status, fields.code))
                throw s3::make_s3_error(r.body, status, std::string(req.key), r.request_id);
            reason = s3::http_failure_reason(status, fields.code);
        } catch (const transport_failure& f) {
            // A failed handle may hold a broken connection: drop it with the handle.
            if (!retry.should_retry(attempt_no, classify(f.code), 0, ""))
                throw io_error(fmt::format("S3 request {} failed after {} attempt(s): {}",
                                           described, attempt_no, f.detail));
            reason = f.detail;
        }
        const auto delay = retry.backoff(attempt_no);
        s3::log_retry(described, attempt_no, retry.params().max_attempts, reason, delay);
        std::this_thread::sleep_for(delay);
    }
}

void curl_s3_client::put_object(std::string_view bucket, std::string_view key,
                                std::string_view body) {
    // A content type, else curl labels the body form data (its POSTFIELDS default) and S3
    // stores that type.
    const s3::request req = s3::put_object_request(bucket, key, body, "application/octet-stream");
    perform(req);
}

bool curl_s3_client::put_object_if_absent(std::string_view bucket, std::string_view key,
                                          std::string_view body) {
    const s3::request req =
        s3::put_object_if_absent_request(bucket, key, body, "application/octet-stream");
    try {
        perform(req);
    } catch (const s3_error& e) {
        if (!refused_as_existing(e.http_status(), e.code()))
            throw;
        return false;
    }
    return true;
}

std::optional<std::string> curl_s3_client::get_object(std::string_view bucket,
                                                      std::string_view key) {
    const s3::request req = s3::get_object_request(bucket, key, std::nullopt);
    curl_s3_response r = perform(req);
    if (r.status == 404) {
        const s3::error_fields f = s3::parse_error_body(r.body);
        if (f.code != "NoSuchKey" && !f.code.empty())  // NoSuchBucket and the like
            throw s3::make_s3_error(r.body, 404, std::string(key), r.request_id);
        return std::nullopt;
    }
    return std::move(r.body);
}

bool curl_s3_client::object_exists(std::string_view bucket, std::string_view key) {
    const s3::request req = s3::head_object_request(bucket, key);
    return perform(req).status != 404;
}

void curl_s3_client::delete_object(std::string_view bucket, std::string_view key) {
    const s3::request req = s3::delete_object_request(bucket, key);  // a 404 is success
    perform(req);
}

std::vector<s3::delete_failure> curl_s3_client::delete_objects(
    std::string_view bucket, const std::vector<std::string>& keys) {
    std::vector<s3::delete_failure> failures;
    for (const s3::delete_batch& batch : s3::delete_batches(keys)) {
        const s3::request req = s3::delete_objects_request(bucket, batch);
        curl_s3_response r = perform(req);
        for (auto& f : s3::parse_delete_result(r.body))
            failures.push_back(std::move(f));
    }
    return failures;
}

s3::list_result curl_s3_client::list_objects_v2(std::string_view bucket, std::string_view prefix,
                                                std::string_view delimiter) {
    s3::list_objects_pager pager(prefix, delimiter);
    while (!pager.done()) {
        const s3::request req = s3::list_page_request(bucket, pager.query());
        curl_s3_response r = perform(req);
        pager.take(r.body, static_cast<int>(r.status), r.request_id);
    }
    return pager.take_result();
}

}  // namespace functionfuse::detail
