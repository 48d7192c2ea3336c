#include "formats/zarr/codec.hpp"

#include <cstring>

#include "formats/zarr/builtin_codecs.hpp"

namespace functionfuse::zarr {

namespace {

// The null compressor: zarr stores the chunk's bytes unchanged.
class null_codec_impl final : public codec {
  public:
    std::optional<codec_config> config() const override { return std::nullopt; }
    std::string encode(std::span<const std::byte> raw, std::size_t) const override {
        return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
    }
    void decode(std::string_view encoded, std::span<std::byte> out) const override {
        if (encoded.size() != out.size())
            throw format_error("uncompressed chunk has " + std::to_string(encoded.size()) +
                               " bytes, expected " + std::to_string(out.size()));
        std::memcpy(out.data(), encoded.data(), out.size());
    }
};

}  // namespace

std::shared_ptr<const codec> null_codec() {
    static const auto instance = std::make_shared<const null_codec_impl>();
    return instance;
}

void codec_registry::add(std::string id, codec_factory factory) {
    factories_.insert_or_assign(std::move(id), std::move(factory));
}

bool codec_registry::contains(std::string_view id) const {
    return factories_.find(id) != factories_.end();
}

std::shared_ptr<const codec> codec_registry::make(const std::optional<codec_config>& config) const {
    if (!config)
        return null_codec();
    auto it = factories_.find(config->id);
    if (it == factories_.end()) {
        std::string known;
        for (const auto& [id, f] : factories_)
            known += (known.empty() ? "" : ", ") + id;
        throw config_error("compressor.id",
                           "unknown codec '" + config->id + "' (known: " + known + ")");
    }
    return it->second(*config);
}

const codec_registry& builtin_codecs() {
    static const codec_registry registry = [] {
        codec_registry r;
        r.add("zlib", detail::make_zlib_codec);
        r.add("gzip", detail::make_gzip_codec);
        r.add("zstd", detail::make_zstd_codec);
        r.add("blosc", detail::make_blosc_codec);
        return r;
    }();
    return registry;
}

namespace detail {

void check_known_params(const codec_config& config, std::initializer_list<const char*> known) {
    for (const auto& [name, value] : config.params) {
        bool ok = false;
        for (const char* k : known)
            ok = ok || name == k;
        if (!ok)
            throw config_error("compressor." + name,
                               "unknown parameter of codec '" + config.id + "'");
    }
}

int check_range(const std::string& name, std::int64_t value, std::int64_t lo, std::int64_t hi) {
    if (value < lo || value > hi)
        throw config_error("compressor." + name, std::to_string(value) + " is not in [" +
                                                     std::to_string(lo) + ", " +
                                                     std::to_string(hi) + "]");
    return static_cast<int>(value);
}

}  // namespace detail

}  // namespace functionfuse::zarr
