#pragma once
/// \file
/// The sync path: the same operations as `storage`, as plain blocking calls that run in the
/// calling thread, one request at a time (libcurl for S3, HDF5 in the caller) — the way the
/// Python original works. It reads and writes the same bytes as the async path.

#include <atomic>
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
    /// As `functionfuse::storage::new_workflow`.
    virtual void new_workflow(const std::string& workflow) = 0;
    /// As `functionfuse::storage::save` (atomic; `invalid_name`, `type_error`, `io_error`).
    virtual void save(const std::string& workflow, const std::string& task,
                      const value& result) = 0;
    /// As `functionfuse::storage::read_task` (`not_found`, `invalid_pickle`).
    virtual value read_task(const std::string& workflow, const std::string& task) = 0;
    /// As `functionfuse::storage::file_exists`.
    virtual bool file_exists(const std::string& workflow, const std::string& task) = 0;
    /// As `functionfuse::storage::list_tasks`: matching task names, sorted.
    virtual std::vector<std::string> list_tasks(const std::string& workflow,
                                                const std::string& pattern = "*") = 0;
    /// As `functionfuse::storage::remove_task` (also removes out-of-band data).
    virtual void remove_task(const std::string& workflow, const std::string& task) = 0;
    /// Removes every task matching the glob, and their out-of-band data.
    virtual void remove_task(const std::string& workflow, const glob& pattern) = 0;
    /// As `functionfuse::storage::remove_workflow`.
    virtual void remove_workflow(const std::string& workflow) = 0;

    /// As `functionfuse::storage::register_persistent_serializers`.
    void register_persistent_serializers(std::vector<std::shared_ptr<persistent_serializer>> s) {
        serializers_.add(std::move(s));
    }
    template <class... S>
    void register_persistent_serializers(std::shared_ptr<S>... s) {
        register_persistent_serializers(
            std::vector<std::shared_ptr<persistent_serializer>>{std::move(s)...});
    }
    /// The registered serializers, in registration order.
    std::vector<std::shared_ptr<persistent_serializer>> persistent_serializers() const;
    /// The registry itself (what storage implementations look serializers up in).
    const serializer_registry& serializers() const noexcept { return serializers_; }
    /// As `functionfuse::storage::always_read`.
    bool always_read() const noexcept { return always_read_.load(std::memory_order_relaxed); }
    void set_always_read(bool on) noexcept { always_read_.store(on, std::memory_order_relaxed); }

  private:
    serializer_registry serializers_;
    std::atomic<bool> always_read_{false};
};

/// Creates a blocking storage from the same JSON config as `functionfuse::storage_factory`.
std::shared_ptr<storage> storage_factory(const boost::json::value& config);

}  // namespace functionfuse::sync
