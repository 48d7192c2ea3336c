#pragma once
// The internal byte-store interface: what a storage kind implements. A byte store only moves
// opaque bytes by (workflow, task) key; everything about pickles, checksums and persistent
// serializers lives once in result_codec, shared by every kind and by the sync path (the
// tensorstore split of kvstore driver vs codec).
//
// Executor contract: the codec awaits these from a coroutine running on some executor E (the
// shared executor's io context on the async path, a private io_context in the calling thread
// on the sync path) and they resume on E, as every asio awaitable does. Blocking work (file
// system calls) must run on the blocking executor the store was built with — never on E
// directly on the async path. A store object is used by many operations at once.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "functionfuse/serializer.hpp"
#include "functionfuse/stored_entry.hpp"

namespace functionfuse::detail {

/// Something a killed or failed writer left behind, for gc: a temporary file (file kind) or a
/// multipart upload that was never completed nor aborted (S3).
struct leftover {
    /// name (file name or upload key), location (path or `s3://` URL), size, modified.
    stored_entry entry;
    /// The workflow it lies in, or empty when it lies elsewhere under the store's root.
    std::string workflow;
    /// What `remove_leftover` deletes: the file's path, or the upload's key.
    std::string key;
    /// S3: the upload's id.
    std::string upload_id;
};

/// What `byte_store::put_if_absent` did.
enum class create_outcome {
    published,    ///< the task had no result; `bytes` is now its result
    exists,       ///< the task has a result; nothing was written
    unsupported,  ///< this store cannot publish create-only (now); nothing was written
};

class byte_store {
  public:
    virtual ~byte_store() = default;

    /// Creates what a workflow needs (file kind: `<root>/<wf>` and `<root>/<wf>/bigdata`).
    /// Idempotent.
    virtual boost::asio::awaitable<void> new_workflow(std::string workflow) = 0;
    /// Publishes `bytes` as the task's stored result atomically: readers see the old bytes or
    /// the new ones, never a mix, also after a crash. Creates the workflow if needed.
    virtual boost::asio::awaitable<void> put_atomic(std::string workflow, std::string task,
                                                    std::string bytes) = 0;
    /// Publishes `bytes` as the task's result only if the task has none, atomically as
    /// `put_atomic` (one request or one rename: the save of a new task needs no read of a
    /// result to replace). `bytes` is only read, so a caller told `exists` or `unsupported`
    /// falls back to `put_atomic` with the same buffer. A store must answer `published` only
    /// with proof that an existing result would have been refused (a server that ignores a
    /// condition would replace a task silently, leaking what it referenced). The default:
    /// `unsupported`. Cancellation: as `put_atomic`; a cancelled call may have published.
    virtual boost::asio::awaitable<create_outcome> put_if_absent(const std::string& workflow,
                                                                 const std::string& task,
                                                                 const std::string& bytes);
    /// The task's stored bytes, or nullopt if it has none.
    virtual boost::asio::awaitable<std::optional<std::string>> get(std::string workflow,
                                                                   std::string task) = 0;
    /// Whether the task has stored bytes.
    virtual boost::asio::awaitable<bool> exists(std::string workflow, std::string task) = 0;
    /// The names of the workflow's stored tasks, in any order: task results only (never
    /// bigdata, temporary or foreign entries). A missing workflow has none.
    virtual boost::asio::awaitable<std::vector<std::string>> list(std::string workflow) = 0;
    /// Deletes the task's stored bytes; a missing task is not an error.
    virtual boost::asio::awaitable<void> remove(std::string workflow, std::string task) = 0;
    /// Deletes the workflow and everything under it (bigdata too); missing is not an error.
    virtual boost::asio::awaitable<void> remove_workflow(std::string workflow) = 0;

    // Maintenance (ls, du, gc); async stores implement these, a store that does not throws
    // `error` saying so.

    /// The workflows in the store (the names of its top-level folders), in any order.
    virtual boost::asio::awaitable<std::vector<std::string>> list_workflows();
    /// The workflow's stored tasks (as `list`) with size, location and modification time.
    virtual boost::asio::awaitable<std::vector<stored_entry>> stat_tasks(std::string workflow);
    /// Every leftover under the store's root, of any age.
    virtual boost::asio::awaitable<std::vector<leftover>> list_leftovers();
    /// Deletes one leftover (a file, or aborts an upload); missing is not an error.
    virtual boost::asio::awaitable<void> remove_leftover(leftover l);

    /// Throws `invalid_name` for task names this kind reserves (file kind: `bigdata` and
    /// its temporary-file prefix). Called after the generic plain-name check, before any I/O.
    virtual void check_task_name(std::string_view task) const = 0;
    /// Where the task lives, for messages (a file path, `s3://bucket/key`). Never a secret.
    virtual std::string describe(std::string_view workflow, std::string_view task) const = 0;
    /// The limit for one whole storage operation (every request, retry, backoff and pool
    /// wait of it); zero for none. Past it the operation is cancelled and fails with
    /// `io_error`.
    virtual std::chrono::milliseconds operation_timeout() const { return {}; }
    /// The protocols lent to persistent serializers (FILE_PROTOCOL, S3_PROTOCOL).
    virtual const protocols& lent_protocols() const = 0;
};

}  // namespace functionfuse::detail
