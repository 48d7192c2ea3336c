#pragma once
/// \file
/// The exceptions functionfuse throws. Every one derives from `functionfuse::error`, carries
/// what a user needs to act on it (path, key, S3 code, config field) and never a secret.

#include <stdexcept>
#include <string>

namespace functionfuse {

/// Base of every exception this library throws.
class error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Stored bytes are not a valid, trusted pickle: checksum mismatch, truncation, an unknown
/// opcode, a forbidden global (the message names it), nesting deeper than the limit.
class invalid_pickle : public error {
  public:
    using error::error;
};

/// A value does not hold the type a conversion asked for (`value::as<T>()` and friends).
class type_error : public error {
  public:
    using error::error;
};

/// A task, workflow, object or bigdata file does not exist. `what()` names it.
class not_found : public error {
  public:
    using error::error;
};

/// A configuration is malformed; `field()` names the offending field (e.g. `options.path`).
class config_error : public error {
  public:
    config_error(std::string field, std::string reason)
        : error("invalid configuration field '" + field + "': " + reason),
          field_(std::move(field)),
          reason_(std::move(reason)) {}
    /// The dotted path of the offending field.
    const std::string& field() const noexcept { return field_; }
    /// What is wrong with it (the text after the field in `what()`), so that a caller can
    /// report the same problem under another field name without parsing `what()`.
    const std::string& reason() const noexcept { return reason_; }

  private:
    std::string field_;
    std::string reason_;
};

/// A local I/O, HDF5, network or TLS failure. `what()` names the file or endpoint.
class io_error : public error {
  public:
    using error::error;
};

/// A task or workflow name that is not a plain name (empty, `.`, `..`, contains `/`, `\\` or
/// NUL, absolute). Raised before anything is written.
class invalid_name : public error {
  public:
    using error::error;
};

/// An error answered by an S3 server (or a transport failure talking to one, with status 0).
/// Carries the S3 error `Code`, `Message`, `RequestId`, the HTTP status and the key.
class s3_error : public error {
  public:
    s3_error(std::string code, std::string message, std::string request_id, int http_status,
             std::string key);
    /// The S3 error code, e.g. `NoSuchKey`, `SignatureDoesNotMatch`, `SlowDown`.
    const std::string& code() const noexcept { return code_; }
    /// The server's human-readable message.
    const std::string& message() const noexcept { return message_; }
    /// The server's request id (empty if it sent none).
    const std::string& request_id() const noexcept { return request_id_; }
    /// The HTTP status (0 when no response was received).
    int http_status() const noexcept { return http_status_; }
    /// The bucket-relative key of the request (empty for bucket-level requests).
    const std::string& key() const noexcept { return key_; }

  private:
    std::string code_, message_, request_id_;
    int http_status_;
    std::string key_;
};

}  // namespace functionfuse
