#pragma once
// Test support: FILE_PROTOCOL lent directly to an array serializer, without storage_factory.
// The factory is what registers the kinds' array stores, so these helpers register the HDF5
// store explicitly (needs src/ on the include path and functionfuse_file).
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "arrays/array_store_registry.hpp"
#include "async_protocols/file/hdf5_array_store.hpp"
#include "functionfuse/serializer.hpp"

namespace ff_test {

namespace ff = functionfuse;

/// Registers the HDF5 store for FILE_PROTOCOL, as `storage_factory` does.
inline void register_hdf5_store() {
    ff::detail::array_stores().add(std::string(ff::FILE_PROTOCOL),
                                   ff::file_detail::make_hdf5_array_store());
}

/// A FILE_PROTOCOL rooted at `root` whose blocking work runs on `pool`.
inline ff::protocols file_protocols(const std::filesystem::path& root,
                                    boost::asio::thread_pool& pool, bool fsync = false) {
    register_hdf5_store();
    ff::protocols p;
    p.emplace(std::string(ff::FILE_PROTOCOL),
              std::make_shared<ff::file_protocol>(root, pool.get_executor(), fsync));
    return p;
}

}  // namespace ff_test
