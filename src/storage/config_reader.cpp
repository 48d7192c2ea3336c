#include "storage/config_reader.hpp"

#include <boost/json.hpp>

#include "functionfuse/error.hpp"

namespace functionfuse::detail {

namespace {
const char* kind_name(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return "a boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_:
            return "a number";
        case boost::json::kind::string:
            return "a string";
        case boost::json::kind::array:
            return "an array";
        case boost::json::kind::object:
            return "an object";
    }
    return "?";
}
}  // namespace

config_reader::config_reader(const boost::json::value& field, std::string path)
    : object_(field.if_object()), path_(std::move(path)) {
    if (!object_)
        throw config_error(path_.empty() ? "<config>" : path_,
                           std::string("must be a JSON object, not ") + kind_name(field));
}

std::string config_reader::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const boost::json::value* config_reader::find(std::string_view key) {
    read_.emplace(key);
    return object_->if_contains(key);
}

std::string config_reader::required_string(std::string_view key) {
    auto s = optional_string(key);
    if (!s)
        throw config_error(path_of(key), "is required");
    if (s->empty())
        throw config_error(path_of(key), "must not be empty");
    return *s;
}

std::optional<std::string> config_reader::optional_string(std::string_view key) {
    const auto* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_string())
        throw config_error(path_of(key), std::string("must be a string, not ") + kind_name(*v));
    const boost::json::string_view s = v->get_string();
    // Every config string ends up in a system call (a path) or on the wire (a header, a URL),
    // where C strings stop at the first NUL: "store\0x" would silently mean "store". The
    // value is not quoted, since it may be a secret.
    if (const auto nul = s.find('\0'); nul != boost::json::string_view::npos)
        throw config_error(path_of(key), "contains a NUL byte (at offset " + std::to_string(nul) +
                                             "), which no file system or protocol can take");
    return std::string(s);
}

std::map<std::string, std::string> config_reader::optional_string_map(std::string_view key) {
    std::map<std::string, std::string> out;
    const auto* v = find(key);
    if (!v)
        return out;
    const auto* object = v->if_object();
    if (!object)
        throw config_error(path_of(key), std::string("must be an object, not ") + kind_name(*v));
    for (const auto& [name, value] : *object) {
        const std::string field = path_of(key) + "." + std::string(name);
        if (!value.is_string())
            throw config_error(field, std::string("must be a string, not ") + kind_name(value));
        out.emplace(std::string(name), std::string(value.get_string()));
    }
    return out;
}

std::optional<bool> config_reader::optional_bool(std::string_view key) {
    const auto* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_bool())
        throw config_error(path_of(key), std::string("must be a boolean, not ") + kind_name(*v));
    return v->get_bool();
}

std::optional<std::uint64_t> config_reader::optional_uint(std::string_view key) {
    const auto* v = find(key);
    if (!v)
        return std::nullopt;
    if (const auto* i = v->if_int64()) {
        if (*i < 0)
            throw config_error(path_of(key), "must not be negative");
        return static_cast<std::uint64_t>(*i);
    }
    if (const auto* u = v->if_uint64())
        return *u;
    throw config_error(path_of(key),
                       std::string("must be a non-negative integer, not ") + kind_name(*v));
}

const boost::json::value& config_reader::required_object(std::string_view key) {
    const auto* v = optional_object(key);
    if (!v)
        throw config_error(path_of(key), "is required");
    return *v;
}

const boost::json::value* config_reader::optional_object(std::string_view key) {
    const auto* v = find(key);
    if (v && !v->is_object())
        throw config_error(path_of(key), std::string("must be an object, not ") + kind_name(*v));
    return v;
}

void config_reader::reject_unknown() const {
    for (const auto& kv : *object_)
        if (!read_.contains(std::string_view(kv.key())))
            throw config_error(path_of(kv.key()), "unknown key");
}

}  // namespace functionfuse::detail
