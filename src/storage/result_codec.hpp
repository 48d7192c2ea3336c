#pragma once
// The result codec: how a value becomes a stored task result and back, written once for every
// storage kind and for the sync path. A storage kind only supplies a `byte_store`.
//
//   save:   walk the value for extension objects -> each to its persistent serializer's
//           `pickle` (concurrently) -> pickle the value with BINPERSID over (name, payload)
//           -> append SHA-1 -> `byte_store::put_if_absent` (create-only: a new task is done)
//           -> else read the references of the result being replaced ->
//           `byte_store::put_atomic` -> serializer `remove` for each replaced reference.
//   read:   `byte_store::get` -> verify SHA-1 -> unpickle, recording persistent ids -> each to
//           its serializer's `unpickle` by name (concurrently) -> substitute.
//   remove: unpickle only to collect persistent ids -> serializer `remove` for each ->
//           `byte_store::remove`.
//
// Pickling, unpickling and hashing run on `codec_env::blocking`, never on the coordinating
// executor. Names must have been validated by the caller.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "functionfuse/serializer.hpp"
#include "functionfuse/value.hpp"
#include "storage/byte_store.hpp"
#include "storage/create_first/overwrite_estimate.hpp"

namespace functionfuse::detail {

/// What one operation works with. Copied into each operation, which keeps the store alive.
struct codec_env {
    std::shared_ptr<byte_store> store;
    /// The serializers as registered when the operation started.
    std::shared_ptr<const serializer_registry::table> serializers;
    /// Where CPU work (pickle, SHA-1) runs: the blocking pool, or the sync caller's context.
    boost::asio::any_io_executor blocking;
    /// The storage's estimate of how often saves replace a task, which decides whether a save
    /// tries a create-only publish first; null: always try (where the store supports it).
    std::shared_ptr<overwrite_estimate> overwrites;
};

/// Saves `result` as the task. An extension object with no registered serializer is a
/// `type_error` naming its type, raised before anything is written. If publishing fails after
/// serializers stored objects, those objects are removed again (best effort). Once the new
/// result is published, the out-of-band objects the replaced result referenced are removed
/// (best effort: a failure there leaves unreferenced objects for `collect_garbage`, never a
/// failed save). Two saves of one task racing each other can leave the loser's objects
/// unreferenced; gc finds those too.
boost::asio::awaitable<void> save_result(codec_env env, std::string workflow, std::string task,
                                         std::shared_ptr<const value> result);

/// Reads the task. `not_found` if absent; `invalid_pickle` if the checksum or pickle is bad;
/// `invalid_pickle` naming the serializer if it references one that is not registered.
boost::asio::awaitable<value> read_result(codec_env env, std::string workflow, std::string task);

/// Whether the task has a stored result.
boost::asio::awaitable<bool> result_exists(codec_env env, std::string workflow, std::string task);

/// Removes the task and the out-of-band objects it references. A missing task is not an
/// error. A task whose bytes are corrupt (its references are unreadable) is removed anyway.
/// If a referenced serializer is not registered: `invalid_pickle` naming it, nothing removed.
boost::asio::awaitable<void> remove_result(codec_env env, std::string workflow, std::string task);

/// A persistent id a stored result holds: the serializer's tag and the payload it returned.
struct stored_reference {
    std::string serializer;
    value payload;
};

/// The persistent ids in the task's stored result (without loading any object), for gc.
/// `not_found` if the task is absent, `invalid_pickle` if its bytes are corrupt.
boost::asio::awaitable<std::vector<stored_reference>> read_references(codec_env env,
                                                                      std::string workflow,
                                                                      std::string task);

/// The workflow's task names matching the glob `pattern`, sorted.
boost::asio::awaitable<std::vector<std::string>> list_results(codec_env env, std::string workflow,
                                                              std::string pattern);

/// Removes every task matching `pattern` (concurrently), as `remove_result`.
boost::asio::awaitable<void> remove_matching(codec_env env, std::string workflow,
                                             std::string pattern);

}  // namespace functionfuse::detail
