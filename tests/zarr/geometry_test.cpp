#include "formats/zarr/geometry.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include <gtest/gtest.h>

namespace zarr = functionfuse::zarr;

namespace {

zarr::array_metadata meta(zarr::shape_type shape, zarr::shape_type chunks, zarr::dtype dt,
                          zarr::fill_value fill) {
    zarr::array_metadata m;
    m.shape = std::move(shape);
    m.chunks = std::move(chunks);
    m.dtype = dt;
    m.fill_value = fill;
    return m;
}

template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& v) {
    return std::as_bytes(std::span(v));
}
template <class T>
std::span<std::byte> bytes_of(std::vector<T>& v) {
    return std::as_writable_bytes(std::span(v));
}

// Reference: element `flat` of a C-order array of `shape` as a multi-index.
zarr::shape_type unravel(std::uint64_t flat, const zarr::shape_type& shape) {
    zarr::shape_type idx(shape.size());
    for (std::size_t i = shape.size(); i-- > 0;) {
        idx[i] = flat % shape[i];
        flat /= shape[i];
    }
    return idx;
}
std::uint64_t ravel(const zarr::shape_type& idx, const zarr::shape_type& shape) {
    std::uint64_t flat = 0;
    for (std::size_t i = 0; i < shape.size(); ++i)
        flat = flat * shape[i] + idx[i];
    return flat;
}

}  // namespace

TEST(ZarrGeometry, GridCountsEdgeChunks) {
    auto m = meta({10, 7, 4}, {4, 7, 3}, zarr::dtype_of<double>(), 0.0);
    EXPECT_EQ(zarr::chunk_grid_shape(m), (zarr::shape_type{3, 1, 2}));
    EXPECT_EQ(zarr::chunk_count(m), 6u);
    EXPECT_EQ(zarr::chunk_byte_size(m), 4u * 7 * 3 * 8);
    EXPECT_EQ(zarr::array_byte_size(m), 10u * 7 * 4 * 8);
    auto r = zarr::chunk_region(m, zarr::chunk_index{2, 0, 1});
    EXPECT_EQ(r.start, (zarr::shape_type{8, 0, 3}));
    EXPECT_EQ(r.count, (zarr::shape_type{2, 7, 1}));
    EXPECT_THROW(zarr::chunk_region(m, zarr::chunk_index{3, 0, 0}), functionfuse::error);
    EXPECT_THROW(zarr::chunk_region(m, zarr::chunk_index{0, 0}), functionfuse::error);
}

TEST(ZarrGeometry, ZeroSizedDimensionHasNoChunks) {
    auto m = meta({0, 4}, {2, 2}, zarr::dtype_of<std::int32_t>(), std::int64_t{0});
    EXPECT_EQ(zarr::chunk_grid_shape(m), (zarr::shape_type{0, 2}));
    EXPECT_EQ(zarr::chunk_count(m), 0u);
    EXPECT_TRUE(zarr::all_chunks(m).empty());
    EXPECT_EQ(zarr::array_byte_size(m), 0u);
    EXPECT_TRUE(zarr::chunks_for_region(m, {{0, 0}, {0, 4}}).empty());
}

TEST(ZarrGeometry, ZeroDimensionalArrayIsOneChunkKeyedZero) {
    auto m = meta({}, {}, zarr::dtype_of<float>(), 2.5);
    EXPECT_EQ(zarr::chunk_count(m), 1u);
    auto all = zarr::all_chunks(m);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].empty());
    EXPECT_EQ(zarr::chunk_key(all[0]), "0");
    EXPECT_EQ(zarr::parse_chunk_key("0", 0), zarr::chunk_index{});
    float value = 7.0f, chunk = 0, back = 0;
    zarr::extract_chunk(m, std::as_bytes(std::span(&value, 1)), all[0],
                        std::as_writable_bytes(std::span(&chunk, 1)));
    EXPECT_EQ(chunk, 7.0f);
    zarr::insert_chunk(m, std::as_bytes(std::span(&chunk, 1)), all[0],
                       std::as_writable_bytes(std::span(&back, 1)));
    EXPECT_EQ(back, 7.0f);
    float region_out = 0;
    zarr::copy_chunk_to_region(m, std::as_bytes(std::span(&chunk, 1)), all[0], {},
                               std::as_writable_bytes(std::span(&region_out, 1)));
    EXPECT_EQ(region_out, 7.0f);
}

TEST(ZarrGeometry, ChunkKeys) {
    EXPECT_EQ(zarr::chunk_key(zarr::chunk_index{0, 3, 1}), "0.3.1");
    EXPECT_EQ(zarr::chunk_key(zarr::chunk_index{12, 0}, '/'), "12/0");
    auto m = meta({4, 4}, {2, 2}, zarr::dtype_of<double>(), 0.0);
    m.dimension_separator = '/';
    EXPECT_EQ(zarr::chunk_key(m, zarr::chunk_index{1, 1}), "1/1");
    EXPECT_EQ(zarr::parse_chunk_key("0.3.1", 3), (zarr::chunk_index{0, 3, 1}));
    EXPECT_EQ(zarr::parse_chunk_key("2/5", 2, '/'), (zarr::chunk_index{2, 5}));
    for (const char* bad : {"", "0.3", "0.3.1.2", "0..1", "a.b.c", "-1.0.0", "+1.0.0", "1.0.0."})
        EXPECT_FALSE(zarr::parse_chunk_key(bad, 3).has_value()) << bad;
    EXPECT_FALSE(zarr::parse_chunk_key("1", 0).has_value());
}

TEST(ZarrGeometry, AllChunksInCOrder) {
    auto m = meta({3, 5}, {2, 2}, zarr::dtype_of<double>(), 0.0);
    std::vector<std::string> keys;
    for (const auto& c : zarr::all_chunks(m))
        keys.push_back(zarr::chunk_key(c));
    EXPECT_EQ(keys, (std::vector<std::string>{"0.0", "0.1", "0.2", "1.0", "1.1", "1.2"}));
}

TEST(ZarrGeometry, ExtractPadsEdgesAndInsertClipsThem) {
    // Several shapes: full trailing dims (merged runs), partial ones, rank 1..4.
    struct tcase {
        zarr::shape_type shape, chunks;
    };
    for (const auto& c : std::vector<tcase>{{{10}, {3}},
                                            {{5, 7}, {2, 3}},
                                            {{5, 7}, {2, 7}},
                                            {{5, 7}, {5, 7}},
                                            {{4, 6, 5}, {3, 6, 5}},
                                            {{4, 6, 5}, {3, 4, 2}},
                                            {{3, 2, 4, 5}, {2, 2, 3, 5}},
                                            {{3, 4}, {8, 9}}}) {
        auto m = meta(c.shape, c.chunks, zarr::dtype_of<std::int32_t>(), std::int64_t{-1});
        std::vector<std::int32_t> array(zarr::element_count(c.shape));
        std::iota(array.begin(), array.end(), 0);
        std::vector<std::int32_t> rebuilt(array.size(), -7);
        std::vector<std::int32_t> chunk(zarr::element_count(c.chunks));
        for (const auto& idx : zarr::all_chunks(m)) {
            zarr::extract_chunk(m, bytes_of(array), idx, bytes_of(chunk));
            // Every element of the chunk against the reference index math.
            for (std::uint64_t e = 0; e < chunk.size(); ++e) {
                auto local = unravel(e, c.chunks);
                zarr::shape_type global(local.size());
                bool inside = true;
                for (std::size_t i = 0; i < local.size(); ++i) {
                    global[i] = idx[i] * c.chunks[i] + local[i];
                    inside = inside && global[i] < c.shape[i];
                }
                std::int32_t want = inside ? array[ravel(global, c.shape)] : -1;
                ASSERT_EQ(chunk[e], want) << "chunk " << zarr::chunk_key(idx) << " element " << e;
            }
            zarr::insert_chunk(m, bytes_of(chunk), idx, bytes_of(rebuilt));
        }
        EXPECT_EQ(rebuilt, array);
    }
}

TEST(ZarrGeometry, NanAndBoolFillPadEdges) {
    auto m = meta({3}, {2}, zarr::dtype_of<double>(), std::numeric_limits<double>::quiet_NaN());
    std::vector<double> array{1, 2, 3}, chunk(2);
    zarr::extract_chunk(m, bytes_of(array), zarr::chunk_index{1}, bytes_of(chunk));
    EXPECT_EQ(chunk[0], 3);
    EXPECT_TRUE(std::isnan(chunk[1]));
    auto b = meta({3}, {2}, zarr::dtype_of<bool>(), true);
    std::vector<std::uint8_t> barr{0, 0, 0}, bchunk(2);
    zarr::extract_chunk(b, bytes_of(barr), zarr::chunk_index{1}, bytes_of(bchunk));
    EXPECT_EQ(bchunk, (std::vector<std::uint8_t>{0, 1}));
}

TEST(ZarrGeometry, RegionNeedsOnlyIntersectingChunks) {
    auto m = meta({10, 9}, {4, 3}, zarr::dtype_of<double>(), 0.0);
    std::vector<std::string> keys;
    for (const auto& c : zarr::chunks_for_region(m, {{3, 4}, {2, 3}}))
        keys.push_back(zarr::chunk_key(c));
    EXPECT_EQ(keys, (std::vector<std::string>{"0.1", "0.2", "1.1", "1.2"}));
    EXPECT_EQ(zarr::chunks_for_region(m, {{9, 8}, {1, 1}}),
              (std::vector<zarr::chunk_index>{{2, 2}}));
    EXPECT_EQ(zarr::chunks_for_region(m, {{0, 0}, {10, 9}}).size(), 9u);
    EXPECT_EQ(zarr::chunk_count(m, {{3, 4}, {2, 3}}), 4u);
    EXPECT_EQ(zarr::chunk_count(m, {{3, 4}, {0, 3}}), 0u);
    std::vector<std::string> streamed;
    zarr::for_each_chunk(m, {{3, 4}, {2, 3}}, [&](const zarr::chunk_index& c) {
        streamed.push_back(zarr::chunk_key(c));
    });
    EXPECT_EQ(streamed, keys);
    EXPECT_TRUE(zarr::chunks_for_region(m, {{5, 5}, {0, 2}}).empty());
    EXPECT_THROW(zarr::chunks_for_region(m, {{5, 5}, {6, 1}}), zarr::format_error);
    EXPECT_THROW(zarr::chunks_for_region(m, {{11, 0}, {0, 1}}), zarr::format_error);
    EXPECT_THROW(zarr::chunks_for_region(m, {{0}, {1}}), functionfuse::error);
}

TEST(ZarrGeometry, RegionAssembledFromChunksEqualsSlice) {
    auto m = meta({7, 8, 5}, {3, 3, 2}, zarr::dtype_of<std::uint16_t>(), std::int64_t{9});
    std::vector<std::uint16_t> array(7 * 8 * 5);
    std::iota(array.begin(), array.end(), 100);
    std::vector<std::uint16_t> chunk(3 * 3 * 2);
    for (const zarr::region& r : std::vector<zarr::region>{{{1, 2, 1}, {5, 4, 3}},
                                                           {{0, 0, 0}, {7, 8, 5}},
                                                           {{6, 7, 4}, {1, 1, 1}},
                                                           {{2, 0, 0}, {1, 8, 5}}}) {
        std::vector<std::uint16_t> out(zarr::element_count(r.count), 0);
        for (const auto& idx : zarr::chunks_for_region(m, r)) {
            zarr::extract_chunk(m, bytes_of(array), idx, bytes_of(chunk));
            zarr::copy_chunk_to_region(m, bytes_of(chunk), idx, r, bytes_of(out));
        }
        for (std::uint64_t e = 0; e < out.size(); ++e) {
            auto local = unravel(e, r.count);
            for (std::size_t i = 0; i < 3; ++i)
                local[i] += r.start[i];
            ASSERT_EQ(out[e], array[ravel(local, m.shape)]);
        }
    }
    // A chunk outside the region copies nothing.
    std::vector<std::uint16_t> out(1, 0);
    zarr::extract_chunk(m, bytes_of(array), zarr::chunk_index{0, 0, 0}, bytes_of(chunk));
    zarr::copy_chunk_to_region(m, bytes_of(chunk), zarr::chunk_index{0, 0, 0},
                               {{6, 7, 4}, {1, 1, 1}}, bytes_of(out));
    EXPECT_EQ(out[0], 0);
}

TEST(ZarrGeometry, WrongBufferSizesAreErrors) {
    auto m = meta({5}, {2}, zarr::dtype_of<double>(), 0.0);
    std::vector<double> array(4), chunk(2);
    EXPECT_THROW(zarr::extract_chunk(m, bytes_of(array), zarr::chunk_index{0}, bytes_of(chunk)),
                 functionfuse::error);
    array.resize(5);
    chunk.resize(3);
    EXPECT_THROW(zarr::extract_chunk(m, bytes_of(array), zarr::chunk_index{0}, bytes_of(chunk)),
                 functionfuse::error);
    EXPECT_THROW(zarr::insert_chunk(m, bytes_of(chunk), zarr::chunk_index{0}, bytes_of(array)),
                 functionfuse::error);
}

TEST(ZarrGeometry, HostileSizesOverflowCleanly) {
    auto m = meta({UINT64_MAX, UINT64_MAX}, {1, 1}, zarr::dtype_of<double>(), 0.0);
    EXPECT_THROW(zarr::chunk_count(m), zarr::format_error);
    EXPECT_THROW(zarr::array_byte_size(m), zarr::format_error);
    EXPECT_EQ(zarr::chunk_byte_size(m), 8u);
}

// A chunk reported contiguous is byte-for-byte the array's bytes at that offset (what the S3
// store then uploads without copying); edge chunks and chunks that cut rows never are.
TEST(ZarrGeometry, ContiguousChunkOffsetPointsAtTheChunksBytes) {
    struct tcase {
        zarr::shape_type shape, chunks;
        std::size_t contiguous;  // how many chunks qualify
    };
    for (const auto& c : std::vector<tcase>{{{10}, {3}, 3},
                                            {{9}, {3}, 3},
                                            {{5, 7}, {2, 7}, 2},
                                            {{5, 7}, {2, 3}, 0},
                                            {{5, 7}, {1, 7}, 5},
                                            {{4, 6, 5}, {1, 1, 5}, 24},
                                            {{4, 6, 5}, {1, 2, 5}, 12},
                                            {{4, 6, 5}, {2, 2, 5}, 0},
                                            {{3, 4}, {8, 9}, 0},
                                            {{}, {}, 1}}) {
        auto m = meta(c.shape, c.chunks, zarr::dtype_of<std::int32_t>(), std::int64_t{-1});
        std::vector<std::int32_t> array(zarr::element_count(c.shape));
        std::iota(array.begin(), array.end(), 0);
        std::vector<std::int32_t> chunk(zarr::element_count(c.chunks));
        std::size_t found = 0;
        for (const auto& idx : zarr::all_chunks(m)) {
            auto at = zarr::contiguous_chunk_offset(m, idx);
            if (!at)
                continue;
            ++found;
            zarr::extract_chunk(m, bytes_of(array), idx, bytes_of(chunk));
            const auto whole = bytes_of(array);
            ASSERT_LE(*at + chunk.size() * 4, whole.size()) << zarr::chunk_key(idx);
            EXPECT_EQ(std::memcmp(whole.data() + *at, chunk.data(), chunk.size() * 4), 0)
                << "chunk " << zarr::chunk_key(idx);
        }
        EXPECT_EQ(found, c.contiguous) << "shape rank " << c.shape.size();
    }
}
