#pragma once
/// \file
/// Persistent serializers and the protocols through which a storage lends them its I/O.
///
/// When a value being saved holds an `extension` object whose type a registered serializer
/// handles, the serializer stores the object out of band (`pickle`) and the task's pickle holds
/// only its persistent id — BINPERSID over `(name, payload)` where `payload` is what `pickle`
/// returned, e.g. `("0.0.0", "<uuid4>")`, exactly as Python's `persistent_id` does.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "functionfuse/stored_entry.hpp"
#include "functionfuse/value.hpp"

namespace functionfuse {

/// Name of the local-directory protocol (Python: `FILE_PROTOCOL`).
inline constexpr std::string_view FILE_PROTOCOL = "file_protocol";
/// Name of the S3 protocol (Python: `S3_PROTOCOL`).
inline constexpr std::string_view S3_PROTOCOL = "s3 protocol";

/// Base of every protocol object; serializers `dynamic_cast` to the concrete protocol.
class protocol {
  public:
    virtual ~protocol() = default;
};

/// FILE_PROTOCOL: the storage's root directory and where to run blocking work.
/// A workflow's out-of-band data lives in `root / workflow / "bigdata"`.
class file_protocol : public protocol {
  public:
    file_protocol(std::filesystem::path root, boost::asio::any_io_executor blocking, bool fsync)
        : root_(std::move(root)), blocking_(std::move(blocking)), fsync_(fsync) {}
    /// The storage root (`options.path`).
    const std::filesystem::path& root() const noexcept { return root_; }
    /// `root / workflow / "bigdata"`.
    std::filesystem::path bigdata_dir(std::string_view workflow) const {
        return root_ / std::string(workflow) / "bigdata";
    }
    /// Executor for blocking work: the shared pool (async path) or the calling thread (sync).
    const boost::asio::any_io_executor& blocking() const noexcept { return blocking_; }
    /// Whether writes must be fsynced before they are published.
    bool fsync() const noexcept { return fsync_; }

  private:
    std::filesystem::path root_;
    boost::asio::any_io_executor blocking_;
    bool fsync_;
};

/// The protocols a storage lends, by name (`FILE_PROTOCOL`, `S3_PROTOCOL`).
using protocols = std::map<std::string, std::shared_ptr<protocol>, std::less<>>;

/// A serializer that stores objects of one C++ type out of band.
/// Thread-safety: a storage may call any member from many coroutines at once.
class persistent_serializer {
  public:
    virtual ~persistent_serializer() = default;
    /// The tag stored in the pickle (Python's `name`), e.g. `"HDFSerializer"`.
    virtual std::string name() const = 0;
    /// The C++ type this serializer handles (Python's `serializer_class`).
    virtual std::type_index serializer_class() const = 0;
    /// Stores `obj` for `workflow` and returns the persistent id payload (e.g. a tuple
    /// `("0.0.0", "<uuid4>")`). The object must be complete on storage when this returns.
    virtual boost::asio::awaitable<value> pickle(const protocols& protos, std::string workflow,
                                                 extension obj) = 0;
    /// Loads the object that `pickle` returned `payload` for.
    virtual boost::asio::awaitable<value> unpickle(const protocols& protos, std::string workflow,
                                                   value payload) = 0;
    /// Deletes the object that `pickle` returned `payload` for. Missing data is not an error.
    virtual boost::asio::awaitable<void> remove(const protocols& protos, std::string workflow,
                                                value payload) = 0;

    // Maintenance (gc, du). A serializer that does not override these stores nothing gc can
    // see: its objects are never reported, nor deleted.

    /// Every object this serializer has stored for `workflow`, named as `object_name` names
    /// them, with sizes and modification times. Default: none.
    virtual boost::asio::awaitable<std::vector<stored_entry>> list_objects(const protocols& protos,
                                                                           std::string workflow);
    /// The name of the object that `pickle` returned `payload` for, as `list_objects` names
    /// it; nullopt if the payload is not one of this serializer's (default: nullopt).
    virtual std::optional<std::string> object_name(const value& payload) const;
    /// Deletes the object `list_objects` named `name`; missing is not an error. Default: does
    /// nothing.
    virtual boost::asio::awaitable<void> remove_object(const protocols& protos,
                                                       std::string workflow, std::string name);
};

/// The persistent serializers registered with one storage, looked up by `serializer_class`
/// (when saving) and by `name` (when reading and removing). Both storage kinds and the sync
/// path share this class.
/// Thread-safety: `add` may run concurrently with lookups; an operation in flight keeps using
/// the `table` it took when it started (copy-on-write).
class serializer_registry {
  public:
    /// One registered serializer with its tag and class read once.
    struct entry {
        std::string name;
        std::type_index serializer_class;
        std::shared_ptr<persistent_serializer> serializer;
    };
    /// An immutable snapshot of the registrations, in registration order.
    class table {
      public:
        /// The serializer for objects of `type`, or nullptr.
        const entry* by_class(std::type_index type) const noexcept;
        /// The serializer whose tag is `name`, or nullptr.
        const entry* by_name(std::string_view name) const noexcept;
        const std::vector<entry>& entries() const noexcept { return entries_; }

      private:
        friend class serializer_registry;
        std::vector<entry> entries_;
    };

    serializer_registry();
    /// Registers `serializers`; each replaces an earlier one with the same `serializer_class`
    /// or the same `name`. Throws `type_error` for a null pointer (nothing registered then).
    void add(std::vector<std::shared_ptr<persistent_serializer>> serializers);
    /// The current registrations.
    std::shared_ptr<const table> snapshot() const;

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const table> table_;
};

}  // namespace functionfuse
