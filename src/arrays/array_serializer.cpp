// array_serializer: payload checks and protocol dispatch; the bytes are moved by array stores.
#include "functionfuse/array_serializer.hpp"

#include <string>

#include "arrays/array_store_registry.hpp"

namespace functionfuse {

namespace {

/// The object name from a payload `("0.0.0", "<name>")`. The name becomes a path component,
/// so anything but a plain file name is refused: a crafted pickle must not make `remove`
/// delete files outside bigdata/.
std::string payload_name(const value& payload) {
    const std::vector<value>* items = nullptr;
    if (auto* t = payload.get_if<tuple>())
        items = t;
    else if (auto* l = payload.get_if<list>())
        items = l;
    if (!items || items->size() != 2 || !(*items)[0].is<std::string>() ||
        !(*items)[1].is<std::string>())
        throw invalid_pickle(
            "HDFSerializer: persistent id payload must be (version, filename), "
            "got " +
            payload.repr());
    const auto& ver = (*items)[0].get<std::string>();
    const auto& name = (*items)[1].get<std::string>();
    if (ver != array_serializer::version)
        throw invalid_pickle("HDFSerializer: unsupported version '" + ver + "' (expected " +
                             std::string(array_serializer::version) + ")");
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
        throw invalid_pickle("HDFSerializer: file name " + payload.repr() + " is not a plain name");
    return name;
}

}  // namespace

array_serializer::array_serializer() : array_serializer(options{}) {}

array_serializer::array_serializer(options opts) : opts_(std::move(opts)) {
    if (opts_.gzip_level && (*opts_.gzip_level < 0 || *opts_.gzip_level > 9))
        throw config_error("gzip_level", "must be 0-9, not " + std::to_string(*opts_.gzip_level));
}

void array_serializer::set_store(std::string protocol_name, std::shared_ptr<array_store> store) {
    for (auto& [name, s] : stores_) {
        if (name == protocol_name) {
            s = std::move(store);
            return;
        }
    }
    stores_.emplace_back(std::move(protocol_name), std::move(store));
}

array_serializer::selected array_serializer::select(const protocols& protos) const {
    for (const auto& [name, store] : stores_) {
        auto it = protos.find(name);
        if (it != protos.end() && it->second && store)
            return {it->second.get(), store};
    }
    // Then the stores the kinds registered (detail::array_stores()); looked up per call, not
    // copied at construction, so a serializer built before the first storage_factory call
    // still finds them.
    for (auto& [name, store] : detail::array_stores().entries()) {
        auto it = protos.find(name);
        if (it != protos.end() && it->second && store)
            return {it->second.get(), std::move(store)};
    }
    std::string lent;
    for (const auto& [name, p] : protos)
        lent += (lent.empty() ? "'" : ", '") + name + "'";
    throw config_error("protocols", "HDFSerializer has no array store for the lent protocols (" +
                                        (lent.empty() ? std::string("none") : lent) + ")");
}

boost::asio::awaitable<value> array_serializer::pickle(const protocols& protos,
                                                       std::string workflow, extension obj) {
    auto arr = obj.shared<chunked_array>();
    if (!arr)
        throw type_error("HDFSerializer stores chunked_array objects only");
    auto [proto, store] = select(protos);
    std::string name = new_uuid4();
    co_await store->write(*proto, std::move(workflow), name, std::move(arr), opts_);
    value payload(tuple{std::string(version), std::move(name)});
    co_return payload;
}

boost::asio::awaitable<value> array_serializer::unpickle(const protocols& protos,
                                                         std::string workflow, value payload) {
    std::string name = payload_name(payload);
    auto [proto, store] = select(protos);
    value out;
    if (opts_.lazy) {
        lazy_array handle = co_await store->open(*proto, std::move(workflow), name);
        out = value(extension::make(std::move(handle)));
    } else {
        chunked_array arr = co_await store->read(*proto, std::move(workflow), name);
        out = value(extension::make(std::move(arr)));
    }
    co_return out;
}

boost::asio::awaitable<void> array_serializer::remove(const protocols& protos, std::string workflow,
                                                      value payload) {
    std::string name = payload_name(payload);
    auto [proto, store] = select(protos);
    co_await store->remove(*proto, std::move(workflow), name);
}

boost::asio::awaitable<lazy_array> array_serializer::open(const protocols& protos,
                                                          std::string workflow, value payload) {
    std::string name = payload_name(payload);
    auto [proto, store] = select(protos);
    lazy_array handle = co_await store->open(*proto, std::move(workflow), name);
    co_return handle;
}

std::optional<std::string> array_serializer::object_name(const value& payload) const {
    try {
        return payload_name(payload);
    } catch (const invalid_pickle&) {
        return std::nullopt;
    }
}

boost::asio::awaitable<std::vector<stored_entry>> array_serializer::list_objects(
    const protocols& protos, std::string workflow) {
    auto [proto, store] = select(protos);
    co_return co_await store->list(*proto, std::move(workflow));
}

boost::asio::awaitable<void> array_serializer::remove_object(const protocols& protos,
                                                             std::string workflow,
                                                             std::string name) {
    // The same checks as a payload read from a pickle: a plain name only.
    value payload(tuple{std::string(version), std::move(name)});
    co_await remove(protos, std::move(workflow), std::move(payload));
}

boost::asio::awaitable<std::vector<stored_entry>> array_store::list(const protocol&, std::string) {
    co_return std::vector<stored_entry>{};
}

}  // namespace functionfuse
