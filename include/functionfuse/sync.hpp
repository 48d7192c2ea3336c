#pragma once
/// \file
/// The sync path: the same operations as `storage`, as plain blocking calls that run in the
/// calling thread, one request at a time (libcurl for S3, HDF5 in the caller) — the way the
/// Python original works. It reads and writes the same bytes as the async path.

#include <memory>
#include <string>
#include <vector>

#include "functionfuse/serializer.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/value.hpp"

namespace functionfuse::sync {

/// Blocking storage. Thread-safety: safe to call from several threads at once (each call
/// blocks its own thread only).
class storage {
public:
    virtual ~storage();
    virtual void new_workflow(const std::string& workflow) = 0;
    virtual void save(const std::string& workflow, const std::string& task, const value& result) = 0;
    virtual value read_task(const std::string& workflow, const std::string& task) = 0;
    virtual bool file_exists(const std::string& workflow, const std::string& task) = 0;
    virtual std::vector<std::string> list_tasks(const std::string& workflow,
                                                const std::string& pattern = "*") = 0;
    virtual void remove_task(const std::string& workflow, const std::string& task) = 0;
    virtual void remove_task(const std::string& workflow, const glob& pattern) = 0;
    virtual void remove_workflow(const std::string& workflow) = 0;

    /// As `functionfuse::storage::register_persistent_serializers`.
    void register_persistent_serializers(std::vector<std::shared_ptr<persistent_serializer>> s);
    template <class... S>
    void register_persistent_serializers(std::shared_ptr<S>... s) {
        register_persistent_serializers(
            std::vector<std::shared_ptr<persistent_serializer>>{std::move(s)...});
    }
    const std::vector<std::shared_ptr<persistent_serializer>>& persistent_serializers()
        const noexcept {
        return serializers_;
    }
    bool always_read() const noexcept { return always_read_; }
    void set_always_read(bool on) noexcept { always_read_ = on; }

private:
    std::vector<std::shared_ptr<persistent_serializer>> serializers_;
    bool always_read_ = false;
};

/// Creates a blocking storage from the same JSON config as `functionfuse::storage_factory`.
std::shared_ptr<storage> storage_factory(const boost::json::value& config);

}  // namespace functionfuse::sync
