// FILE_PROTOCOL array store.
//
// Every HDF5 call runs on the protocol's blocking executor (the shared pool, or the caller's
// thread on the sync path), never on an I/O thread. HDF5 is serialized by its global lock, so
// the expensive per-byte work is kept outside it:
//  - uncompressed: the dataset is created with all chunk space allocated up front and no fill,
//    each chunk's file offset is looked up, the file is closed, and the chunks are pwritten in
//    parallel from the array's own buffer (no copy when a chunk is one run of memory);
//  - compressed: chunks are gathered, shuffled and deflated in parallel and written raw with
//    H5Dwrite_chunk, so the lock covers only the I/O;
//  - reads of unfiltered, native-typed chunked or contiguous data pread chunks in parallel at
//    the offsets HDF5 reports; anything else (gzip, shuffle, big-endian, unallocated chunks)
//    is read through H5Dread, so any file h5py writes reads.
// A file is written under a temporary name and renamed into place when complete (fsynced
// first when the protocol asks), so a reader never sees a partial array.
#include "async_protocols/file/hdf5_array_store.hpp"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "async_protocols/file/chunk_codec.hpp"
#include "async_protocols/file/chunk_layout.hpp"
#include "async_protocols/file/file_byte_store.hpp"
#include "async_protocols/file/posix_file.hpp"
#include "formats/hdf5/hdf5_array_file.hpp"
#include "functionfuse/progress.hpp"
#include "storage/async_util.hpp"
#include "value/error_text.hpp"

namespace functionfuse::file_detail {

using detail::default_workers;
using detail::for_each_bounded;
using detail::run_blocking;

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

const file_protocol& as_file(const protocol& p) {
    auto* f = dynamic_cast<const file_protocol*>(&p);
    if (!f)
        throw config_error("protocols", "the HDF5 array store needs a file_protocol");
    return *f;
}

/// A per-thread scratch buffer (chunk gather/scatter and shuffle), reused across chunks.
std::vector<std::byte>& scratch(int which) {
    thread_local std::vector<std::byte> buffers[2];
    return buffers[which];
}

std::shared_ptr<std::byte[]> uninitialized_buffer(std::size_t n) {
    return std::shared_ptr<std::byte[]>(new std::byte[std::max<std::size_t>(n, 1)]);
}

void check_exists(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw not_found("bigdata file '" + detail::shown(path.string()) + "' does not exist");
}

/// How an eager read moves the bytes, decided while the file is open.
struct read_plan {
    hdf5::dataset_info info;
    std::vector<std::uint64_t> chunk_addresses;  // raw chunked
    std::optional<std::uint64_t> contiguous;     // raw contiguous
    std::shared_ptr<std::byte[]> buffer;         // filled already when neither is set
    std::shared_ptr<posix_file> file;            // open for the raw reads
};

class hdf5_source : public lazy_array::source {
  public:
    hdf5_source(fs::path path, asio::any_io_executor ex, dtype type,
                chunked_array::shape_type chunks)
        : path_(std::move(path)), ex_(std::move(ex)), type_(type), chunks_(std::move(chunks)) {}

    // HDF5 reads a region in one call: the base reports its progress once, at the end.
    using lazy_array::source::read;
    asio::awaitable<chunked_array> read(array_region r) const override {
        auto job = [this, r = std::move(r)] {
            check_exists(path_);
            hdf5::array_file_reader reader(path_);
            auto buf = uninitialized_buffer(product(r.count) * itemsize(type_));
            reader.read_region(r.start, r.count, buf.get());
            reader.close();
            return chunked_array(type_, r.count, chunks_,
                                 std::shared_ptr<const std::byte>(buf, buf.get()));
        };
        chunked_array out = co_await run_blocking(ex_, std::move(job));
        co_return out;
    }
    std::string describe() const override { return detail::shown(path_.string()); }

  private:
    fs::path path_;
    asio::any_io_executor ex_;
    dtype type_;
    chunked_array::shape_type chunks_;
};

class hdf5_array_store : public array_store {
  public:
    asio::awaitable<void> write(const protocol& p, std::string workflow, std::string name,
                                std::shared_ptr<const chunked_array> a,
                                const array_options& opts) override {
        const auto& proto = as_file(p);
        auto ex = proto.blocking();
        const fs::path dir = proto.bigdata_dir(workflow);
        const fs::path final_path = dir / name;
        // The file kind's one temp-name scheme (`.tmp-<hex>`), so one sweep finds what a
        // killed writer left, in a workflow or its bigdata/.
        const fs::path tmp = dir / detail::temp_name();
        std::exception_ptr failure;
        try {
            co_await write_file(ex, tmp, *a, opts, proto.fsync());
            co_await run_blocking(ex, [&] {
                std::error_code ec;
                fs::rename(tmp, final_path, ec);
                if (ec)
                    throw io_error("cannot rename '" + detail::shown(tmp.string()) + "' to '" +
                                   detail::shown(final_path.string()) + "': " + ec.message());
                if (proto.fsync())
                    fsync_directory(dir);
            });
        } catch (...) {
            failure = std::current_exception();
        }
        if (failure) {
            // Shielded: a cancelled write removes its temporary file too.
            auto remove_tmp = [&] {
                std::error_code ec;
                fs::remove(tmp, ec);
            };
            auto cleanup = run_blocking(ex, remove_tmp);
            FF_AWAIT_SHIELDED(std::move(cleanup));
            std::rethrow_exception(failure);
        }
    }

    asio::awaitable<chunked_array> read(const protocol& p, std::string workflow,
                                        std::string name) override {
        const auto& proto = as_file(p);
        auto ex = proto.blocking();
        const fs::path path = proto.bigdata_dir(workflow) / name;
        read_plan plan = co_await run_blocking(ex, [&] { return plan_read(path); });
        const auto& info = plan.info;
        const std::size_t isz = itemsize(info.type);
        if (!plan.buffer) {
            plan.buffer = uninitialized_buffer(product(info.shape) * isz);
            std::byte* out = plan.buffer.get();
            posix_file& file = *plan.file;
            if (plan.contiguous) {
                // One run: read it in slices spread over the workers.
                const std::size_t total = product(info.shape) * isz;
                const std::size_t slice = 8u << 20;
                const std::size_t n = (total + slice - 1) / slice;
                co_await for_each_bounded(ex, n, default_workers(), [&](std::size_t i) {
                    std::size_t off = i * slice, len = std::min(slice, total - off);
                    file.pread_all(out + off, len, *plan.contiguous + off);
                });
            } else {
                chunk_grid grid(info.shape, info.chunks);
                co_await for_each_bounded(ex, grid.count(), default_workers(), [&](std::size_t i) {
                    chunk_box b = grid.box(i);
                    if (grid.in_place(b)) {
                        file.pread_all(out + grid.byte_offset(b, isz), product(b.extent) * isz,
                                       plan.chunk_addresses[i]);
                    } else {
                        auto& buf = scratch(0);
                        buf.resize(grid.chunk_elements() * isz);
                        file.pread_all(buf.data(), buf.size(), plan.chunk_addresses[i]);
                        copy_box(buf.data(), info.chunks, shape_type(b.origin.size(), 0), out,
                                 info.shape, b.origin, b.extent, isz);
                    }
                });
            }
            co_await run_blocking(ex, [&] { plan.file->close(); });
        }
        chunked_array out(info.type, info.shape, info.chunks,
                          std::shared_ptr<const std::byte>(plan.buffer, plan.buffer.get()));
        co_return out;
    }

    asio::awaitable<lazy_array> open(const protocol& p, std::string workflow,
                                     std::string name) override {
        const auto& proto = as_file(p);
        auto ex = proto.blocking();
        const fs::path path = proto.bigdata_dir(workflow) / name;
        auto info = co_await run_blocking(ex, [&] {
            check_exists(path);
            hdf5::array_file_reader reader(path);
            auto i = reader.info();
            reader.close();
            return i;
        });
        auto src = std::make_shared<hdf5_source>(path, ex, info.type, info.chunks);
        lazy_array out(info.type, info.shape, info.chunks, std::move(src));
        co_return out;
    }

    asio::awaitable<void> remove(const protocol& p, std::string workflow,
                                 std::string name) override {
        const auto& proto = as_file(p);
        const fs::path path = proto.bigdata_dir(workflow) / name;
        co_await run_blocking(proto.blocking(), [&] {
            std::error_code ec;
            fs::remove(path, ec);
            if (ec && ec != std::errc::no_such_file_or_directory)
                throw io_error("cannot remove '" + detail::shown(path.string()) +
                               "': " + ec.message());
        });
    }

    asio::awaitable<std::vector<stored_entry>> list(const protocol& p,
                                                    std::string workflow) override {
        const auto& proto = as_file(p);
        const fs::path dir = proto.bigdata_dir(workflow);
        // Files only, never the temporaries of writes in progress (gc reports those apart).
        auto scan = [&] {
            std::vector<stored_entry> out;
            for (auto& e : detail::list_directory(dir))
                if (!e.is_directory && !e.entry.name.starts_with(detail::temp_prefix))
                    out.push_back(std::move(e.entry));
            return out;
        };
        co_return co_await run_blocking(proto.blocking(), std::move(scan));
    }

  private:
    static asio::awaitable<void> write_file(asio::any_io_executor ex, const fs::path& tmp,
                                            const chunked_array& a, const array_options& opts,
                                            bool fsync) {
        // HDF5 and file handles are released on the blocking executor even on failure.
        std::shared_ptr<hdf5::array_file_writer> writer;
        std::shared_ptr<posix_file> file;
        std::exception_ptr failure;
        try {
            co_await write_chunks(ex, tmp, a, opts, fsync, writer, file);
        } catch (...) {
            failure = std::current_exception();
        }
        if (writer || file) {
            // Shielded: HDF5 handles are closed on the blocking pool also after a cancellation.
            auto close = [&] {
                writer.reset();
                file.reset();
            };
            auto closing = run_blocking(ex, close);
            FF_AWAIT_SHIELDED(std::move(closing));
        }
        if (failure)
            std::rethrow_exception(failure);
    }

    static asio::awaitable<void> write_chunks(asio::any_io_executor ex, const fs::path& tmp,
                                              const chunked_array& a, const array_options& opts,
                                              bool fsync,
                                              std::shared_ptr<hdf5::array_file_writer>& writer,
                                              std::shared_ptr<posix_file>& file) {
        using mode = hdf5::array_file_writer::mode;
        const std::size_t isz = a.itemsize();
        chunk_grid grid(a.shape(), a.chunks());
        progress* const observer = a.progress_observer();
        // Each chunk's own bytes (edge chunks are partial), so the done counts add up to
        // exactly the totals.
        auto chunk_done = [&](const chunk_box& b) {
            if (observer)
                observer->add_chunk_done(product(b.extent) * isz);
        };
        if (observer)
            observer->add_array_total(grid.count(), a.nbytes());
        std::vector<std::uint64_t> addresses;
        // Create the file (and, for raw chunks, learn where each chunk goes).
        mode m = co_await run_blocking(ex, [&] {
            std::error_code ec;
            fs::create_directories(tmp.parent_path(), ec);
            if (ec)
                throw io_error("cannot create directory '" +
                               detail::shown(tmp.parent_path().string()) + "': " + ec.message());
            writer = std::make_shared<hdf5::array_file_writer>(tmp, a.type(), a.shape(), a.chunks(),
                                                               opts);
            mode m = writer->write_mode();
            if (m == mode::whole) {
                if (a.size() != 0)
                    writer->write_all(a.data());
                writer->close();
                for (std::size_t i = 0; observer && i < grid.count(); ++i)
                    chunk_done(grid.box(i));
            } else if (m == mode::raw) {
                addresses.resize(grid.count());
                for (std::size_t i = 0; i < grid.count(); ++i)
                    addresses[i] = writer->chunk_address(grid.box(i).origin);
                writer->close();
                file = std::make_shared<posix_file>(tmp, posix_file::access::write);
            }
            return m;
        });
        // Gathers chunk `b` into a zero-padded, full-size chunk buffer.
        auto gather = [&](const chunk_box& b) -> std::vector<std::byte>& {
            auto& buf = scratch(0);
            buf.resize(grid.chunk_elements() * isz);
            if (b.extent != a.chunks())
                std::memset(buf.data(), 0, buf.size());
            copy_box(a.data(), a.shape(), b.origin, buf.data(), a.chunks(),
                     shape_type(b.origin.size(), 0), b.extent, isz);
            return buf;
        };
        if (m == mode::raw) {
            co_await for_each_bounded(ex, grid.count(), default_workers(), [&](std::size_t i) {
                chunk_box b = grid.box(i);
                if (grid.in_place(b)) {
                    file->pwrite_all(a.data() + grid.byte_offset(b, isz), product(b.extent) * isz,
                                     addresses[i]);
                } else {
                    auto& buf = gather(b);
                    file->pwrite_all(buf.data(), buf.size(), addresses[i]);
                }
                chunk_done(b);
            });
        } else if (m == mode::direct) {
            co_await for_each_bounded(ex, grid.count(), default_workers(), [&](std::size_t i) {
                chunk_box b = grid.box(i);
                const std::byte* chunk;
                if (grid.in_place(b) && b.extent == a.chunks()) {
                    chunk = a.data() + grid.byte_offset(b, isz);
                } else {
                    chunk = gather(b).data();
                }
                auto encoded = encode_chunk(chunk, grid.chunk_elements() * isz, isz, opts.shuffle,
                                            opts.gzip_level, scratch(1));
                writer->write_chunk(b.origin, encoded.data(), encoded.size());
                chunk_done(b);
            });
        }
        co_await run_blocking(ex, [&] {
            if (writer)
                writer->close();
            if (fsync && !file)
                file = std::make_shared<posix_file>(tmp, posix_file::access::read);
            if (fsync)
                file->fsync();
            if (file)
                file->close();
        });
    }

    static read_plan plan_read(const fs::path& path) {
        check_exists(path);
        hdf5::array_file_reader reader(path);
        read_plan plan;
        plan.info = reader.info();
        const auto& info = plan.info;
        const std::size_t n = product(info.shape);
        if (n != 0 && info.filters == 0 && info.raw_native) {
            if (info.chunked) {
                chunk_grid grid(info.shape, info.chunks);
                plan.chunk_addresses.reserve(grid.count());
                for (std::size_t i = 0; i < grid.count(); ++i) {
                    auto addr = reader.chunk_address(grid.box(i).origin);
                    if (!addr) {
                        plan.chunk_addresses.clear();
                        break;
                    }
                    plan.chunk_addresses.push_back(*addr);
                }
                if (!plan.chunk_addresses.empty()) {
                    plan.file = std::make_shared<posix_file>(path, posix_file::access::read);
                    reader.close();
                    return plan;
                }
            } else if ((plan.contiguous = reader.contiguous_address())) {
                plan.file = std::make_shared<posix_file>(path, posix_file::access::read);
                reader.close();
                return plan;
            }
        }
        plan.buffer = uninitialized_buffer(n * itemsize(info.type));
        reader.read_all(plan.buffer.get());
        reader.close();
        return plan;
    }
};

}  // namespace

std::shared_ptr<array_store> make_hdf5_array_store() {
    return std::make_shared<hdf5_array_store>();
}

}  // namespace functionfuse::file_detail
