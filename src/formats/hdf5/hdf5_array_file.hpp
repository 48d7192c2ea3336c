#pragma once
// One HDF5 file holding one array as dataset "dask_arrays" — the layout of the Python
// original's bigdata files. Blocking calls: run them on the protocol's blocking executor.
//
// Writing has three modes, chosen from the array and the options:
//  - raw:    chunked, no filters. Chunk space is allocated when the dataset is created (no
//            fill); `chunk_address` gives each chunk's file offset so the caller can close the
//            file and pwrite chunks in parallel, outside HDF5's global lock.
//  - direct: chunked with shuffle/deflate. The caller encodes chunks in parallel and hands
//            them to `write_chunk` (H5Dwrite_chunk), which only does the I/O under the lock.
//  - whole:  0-d and zero-sized arrays (HDF5 cannot chunk them; h5py stores them contiguous):
//            `write_all`.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "formats/hdf5/hdf5_handle.hpp"
#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"

namespace functionfuse::hdf5 {

using shape_type = chunked_array::shape_type;

/// Creates `path` (truncating) with the dataset for an array of `type`, `shape`, `chunks`.
/// Throws `config_error` for more than 32 dimensions or chunks over HDF5's 4 GiB limit,
/// `io_error` naming the file on HDF5 failures.
class array_file_writer {
  public:
    enum class mode { raw, direct, whole };
    array_file_writer(std::filesystem::path path, dtype type, const shape_type& shape,
                      const shape_type& chunks, const array_options& opts);
    mode write_mode() const noexcept { return mode_; }
    /// whole mode: writes all data (C order, native types).
    void write_all(const void* data);
    /// raw mode: the file offset of the chunk whose first element is at `origin`.
    std::uint64_t chunk_address(const shape_type& origin);
    /// direct mode: stores an encoded chunk (all filters applied) at `origin`.
    void write_chunk(const shape_type& origin, const void* bytes, std::size_t n);
    /// Closes the dataset and the file, reporting a failed flush.
    void close();

  private:
    std::filesystem::path path_;
    dtype type_;
    mode mode_;
    handle file_, dataset_;
};

/// What a stored dataset looks like.
struct dataset_info {
    dtype type;
    shape_type shape;
    /// The chunk shape; for a contiguous dataset the whole shape (entries at least 1).
    shape_type chunks;
    bool chunked = false;
    int filters = 0;
    /// The stored bytes are exactly our in-memory bytes (native type, no conversion).
    bool raw_native = false;
};

/// Opens `path` read-only and its dataset "dask_arrays". Throws `io_error` naming the file
/// when it is not a readable HDF5 file or lacks the dataset, `type_error` for an unsupported
/// dtype.
class array_file_reader {
  public:
    explicit array_file_reader(std::filesystem::path path);
    const dataset_info& info() const noexcept { return info_; }
    /// Offset of the chunk at `origin`, or empty if it is not allocated (reads as fill).
    std::optional<std::uint64_t> chunk_address(const shape_type& origin);
    /// Offset of a contiguous dataset's data, or empty.
    std::optional<std::uint64_t> contiguous_address();
    /// Reads everything through HDF5 (decompressing, converting) into `out` (C order).
    void read_all(void* out);
    /// Reads the box `start`/`count` into `out` (C order, shape `count`).
    void read_region(const shape_type& start, const shape_type& count, void* out);
    void close();

  private:
    std::filesystem::path path_;
    handle file_, dataset_;
    dataset_info info_;
};

}  // namespace functionfuse::hdf5
