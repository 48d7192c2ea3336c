#pragma once
// Reads one JSON object of a storage config field by field, so that every error is a
// `config_error` naming the offending field by its dotted path (e.g. `options.path`), and
// keys nobody asked for are reported instead of silently ignored.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace functionfuse::detail {

class config_reader {
  public:
    /// Reads `field` (its dotted path, e.g. "options"), which must be a JSON object.
    config_reader(const boost::json::value& field, std::string path);

    /// A required non-empty string (without NUL, as every string read here).
    std::string required_string(std::string_view key);
    /// An optional string (nullopt if absent); `config_error` if it holds a NUL byte, which
    /// would truncate it silently at the first system call or on the wire.
    std::optional<std::string> optional_string(std::string_view key);
    /// An optional boolean (nullopt if absent).
    std::optional<bool> optional_bool(std::string_view key);
    /// An optional non-negative integer (nullopt if absent); `config_error` for anything else.
    std::optional<std::uint64_t> optional_uint(std::string_view key);
    /// An optional object whose values are all strings (empty if absent), e.g. a map of
    /// host names to addresses.
    std::map<std::string, std::string> optional_string_map(std::string_view key);
    /// A required object, to be read with its own `config_reader`.
    const boost::json::value& required_object(std::string_view key);
    /// An optional object (nullptr if absent).
    const boost::json::value* optional_object(std::string_view key);
    /// Any value (nullptr if absent), for a field that takes more than one JSON type.
    const boost::json::value* optional_value(std::string_view key) { return find(key); }
    /// Throws `config_error` naming the first key no accessor above read.
    void reject_unknown() const;

    /// The dotted path of `key` inside this object.
    std::string path_of(std::string_view key) const;

  private:
    const boost::json::value* find(std::string_view key);

    const boost::json::object* object_;
    std::string path_;
    std::set<std::string, std::less<>> read_;
};

}  // namespace functionfuse::detail
