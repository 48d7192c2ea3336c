#include <algorithm>
#include <exception>
#include <fstream>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "functionfuse/executor.hpp"
#include "functionfuse/sync.hpp"
#include "run_awaitable.hpp"
#include "async_protocols/file/file_storage.hpp"
#include "storage_adapters.hpp"
#include "storage_under_test.hpp"
#include "async_protocols/file/sync_file_storage.hpp"
#ifdef FF_WITH_S3_KINDS
#include "s3_kinds_under_test.hpp"
#endif

namespace ff = functionfuse;
namespace fs = std::filesystem;

namespace ff_test {

namespace {

/// Raw access shared by both file kinds: the store is the directory `scratch/root`.
class file_raw_access : public storage_under_test {
  public:
    explicit file_raw_access(fs::path scratch) : scratch_(std::move(scratch)) {}

    fs::path root() const { return scratch_ / "root"; }

    std::string raw_get(const std::string& wf, const std::string& task) override {
        std::ifstream in(root() / wf / task, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    void raw_put(const std::string& wf, const std::string& task,
                 const std::string& bytes) override {
        std::ofstream out(root() / wf / task, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    void plant_foreign_entries(const std::string& wf) override {
        fs::create_directories(root() / wf / "bigdata");
        fs::create_directories(root() / wf / "subdir");
        std::ofstream(root() / wf / ".tmp-0123456789abcdef") << "partial";
        std::ofstream(root() / wf / "bigdata" / "blob") << "data";
        std::ofstream(root() / wf / "subdir" / "nested") << "data";
    }
    std::vector<std::string> raw_list_all() override {
        std::vector<std::string> out;
        if (!fs::exists(root()))
            return out;
        for (const auto& e : fs::recursive_directory_iterator(root())) {
            std::string rel = fs::relative(e.path(), root()).string();
            if (e.is_directory())
                rel += '/';
            out.push_back(rel);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    bool wrote_outside_root() override {
        for (const auto& e : fs::directory_iterator(scratch_))
            if (e.path().filename() != "root")
                return true;
        return false;
    }
    bool bigdata_exists(const std::string& wf, const std::string& filename) override {
        return fs::exists(root() / wf / "bigdata" / filename);
    }

  private:
    fs::path scratch_;
};

class async_file_kind final : public async_kind<file_raw_access> {
  public:
    async_file_kind(const fs::path& scratch, bool durable) : async_kind(scratch) {
        storage_ = std::make_shared<ff::file_storage>(ff::file_storage_options{root(), durable},
                                                      ff::shared_executor::default_instance());
    }
};

class sync_file_kind final : public sync_kind<file_raw_access> {
  public:
    sync_file_kind(const fs::path& scratch, bool durable) : sync_kind(scratch) {
        storage_ =
            std::make_shared<ff::sync::file_storage>(ff::file_storage_options{root(), durable});
    }
};

}  // namespace

std::vector<kind_under_test> all_kinds() {
    std::vector<kind_under_test> kinds = {
        {"file_async",
         [](const fs::path& scratch, bool durable) -> std::unique_ptr<storage_under_test> {
             return std::make_unique<async_file_kind>(scratch, durable);
         },
         "async"},
        {"file_sync",
         [](const fs::path& scratch, bool durable) -> std::unique_ptr<storage_under_test> {
             return std::make_unique<sync_file_kind>(scratch, durable);
         },
         "sync"},
    };
#ifdef FF_WITH_S3_KINDS
    // S3 kinds (async and sync, against the s3rver fixture): only in the binaries built for them.
    for (auto& k : s3_kinds())
        kinds.push_back(std::move(k));
#endif
    return kinds;
}

}  // namespace ff_test
