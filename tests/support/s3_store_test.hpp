#pragma once
// A test fixture whose store is a fresh key prefix "<stem><random>" in the bucket of the S3
// server ctest started: the store's config as a user writes it (the Python original's s3fs
// shape), and raw access to its keys through the libcurl client, to plant damage or count
// what a store left behind.
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "async_protocols/s3/curl/curl_s3_client.hpp"
#include "s3_store_options.hpp"

namespace ff_test {

class s3_store_test : public ::testing::Test {
  protected:
    explicit s3_store_test(std::string stem) : stem_(std::move(stem)) {}

    /// Picks the prefix; fails the test when no S3 server runs (a binary run outside ctest).
    /// A derived SetUp calls this first and returns if `HasFatalFailure()`.
    void SetUp() override {
        std::random_device rd;
        prefix_ = stem_ + std::to_string(rd()) + std::to_string(rd());
        auto o = s3_server_storage_options(prefix_);
        if (!o)
            GTEST_FAIL() << no_s3_server_message;
        server_ = *o;
    }

    /// `{"kind": "S3", "options": {"path": "bucket/prefix", "s3fs": {...}}}` for the server.
    boost::json::value config() const {
        namespace json = boost::json;
        const auto& c = server_.client;
        const std::string endpoint =
            std::string(c.use_tls ? "https://" : "http://") + c.host + ":" + std::to_string(c.port);
        json::object options{
            {"path", server_.location.bucket + "/" + prefix_},
            {"s3fs",
             {{"key", c.creds.access_key_id},
              {"secret", c.creds.secret_access_key},
              {"client_kwargs", {{"endpoint_url", endpoint}, {"region_name", "us-east-1"}}}}}};
        if (!c.tls.ca_file.empty())
            options["tls"] = json::object{{"ca_file", c.tls.ca_file}};
        return json::object{{"kind", "S3"}, {"options", options}};
    }

    /// The keys under `<prefix>/<rel>`, relative to the prefix ("wf/bigdata/...").
    std::vector<std::string> keys_under(const std::string& rel) const {
        std::vector<std::string> out;
        for (const auto& o : list_under(rel).objects)
            out.push_back(o.key.substr(prefix_.size() + 1));
        return out;
    }
    /// Objects and bytes under `<prefix>/<rel>`.
    std::pair<std::size_t, std::uint64_t> usage_under(const std::string& rel) const {
        const auto listing = list_under(rel);
        std::uint64_t bytes = 0;
        for (const auto& o : listing.objects)
            bytes += o.size;
        return {listing.objects.size(), bytes};
    }
    /// Deletes `<prefix>/<rel>` behind the store's back.
    void delete_key(const std::string& rel) const {
        functionfuse::detail::curl_s3_client client(server_.client);
        client.delete_object(server_.location.bucket, prefix_ + "/" + rel);
    }

    functionfuse::s3_storage_options server_;
    std::string prefix_;

  private:
    functionfuse::s3::list_result list_under(const std::string& rel) const {
        functionfuse::detail::curl_s3_client client(server_.client);
        return client.list_objects_v2(server_.location.bucket, prefix_ + "/" + rel, "");
    }
    std::string stem_;
};

}  // namespace ff_test
