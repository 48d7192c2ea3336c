#include "formats/hdf5/hdf5_array_file.hpp"

#include <limits>
#include <string>

#include "formats/hdf5/hdf5_error.hpp"
#include "formats/hdf5/hdf5_types.hpp"

namespace functionfuse::hdf5 {

namespace {

constexpr const char* dataset_name = "dask_arrays";

std::vector<hsize_t> to_hsize(const shape_type& s) {
    return {s.begin(), s.end()};
}

handle make_space(const shape_type& shape, const std::filesystem::path& path) {
    if (shape.empty())
        return dataspace_handle(check(H5Screate(H5S_SCALAR), path, "cannot create dataspace for"));
    auto dims = to_hsize(shape);
    return dataspace_handle(
        check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), path,
              "cannot create dataspace for"));
}

bool empty_or_scalar(const shape_type& shape) {
    if (shape.empty())
        return true;
    for (auto d : shape)
        if (d == 0)
            return true;
    return false;
}

}  // namespace

array_file_writer::array_file_writer(std::filesystem::path path, dtype type,
                                     const shape_type& shape, const shape_type& chunks,
                                     const array_options& opts)
    : path_(std::move(path)), type_(type) {
    quiet_this_thread();
    if (shape.size() > H5S_MAX_RANK)
        throw config_error("shape", "HDF5 stores at most 32 dimensions, the array has " +
                                        std::to_string(shape.size()));
    const bool filtered = opts.gzip_level.has_value() || opts.shuffle;
    if (opts.gzip_level && (*opts.gzip_level < 0 || *opts.gzip_level > 9))
        throw config_error("gzip_level", "must be 0-9, not " + std::to_string(*opts.gzip_level));
    mode_ = empty_or_scalar(shape) ? mode::whole : filtered ? mode::direct : mode::raw;

    handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), path_, "cannot create"));
    if (mode_ != mode::whole) {
        long double bytes = itemsize(type);
        for (auto c : chunks)
            bytes *= c;
        if (bytes > std::numeric_limits<std::uint32_t>::max())
            throw config_error("chunks", "HDF5 chunks must be under 4 GiB; chunk shape " +
                                             to_string(chunks) + " of " +
                                             std::string(dtype_name(type)) + " is larger");
        auto c = to_hsize(chunks);
        check(H5Pset_chunk(dcpl, static_cast<int>(c.size()), c.data()), path_, "cannot create");
        if (opts.shuffle)
            check(H5Pset_shuffle(dcpl), path_, "cannot create");
        if (opts.gzip_level)
            check(H5Pset_deflate(dcpl, static_cast<unsigned>(*opts.gzip_level)), path_,
                  "cannot create");
        if (mode_ == mode::raw) {
            // Space for every chunk now, never filled: we write every byte ourselves.
            check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), path_, "cannot create");
            check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), path_, "cannot create");
        }
    }
    file_ = file_handle(check(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                              path_, "cannot create file"));
    handle space = make_space(shape, path_);
    handle ftype = file_type(type);
    dataset_ = dataset_handle(
        check(H5Dcreate2(file_, dataset_name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), path_,
              "cannot create dataset 'dask_arrays' in"));
}

void array_file_writer::write_all(const void* data) {
    quiet_this_thread();
    handle mtype = memory_type(type_);
    check(H5Dwrite(dataset_, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path_, "cannot write");
}

std::uint64_t array_file_writer::chunk_address(const shape_type& origin) {
    quiet_this_thread();
    auto off = to_hsize(origin);
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    check(H5Dget_chunk_info_by_coord(dataset_, off.data(), &mask, &addr, &size), path_,
          "cannot locate a chunk in");
    if (addr == HADDR_UNDEF)
        fail(path_, "chunk not allocated in");
    return addr;
}

void array_file_writer::write_chunk(const shape_type& origin, const void* bytes, std::size_t n) {
    quiet_this_thread();
    auto off = to_hsize(origin);
    check(H5Dwrite_chunk(dataset_, H5P_DEFAULT, 0, off.data(), n, bytes), path_,
          "cannot write a chunk to");
}

void array_file_writer::close() {
    quiet_this_thread();
    if (dataset_.reset() < 0)
        fail(path_, "cannot close dataset in");
    if (file_.reset() < 0)
        fail(path_, "cannot close (flush)");
}

array_file_reader::array_file_reader(std::filesystem::path path) : path_(std::move(path)) {
    quiet_this_thread();
    file_ = file_handle(
        check(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path_, "cannot open file"));
    dataset_ = dataset_handle(
        check(H5Dopen2(file_, dataset_name, H5P_DEFAULT), path_, "no dataset 'dask_arrays' in"));
    handle ftype = datatype_handle(check(H5Dget_type(dataset_), path_, "cannot read type in"));
    info_.type = dtype_of(ftype, path_);
    handle space =
        dataspace_handle(check(H5Dget_space(dataset_), path_, "cannot read dataspace in"));
    int rank = check(H5Sget_simple_extent_ndims(space), path_, "cannot read dataspace in");
    std::vector<hsize_t> dims(rank);
    if (rank > 0)
        check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), path_, "bad dims");
    info_.shape.assign(dims.begin(), dims.end());
    handle dcpl = plist_handle(check(H5Dget_create_plist(dataset_), path_, "cannot read"));
    info_.chunked = H5Pget_layout(dcpl) == H5D_CHUNKED;
    info_.chunks.resize(rank);
    if (info_.chunked) {
        std::vector<hsize_t> c(rank);
        check(H5Pget_chunk(dcpl, rank, c.data()), path_, "cannot read chunk shape in");
        info_.chunks.assign(c.begin(), c.end());
        // Chunked datasets may be extendible past the current shape; normalize like ours.
        for (int i = 0; i < rank; ++i)
            info_.chunks[i] =
                std::min<std::size_t>(info_.chunks[i], std::max<std::size_t>(info_.shape[i], 1));
    } else {
        for (int i = 0; i < rank; ++i)
            info_.chunks[i] = std::max<std::size_t>(info_.shape[i], 1);
    }
    info_.filters = check(H5Pget_nfilters(dcpl), path_, "cannot read filters in");
    handle mtype = memory_type(info_.type);
    info_.raw_native = H5Tequal(ftype, mtype) > 0;
}

std::optional<std::uint64_t> array_file_reader::chunk_address(const shape_type& origin) {
    quiet_this_thread();
    auto off = to_hsize(origin);
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    check(H5Dget_chunk_info_by_coord(dataset_, off.data(), &mask, &addr, &size), path_,
          "cannot locate a chunk in");
    if (addr == HADDR_UNDEF || mask != 0)
        return std::nullopt;
    return addr;
}

std::optional<std::uint64_t> array_file_reader::contiguous_address() {
    quiet_this_thread();
    haddr_t addr = H5Dget_offset(dataset_);
    H5Eclear2(H5E_DEFAULT);
    if (addr == HADDR_UNDEF)
        return std::nullopt;
    return addr;
}

void array_file_reader::read_all(void* out) {
    quiet_this_thread();
    for (auto d : info_.shape)
        if (d == 0)
            return;
    handle mtype = memory_type(info_.type);
    check(H5Dread(dataset_, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), path_, "cannot read");
}

void array_file_reader::read_region(const shape_type& start, const shape_type& count, void* out) {
    quiet_this_thread();
    if (info_.shape.empty())
        return read_all(out);
    for (auto c : count)
        if (c == 0)
            return;
    auto s = to_hsize(start), c = to_hsize(count);
    handle fspace =
        dataspace_handle(check(H5Dget_space(dataset_), path_, "cannot read dataspace in"));
    check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, s.data(), nullptr, c.data(), nullptr), path_,
          "cannot select a region in");
    handle mspace = make_space(count, path_);
    handle mtype = memory_type(info_.type);
    check(H5Dread(dataset_, mtype, mspace, fspace, H5P_DEFAULT, out), path_,
          "cannot read a region of");
}

void array_file_reader::close() {
    quiet_this_thread();
    if (dataset_.reset() < 0)
        fail(path_, "cannot close dataset in");
    if (file_.reset() < 0)
        fail(path_, "cannot close");
}

}  // namespace functionfuse::hdf5
