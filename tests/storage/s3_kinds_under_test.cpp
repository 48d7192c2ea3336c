#include "s3_kinds_under_test.hpp"
#include "storage_adapters.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "async_protocols/s3/curl/curl_s3_client.hpp"
#include "async_protocols/s3/sync_s3_storage.hpp"
#include "functionfuse/executor.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"

namespace ff = functionfuse;
namespace fs = std::filesystem;

namespace ff_test {

namespace {

ff::s3_storage_options options_for(const fs::path& scratch) {
    auto o = s3_server_storage_options("conf/" + scratch.filename().string());
    if (!o)
        throw std::runtime_error(no_s3_server_message);
    return *o;
}

/// Raw access shared by both S3 kinds: the store is the key prefix `conf/<scratch name>/`.
class s3_raw_access : public storage_under_test {
  public:
    explicit s3_raw_access(const fs::path& scratch)
        : options_(options_for(scratch)),
          raw_(std::make_shared<ff::detail::curl_s3_client>(options_.client)) {}

    std::string root() const { return options_.location.prefix + "/"; }
    const std::string& bucket() const { return options_.location.bucket; }

    std::string raw_get(const std::string& wf, const std::string& task) override {
        return raw_->get_object(bucket(), root() + wf + "/" + task).value_or("");
    }
    void raw_put(const std::string& wf, const std::string& task,
                 const std::string& bytes) override {
        raw_->put_object(bucket(), root() + wf + "/" + task, bytes);
    }
    void plant_foreign_entries(const std::string& wf) override {
        raw_->put_object(bucket(), root() + wf + "/", "");  // a console's "folder" marker
        raw_->put_object(bucket(), root() + wf + "/bigdata/blob", "data");
        raw_->put_object(bucket(), root() + wf + "/subdir/nested", "data");
    }
    std::vector<std::string> raw_list_all() override {
        std::vector<std::string> out;
        for (const auto& o : raw_->list_objects_v2(bucket(), root(), "").objects)
            out.push_back(o.key.substr(root().size()));
        std::sort(out.begin(), out.end());
        return out;
    }
    bool wrote_outside_root() override { return top_level() != top_level_at_start_; }
    bool bigdata_exists(const std::string& wf, const std::string& filename) override {
        return raw_->object_exists(bucket(), root() + wf + "/bigdata/" + filename);
    }

  protected:
    /// Remembers what exists beside the root, for `wrote_outside_root`.
    void note_start() { top_level_at_start_ = top_level(); }
    ff::s3_storage_options options_;

  private:
    /// Top-level keys and "directories" of the bucket, and those under conf/ except ours.
    std::set<std::string> top_level() {
        std::set<std::string> out;
        const auto top = raw_->list_objects_v2(bucket(), "", "/");
        for (const auto& o : top.objects)
            out.insert(o.key);
        for (const auto& p : top.common_prefixes)
            out.insert(p);
        const auto conf = raw_->list_objects_v2(bucket(), "conf/", "/");
        for (const auto& o : conf.objects)
            out.insert(o.key);
        for (const auto& p : conf.common_prefixes)
            if (p != root())
                out.insert(p);
        return out;
    }
    std::shared_ptr<ff::detail::curl_s3_client> raw_;
    std::set<std::string> top_level_at_start_;
};

class async_s3_kind final : public async_kind<s3_raw_access> {
  public:
    explicit async_s3_kind(const fs::path& scratch) : async_kind(scratch) {
        storage_ =
            std::make_shared<ff::s3_storage>(options_, ff::shared_executor::default_instance());
    }
    /// Hostile-name checks need a baseline; taken only when asked (listing costs requests).
    void begin() { note_start(); }
};

class sync_s3_kind final : public sync_kind<s3_raw_access> {
  public:
    explicit sync_s3_kind(const fs::path& scratch) : sync_kind(scratch) {
        storage_ = std::make_shared<ff::sync::s3_storage>(options_);
    }
    void begin() { note_start(); }
};

}  // namespace

std::vector<kind_under_test> s3_kinds() {
    return {
        {"s3_async",
         [](const fs::path& scratch, bool) -> std::unique_ptr<storage_under_test> {
             auto k = std::make_unique<async_s3_kind>(scratch);
             k->begin();
             return k;
         },
         ""},
        {"s3_sync",
         [](const fs::path& scratch, bool) -> std::unique_ptr<storage_under_test> {
             auto k = std::make_unique<sync_s3_kind>(scratch);
             k->begin();
             return k;
         },
         ""},
    };
}

}  // namespace ff_test
