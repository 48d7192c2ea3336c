#pragma once
// Everything that configures an S3 `client`, with documented defaults.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "async_protocols/s3/core/retry_policy.hpp"
#include "async_protocols/s3/core/sigv4.hpp"

namespace functionfuse::s3 {

class credentials_cache;

/// How the bucket appears in requests (see `address_object` for the exact rules).
enum class addressing_style {
    /// The default: virtual-hosted on AWS endpoints (`*.amazonaws.com[.cn]`) for buckets that
    /// can be a host name, path-style everywhere else (custom endpoints such as MinIO, Ceph RGW
    /// or s3rver often have no wildcard DNS for `bucket.host`).
    automatic,
    path,           ///< http://host/bucket/key
    virtual_hosted  ///< http://bucket.host/key, falling back to path-style where it cannot work
};

/// TLS settings for https endpoints.
struct tls_options {
    /// Verify the server's certificate chain and that it names the host (default on).
    /// Turning it off accepts any server: only for explicit, local testing.
    bool verify_peer = true;
    /// PEM file of trusted CAs. Empty: `AWS_CA_BUNDLE` if set, else the system's defaults.
    std::string ca_file;
};

/// Multipart upload settings.
struct multipart_params {
    /// `put_object` bodies larger than this are uploaded in parts (default 64 MiB).
    std::uint64_t threshold = 64ull << 20;
    /// Size of every part but the last (default 8 MiB; S3's minimum is 5 MiB).
    std::uint64_t part_size = 8ull << 20;
    /// Parts in flight at once for one object (default 8); the pool bounds connections anyway.
    std::size_t max_concurrent_parts = 8;
};

/// Configuration of an S3 client. Only `host` is required.
struct client_params {
    /// Server host name or IP literal, without scheme or port (e.g. "s3.us-east-1.amazonaws.com",
    /// "127.0.0.1").
    std::string host;
    /// TCP port; 0 means the scheme's default (443 for https, 80 for http). A non-default
    /// port is sent in the Host header.
    std::uint16_t port = 0;
    /// https (default) or plain http.
    bool use_tls = true;
    /// Signing region (default us-east-1).
    std::string region = "us-east-1";
    /// Automatic (default), path-style or virtual-hosted addressing.
    addressing_style addressing = addressing_style::automatic;
    /// Host name -> IP address to connect to instead of asking DNS, like curl's `--resolve`
    /// (both transports). The Host header, SNI and the certificate check still use the name.
    /// For virtual-hosted addressing against servers without wildcard DNS, and for tests.
    std::map<std::string, std::string> resolve;
    /// Credentials; empty access key id means anonymous (unsigned) requests. Ignored when
    /// `creds_cache` is set.
    credentials creds;
    /// Temporary credentials that refresh themselves (credentials/credentials_cache.hpp): the
    /// clients ask it before each attempt, and a request answered ExpiredToken, InvalidToken
    /// or TokenRefreshRequired refreshes it and is sent once more. nullptr: `creds` as given.
    std::shared_ptr<credentials_cache> creds_cache;
    /// Send `UNSIGNED-PAYLOAD` instead of hashing bodies (saves CPU; TLS still protects them).
    bool unsigned_payload = false;

    tls_options tls;

    /// Most connections open at once (default 64). Requests beyond it queue FIFO.
    std::size_t max_connections = 64;
    /// Idle keep-alive connections are closed after this long (default 20 s).
    std::chrono::milliseconds idle_timeout{20'000};
    /// Limit for one attempt of one request, from taking a connection (including connect and
    /// TLS handshake) to the last byte of the answer (default 60 s). Time spent queueing for
    /// a connection is not counted. A timed-out attempt is retried per `retry`.
    std::chrono::milliseconds request_timeout{60'000};
    /// Limit for one whole storage operation on the async path: every request, attempt,
    /// backoff and wait for a pooled connection of a save, read, list or removal together
    /// (default 0: none). Past it the operation is cancelled (as by the caller) and fails
    /// with `io_error`.
    std::chrono::milliseconds operation_timeout{0};
    /// How long a cancelled (or timed-out) operation still waits for the answer to a PUT,
    /// POST or DELETE that went out whole (default 2 s; the attempt's own limit still holds).
    /// The answer is awaited so that cleanup lists what the server created; past this the
    /// connection is closed and the operation ends at once.
    std::chrono::milliseconds cancel_grace{2'000};

    retry_params retry;
    multipart_params multipart;
};

}  // namespace functionfuse::s3
