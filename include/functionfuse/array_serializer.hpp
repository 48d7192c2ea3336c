#pragma once
/// \file
/// `functionfuse::array_serializer`: the persistent serializer for `chunked_array` (the Python
/// original's `DaskArraySerializer`, tag `"HDFSerializer"`, version `"0.0.0"`).
///
/// Through FILE_PROTOCOL an array becomes `<root>/<workflow>/bigdata/<uuid4>`, an HDF5 file
/// with one dataset `dask_arrays` chunked like the array, and the task's pickle holds
/// `("HDFSerializer", ("0.0.0", "<uuid4>"))`. How arrays are stored through each protocol is an
/// `array_store`, looked up by protocol name: first the serializer's own (`set_store`), then
/// the ones the storage kinds registered when `storage_factory` first ran (FILE_PROTOCOL →
/// HDF5, S3_PROTOCOL → zarr).
///
/// Lazy reads: `open()` (or `options::lazy`, which makes `unpickle` return a `lazy_array`
/// extension instead of a `chunked_array`) gives a handle that reads one region at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "functionfuse/array.hpp"
#include "functionfuse/serializer.hpp"
#include "functionfuse/value.hpp"

namespace functionfuse {

/// A box inside an array: `count[i]` elements from `start[i]` in each dimension.
struct array_region {
    chunked_array::shape_type start;
    chunked_array::shape_type count;
};

/// A stored array that is read on demand, one region at a time.
/// Copies share the same source. Thread-safety: `read` may be called concurrently.
/// Lifetime: it uses the storage's blocking executor; keep the storage's executor alive.
class lazy_array {
  public:
    /// Where the bytes come from (implemented by each `array_store`).
    class source {
      public:
        virtual ~source() = default;
        /// Reads `r` (already validated against the shape) into a new array.
        virtual boost::asio::awaitable<chunked_array> read(array_region r) const = 0;
        /// As `read(r)`, reporting to `p` (not null) the `chunks` chunks the region touches and
        /// its bytes as they are read; the totals are already counted. The default reports
        /// them all once the whole region is read (a store that reads the region in one call,
        /// like HDF5); a store that fetches chunk by chunk overrides it to report each.
        virtual boost::asio::awaitable<chunked_array> read(array_region r, progress* p,
                                                           std::uint64_t chunks) const;
        /// What it reads, for messages (a path or key).
        virtual std::string describe() const = 0;
    };

    /// An empty handle (reading it throws `not_found`); assign a real one.
    lazy_array() = default;
    lazy_array(dtype type, chunked_array::shape_type shape, chunked_array::shape_type chunks,
               std::shared_ptr<const source> src);

    dtype type() const noexcept { return type_; }
    const chunked_array::shape_type& shape() const noexcept { return shape_; }
    /// The stored chunk shape.
    const chunked_array::shape_type& chunks() const noexcept { return chunks_; }
    std::size_t ndim() const noexcept { return shape_.size(); }
    /// The path or key read from.
    std::string describe() const { return src_ ? src_->describe() : "(empty lazy_array)"; }

    /// Reads region `r` without loading the rest. The result has shape `r.count` and chunks
    /// `min(chunks(), r.count)`. Throws `config_error` (field `region`) when `r` does not fit
    /// the shape, `io_error`/`not_found` as the eager read.
    boost::asio::awaitable<chunked_array> read(array_region r) const;
    /// Reads everything.
    boost::asio::awaitable<chunked_array> read() const;
    /// As `read(r)`, reporting to `p` (see `functionfuse/progress.hpp`): first the totals —
    /// the chunks the region touches and the region's own bytes (`product(r.count)` elements,
    /// not the whole chunks') — then the done counts as chunks arrive (S3/zarr: each chunk;
    /// file/HDF5: all at once when the region is read, as HDF5 reads it in one call). A null
    /// `p` costs nothing. Cancellation: as `read(r)`; a cancelled read adds no further done
    /// counts.
    boost::asio::awaitable<chunked_array> read(array_region r, std::shared_ptr<progress> p) const;
    /// As `read(p)` over the whole array.
    boost::asio::awaitable<chunked_array> read(std::shared_ptr<progress> p) const;

  private:
    void check_region(const array_region& r) const;

    dtype type_ = dtype::float64;
    chunked_array::shape_type shape_;
    chunked_array::shape_type chunks_;
    std::shared_ptr<const source> src_;
};

/// The zarr compressor of arrays stored through S3_PROTOCOL (`.zarray`'s `compressor`).
/// Default: blosc lz4, clevel 5, byte shuffle — zarr-python's own default.
struct zarr_compressor {
    /// `"blosc"`, `"zstd"`, `"zlib"`, `"gzip"`, or `""` for none (`null`).
    std::string id = "blosc";
    /// blosc clevel 0-9, zstd level, zlib/gzip level 0-9.
    int level = 5;
    /// blosc only: its inner codec (`"lz4"`, `"zstd"`, `"blosclz"`, ...).
    std::string cname = "lz4";
    /// blosc only: 0 none, 1 byte shuffle, 2 bit shuffle.
    int shuffle = 1;
};

/// Serializer options. Defaults: no compression, eager reads.
struct array_options {
    /// HDF5 deflate (gzip) level 0-9; empty = no deflate filter.
    std::optional<int> gzip_level;
    /// HDF5 shuffle filter (bytes of each element grouped; helps gzip on numbers).
    bool shuffle = false;
    /// `unpickle` returns a `lazy_array` extension instead of reading the whole array.
    bool lazy = false;
    /// Compressor of arrays stored as zarr (S3_PROTOCOL); the HDF5 fields above do not apply.
    zarr_compressor zarr;
};

/// How chunked arrays are stored through one protocol. `name` is the object's name
/// (the uuid4 of the payload); `proto` is the protocol the store was selected for.
/// Implementations run blocking work on the protocol's blocking executor.
class array_store {
  public:
    virtual ~array_store() = default;
    /// Stores `a`; the object is complete (and published atomically) when this returns.
    virtual boost::asio::awaitable<void> write(const protocol& proto, std::string workflow,
                                               std::string name,
                                               std::shared_ptr<const chunked_array> a,
                                               const array_options& opts) = 0;
    /// Reads the whole object. Throws `not_found` naming it if absent.
    virtual boost::asio::awaitable<chunked_array> read(const protocol& proto, std::string workflow,
                                                       std::string name) = 0;
    /// Reads the object's metadata and returns a handle for region reads.
    virtual boost::asio::awaitable<lazy_array> open(const protocol& proto, std::string workflow,
                                                    std::string name) = 0;
    /// Deletes the object; missing is not an error.
    virtual boost::asio::awaitable<void> remove(const protocol& proto, std::string workflow,
                                                std::string name) = 0;
    /// Every array stored for `workflow` (named by their uuid4), with sizes and modification
    /// times, for gc and du; arrays still being written may be among them (gc's grace period
    /// covers them). Default: none.
    virtual boost::asio::awaitable<std::vector<stored_entry>> list(const protocol& proto,
                                                                   std::string workflow);
};

/// The persistent serializer for `chunked_array` (Python's `DaskArraySerializer`).
/// Thread-safety: all operations may run concurrently; `set_store` must not.
class array_serializer : public persistent_serializer {
  public:
    using options = array_options;
    /// The tag stored in pickles.
    static constexpr std::string_view tag = "HDFSerializer";
    /// The payload version written and accepted.
    static constexpr std::string_view version = "0.0.0";
    /// The HDF5 dataset (and zarr group) name.
    static constexpr std::string_view dataset = "dask_arrays";

    /// With no stores of its own: it uses the ones the storage kinds registered (FILE_PROTOCOL
    /// → HDF5, S3_PROTOCOL → zarr), looked up when a protocol is lent.
    array_serializer();
    explicit array_serializer(options opts);

    std::string name() const override { return std::string(tag); }
    std::type_index serializer_class() const override { return typeid(chunked_array); }

    /// Stores the `chunked_array` in `obj` and returns `("0.0.0", "<uuid4>")`.
    /// Throws `type_error` if `obj` is not a chunked array, `config_error` if no store serves
    /// the lent protocols, `io_error` on write failures (nothing is left behind).
    boost::asio::awaitable<value> pickle(const protocols& protos, std::string workflow,
                                         extension obj) override;
    /// Reads the array back as a `chunked_array` extension (a `lazy_array` one with
    /// `options::lazy`). Throws `invalid_pickle` for a malformed payload (a file name that is
    /// not a plain name is refused), `not_found` naming a missing file, `io_error` for a
    /// corrupt one, `type_error` for an unsupported stored dtype.
    boost::asio::awaitable<value> unpickle(const protocols& protos, std::string workflow,
                                           value payload) override;
    /// Deletes the stored array; missing is not an error.
    boost::asio::awaitable<void> remove(const protocols& protos, std::string workflow,
                                        value payload) override;

    /// The arrays stored for `workflow` through the lent protocol's store, by uuid4.
    boost::asio::awaitable<std::vector<stored_entry>> list_objects(const protocols& protos,
                                                                   std::string workflow) override;
    /// The uuid4 of a `("0.0.0", "<uuid4>")` payload; nullopt for anything else.
    std::optional<std::string> object_name(const value& payload) const override;
    /// Deletes the array named `name` (a uuid4); missing is not an error.
    boost::asio::awaitable<void> remove_object(const protocols& protos, std::string workflow,
                                               std::string name) override;

    /// A lazy handle on the array that `pickle` returned `payload` for.
    boost::asio::awaitable<lazy_array> open(const protocols& protos, std::string workflow,
                                            value payload);

    /// Serves protocol `protocol_name` with `store` (replacing a previous one). This
    /// serializer's stores are tried first, in the order they were set, against the lent
    /// protocols; then the kinds' registered stores (FILE_PROTOCOL first).
    void set_store(std::string protocol_name, std::shared_ptr<array_store> store);
    const options& opts() const noexcept { return opts_; }

  private:
    struct selected {
        const protocol* proto;
        /// Shared: a registered store may be replaced while an operation runs on it.
        std::shared_ptr<array_store> store;
    };
    selected select(const protocols& protos) const;

    options opts_;
    std::vector<std::pair<std::string, std::shared_ptr<array_store>>> stores_;
};

/// A new random (version 4) UUID in its canonical 36-character form.
std::string new_uuid4();

}  // namespace functionfuse
