// AWS Signature Version 4, the S3 flavour, as pure functions: nothing here does I/O or reads a
// clock; the caller passes the time. Layout of one signature:
//   canonical request = method \n path \n query \n headers \n signed-header-names \n payload
//   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(sha256(canonical))
//   signature         = hex(hmac(signing key, string to sign))
// S3 differs from the generic algorithm in that the path is used exactly as sent (encoded once,
// never normalized) and x-amz-content-sha256 is always signed.

#include "async_protocols/s3/core/sigv4.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/core/crypto.hpp"

namespace functionfuse::s3 {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Trims the value and collapses every inner run of blanks into one space.
std::string canonical_header_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    bool pending_space = false;
    for (char c : v) {
        if (is_blank(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    }
    return out;
}

bool is_signer_owned(std::string_view lower_name) {
    return lower_name == "authorization" || lower_name == "x-amz-date" ||
           lower_name == "x-amz-content-sha256" || lower_name == "x-amz-security-token";
}

struct canonical_headers {
    std::string block;  // "name:value\n" per header, sorted by name
    std::string names;  // "a;b;c"
};

// Groups headers by lowercased name (values joined with ',' in order of appearance) and sorts
// them by name. std::map orders names bytewise, as SigV4 requires.
canonical_headers make_canonical_headers(const std::map<std::string, std::string>& grouped) {
    canonical_headers out;
    for (const auto& [name, value] : grouped) {
        out.block += name;
        out.block += ':';
        out.block += value;
        out.block += '\n';
        if (!out.names.empty())
            out.names += ';';
        out.names += name;
    }
    return out;
}

void add_header(std::map<std::string, std::string>& grouped, std::string lower_name,
                std::string_view value) {
    auto [it, inserted] = grouped.try_emplace(std::move(lower_name));
    if (!inserted)
        it->second += ',';
    it->second += canonical_header_value(value);
}

std::map<std::string, std::string> group_request_headers(const request_to_sign& req) {
    std::map<std::string, std::string> grouped;
    for (const auto& [name, value] : req.headers) {
        std::string lower = lowercase(name);
        if (is_signer_owned(lower))
            continue;
        add_header(grouped, std::move(lower), value);
    }
    if (grouped.find("host") == grouped.end()) {
        throw error("sigv4: the request to sign has no 'host' header");
    }
    return grouped;
}

std::string canonical_request_text(const request_to_sign& req, std::string_view query,
                                   const canonical_headers& headers,
                                   std::string_view payload_hash) {
    std::string out;
    out.reserve(req.method.size() + req.encoded_path.size() + query.size() + headers.block.size() +
                headers.names.size() + payload_hash.size() + 8);
    out += req.method;
    out += '\n';
    out += req.encoded_path.empty() ? std::string_view("/") : std::string_view(req.encoded_path);
    out += '\n';
    out += query;
    out += '\n';
    out += headers.block;
    out += '\n';
    out += headers.names;
    out += '\n';
    out += payload_hash;
    return out;
}

struct scope_info {
    std::string amz_date;  // 20150830T123600Z
    std::string date;      // 20150830
    std::string scope;     // 20150830/us-east-1/s3/aws4_request
};

scope_info make_scope(const signing_params& params) {
    scope_info s;
    s.amz_date = format_amz_date(params.time);
    s.date = s.amz_date.substr(0, 8);
    s.scope = s.date + '/' + params.region + '/' + params.service + "/aws4_request";
    return s;
}

std::string string_to_sign_text(const scope_info& s, std::string_view canonical_request) {
    std::string out;
    out += algorithm;
    out += '\n';
    out += s.amz_date;
    out += '\n';
    out += s.scope;
    out += '\n';
    out += sha256_hex(canonical_request);
    return out;
}

std::string signature_of(const credentials& creds, const scope_info& s,
                         const signing_params& params, std::string_view string_to_sign) {
    auto key = signing_key_cache::shared().get(creds, s.date, params.region, params.service);
    std::string_view key_bytes(reinterpret_cast<const char*>(key.data()), key.size());
    return hex_lower(hmac_sha256(key_bytes, string_to_sign));
}

void require_signing_credentials(const credentials& creds) {
    if (creds.anonymous()) {
        throw error("sigv4: cannot sign with anonymous credentials (send the request unsigned)");
    }
}

}  // namespace

std::string format_amz_date(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto day = floor<days>(secs);
    year_month_day ymd{day};
    hh_mm_ss hms{secs - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [name, value] : query) {
        encoded.emplace_back(uri_encode_query(name), uri_encode_query(value));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty())
            out += '&';
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::array<unsigned char, 32> derive_signing_key(std::string_view secret_access_key,
                                                 std::string_view date, std::string_view region,
                                                 std::string_view service) {
    std::string k_secret = "AWS4";
    k_secret += secret_access_key;
    auto k_date = hmac_sha256(k_secret, date);
    std::fill(k_secret.begin(), k_secret.end(), '\0');
    auto k_region = hmac_sha256(as_bytes(k_date), region);
    auto k_service = hmac_sha256(as_bytes(k_region), service);
    return hmac_sha256(as_bytes(k_service), "aws4_request");
}

std::array<unsigned char, 32> signing_key_cache::get(const credentials& creds,
                                                     std::string_view date, std::string_view region,
                                                     std::string_view service) {
    std::string scope;
    scope.reserve(date.size() + region.size() + service.size() + creds.access_key_id.size() + 3);
    scope.append(date).append("/").append(region).append("/").append(service).append("/");
    scope += creds.access_key_id;
    auto fingerprint = sha256(creds.secret_access_key);
    {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries_) {
            if (e.scope == scope && e.secret_fingerprint == fingerprint)
                return e.key;
        }
    }
    // Derived outside the lock: two threads may both derive on a cold start, which is harmless.
    auto key = derive_signing_key(creds.secret_access_key, date, region, service);
    std::lock_guard lock(mutex_);
    ++derivations_;
    if (capacity_ == 0)
        return key;
    if (entries_.size() >= capacity_)
        entries_.erase(entries_.begin());
    entries_.push_back(entry{std::move(scope), fingerprint, key});
    return key;
}

std::size_t signing_key_cache::derivations() const {
    std::lock_guard lock(mutex_);
    return derivations_;
}

signing_key_cache& signing_key_cache::shared() {
    static signing_key_cache cache;
    return cache;
}

signed_headers sign_request(const request_to_sign& req, const credentials& creds,
                            const signing_params& params) {
    require_signing_credentials(creds);
    const scope_info s = make_scope(params);
    const std::string_view payload_hash =
        req.payload_hash.empty() ? empty_sha256 : std::string_view(req.payload_hash);

    auto grouped = group_request_headers(req);
    signed_headers out;
    out.headers.emplace_back("x-amz-date", s.amz_date);
    add_header(grouped, "x-amz-date", s.amz_date);
    if (params.sign_content_sha256) {
        out.headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
        add_header(grouped, "x-amz-content-sha256", payload_hash);
    }
    if (!creds.session_token.empty()) {
        out.headers.emplace_back("x-amz-security-token", creds.session_token);
        add_header(grouped, "x-amz-security-token", creds.session_token);
    }
    const canonical_headers headers = make_canonical_headers(grouped);

    out.canonical_request =
        canonical_request_text(req, canonical_query_string(req.query), headers, payload_hash);
    out.string_to_sign = string_to_sign_text(s, out.canonical_request);
    out.signature = signature_of(creds, s, params, out.string_to_sign);

    std::string authorization;
    authorization += algorithm;
    authorization += " Credential=";
    authorization += creds.access_key_id;
    authorization += '/';
    authorization += s.scope;
    authorization += ", SignedHeaders=";
    authorization += headers.names;
    authorization += ", Signature=";
    authorization += out.signature;
    out.headers.emplace(out.headers.begin(), "Authorization", std::move(authorization));
    return out;
}

presigned_query presign(const request_to_sign& req, const credentials& creds,
                        const signing_params& params, std::chrono::seconds expires) {
    require_signing_credentials(creds);
    if (expires.count() < 1 || expires.count() > 7 * 24 * 3600) {
        throw error("sigv4: presigned URL expiry must be between 1 second and 7 days, got " +
                    std::to_string(expires.count()) + " s");
    }
    const scope_info s = make_scope(params);
    const std::string_view payload_hash =
        req.payload_hash.empty() ? unsigned_payload : std::string_view(req.payload_hash);
    const canonical_headers headers = make_canonical_headers(group_request_headers(req));

    auto query = req.query;
    query.emplace_back("X-Amz-Algorithm", std::string(algorithm));
    query.emplace_back("X-Amz-Credential", creds.access_key_id + '/' + s.scope);
    query.emplace_back("X-Amz-Date", s.amz_date);
    query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
    if (!creds.session_token.empty()) {
        query.emplace_back("X-Amz-Security-Token", creds.session_token);
    }
    query.emplace_back("X-Amz-SignedHeaders", headers.names);
    const std::string canonical_query = canonical_query_string(query);

    presigned_query out;
    out.canonical_request = canonical_request_text(req, canonical_query, headers, payload_hash);
    out.string_to_sign = string_to_sign_text(s, out.canonical_request);
    out.signature = signature_of(creds, s, params, out.string_to_sign);
    out.query = canonical_query + "&X-Amz-Signature=" + out.signature;
    return out;
}

std::string chunk_signature(const credentials& creds, const signing_params& params,
                            std::string_view previous_signature,
                            std::string_view chunk_sha256_hex) {
    require_signing_credentials(creds);
    const scope_info s = make_scope(params);
    std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n";
    sts += s.amz_date;
    sts += '\n';
    sts += s.scope;
    sts += '\n';
    sts += previous_signature;
    sts += '\n';
    sts += empty_sha256;
    sts += '\n';
    sts += chunk_sha256_hex;
    return signature_of(creds, s, params, sts);
}

std::string presign_query(const request_to_sign& req, const credentials& creds,
                          const signing_params& params, std::chrono::seconds expires) {
    return presign(req, creds, params, expires).query;
}

}  // namespace functionfuse::s3
