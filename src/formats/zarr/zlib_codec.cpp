// zlib and gzip codecs on zlib. numcodecs.Zlib stores a zlib stream (zlib.compress), and
// numcodecs.GZip a gzip member (gzip.GzipFile); zlib's deflate writes either, chosen by
// windowBits (15 zlib, 15+16 gzip). Our gzip header carries mtime 0, which GzipFile accepts.
// Streams are driven in pieces of at most 1 GiB because zlib counts in 32-bit `uInt`.

#include <algorithm>
#include <cstring>

#include <zlib.h>

#include "formats/zarr/builtin_codecs.hpp"

namespace functionfuse::zarr::detail {

namespace {

constexpr std::size_t piece = std::size_t{1} << 30;

class deflate_codec final : public codec {
  public:
    deflate_codec(std::string id, int level, bool gzip)
        : id_(std::move(id)), level_(level), gzip_(gzip) {}

    std::optional<codec_config> config() const override {
        return codec_config{id_, {{"level", std::int64_t{level_}}}};
    }

    std::string encode(std::span<const std::byte> raw, std::size_t) const override {
        z_stream z{};
        if (deflateInit2(&z, level_, Z_DEFLATED, gzip_ ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            throw io_error(id_ + ": deflateInit2 failed");
        std::string out;
        // deflateBound is exact enough for one pass; it takes a uLong, fine on LP64.
        out.resize(deflateBound(&z, static_cast<uLong>(raw.size())) + 64);
        std::size_t in_pos = 0, out_pos = 0;
        int rc = Z_OK;
        while (rc != Z_STREAM_END) {
            if (out_pos == out.size())
                out.resize(out.size() * 2);
            std::size_t in_n = std::min(piece, raw.size() - in_pos);
            std::size_t out_n = std::min(piece, out.size() - out_pos);
            z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(raw.data() + in_pos));
            z.avail_in = static_cast<uInt>(in_n);
            z.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
            z.avail_out = static_cast<uInt>(out_n);
            bool last = in_pos + in_n == raw.size();
            rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
            in_pos += in_n - z.avail_in;
            out_pos += out_n - z.avail_out;
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                deflateEnd(&z);
                throw io_error(id_ + ": deflate failed (" + std::to_string(rc) + ")");
            }
        }
        deflateEnd(&z);
        out.resize(out_pos);
        return out;
    }

    void decode(std::string_view encoded, std::span<std::byte> out) const override {
        z_stream z{};
        if (inflateInit2(&z, gzip_ ? 15 + 16 : 15) != Z_OK)
            throw io_error(id_ + ": inflateInit2 failed");
        std::size_t in_pos = 0, out_pos = 0;
        auto fail = [&](const std::string& what) {
            inflateEnd(&z);
            throw format_error(id_ + " data " + what);
        };
        while (true) {
            std::size_t in_n = std::min(piece, encoded.size() - in_pos);
            std::size_t out_n = std::min(piece, out.size() - out_pos);
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(encoded.data() + in_pos));
            z.avail_in = static_cast<uInt>(in_n);
            // A one-byte scratch target when `out` is full lets inflate report extra data
            // (it would otherwise stop with Z_BUF_ERROR and hide whether more follows).
            unsigned char scratch;
            z.next_out = out_n ? reinterpret_cast<Bytef*>(out.data() + out_pos) : &scratch;
            z.avail_out = out_n ? static_cast<uInt>(out_n) : 1;
            int rc = inflate(&z, Z_NO_FLUSH);
            in_pos += in_n - z.avail_in;
            if (out_n == 0 && z.avail_out == 0)
                fail("decodes to more than " + std::to_string(out.size()) + " bytes");
            out_pos += out_n ? out_n - z.avail_out : 0;
            if (rc == Z_STREAM_END) {
                if (in_pos == encoded.size())
                    break;
                // gzip allows concatenated members (GzipFile reads them all); zlib does not.
                if (!gzip_)
                    fail("has " + std::to_string(encoded.size() - in_pos) +
                         " bytes after the end of the stream");
                if (inflateReset(&z) != Z_OK)
                    fail("cannot be reset");
                continue;
            }
            if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR)
                fail("is corrupt (" + std::string(z.msg ? z.msg : "invalid data") + ")");
            if (rc == Z_MEM_ERROR) {
                inflateEnd(&z);
                throw io_error(id_ + ": out of memory");
            }
            // Z_BUF_ERROR with output space left means inflate needs input that is not there.
            if (rc == Z_BUF_ERROR && in_pos == encoded.size())
                fail("is truncated");
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                fail("is corrupt (inflate " + std::to_string(rc) + ")");
        }
        inflateEnd(&z);
        if (out_pos != out.size())
            throw format_error(id_ + " data decodes to " + std::to_string(out_pos) +
                               " bytes, expected " + std::to_string(out.size()));
    }

  private:
    std::string id_;
    int level_;
    bool gzip_;
};

}  // namespace

std::shared_ptr<const codec> make_zlib_codec(const codec_config& config) {
    check_known_params(config, {"level"});
    int level = check_range("level", config.get_int("level", 1), -1, 9);
    return std::make_shared<const deflate_codec>("zlib", level, false);
}

std::shared_ptr<const codec> make_gzip_codec(const codec_config& config) {
    check_known_params(config, {"level"});
    int level = check_range("level", config.get_int("level", 1), 0, 9);
    return std::make_shared<const deflate_codec>("gzip", level, true);
}

}  // namespace functionfuse::zarr::detail
