#pragma once
/// \file
/// `storage`: saves a workflow node's result under `<root>/<workflow>/<task>` and reads it
/// back. Kinds: `"file"` (a local directory, the embedded default) and `"S3"`.
///
/// Every operation returns `boost::asio::awaitable<T>`: `co_await` it from any executor; it
/// runs on the library's shared executor and resumes on the caller's executor.
/// Thread-safety: one storage object may be used by many coroutines on many threads at once.
/// Names: workflow and task names must be plain names (not empty, `.` or `..`, no `/`, `\`
/// or NUL); others raise `invalid_name` before anything is written.
///
/// Cancellation (every awaitable below, both kinds, async path): Asio's per-operation
/// cancellation. A cancellation slot bound by the caller — `asio::bind_cancellation_slot`, a
/// parallel group's `wait_for_one`, `awaitable_operators` `||` with a timer, or a coroutine
/// spawned with a slot — reaches the library's work on its io context. Supported type:
/// `terminal` (as `all`, which includes it); `partial` and `total` alone are ignored and the
/// operation runs on. A cancelled operation ends promptly with
/// `boost::system::system_error(boost::asio::error::operation_aborted)` (Asio's convention),
/// and:
/// - a save leaves the task's old result or none, never a mix: what it already stored out of
///   band (HDF5 file, zarr chunks) is removed, a multipart upload is aborted; if the task's
///   result was already published when the cancellation arrived, the save completes normally;
/// - a read frees its buffers and connections;
/// - blocking work already running (one HDF5 write, one chunk's compression) finishes, but
///   nothing further is started for the operation;
/// - a request waiting for a pooled connection leaves the queue; a connection with a
///   half-sent request is closed, not reused. A request that changes the server (PUT, POST,
///   DELETE) and went out whole is still answered (within `timeout_ms`) before the cleanup,
///   so that nothing appears after it.
/// Per-call deadline: `co_await (storage->save(wf, t, v) || timer.async_wait(use_awaitable))`
/// (see docs/configuration.md, "Deadlines and cancellation"); a whole-operation timeout for
/// every call: the S3 option `operation_timeout_ms`.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "functionfuse/serializer.hpp"
#include "functionfuse/value.hpp"

namespace boost::json {
class value;
}

namespace functionfuse {

class shared_executor;

/// A glob pattern (`*`, `?`, `[...]`, as Python's `fnmatch`), to tell `remove_task(wf, glob{"a*"})`
/// apart from removing a task literally named `a*`.
struct glob {
    glob() = default;
    explicit glob(std::string p) : pattern(std::move(p)) {}
    // Not an aggregate on purpose: GCC 12 destroys an aggregate temporary twice when it is
    // built inside a co_await expression (`co_await s.remove_task(wf, glob{"a*"})`).
    std::string pattern;
};

/// Returns whether `name` matches the glob `pattern` with Python's `fnmatch.fnmatchcase`
/// rules: `*` any run of characters (including none), `?` one character, `[seq]` one
/// character in seq (ranges like `a-z`), `[!seq]` one character not in seq; an unclosed `[`
/// is a literal. Case-sensitive; characters are UTF-8 code points.
bool glob_match(std::string_view pattern, std::string_view name);

/// The storage interface shared by every kind.
class storage {
  public:
    virtual ~storage();

    /// Creates the workflow (idempotent).
    virtual boost::asio::awaitable<void> new_workflow(std::string workflow) = 0;
    /// Saves `result` as task `task` of `workflow`, atomically: a concurrent or later reader
    /// sees the previous result or this one, never a mix. Objects handled by registered
    /// persistent serializers are stored first; the task's pickle is published next; then the
    /// out-of-band data of the result it replaced is removed (so re-running a workflow does
    /// not accumulate arrays). A reader racing the save gets the old value, the new one, or
    /// `not_found` (the old value's arrays removed under it) — never a partial array.
    virtual boost::asio::awaitable<void> save(std::string workflow, std::string task,
                                              value result) = 0;
    /// Reads a task's result. Throws `not_found` if absent, `invalid_pickle` if corrupted or if
    /// it references a persistent serializer that is not registered (the message names it).
    virtual boost::asio::awaitable<value> read_task(std::string workflow, std::string task) = 0;
    /// Whether task `task` of `workflow` has a saved result.
    virtual boost::asio::awaitable<bool> file_exists(std::string workflow, std::string task) = 0;
    /// Names of the saved tasks of `workflow` matching `pattern`, sorted; never bigdata.
    virtual boost::asio::awaitable<std::vector<std::string>> list_tasks(
        std::string workflow, std::string pattern = "*") = 0;
    /// Removes one task and the out-of-band data it references. Missing is not an error. A task
    /// that references a persistent serializer that is not registered is `invalid_pickle`
    /// naming it, and nothing is removed.
    virtual boost::asio::awaitable<void> remove_task(std::string workflow, std::string task) = 0;
    /// Removes every task matching the pattern, and their out-of-band data.
    virtual boost::asio::awaitable<void> remove_task(std::string workflow, glob pattern) = 0;
    /// Removes the workflow and everything under it.
    virtual boost::asio::awaitable<void> remove_workflow(std::string workflow) = 0;

    /// Registers serializers (each replaces one with the same `serializer_class` or `name`).
    /// Safe to call at any time; operations already in flight keep the serializers they
    /// started with. Throws `type_error` for a null pointer.
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

    /// Python's `always_read` flag: tells a task runner to read results back from storage
    /// even when it holds them in memory. The storage itself does not act on it.
    bool always_read() const noexcept { return always_read_.load(std::memory_order_relaxed); }
    void set_always_read(bool on) noexcept { always_read_.store(on, std::memory_order_relaxed); }

    /// The protocols this storage lends to serializers.
    virtual const protocols& lent_protocols() const = 0;

  private:
    serializer_registry serializers_;
    std::atomic<bool> always_read_{false};
};

/// Creates a storage from a JSON config: `{"kind": "file", "options": {"path": "store"}}`
/// (optional `"fsync": true|false`, default true), or
/// `{"kind": "S3", "options": {"path": "bucket/prefix", "s3fs": {...}}}`.
/// `executor` defaults to `shared_executor::default_instance()`.
/// Throws `config_error` naming the offending field.
std::shared_ptr<storage> storage_factory(const boost::json::value& config,
                                         std::shared_ptr<shared_executor> executor = nullptr);

}  // namespace functionfuse
