#pragma once
// Test support for the zarr array store on S3: an s3_protocol over the async S3 client (the
// same calls the S3 storage makes), a fixture bound to the s3rver ctest fixture, and helpers
// that run zarr-python/boto3 against the same bucket.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "../s3/s3_server_test.hpp"
#include "arrays/array_store_registry.hpp"
#include "async_protocols/s3/beast/client.hpp"
#include "async_protocols/s3/zarr_array_store.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/s3_protocol.hpp"
#include "python.hpp"

namespace ff_test {

/// S3_PROTOCOL over one `s3::client`: keys under `<root>/<workflow>/bigdata`.
class client_s3_protocol : public functionfuse::s3_protocol {
  public:
    client_s3_protocol(functionfuse::s3::client& c, std::string bucket, std::string root,
                       std::size_t window, boost::asio::any_io_executor blocking)
        : client_(c),
          bucket_(std::move(bucket)),
          root_(std::move(root)),
          window_(window),
          blocking_(std::move(blocking)) {}

    const std::string& bucket() const noexcept override { return bucket_; }
    std::string bigdata_prefix(std::string_view workflow) const override {
        return root_ + "/" + std::string(workflow) + "/bigdata";
    }
    boost::asio::awaitable<void> put(std::string key,
                                     std::shared_ptr<const std::string> body) override {
        {
            std::lock_guard lock(mutex_);
            put_log_.push_back(key);
        }
        const std::size_t now = ++in_flight;
        for (std::size_t seen = max_in_flight;
             now > seen && !max_in_flight.compare_exchange_weak(seen, now);) {
        }
        if (fail_after && put_log_size() > *fail_after) {
            --in_flight;
            throw functionfuse::io_error("injected failure putting '" + key + "'");
        }
        try {
            // The body stays alive in this frame (a put_options temporary in a co_await
            // expression is miscompiled by GCC 12, see client.hpp).
            co_await client_.put_object(bucket_, key, std::string_view(*body));
        } catch (...) {
            --in_flight;
            throw;
        }
        --in_flight;
    }
    /// The key put last among those starting with `prefix` (empty if none).
    std::string last_put_under(const std::string& prefix) const {
        std::lock_guard lock(mutex_);
        for (auto it = put_log_.rbegin(); it != put_log_.rend(); ++it)
            if (it->rfind(prefix, 0) == 0)
                return *it;
        return {};
    }
    std::size_t put_log_size() const {
        std::lock_guard lock(mutex_);
        return put_log_.size();
    }
    boost::asio::awaitable<std::optional<std::string>> get(std::string key) override {
        ++gets;
        try {
            co_return co_await client_.get_object(bucket_, key);
        } catch (const functionfuse::not_found&) {
        }
        co_return std::nullopt;
    }
    boost::asio::awaitable<std::vector<std::string>> list(std::string prefix) override {
        auto r = co_await client_.list_objects_v2(bucket_, prefix);
        std::vector<std::string> keys;
        for (auto& o : r.objects)
            keys.push_back(std::move(o.key));
        co_return keys;
    }
    boost::asio::awaitable<void> remove(std::vector<std::string> keys) override {
        auto failed = co_await client_.delete_objects(bucket_, keys);
        if (!failed.empty())
            throw functionfuse::io_error("delete failed");
    }
    std::size_t max_concurrency() const noexcept override { return window_; }
    const boost::asio::any_io_executor& blocking() const noexcept override { return blocking_; }

    std::atomic<std::size_t> gets{0};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<std::size_t> max_in_flight{0};
    /// When set, every put after this many fails without reaching the server.
    std::optional<std::size_t> fail_after;

  private:
    functionfuse::s3::client& client_;
    std::string bucket_;
    std::string root_;
    std::size_t window_;
    boost::asio::any_io_executor blocking_;
    mutable std::mutex mutex_;
    std::vector<std::string> put_log_;
};

/// A fixture with an s3rver endpoint, a client and a protocol rooted at a fresh prefix.
class zarr_s3_fixture : public s3_server_test {
  protected:
    void SetUp() override {
        s3_server_test::SetUp();
        if (IsSkipped())
            return;
        std::random_device rd;
        root = std::string("zarrs3-") +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
               std::to_string(rd() % 1000000);
        // No storage_factory here, which is what registers the kinds' array stores: the
        // serializers of these tests find the zarr store through this explicit registration.
        functionfuse::detail::array_stores().add(
            std::string(functionfuse::S3_PROTOCOL),
            functionfuse::zarr_detail::make_zarr_array_store());
        client = std::make_unique<functionfuse::s3::client>(ctx.get_executor(), endpoint.params);
        proto = make_protocol(*client, 16);
        protos[std::string(functionfuse::S3_PROTOCOL)] = proto;
    }
    void TearDown() override {
        protos.clear();
        proto.reset();
        client.reset();
        pool.join();
    }
    std::shared_ptr<client_s3_protocol> make_protocol(functionfuse::s3::client& c,
                                                      std::size_t window) {
        return std::make_shared<client_s3_protocol>(c, endpoint.bucket, root, window,
                                                    pool.get_executor());
    }
    /// Every key under `prefix`.
    std::vector<std::string> keys_under(const std::string& prefix) {
        return run(proto->list(prefix));
    }
    /// Runs `script` after a prelude that defines `s3` (a boto3 client), `bucket`, and
    /// `download(prefix, dir)` (mirrors every key under prefix into dir).
    python_result python(const std::string& script, const std::string& args = "") {
        const std::string url =
            endpoint.scheme + "://127.0.0.1:" + std::to_string(endpoint.params.port);
        ::setenv("S3_URL", url.c_str(), 1);
        ::setenv("S3_BUCKET", endpoint.bucket.c_str(), 1);
        ::setenv("S3_KEY", endpoint.params.creds.access_key_id.c_str(), 1);
        ::setenv("S3_SECRET", endpoint.params.creds.secret_access_key.c_str(), 1);
        ::setenv("S3_CA", endpoint.params.tls.ca_file.c_str(), 1);
        static const std::string prelude = R"PY(
import os, sys
for v in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "AWS_PROFILE"):
    os.environ.pop(v, None)
import boto3, botocore.config
s3 = boto3.client("s3", endpoint_url=os.environ["S3_URL"], region_name="us-east-1",
                  aws_access_key_id=os.environ["S3_KEY"], aws_secret_access_key=os.environ["S3_SECRET"],
                  verify=(os.environ["S3_CA"] or None) if os.environ["S3_URL"].startswith("https") else False,
                  config=botocore.config.Config(s3={"addressing_style": "path"}))
bucket = os.environ["S3_BUCKET"]
def download(prefix, dest):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    n = 0
    for page in pages:
        for o in page.get("Contents", []):
            rel = o["Key"][len(prefix):].lstrip("/")
            path = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            s3.download_file(bucket, o["Key"], path)
            n += 1
    return n
def upload(src, prefix):
    for dirpath, _, files in os.walk(src):
        for f in files:
            full = os.path.join(dirpath, f)
            s3.upload_file(full, bucket, prefix + "/" + os.path.relpath(full, src))
)PY";
        return run_python(prelude + script, args);
    }

    boost::asio::thread_pool pool{2};
    std::string root;
    std::unique_ptr<functionfuse::s3::client> client;
    std::shared_ptr<client_s3_protocol> proto;
    functionfuse::protocols protos;
};

}  // namespace ff_test
