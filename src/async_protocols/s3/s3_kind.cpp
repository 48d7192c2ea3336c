// The "S3" kind: `{"kind": "S3", "options": {"path": "bucket/prefix", "s3fs": {...}, ...}}`.
// Both shapes are read field by field; a setting given twice (say `endpoint` and
// `s3fs.endpoint_url`) is an error rather than a silent choice.
#include <boost/json.hpp>

#include "arrays/array_store_registry.hpp"
#include "async_protocols/s3/core/endpoint.hpp"
#include "async_protocols/s3/core/request_checks.hpp"
#include "async_protocols/s3/s3_options.hpp"
#include "async_protocols/s3/s3_storage.hpp"
#include "async_protocols/s3/sync_s3_storage.hpp"
#include "async_protocols/s3/zarr_array_store.hpp"
#include "functionfuse/error.hpp"
#include "log/log.hpp"
#include "storage/config_reader.hpp"
#include "storage/storage_kinds.hpp"

namespace functionfuse::detail {

namespace {

/// One setting that may come from two places; remembers which field gave it.
template <class T>
struct sourced {
    std::optional<T> value;
    std::string field;
    void take(std::optional<T> v, const std::string& from) {
        if (!v)
            return;
        if (value)
            throw config_error(from, "given twice (also as '" + field + "')");
        value = std::move(v);
        field = from;
    }
};

/// s3fs keywords of the Python original that do not change where or how data is stored
/// (caching, block sizes for reads, botocore client tuning): accepted, type-checked where the
/// type is fixed, and ignored with a debug log. Anything else under `s3fs` stays an error.
void accept_harmless_s3fs_options(config_reader& f) {
    std::vector<std::string_view> ignored;
    auto note = [&](std::string_view key, bool present) {
        if (present)
            ignored.push_back(key);
    };
    for (std::string_view key : {"default_fill_cache", "version_aware", "cache_regions",
                                 "skip_instance_cache", "use_listings_cache"})
        note(key, f.optional_bool(key).has_value());
    for (std::string_view key : {"default_block_size", "max_concurrency"})
        note(key, f.optional_uint(key).has_value());
    note("default_cache_type", f.optional_string("default_cache_type").has_value());
    note("config_kwargs", f.optional_object("config_kwargs") != nullptr);
    for (std::string_view key : ignored)
        detail::log(log_level::debug, "s3.config",
                    "options.s3fs.{} accepted and ignored (no effect on this client)", key);
}

std::uint64_t at_least(const config_reader& r, std::string_view key, std::uint64_t v,
                       std::uint64_t min) {
    if (v < min)
        throw config_error(r.path_of(key), "must be at least " + std::to_string(min));
    return v;
}

}  // namespace

s3_storage_options read_s3_options(const boost::json::value& options, const s3::env_lookup& env) {
    config_reader r(options, "options");
    s3_storage_options out;
    out.location = parse_s3_path(r.required_string("path"), r.path_of("path"));

    sourced<std::string> key, secret, token, endpoint, region, profile;
    sourced<bool> anonymous;
    std::optional<bool> use_ssl;
    if (const auto* s3fs = r.optional_object("s3fs")) {
        config_reader f(*s3fs, r.path_of("s3fs"));
        key.take(f.optional_string("key"), f.path_of("key"));
        secret.take(f.optional_string("secret"), f.path_of("secret"));
        token.take(f.optional_string("token"), f.path_of("token"));
        endpoint.take(f.optional_string("endpoint_url"), f.path_of("endpoint_url"));
        profile.take(f.optional_string("profile"), f.path_of("profile"));
        anonymous.take(f.optional_bool("anon"), f.path_of("anon"));
        use_ssl = f.optional_bool("use_ssl");
        accept_harmless_s3fs_options(f);
        if (const auto* kw = f.optional_object("client_kwargs")) {
            config_reader k(*kw, f.path_of("client_kwargs"));
            endpoint.take(k.optional_string("endpoint_url"), k.path_of("endpoint_url"));
            region.take(k.optional_string("region_name"), k.path_of("region_name"));
            k.reject_unknown();
        }
        f.reject_unknown();
    }
    endpoint.take(r.optional_string("endpoint"), r.path_of("endpoint"));
    region.take(r.optional_string("region"), r.path_of("region"));
    profile.take(r.optional_string("profile"), r.path_of("profile"));
    anonymous.take(r.optional_bool("anonymous"), r.path_of("anonymous"));

    s3::client_params& p = out.client;
    if (auto a = r.optional_string("addressing")) {
        if (*a == "auto")
            p.addressing = s3::addressing_style::automatic;
        else if (*a == "path")
            p.addressing = s3::addressing_style::path;
        else if (*a == "virtual")
            p.addressing = s3::addressing_style::virtual_hosted;
        else
            throw config_error(r.path_of("addressing"),
                               "must be \"auto\", \"path\" or \"virtual\"");
    }
    p.resolve = r.optional_string_map("resolve");
    s3::check_resolve_map(p.resolve, r.path_of("resolve"));
    if (auto n = r.optional_uint("max_connections"))
        p.max_connections = at_least(r, "max_connections", *n, 1);
    if (auto ms = r.optional_uint("timeout_ms"))
        p.request_timeout = std::chrono::milliseconds(at_least(r, "timeout_ms", *ms, 1));
    if (auto ms = r.optional_uint("operation_timeout_ms"))
        p.operation_timeout =
            std::chrono::milliseconds(at_least(r, "operation_timeout_ms", *ms, 1));
    if (auto ms = r.optional_uint("cancel_grace_ms"))
        p.cancel_grace = std::chrono::milliseconds(at_least(r, "cancel_grace_ms", *ms, 1));
    if (auto ms = r.optional_uint("idle_timeout_ms"))
        p.idle_timeout = std::chrono::milliseconds(at_least(r, "idle_timeout_ms", *ms, 1));
    if (auto u = r.optional_bool("unsigned_payload"))
        p.unsigned_payload = *u;
    if (const auto* retry = r.optional_object("retry")) {
        config_reader t(*retry, r.path_of("retry"));
        if (auto n = t.optional_uint("max_attempts"))
            p.retry.max_attempts = static_cast<int>(at_least(t, "max_attempts", *n, 1));
        if (auto ms = t.optional_uint("base_delay_ms"))
            p.retry.base_delay = std::chrono::milliseconds(*ms);
        if (auto ms = t.optional_uint("max_delay_ms"))
            p.retry.max_delay = std::chrono::milliseconds(*ms);
        t.reject_unknown();
    }
    if (const auto* tls = r.optional_object("tls")) {
        config_reader t(*tls, r.path_of("tls"));
        if (auto ca = t.optional_string("ca_file"))
            p.tls.ca_file = *ca;
        if (auto v = t.optional_bool("verify"))
            p.tls.verify_peer = *v;
        t.reject_unknown();
    }
    if (const auto* mp = r.optional_object("multipart")) {
        config_reader m(*mp, r.path_of("multipart"));
        if (auto n = m.optional_uint("threshold"))
            p.multipart.threshold = at_least(m, "threshold", *n, 1);
        if (auto n = m.optional_uint("part_size"))
            p.multipart.part_size = at_least(m, "part_size", *n, 5ull << 20);  // S3's minimum
        m.reject_unknown();
    }
    if (const auto* cw = r.optional_value("conditional_writes"))
        out.conditional_writes = parse_conditional_writes(*cw, r.path_of("conditional_writes"));
    r.reject_unknown();

    s3::credentials_config cfg;
    cfg.access_key_id = key.value;
    cfg.secret_access_key = secret.value;
    cfg.session_token = token.value;
    cfg.region = region.value;
    cfg.endpoint_url = endpoint.value;
    cfg.profile = profile.value;
    cfg.anonymous = anonymous.value.value_or(false);
    // Errors about these settings name the field each one was actually given in.
    for (auto [name, from] :
         {std::pair{&cfg.fields.access_key_id, &key},
          std::pair{&cfg.fields.secret_access_key, &secret},
          std::pair{&cfg.fields.session_token, &token}, std::pair{&cfg.fields.region, &region},
          std::pair{&cfg.fields.endpoint_url, &endpoint},
          std::pair{&cfg.fields.profile, &profile}}) {
        if (from->value)
            *name = from->field;
    }
    s3::resolved_settings settings = s3::resolve_settings(cfg, env);
    try {
        s3::check_region(settings.region);  // it goes into every request's Authorization
    } catch (const config_error& e) {
        throw config_error(region.value ? region.field : "AWS_REGION / profile region",
                           std::string(e.what()).substr(std::string(e.what()).find("': ") + 3));
    }

    s3::endpoint ep;
    try {
        ep = settings.endpoint_url.empty() ? s3::aws_endpoint(settings.region)
                                           : s3::parse_endpoint_url(settings.endpoint_url);
    } catch (const config_error& e) {
        // Name the field the URL came from (the config, or else the environment or a profile).
        const std::string field = endpoint.value ? endpoint.field
                                                 : (settings.endpoint_url.empty()
                                                        ? (region.value ? region.field : "region")
                                                        : "AWS_ENDPOINT_URL / profile");
        throw config_error(field, e.reason());
    }
    p.host = ep.host;
    p.port = ep.port;
    p.use_tls = ep.use_tls;
    if (use_ssl && !*use_ssl) {
        // s3fs (botocore) applies use_ssl=False only where no endpoint URL names a scheme.
        if (settings.endpoint_url.empty()) {
            p.use_tls = false;
            p.port = 80;
        } else {
            detail::log(log_level::debug, "s3.config",
                        "options.s3fs.use_ssl=false ignored: the endpoint URL's scheme decides");
        }
    }
    p.region = settings.region;
    p.creds = std::move(settings.creds);
    p.creds_cache = std::move(settings.cache);
    return out;
}

void register_s3_kind(storage_kind_registry& registry, array_store_registry& stores) {
    stores.add(std::string(S3_PROTOCOL), zarr_detail::make_zarr_array_store());
    registry.add(
        "S3",
        storage_kind{[](const boost::json::value& options,
                        std::shared_ptr<shared_executor> executor) -> std::shared_ptr<storage> {
                         return std::make_shared<s3_storage>(read_s3_options(options),
                                                             std::move(executor));
                     },
                     [](const boost::json::value& options) -> std::shared_ptr<sync::storage> {
                         return std::make_shared<sync::s3_storage>(read_s3_options(options));
                     }});
}

}  // namespace functionfuse::detail
