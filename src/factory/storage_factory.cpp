// `storage_factory` and `sync::storage_factory`: read `{"kind": ..., "options": {...}}` and
// hand the options to the kind's builder from the registry.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include "arrays/array_store_registry.hpp"
#include "functionfuse/error.hpp"
#include "storage/config_reader.hpp"
#include "storage/storage_kinds.hpp"

namespace functionfuse {

namespace detail {

const storage_kind_registry& storage_kinds() {
    static const storage_kind_registry registry = [] {
        storage_kind_registry r;
        // The kinds' array stores go to the process-wide registry that array_serializer
        // consults, so the serializer's room needs no link to the protocols' rooms.
        register_file_kind(r, array_stores());
        register_s3_kind(r, array_stores());
        return r;
    }();
    return registry;
}

namespace {
/// The kind named by `config` and its options (validated top level).
std::pair<const storage_kind*, const boost::json::value*> read_config(
    const boost::json::value& config) {
    config_reader r(config, "");
    const std::string kind = r.required_string("kind");
    const boost::json::value& options = r.required_object("options");
    r.reject_unknown();
    const storage_kind* k = storage_kinds().find(kind);
    if (!k)
        throw config_error("kind", fmt::format("unknown storage kind '{}' (known: {})", kind,
                                               fmt::join(storage_kinds().names(), ", ")));
    return {k, &options};
}
}  // namespace

}  // namespace detail

std::shared_ptr<storage> storage_factory(const boost::json::value& config,
                                         std::shared_ptr<shared_executor> executor) {
    auto [kind, options] = detail::read_config(config);
    if (!executor)
        executor = shared_executor::default_instance();
    return kind->make_async(*options, std::move(executor));
}

namespace sync {
std::shared_ptr<storage> storage_factory(const boost::json::value& config) {
    auto [kind, options] = detail::read_config(config);
    return kind->make_sync(*options);
}
}  // namespace sync

}  // namespace functionfuse
