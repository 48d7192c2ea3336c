#pragma once
// Where an S3 storage keeps its objects: one bucket and a key prefix. Task results are
// `<prefix>/<workflow>/<task>`, out-of-band data `<prefix>/<workflow>/bigdata/...` (the Python
// original's layout, with the bucket folder as the storage root). Pure key arithmetic shared
// by the async (Beast) and the sync (libcurl) S3 stores, so both write the same keys.

#include <string>
#include <string_view>

#include "value/error_text.hpp"

namespace functionfuse::detail {

/// A bucket and the key prefix inside it.
struct s3_location {
    std::string bucket;
    /// Without leading or trailing '/'; empty means the bucket's root.
    std::string prefix;

    /// `<prefix>/<workflow>/` (the listing prefix of one workflow).
    std::string workflow_prefix(std::string_view workflow) const {
        std::string out = prefix.empty() ? std::string() : prefix + "/";
        out.append(workflow);
        out.push_back('/');
        return out;
    }
    /// `<prefix>/<workflow>/<task>`.
    std::string task_key(std::string_view workflow, std::string_view task) const {
        return workflow_prefix(workflow).append(task);
    }
    /// `<prefix>/<workflow>/bigdata` (no trailing '/'; S3_PROTOCOL's bigdata_prefix).
    std::string bigdata_prefix(std::string_view workflow) const {
        return workflow_prefix(workflow).append("bigdata");
    }
    /// `s3://<bucket>/<key>`, for messages (a long key cut short, see `shown`).
    std::string url(std::string_view key) const {
        return shown("s3://" + bucket + "/" + std::string(key));
    }
};

/// Parses `options.path`: `bucket[/prefix...]`, optionally starting with `s3://`; repeated,
/// leading and trailing '/' in the prefix are dropped. Throws `config_error` (field
/// `field`) when there is no bucket, or when the bucket or a prefix segment is not a plain
/// name (`validate_name`: `.`, `..`, a `\` or a NUL).
s3_location parse_s3_path(std::string_view path, const std::string& field);

}  // namespace functionfuse::detail
