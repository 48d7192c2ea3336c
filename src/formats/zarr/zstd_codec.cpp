// zstd codec (numcodecs.Zstd): one zstd frame with its content size. Contexts are reused per
// thread (a call never suspends, so a thread_local context is never shared), which keeps the
// per-chunk cost to the compression itself; the codec object holds only its parameters.

#include <memory>

#include <zstd.h>

#include "formats/zarr/builtin_codecs.hpp"

namespace functionfuse::zarr::detail {

namespace {

struct cctx_deleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct dctx_deleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* thread_cctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, cctx_deleter> ctx(ZSTD_createCCtx());
    if (!ctx)
        throw io_error("zstd: cannot create a compression context");
    return ctx.get();
}
ZSTD_DCtx* thread_dctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, dctx_deleter> ctx(ZSTD_createDCtx());
    if (!ctx)
        throw io_error("zstd: cannot create a decompression context");
    return ctx.get();
}

class zstd_codec final : public codec {
  public:
    zstd_codec(int level, std::optional<bool> checksum) : level_(level), checksum_(checksum) {}

    std::optional<codec_config> config() const override {
        codec_config c{"zstd", {{"level", std::int64_t{level_}}}};
        if (checksum_)
            c.params["checksum"] = *checksum_;
        return c;
    }

    std::string encode(std::span<const std::byte> raw, std::size_t) const override {
        ZSTD_CCtx* ctx = thread_cctx();
        ZSTD_CCtx_reset(ctx, ZSTD_reset_session_and_parameters);
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level_);
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, checksum_.value_or(false) ? 1 : 0);
        std::string out(ZSTD_compressBound(raw.size()), '\0');
        std::size_t n = ZSTD_compress2(ctx, out.data(), out.size(), raw.data(), raw.size());
        if (ZSTD_isError(n))
            throw io_error(std::string("zstd: ") + ZSTD_getErrorName(n));
        out.resize(n);
        return out;
    }

    void decode(std::string_view encoded, std::span<std::byte> out) const override {
        // The first frame's declared size gives the clearest message for a size mismatch
        // (numcodecs writes one frame); later frames are checked by the decoded total below.
        unsigned long long size = ZSTD_getFrameContentSize(encoded.data(), encoded.size());
        if (size == ZSTD_CONTENTSIZE_ERROR)
            throw format_error("zstd data is corrupt (bad frame)");
        if (size != ZSTD_CONTENTSIZE_UNKNOWN && size > out.size())
            throw format_error("zstd data decodes to " + std::to_string(size) +
                               " bytes, expected " + std::to_string(out.size()));
        ZSTD_DCtx* ctx = thread_dctx();
        ZSTD_DCtx_reset(ctx, ZSTD_reset_session_and_parameters);
        // Decompression into a fixed buffer: zstd fails rather than write past out.size().
        std::size_t n =
            ZSTD_decompressDCtx(ctx, out.data(), out.size(), encoded.data(), encoded.size());
        if (ZSTD_isError(n))
            throw format_error(std::string("zstd data is corrupt (") + ZSTD_getErrorName(n) + ")");
        if (n != out.size())
            throw format_error("zstd data decodes to " + std::to_string(n) + " bytes, expected " +
                               std::to_string(out.size()));
    }

  private:
    int level_;
    std::optional<bool> checksum_;
};

}  // namespace

std::shared_ptr<const codec> make_zstd_codec(const codec_config& config) {
    check_known_params(config, {"level", "checksum"});
    int level =
        check_range("level", config.get_int("level", 1), ZSTD_minCLevel(), ZSTD_maxCLevel());
    std::optional<bool> checksum;
    if (config.params.count("checksum"))
        checksum = config.get_bool("checksum", false);
    return std::make_shared<const zstd_codec>(level, checksum);
}

}  // namespace functionfuse::zarr::detail
