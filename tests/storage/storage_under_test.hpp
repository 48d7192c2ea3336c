#pragma once
// The conformance suite's view of a storage kind: one blocking interface over the async and
// the sync storages, plus raw access to the stored bytes (to corrupt them) and to everything a
// store holds (to prove hostile names wrote nothing). Adding a storage kind to the suite is
// one more `kind_under_test` in `all_kinds()` (storage_kinds_under_test.cpp).

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "functionfuse/serializer.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/value.hpp"

namespace ff_test {

class storage_under_test {
  public:
    virtual ~storage_under_test() = default;
    virtual void new_workflow(const std::string& wf) = 0;
    virtual void save(const std::string& wf, const std::string& task,
                      const functionfuse::value& v) = 0;
    virtual functionfuse::value read_task(const std::string& wf, const std::string& task) = 0;
    virtual bool file_exists(const std::string& wf, const std::string& task) = 0;
    virtual std::vector<std::string> list_tasks(const std::string& wf,
                                                const std::string& pattern = "*") = 0;
    virtual void remove_task(const std::string& wf, const std::string& task) = 0;
    virtual void remove_task(const std::string& wf, const functionfuse::glob& pattern) = 0;
    virtual void remove_workflow(const std::string& wf) = 0;
    virtual void register_serializer(std::shared_ptr<functionfuse::persistent_serializer> s) = 0;
    virtual bool always_read() const = 0;
    virtual void set_always_read(bool on) = 0;

    /// Saves every item as concurrently as the kind allows, from the calling thread (async:
    /// all co_spawned at once on one io_context; sync: one after another).
    virtual void save_all(
        const std::string& wf,
        const std::vector<std::pair<std::string, functionfuse::value>>& items) = 0;

    /// The stored bytes of a task, bypassing the storage.
    virtual std::string raw_get(const std::string& wf, const std::string& task) = 0;
    /// Overwrites the stored bytes of a task, bypassing the storage.
    virtual void raw_put(const std::string& wf, const std::string& task,
                         const std::string& bytes) = 0;
    /// Creates entries that `list_tasks` must never report (temporary files, nested
    /// entries, bigdata) in workflow `wf`.
    virtual void plant_foreign_entries(const std::string& wf) = 0;
    /// Every entry the store holds, as sorted paths relative to its root (directories end
    /// in '/').
    virtual std::vector<std::string> raw_list_all() = 0;
    /// Whether anything appeared outside the store's root (beside it in the scratch dir).
    virtual bool wrote_outside_root() = 0;
    /// Whether the serializer data `filename` of `wf` exists (blob_serializer's payload).
    virtual bool bigdata_exists(const std::string& wf, const std::string& filename) = 0;
};

/// A storage kind the suite runs against.
struct kind_under_test {
    std::string name;  // a gtest-safe identifier, e.g. "file_async"
    /// A fresh, empty store whose scratch space is `scratch` (an empty temp directory).
    /// `durable=false` may turn off fsync where the test does not need it.
    std::function<std::unique_ptr<storage_under_test>(const std::filesystem::path& scratch,
                                                      bool durable)>
        make;
    /// For kinds whose store is a local directory: the argument that tells
    /// `storage_crash_writer` to use this kind ("async" or "sync"); empty if the kind does not
    /// take part in the crash test.
    std::string crash_writer_mode;
};

/// Every kind the suite runs against.
std::vector<kind_under_test> all_kinds();

/// Prints a kind by name in test output (instead of its bytes).
inline void PrintTo(const kind_under_test& kind, std::ostream* os) {
    *os << kind.name;
}

}  // namespace ff_test
