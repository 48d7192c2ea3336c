// STORE arguments: a path, an s3:// URL or @config.json, into the library's config.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include <boost/asio/detached.hpp>

#include "ffuse.hpp"

namespace ffuse {

namespace json = boost::json;

void add_store_options(CLI::App& cmd, globals& g) {
    const std::string group = "S3 store (override AWS_* variables and ~/.aws profiles)";
    cmd.add_option("--endpoint", g.endpoint, "S3 endpoint URL (e.g. http://127.0.0.1:9000)")
        ->group(group);
    // Not `--region`: that is `cat`'s array region; rclone calls this one --s3-region too.
    cmd.add_option("--s3-region", g.region, "S3 region (e.g. eu-west-1)")->group(group);
    cmd.add_option("--profile", g.profile, "AWS profile (~/.aws/credentials, ~/.aws/config)")
        ->group(group);
    cmd.add_option("--addressing", g.addressing, "S3 addressing: auto, path or virtual")
        ->group(group);
    cmd.add_option("--ca-file", g.ca_file, "CA bundle for https endpoints")->group(group);
}

json::value store_config(const std::string& spec, const globals& g) {
    if (spec.empty())
        throw usage_error("STORE is empty");
    json::value config;
    if (spec[0] == '@') {
        const std::string file = spec.substr(1);
        std::ifstream in(file);
        if (!in)
            throw usage_error("cannot read config file '" + file + "'");
        std::stringstream text;
        text << in.rdbuf();
        boost::system::error_code ec;
        config = json::parse(text.str(), ec);
        if (ec || !config.is_object())
            throw usage_error("config file '" + file + "' is not a JSON object" +
                              (ec ? " (" + ec.message() + ")" : std::string()));
    } else if (spec.rfind("s3://", 0) == 0) {
        std::string path = spec.substr(5);
        while (!path.empty() && path.back() == '/')
            path.pop_back();
        if (path.empty() || path[0] == '/')
            throw usage_error("'" + spec + "' names no bucket (s3://bucket[/prefix])");
        config = json::object{{"kind", "S3"}, {"options", json::object{{"path", path}}}};
    } else {
        config = json::object{{"kind", "file"}, {"options", json::object{{"path", spec}}}};
    }
    auto& options = config.as_object()["options"];
    if (!options.is_object())
        options = json::object{};
    const bool s3 = config.as_object().contains("kind") && config.at("kind").is_string() &&
                    config.at("kind").as_string() == "S3";
    if (s3) {
        auto& o = options.as_object();
        // A flag replaces what the config says (wherever it says it), so the reader sees one
        // value and the flag wins, as `aws --endpoint-url` does.
        json::object* s3fs =
            o.contains("s3fs") && o["s3fs"].is_object() ? &o["s3fs"].as_object() : nullptr;
        json::object* kwargs =
            s3fs && s3fs->contains("client_kwargs") && (*s3fs)["client_kwargs"].is_object()
                ? &(*s3fs)["client_kwargs"].as_object()
                : nullptr;
        if (!g.endpoint.empty()) {
            if (s3fs)
                s3fs->erase("endpoint_url");
            if (kwargs)
                kwargs->erase("endpoint_url");
            o["endpoint"] = g.endpoint;
        }
        if (!g.region.empty()) {
            if (kwargs)
                kwargs->erase("region_name");
            o["region"] = g.region;
        }
        if (!g.profile.empty()) {
            if (s3fs)
                s3fs->erase("profile");
            o["profile"] = g.profile;
        }
        if (!g.addressing.empty())
            o["addressing"] = g.addressing;
        if (!g.ca_file.empty())
            o["tls"] = json::object{{"ca_file", g.ca_file}};
    }
    return config;
}

std::shared_ptr<ff::storage> open_store(const std::string& spec, const globals& g, bool lazy,
                                        bool create) {
    json::value config = store_config(spec, g);
    if (config.at("kind") == "file" && !create) {
        const auto* path = config.at("options").as_object().if_contains("path");
        if (path && path->is_string()) {
            std::error_code ec;
            if (!std::filesystem::is_directory(std::string(path->as_string()), ec))
                throw ff::not_found("store '" + std::string(path->as_string()) +
                                    "' does not exist (no such directory)");
        }
    }
    auto storage = ff::storage_factory(config);
    ff::array_options opts;
    opts.lazy = lazy;
    storage->register_persistent_serializers(std::make_shared<ff::array_serializer>(opts));
    return storage;
}

void run_bounded(std::size_t n, std::size_t width,
                 const std::function<boost::asio::awaitable<void>(std::size_t)>& body) {
    boost::asio::io_context ctx;
    std::size_t next = 0;
    std::exception_ptr first;
    // One io_context thread: the workers interleave at co_await points only, so `next` and
    // `first` need no lock.
    auto worker = [&]() -> boost::asio::awaitable<void> {
        for (std::size_t i; (i = next++) < n;) {
            try {
                co_await body(i);
            } catch (...) {
                if (!first)
                    first = std::current_exception();
            }
        }
    };
    for (std::size_t w = 0; w < std::min(std::max<std::size_t>(width, 1), n); ++w)
        boost::asio::co_spawn(ctx, worker(), boost::asio::detached);
    ctx.run();
    if (first)
        std::rethrow_exception(first);
}

}  // namespace ffuse
