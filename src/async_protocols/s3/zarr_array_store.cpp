// S3_PROTOCOL array store: zarr v2, laid out as zarr-python (and dask's to_zarr) would.
//
//   <bigdata_prefix>/dask_arrays/.zgroup          the group, shared by a workflow's arrays
//   <bigdata_prefix>/dask_arrays/<uuid4>/.zarray  the array's metadata, written LAST
//   <bigdata_prefix>/dask_arrays/<uuid4>/0.3.1    one object per chunk, edge chunks padded
//
// Writes: a fixed number of worker coroutines (the protocol's max_concurrency) pull chunk
// numbers from a shared counter; each extracts and compresses its chunk on the protocol's
// blocking executor and PUTs it. So at most `window` compressed chunks exist at once, the
// pool compresses in parallel while other chunks are on the wire, and 100k chunks never
// become 100k pending requests. `.zarray` goes up only after every chunk succeeded (the
// storage writes the task's pickle after this returns), so a reader that finds the task finds
// a complete array. On any failure the keys under the array's prefix are listed and deleted
// (best effort) and the first error is rethrown.
//
// Reads: `.zarray`, then the chunks (all of them, or those a region touches) with the same
// bounded workers; decoding runs on the blocking executor; a missing chunk reads as the fill
// value, as in zarr (zarr-python omits chunks that hold only the fill value).
//
// Removal versus readers: `remove` deletes `.zarray` first and only then the chunks. So a chunk
// can only be missing because the array was removed if `.zarray` was already gone when the
// chunk was asked for. A read that met a missing chunk therefore asks for `.zarray` once more
// after its last chunk: still there, the missing chunks were never written (fill value, as
// zarr); gone, the array was removed under the reader, which gets `not_found` instead of an
// array silently filled with the fill value. Object names are fresh uuid4s, never reused, so a
// `.zarray` cannot come back.
#include "async_protocols/s3/zarr_array_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "formats/zarr/zarr.hpp"
#include "functionfuse/progress.hpp"
#include "functionfuse/s3_protocol.hpp"
#include "storage/async_util.hpp"
#include "storage/gcc_frame_warning.hpp"

namespace functionfuse::zarr_detail {

namespace asio = boost::asio;
using detail::for_each_bounded;
using detail::run_blocking;

namespace {

// The array_store interface lends protocols as const references; an s3_protocol's members are
// non-const but documented as safe to call from many coroutines at once.
s3_protocol& as_s3(const protocol& p) {
    auto* s = dynamic_cast<const s3_protocol*>(&p);
    if (!s)
        throw config_error("protocols", "the zarr array store needs an s3_protocol");
    return const_cast<s3_protocol&>(*s);
}

std::string group_prefix(const s3_protocol& proto, const std::string& workflow) {
    return proto.bigdata_prefix(workflow) + "/" + std::string(array_serializer::dataset);
}

std::string array_prefix(const s3_protocol& proto, const std::string& workflow,
                         const std::string& name) {
    return group_prefix(proto, workflow) + "/" + name + "/";
}

std::size_t window(const s3_protocol& proto) {
    return std::max<std::size_t>(proto.max_concurrency(), 1);
}

/// Per-thread scratch for one decoded chunk, reused across chunks.
std::vector<std::byte>& scratch() {
    thread_local std::vector<std::byte> buffer;
    return buffer;
}

std::shared_ptr<std::byte[]> uninitialized_buffer(std::size_t n) {
    return std::shared_ptr<std::byte[]>(new std::byte[std::max<std::size_t>(n, 1)]);
}

zarr::data_type to_zarr(dtype t) {
    switch (t) {
        case dtype::bool_:
            return zarr::data_type::boolean;
        case dtype::int8:
            return zarr::data_type::int8;
        case dtype::int16:
            return zarr::data_type::int16;
        case dtype::int32:
            return zarr::data_type::int32;
        case dtype::int64:
            return zarr::data_type::int64;
        case dtype::uint8:
            return zarr::data_type::uint8;
        case dtype::uint16:
            return zarr::data_type::uint16;
        case dtype::uint32:
            return zarr::data_type::uint32;
        case dtype::uint64:
            return zarr::data_type::uint64;
        case dtype::float32:
            return zarr::data_type::float32;
        case dtype::float64:
            return zarr::data_type::float64;
    }
    throw type_error("unknown dtype");
}

dtype from_zarr(zarr::data_type t) {
    switch (t) {
        case zarr::data_type::boolean:
            return dtype::bool_;
        case zarr::data_type::int8:
            return dtype::int8;
        case zarr::data_type::int16:
            return dtype::int16;
        case zarr::data_type::int32:
            return dtype::int32;
        case zarr::data_type::int64:
            return dtype::int64;
        case zarr::data_type::uint8:
            return dtype::uint8;
        case zarr::data_type::uint16:
            return dtype::uint16;
        case zarr::data_type::uint32:
            return dtype::uint32;
        case zarr::data_type::uint64:
            return dtype::uint64;
        case zarr::data_type::float32:
            return dtype::float32;
        case zarr::data_type::float64:
            return dtype::float64;
    }
    throw type_error("unknown zarr dtype");
}

std::optional<zarr::codec_config> compressor_config(const zarr_compressor& c) {
    if (c.id.empty() || c.id == "none" || c.id == "null")
        return std::nullopt;
    if (c.id == "blosc")
        return zarr::blosc_compressor(c.cname, c.level, c.shuffle);
    if (c.id == "zstd")
        return zarr::zstd_compressor(c.level);
    if (c.id == "zlib")
        return zarr::zlib_compressor(c.level);
    if (c.id == "gzip")
        return zarr::gzip_compressor(c.level);
    throw config_error("zarr.id", "unknown zarr compressor '" + c.id +
                                      "' (blosc, zstd, zlib, gzip or empty for none)");
}

zarr::array_metadata metadata_for(const chunked_array& a, const zarr_compressor& c) {
    zarr::array_metadata m;
    m.shape.assign(a.shape().begin(), a.shape().end());
    m.chunks.assign(a.chunks().begin(), a.chunks().end());
    m.dtype = zarr::dtype{to_zarr(a.type()), zarr::byte_order::little};
    m.compressor = compressor_config(c);
    m.fill_value = zarr::default_fill_value(m.dtype.type);
    return m;
}

chunked_array::shape_type to_shape(const zarr::shape_type& s) {
    return chunked_array::shape_type(s.begin(), s.end());
}

/// Chunk number `i` (C order) of a grid as its coordinates.
zarr::chunk_index unravel(const zarr::shape_type& grid, std::uint64_t i) {
    zarr::chunk_index idx(grid.size(), 0);
    for (std::size_t d = grid.size(); d-- > 0;) {
        idx[d] = i % grid[d];
        i /= grid[d];
    }
    return idx;
}

/// Deletes every key under `prefix`.
asio::awaitable<void> remove_prefix(s3_protocol& proto, const std::string& prefix) {
    auto keys = co_await proto.list(prefix);
    if (!keys.empty())
        co_await proto.remove(std::move(keys));
}

/// An array's metadata as read from its `.zarray`.
struct opened_array {
    std::string prefix;  // ".../dask_arrays/<uuid>/"
    std::shared_ptr<const zarr::chunk_codec> codec;
    dtype type;
};

asio::awaitable<opened_array> open_array(s3_protocol& proto, std::string prefix) {
    const std::string key = prefix + ".zarray";
    auto json = co_await proto.get(key);
    if (!json)
        throw not_found("zarr array metadata '" + key + "' does not exist in bucket '" +
                        proto.bucket() + "'");
    auto codec = std::make_shared<const zarr::chunk_codec>(zarr::parse_zarray(*json, key), key);
    const dtype type = from_zarr(codec->metadata().dtype.type);
    co_return opened_array{std::move(prefix), std::move(codec), type};
}

/// Fetches chunk `idx` and hands its decoded bytes (the fill value when the object is
/// missing, which sets `missing`) to `use` on the blocking executor.
template <class Use>
asio::awaitable<void> with_chunk(s3_protocol& proto, const opened_array& arr,
                                 const zarr::chunk_index& idx, std::atomic<bool>& missing,
                                 Use use) {
    const auto& meta = arr.codec->metadata();
    std::string key = arr.prefix + zarr::chunk_key(meta, idx);
    auto stored = co_await proto.get(key);
    if (!stored)
        missing = true;
    co_await run_blocking(proto.blocking(), [&] {
        auto& chunk = scratch();
        chunk.resize(arr.codec->chunk_size());
        if (stored)
            arr.codec->decode_into(*stored, chunk, key);
        else
            zarr::fill_with_fill_value(meta, chunk);
        use(std::span<const std::byte>(chunk));
    });
}

/// After a read that met missing chunks: throws `not_found` if the array's `.zarray` is gone,
/// i.e. the array was removed while it was being read (see the top of this file).
asio::awaitable<void> check_not_removed(s3_protocol& proto, const opened_array& arr) {
    std::string key = arr.prefix + ".zarray";
    auto still = co_await proto.get(key);
    if (!still)
        throw not_found("zarr array '" + arr.prefix + "' in bucket '" + proto.bucket() +
                        "' was removed while it was being read");
}

/// What a progress observer counts for chunk `idx`: its elements inside the box
/// [start, start + count) (the whole array for a save, the region for a region read) times
/// `isz`, so that the chunks' counts add up to exactly the box's bytes.
std::uint64_t chunk_bytes_in(const zarr::shape_type& chunks, const zarr::chunk_index& idx,
                             const zarr::shape_type& start, const zarr::shape_type& count,
                             std::uint64_t isz) {
    std::uint64_t n = isz;
    for (std::size_t d = 0; d < chunks.size(); ++d) {
        const std::uint64_t lo = std::max(idx[d] * chunks[d], start[d]);
        const std::uint64_t hi = std::min((idx[d] + 1) * chunks[d], start[d] + count[d]);
        n *= hi > lo ? hi - lo : 0;
    }
    return n;
}

class zarr_source : public lazy_array::source {
  public:
    zarr_source(s3_protocol& proto, opened_array arr) : proto_(&proto), arr_(std::move(arr)) {}

    asio::awaitable<chunked_array> read(array_region r) const override {
        chunked_array out = co_await read_reporting(r, nullptr);
        co_return out;
    }
    asio::awaitable<chunked_array> read(array_region r, progress* p,
                                        std::uint64_t /*chunks*/) const override {
        chunked_array out = co_await read_reporting(r, p);
        co_return out;
    }
    std::string describe() const override { return "s3://" + proto_->bucket() + "/" + arr_.prefix; }

    // One chunk's progress is reported once its bytes are in the result.
    asio::awaitable<chunked_array> read_reporting(const array_region& r, progress* p) const {
        const auto& meta = arr_.codec->metadata();
        zarr::region zr{zarr::shape_type(r.start.begin(), r.start.end()),
                        zarr::shape_type(r.count.begin(), r.count.end())};
        auto chunks = zarr::chunks_for_region(meta, zr);
        std::size_t elements = 1;
        for (auto c : r.count)
            elements *= c;
        const std::size_t nbytes = elements * itemsize(arr_.type);
        auto buf = uninitialized_buffer(nbytes);
        std::span<std::byte> out(buf.get(), nbytes);
        const asio::any_io_executor here = co_await asio::this_coro::executor;
        std::atomic<bool> missing{false};
        co_await for_each_bounded(
            here, chunks.size(), window(*proto_), [&](std::size_t i) -> asio::awaitable<void> {
                const auto& idx = chunks[i];
                co_await with_chunk(*proto_, arr_, idx, missing, [&](std::span<const std::byte> c) {
                    zarr::copy_chunk_to_region(meta, c, idx, zr, out);
                });
                if (p)
                    p->add_chunk_done(
                        chunk_bytes_in(meta.chunks, idx, zr.start, zr.count, itemsize(arr_.type)));
            });
        if (missing)
            co_await check_not_removed(*proto_, arr_);
        co_return chunked_array(arr_.type, r.count, to_shape(meta.chunks),
                                std::shared_ptr<const std::byte>(buf, buf.get()));
    }

  private:
    s3_protocol* proto_;  // the storage's protocol; lazy_array documents the lifetime
    opened_array arr_;
};

class zarr_array_store : public array_store {
  public:
    FF_GCC_FRAME_DELETE_WARNING_OFF;  // GCC PR 109224, storage/gcc_frame_warning.hpp
    asio::awaitable<void> write(const protocol& p, std::string workflow, std::string name,
                                std::shared_ptr<const chunked_array> a,
                                const array_options& opts) override {
        auto& proto = as_s3(p);
        const std::string group = group_prefix(proto, workflow);
        const std::string prefix = array_prefix(proto, workflow, name);
        const zarr::array_metadata meta = metadata_for(*a, opts.zarr);
        const zarr::chunk_codec codec(meta);  // validates metadata and compressor up front
        auto zarray = std::make_shared<const std::string>(zarr::to_json(meta));
        const zarr::shape_type grid = zarr::chunk_grid_shape(meta);
        const std::uint64_t n = zarr::chunk_count(meta);
        const std::span<const std::byte> bytes(a->data(), a->nbytes());
        progress* const observer = a->progress_observer();
        const zarr::shape_type origin(meta.shape.size(), 0);
        if (observer)
            observer->add_array_total(n, a->nbytes());

        std::exception_ptr failure;
        try {
            // The group's .zgroup is the first of the concurrent uploads, not a round trip of
            // its own before them (no reader needs it before the chunks); only .zarray waits
            // for every chunk, and the task's pickle for .zarray.
            auto zgroup = std::make_shared<const std::string>(zarr::zgroup_json());
            const asio::any_io_executor here = co_await asio::this_coro::executor;
            // Named first, not built inside the co_await (GCC 12 coroutine rule,
            // CONTRIBUTING.md).
            auto put_one = [&](std::size_t i) -> asio::awaitable<void> {
                if (i == 0) {
                    std::string key = group + "/.zgroup";
                    co_await proto.put(std::move(key), zgroup);
                    co_return;
                }
                const zarr::chunk_index idx = unravel(grid, i - 1);
                std::string key = prefix + zarr::chunk_key(meta, idx);
                if (codec.stores_native_bytes()) {
                    // Uncompressed and unpadded: sent straight from the array's memory,
                    // which `a` keeps alive (no copy, no per-chunk buffer).
                    if (auto at = zarr::contiguous_chunk_offset(meta, idx)) {
                        // Locals, not temporaries, as arguments (GCC 12 coroutines).
                        std::shared_ptr<const void> owner = a;
                        const auto chunk_bytes = bytes.subspan(*at, codec.chunk_size());
                        co_await proto.put_bytes(std::move(key), std::move(owner), chunk_bytes);
                        if (observer)
                            observer->add_chunk_done(chunk_bytes_in(meta.chunks, idx, origin,
                                                                    meta.shape, a->itemsize()));
                        co_return;
                    }
                }
                auto body = co_await run_blocking(proto.blocking(), [&] {
                    auto& chunk = scratch();
                    chunk.resize(codec.chunk_size());
                    zarr::extract_chunk(meta, bytes, idx, chunk);
                    return std::make_shared<const std::string>(codec.encode(chunk));
                });
                co_await proto.put(std::move(key), std::move(body));
                if (observer)
                    observer->add_chunk_done(
                        chunk_bytes_in(meta.chunks, idx, origin, meta.shape, a->itemsize()));
            };
            co_await for_each_bounded(here, n + 1, window(proto), std::move(put_one));
            // A named key, not `prefix + ".zarray"` inside the co_await (GCC 12 coroutine rule).
            std::string zarray_key = prefix + ".zarray";
            co_await proto.put(std::move(zarray_key), zarray);
        } catch (...) {
            failure = std::current_exception();
        }
        if (failure) {
            // Best effort: the first error is what the caller needs to see.
            try {
                // Shielded: a cancelled write removes its chunks too. No PUT is in flight
                // any more (every worker has been awaited, and a PUT that went out whole was
                // answered, or its connection closed cancel_grace_ms after a cancellation: see
                // connection::exchange), so the listing sees every chunk but one that a server
                // stores later than that (gc removes such an orphan).
                auto cleanup = remove_prefix(proto, prefix);
                FF_AWAIT_SHIELDED(std::move(cleanup));
            } catch (...) {
            }
            std::rethrow_exception(failure);
        }
    }
    FF_GCC_FRAME_DELETE_WARNING_ON;

    asio::awaitable<chunked_array> read(const protocol& p, std::string workflow,
                                        std::string name) override {
        auto& proto = as_s3(p);
        const opened_array arr = co_await open_array(proto, array_prefix(proto, workflow, name));
        const auto& meta = arr.codec->metadata();
        const std::size_t nbytes = zarr::array_byte_size(meta);
        auto buf = uninitialized_buffer(nbytes);
        std::span<std::byte> out(buf.get(), nbytes);
        const zarr::shape_type grid = zarr::chunk_grid_shape(meta);
        const asio::any_io_executor here = co_await asio::this_coro::executor;
        std::atomic<bool> missing{false};
        co_await for_each_bounded(here, zarr::chunk_count(meta), window(proto),
                                  [&](std::size_t i) -> asio::awaitable<void> {
                                      const zarr::chunk_index idx = unravel(grid, i);
                                      co_await with_chunk(proto, arr, idx, missing,
                                                          [&](std::span<const std::byte> c) {
                                                              zarr::insert_chunk(meta, c, idx, out);
                                                          });
                                  });
        if (missing)
            co_await check_not_removed(proto, arr);
        co_return chunked_array(arr.type, to_shape(meta.shape), to_shape(meta.chunks),
                                std::shared_ptr<const std::byte>(buf, buf.get()));
    }

    asio::awaitable<lazy_array> open(const protocol& p, std::string workflow,
                                     std::string name) override {
        auto& proto = as_s3(p);
        opened_array arr = co_await open_array(proto, array_prefix(proto, workflow, name));
        const auto& meta = arr.codec->metadata();
        auto shape = to_shape(meta.shape);
        auto chunks = to_shape(meta.chunks);
        const dtype type = arr.type;
        co_return lazy_array(type, std::move(shape), std::move(chunks),
                             std::make_shared<zarr_source>(proto, std::move(arr)));
    }

    asio::awaitable<std::vector<stored_entry>> list(const protocol& p,
                                                    std::string workflow) override {
        auto& proto = as_s3(p);
        const std::string group = group_prefix(proto, workflow) + "/";
        // One listing of the group; each array is the keys under `<group><uuid>/`, however
        // many of them are left (an interrupted removal leaves chunks without `.zarray`).
        std::vector<stored_entry> objects = co_await proto.list_entries(group);
        std::map<std::string, stored_entry> arrays;
        for (auto& o : objects) {
            const std::string_view rest = std::string_view(o.name).substr(group.size());
            const auto slash = rest.find('/');
            if (slash == std::string_view::npos || slash == 0)
                continue;  // the group's own .zgroup/.zattrs
            const std::string name(rest.substr(0, slash));
            auto [it, fresh] = arrays.try_emplace(name);
            stored_entry& a = it->second;
            if (fresh) {
                a.name = name;
                a.location = "s3://" + proto.bucket() + "/" + group + name + "/";
            }
            a.size += o.size;
            a.modified = std::max(a.modified, o.modified);
        }
        std::vector<stored_entry> out;
        out.reserve(arrays.size());
        for (auto& [name, a] : arrays)
            out.push_back(std::move(a));
        co_return out;
    }

    asio::awaitable<void> remove(const protocol& p, std::string workflow,
                                 std::string name) override {
        auto& proto = as_s3(p);
        const std::string prefix = array_prefix(proto, workflow, name);
        // `.zarray` first, on its own: readers rely on this order (top of this file).
        std::vector<std::string> metadata{prefix + ".zarray"};
        co_await proto.remove(std::move(metadata));
        co_await remove_prefix(proto, prefix);
    }
};

}  // namespace

std::shared_ptr<array_store> make_zarr_array_store() {
    return std::make_shared<zarr_array_store>();
}

}  // namespace functionfuse::zarr_detail
