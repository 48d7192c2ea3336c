// Chunk geometry, box copies and the shuffle/deflate chunk codec.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include <zlib.h>

#include "async_protocols/file/chunk_codec.hpp"
#include "async_protocols/file/chunk_layout.hpp"

namespace fd = functionfuse::file_detail;

namespace {
std::size_t flat(const fd::shape_type& shape, const fd::shape_type& idx) {
    std::size_t f = 0;
    for (std::size_t d = 0; d < shape.size(); ++d)
        f = f * shape[d] + idx[d];
    return f;
}
}  // namespace

TEST(ChunkGrid, BoxesCoverTheArrayWithPartialEdges) {
    fd::chunk_grid g({5, 7}, {2, 3});
    ASSERT_EQ(g.count(), 9u);
    auto last = g.box(8);
    EXPECT_EQ(last.origin, (fd::shape_type{4, 6}));
    EXPECT_EQ(last.extent, (fd::shape_type{1, 1}));
    auto mid = g.box(4);
    EXPECT_EQ(mid.origin, (fd::shape_type{2, 3}));
    EXPECT_EQ(mid.extent, (fd::shape_type{2, 3}));
    EXPECT_EQ(g.byte_offset(mid, 8), (2 * 7 + 3) * 8u);
}

TEST(ChunkGrid, InPlaceOnlyWhenTheChunkIsOneRunInBothLayouts) {
    fd::chunk_grid rows({6, 4}, {2, 4});
    EXPECT_TRUE(rows.in_place(rows.box(0)));
    fd::chunk_grid cols({6, 4}, {2, 2});
    EXPECT_FALSE(cols.in_place(cols.box(0)));
    fd::chunk_grid oned({10}, {3});
    EXPECT_TRUE(oned.in_place(oned.box(3)));  // the partial last chunk too
    fd::chunk_grid single_rows({6, 4}, {1, 4});
    EXPECT_TRUE(single_rows.in_place(single_rows.box(5)));
}

TEST(CopyBox, GatherThenScatterRestoresEveryChunk) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 50; ++trial) {
        std::size_t nd = 1 + rng() % 4;
        fd::shape_type shape(nd), chunks(nd);
        for (std::size_t d = 0; d < nd; ++d) {
            shape[d] = 1 + rng() % 6;
            chunks[d] = 1 + rng() % shape[d];
        }
        std::size_t n = fd::product(shape);
        std::vector<std::uint16_t> src(n), dst(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            src[i] = static_cast<std::uint16_t>(i + 1);
        fd::chunk_grid g(shape, chunks);
        std::vector<std::uint16_t> chunk(fd::product(chunks));
        for (std::size_t c = 0; c < g.count(); ++c) {
            auto b = g.box(c);
            std::fill(chunk.begin(), chunk.end(), 0);
            fd::copy_box(reinterpret_cast<const std::byte*>(src.data()), shape, b.origin,
                         reinterpret_cast<std::byte*>(chunk.data()), chunks, fd::shape_type(nd, 0),
                         b.extent, 2);
            // element (0,..,0) of the chunk is the box origin; the last of the box is correct
            EXPECT_EQ(chunk[0], src[flat(shape, b.origin)]);
            fd::shape_type last_in_chunk(nd), last_in_array(nd);
            for (std::size_t d = 0; d < nd; ++d) {
                last_in_chunk[d] = b.extent[d] - 1;
                last_in_array[d] = b.origin[d] + b.extent[d] - 1;
            }
            EXPECT_EQ(chunk[flat(chunks, last_in_chunk)], src[flat(shape, last_in_array)]);
            fd::copy_box(reinterpret_cast<const std::byte*>(chunk.data()), chunks,
                         fd::shape_type(nd, 0), reinterpret_cast<std::byte*>(dst.data()), shape,
                         b.origin, b.extent, 2);
        }
        EXPECT_EQ(src, dst) << "trial " << trial;
    }
}

TEST(CopyBox, ZeroDimensionalCopiesOneElement) {
    double a = 2.5, b = 0;
    fd::copy_box(reinterpret_cast<const std::byte*>(&a), {}, {}, reinterpret_cast<std::byte*>(&b),
                 {}, {}, {}, sizeof(double));
    EXPECT_EQ(b, 2.5);
}

TEST(ChunkCodec, ShuffleGroupsBytesAsHdf5Does) {
    std::vector<std::uint8_t> in = {1, 2, 3, 4, 5, 6, 7};  // two 3-byte elements + 1 left over
    std::vector<std::uint8_t> out(in.size());
    fd::shuffle(reinterpret_cast<const std::byte*>(in.data()),
                reinterpret_cast<std::byte*>(out.data()), in.size(), 3);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 4, 2, 5, 3, 6, 7}));
}

TEST(ChunkCodec, DeflateIsAZlibStream) {
    std::vector<double> chunk(4096);
    for (std::size_t i = 0; i < chunk.size(); ++i)
        chunk[i] = static_cast<double>(i % 17);
    std::vector<std::byte> scratch;
    auto enc = fd::encode_chunk(reinterpret_cast<const std::byte*>(chunk.data()), chunk.size() * 8,
                                8, true, 6, scratch);
    EXPECT_LT(enc.size(), chunk.size() * 8 / 4);
    std::vector<std::uint8_t> plain(chunk.size() * 8);
    uLongf n = plain.size();
    ASSERT_EQ(uncompress(plain.data(), &n, reinterpret_cast<const Bytef*>(enc.data()), enc.size()),
              Z_OK);
    ASSERT_EQ(n, plain.size());
    // Unshuffle: byte j of element i sits at j * count + i.
    std::vector<double> back(chunk.size());
    auto* b = reinterpret_cast<std::uint8_t*>(back.data());
    for (std::size_t i = 0; i < chunk.size(); ++i)
        for (std::size_t j = 0; j < 8; ++j)
            b[i * 8 + j] = plain[j * chunk.size() + i];
    EXPECT_EQ(back, chunk);
}
