#pragma once
/// \file
/// Looking into a store and keeping it clean: list workflows, tasks with sizes, the out-of-band
/// objects serializers stored, and `collect_garbage` (gc) for what no task references and
/// what killed writers left behind. These work on storages made by `storage_factory` (the
/// async path); any other storage throws `error`.
///
/// Every function returns an awaitable that runs on the library's shared executor and
/// resumes on the caller's; the `storage` must outlive it. Cancellation: none (each runs to
/// completion once started; gc with `remove` may have deleted part of what it found when it
/// throws).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "functionfuse/storage.hpp"
#include "functionfuse/stored_entry.hpp"

namespace functionfuse {

/// The store's workflows, sorted.
boost::asio::awaitable<std::vector<std::string>> list_workflows(storage& s);

/// The workflow's tasks matching the glob `pattern`, sorted by name, each with the size of
/// its stored result (the pickle; not the out-of-band objects it references) and its
/// modification time. A missing workflow has none.
boost::asio::awaitable<std::vector<stored_entry>> stat_tasks(storage& s, std::string workflow,
                                                             std::string pattern);

/// One out-of-band object, as a registered persistent serializer lists it.
struct stored_object {
    /// The serializer's tag (`"HDFSerializer"` for arrays).
    std::string serializer;
    /// name (e.g. the uuid4), location, size, modification time.
    stored_entry entry;
};

/// Every out-of-band object the registered serializers have stored for `workflow`, sorted by
/// serializer and name; referenced or not.
boost::asio::awaitable<std::vector<stored_object>> list_stored_objects(storage& s,
                                                                       std::string workflow);

/// What gc looks for.
enum class gc_kind {
    /// An out-of-band object (an array) that no task of its workflow references.
    orphan,
    /// A `.tmp-*` file a killed writer left (file kind).
    temporary,
    /// A multipart upload that was started and never completed nor aborted (S3).
    upload,
};

/// `"orphan"`, `"temporary"`, `"upload"`.
std::string_view to_string(gc_kind k) noexcept;

/// Options of `collect_garbage`.
struct gc_options {
    /// Only things last modified (uploads: started) longer ago than this are reported. This is
    /// what makes gc safe beside live writers: a save writes its objects, then publishes its
    /// task; until the task is published the objects look like orphans, and a temporary file
    /// or an upload in progress looks like a leftover. The grace period must exceed the
    /// longest time any writer takes between writing an object and publishing its task (for
    /// arrays: from the last chunk written to the task's pickle, normally well under a second).
    std::chrono::seconds grace = std::chrono::hours(1);
    /// Delete what was found (default: only report it).
    bool remove = false;
    /// Only these workflows (orphans and temporary files); empty means all. Uploads are
    /// looked for under the whole store either way.
    std::vector<std::string> workflows;
};

/// One thing gc found.
struct gc_finding {
    gc_kind kind = gc_kind::orphan;
    /// Its workflow (empty for an upload outside any workflow).
    std::string workflow;
    /// name, location, size (0 for uploads: S3 does not say), modification time.
    stored_entry entry;
    /// The serializer whose object it is (orphans only).
    std::string serializer;
    /// With `remove`: whether it was deleted.
    bool removed = false;
    /// With `remove`: why deleting it failed (empty if it did not).
    std::string error;
};

/// What gc found, and what it could not look at.
struct gc_report {
    /// Sorted by workflow, kind and location.
    std::vector<gc_finding> findings;
    /// Why some things were not checked: a workflow whose tasks cannot all be read, or that
    /// reference a serializer that is not registered, has its orphans neither reported nor
    /// deleted (what those tasks reference cannot be known); a server that cannot list
    /// multipart uploads (s3rver answers NotImplemented).
    std::vector<std::string> warnings;
};

/// Finds out-of-band objects that no task references, temporary files and unfinished uploads
/// older than `opts.grace`, and with `opts.remove` deletes them. References are read from every
/// task's pickle (no object is loaded); only objects of registered serializers are considered,
/// so register the same serializers the writers use. Throws what listing the store throws
/// (`io_error`, `s3_error`); failures to delete one finding are recorded in it instead.
boost::asio::awaitable<gc_report> collect_garbage(storage& s, gc_options opts);

}  // namespace functionfuse
