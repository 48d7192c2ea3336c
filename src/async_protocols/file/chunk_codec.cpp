#include "async_protocols/file/chunk_codec.hpp"

#include <cstring>
#include <string>

#include <zlib.h>

#include "functionfuse/error.hpp"

namespace functionfuse::file_detail {

void shuffle(const std::byte* in, std::byte* out, std::size_t nbytes, std::size_t itemsize) {
    const std::size_t count = nbytes / itemsize;
    for (std::size_t j = 0; j < itemsize; ++j) {
        std::byte* o = out + j * count;
        const std::byte* p = in + j;
        for (std::size_t i = 0; i < count; ++i)
            o[i] = p[i * itemsize];
    }
    const std::size_t whole = count * itemsize;
    std::memcpy(out + whole, in + whole, nbytes - whole);
}

void deflate(const std::byte* in, std::size_t nbytes, int level, std::vector<std::byte>& out) {
    uLongf bound = compressBound(static_cast<uLong>(nbytes));
    std::size_t start = out.size();
    out.resize(start + bound);
    int rc = compress2(reinterpret_cast<Bytef*>(out.data() + start), &bound,
                       reinterpret_cast<const Bytef*>(in), static_cast<uLong>(nbytes), level);
    if (rc != Z_OK)
        throw io_error("zlib compress2 failed with code " + std::to_string(rc));
    out.resize(start + bound);
}

std::vector<std::byte> encode_chunk(const std::byte* chunk, std::size_t nbytes,
                                    std::size_t itemsize, bool do_shuffle,
                                    std::optional<int> gzip_level,
                                    std::vector<std::byte>& scratch) {
    const std::byte* p = chunk;
    if (do_shuffle && itemsize > 1) {
        scratch.resize(nbytes);
        shuffle(chunk, scratch.data(), nbytes, itemsize);
        p = scratch.data();
    }
    std::vector<std::byte> out;
    if (gzip_level) {
        deflate(p, nbytes, *gzip_level, out);
    } else {
        out.assign(p, p + nbytes);
    }
    return out;
}

}  // namespace functionfuse::file_detail
