// The "file" kind: `{"kind": "file", "options": {"path": "<dir>", "fsync": true}}`.
#include <boost/json.hpp>

#include "arrays/array_store_registry.hpp"
#include "async_protocols/file/file_options.hpp"
#include "async_protocols/file/file_storage.hpp"
#include "async_protocols/file/hdf5_array_store.hpp"
#include "async_protocols/file/sync_file_storage.hpp"
#include "storage/config_reader.hpp"
#include "storage/storage_kinds.hpp"

namespace functionfuse::detail {

file_storage_options read_file_options(const boost::json::value& options) {
    config_reader r(options, "options");
    file_storage_options out;
    out.path = r.required_string("path");
    if (auto fsync = r.optional_bool("fsync"))
        out.fsync = *fsync;
    r.reject_unknown();
    return out;
}

void register_file_kind(storage_kind_registry& registry, array_store_registry& stores) {
    stores.add(std::string(FILE_PROTOCOL), file_detail::make_hdf5_array_store());
    registry.add(
        "file",
        storage_kind{[](const boost::json::value& options,
                        std::shared_ptr<shared_executor> executor) -> std::shared_ptr<storage> {
                         return std::make_shared<file_storage>(read_file_options(options),
                                                               std::move(executor));
                     },
                     [](const boost::json::value& options) -> std::shared_ptr<sync::storage> {
                         return std::make_shared<sync::file_storage>(read_file_options(options));
                     }});
}

}  // namespace functionfuse::detail
