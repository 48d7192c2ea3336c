#include "async_protocols/s3/credentials/http_fetch.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace functionfuse::s3 {
namespace {

struct sink {
    std::string* body;
    std::size_t max;
    bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* s = static_cast<sink*>(user);
    const std::size_t bytes = size * n;
    if (s->body->size() + bytes > s->max) {
        s->overflow = true;
        return 0;  // aborts the transfer
    }
    s->body->append(data, bytes);
    return bytes;
}

struct curl_deleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

http_answer http_perform(const http_call& call) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<CURL, curl_deleter> handle(curl_easy_init());
    if (!handle)
        throw http_failure(http_failure::kind::other, "cannot create a libcurl handle");
    CURL* c = handle.get();
    std::unique_ptr<curl_slist, slist_deleter> headers;
    for (const auto& line : call.headers) {
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (!next)
            throw http_failure(http_failure::kind::other, "out of memory");
        (void)headers.release();
        headers.reset(next);
    }
    // Curl adds "Expect: 100-continue" to larger POSTs; metadata servers need no such dance.
    curl_slist* no_expect = curl_slist_append(headers.get(), "Expect:");
    (void)headers.release();
    headers.reset(no_expect);

    http_answer answer;
    sink s{&answer.body, call.max_body};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // No proxy for link-local metadata addresses or loopback (the SDKs connect directly).
    curl_easy_setopt(c, CURLOPT_NOPROXY,
                     "169.254.169.254,169.254.170.2,fd00:ec2::254,127.0.0.1,localhost");
    if (!call.ca_file.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, call.ca_file.c_str());
    if (call.method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    }
    const CURLcode rc = curl_easy_perform(c);
    if (s.overflow) {
        throw http_failure(http_failure::kind::too_large,
                           call.method + " " + call.url + ": the answer is larger than " +
                               std::to_string(call.max_body) + " bytes");
    }
    if (rc != CURLE_OK) {
        const std::string reason = errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc);
        http_failure::kind k = http_failure::kind::other;
        if (rc == CURLE_OPERATION_TIMEDOUT)
            k = http_failure::kind::timeout;
        else if (rc == CURLE_COULDNT_CONNECT)
            k = http_failure::kind::connect_failed;
        throw http_failure(k, call.method + " " + call.url + ": " + reason);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    answer.status = static_cast<int>(status);
    return answer;
}

}  // namespace functionfuse::s3
