// blosc codec (numcodecs.Blosc) on Debian's libblosc 1.x. Only the *_ctx entry points are
// used: they take all parameters per call and touch no global state, so chunks compress in
// parallel on the pool (one internal blosc thread each; the parallelism is ours).
// Decoding validates the header against the buffer length and the expected chunk size
// before blosc writes anything, so a corrupt chunk is an error, never an overflow.

#include <blosc.h>

#include "formats/zarr/builtin_codecs.hpp"

namespace functionfuse::zarr::detail {

namespace {

class blosc_codec final : public codec {
  public:
    blosc_codec(std::string cname, int clevel, int shuffle, int blocksize)
        : cname_(std::move(cname)), clevel_(clevel), shuffle_(shuffle), blocksize_(blocksize) {}

    std::optional<codec_config> config() const override {
        return blosc_compressor(cname_, clevel_, shuffle_, blocksize_);
    }

    std::string encode(std::span<const std::byte> raw, std::size_t typesize) const override {
        if (raw.size() > static_cast<std::size_t>(BLOSC_MAX_BUFFERSIZE))
            throw io_error("blosc: a chunk of " + std::to_string(raw.size()) +
                           " bytes exceeds blosc's limit of " +
                           std::to_string(BLOSC_MAX_BUFFERSIZE) + " bytes; use smaller chunks");
        // numcodecs' AUTOSHUFFLE: bit shuffle for 1-byte elements, byte shuffle otherwise.
        int shuffle =
            shuffle_ == -1 ? (typesize == 1 ? BLOSC_BITSHUFFLE : BLOSC_SHUFFLE) : shuffle_;
        if (typesize == 0 || typesize > BLOSC_MAX_TYPESIZE)
            typesize = 1;
        std::string out(raw.size() + BLOSC_MAX_OVERHEAD, '\0');
        int n =
            blosc_compress_ctx(clevel_, shuffle, typesize, raw.size(), raw.data(), out.data(),
                               out.size(), cname_.c_str(), static_cast<std::size_t>(blocksize_), 1);
        if (n <= 0)
            throw io_error("blosc: compression failed (" + std::to_string(n) + ") with cname " +
                           cname_);
        out.resize(static_cast<std::size_t>(n));
        return out;
    }

    void decode(std::string_view encoded, std::span<std::byte> out) const override {
        std::size_t nbytes = 0;
        if (blosc_cbuffer_validate(encoded.data(), encoded.size(), &nbytes) < 0)
            throw format_error("blosc data is corrupt (header does not match its " +
                               std::to_string(encoded.size()) + " bytes)");
        if (nbytes != out.size())
            throw format_error("blosc data decodes to " + std::to_string(nbytes) +
                               " bytes, expected " + std::to_string(out.size()));
        int n = blosc_decompress_ctx(encoded.data(), out.data(), out.size(), 1);
        if (n < 0 || static_cast<std::size_t>(n) != out.size())
            throw format_error("blosc data is corrupt (decompression returned " +
                               std::to_string(n) + ")");
    }

  private:
    std::string cname_;
    int clevel_, shuffle_, blocksize_;
};

}  // namespace

std::shared_ptr<const codec> make_blosc_codec(const codec_config& config) {
    check_known_params(config, {"cname", "clevel", "shuffle", "blocksize"});
    std::string cname = config.get_string("cname", "lz4");
    if (blosc_compname_to_compcode(cname.c_str()) < 0)
        throw config_error("compressor.cname", "'" + cname +
                                                   "' is not supported by this libblosc "
                                                   "(available: " +
                                                   blosc_list_compressors() + ")");
    int clevel = check_range("clevel", config.get_int("clevel", 5), 0, 9);
    int shuffle = check_range("shuffle", config.get_int("shuffle", 1), -1, 2);
    int blocksize =
        check_range("blocksize", config.get_int("blocksize", 0), 0, BLOSC_MAX_BUFFERSIZE);
    return std::make_shared<const blosc_codec>(std::move(cname), clevel, shuffle, blocksize);
}

}  // namespace functionfuse::zarr::detail
