// chunked_array: dtypes, construction from xtensor, conversions, chunk validation.
#include <gtest/gtest.h>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "array_test_util.hpp"
#include "functionfuse/array.hpp"

namespace ff = functionfuse;

TEST(Dtype, NamesAndTypestrsRoundTrip) {
    for (auto t : ff_test::all_dtypes()) {
        EXPECT_EQ(ff::parse_dtype(ff::dtype_typestr(t)), t);
        EXPECT_EQ(ff::parse_dtype(ff::dtype_name(t)), t);
    }
    EXPECT_EQ(ff::dtype_typestr(ff::dtype::float64), "<f8");
    EXPECT_EQ(ff::dtype_typestr(ff::dtype::bool_), "|b1");
    EXPECT_EQ(ff::dtype_typestr(ff::dtype::uint8), "|u1");
    EXPECT_EQ(ff::parse_dtype("f4"), ff::dtype::float32);
    EXPECT_EQ(ff::itemsize(ff::dtype::int16), 2u);
}

TEST(Dtype, ParseRejectsUnsupportedTypesClearly) {
    for (const char* s : {"<c16", "complex128", "|S5", "<U3", ">f8", "float16", "<f2", ""}) {
        try {
            ff::parse_dtype(s);
            ADD_FAILURE() << s << " was accepted";
        } catch (const ff::type_error& e) {
            EXPECT_NE(std::string(e.what()).find("unsupported array dtype"), std::string::npos);
        }
    }
}

TEST(Dtype, DtypeOfMapsEverySpelling) {
    static_assert(ff::dtype_of<long long>() == ff::dtype::int64);
    static_assert(ff::dtype_of<long>() == ff::dtype::int64);
    static_assert(ff::dtype_of<unsigned short>() == ff::dtype::uint16);
    static_assert(ff::dtype_of<signed char>() == ff::dtype::int8);
    static_assert(ff::dtype_of<bool>() == ff::dtype::bool_);
    static_assert(ff::dtype_of<float>() == ff::dtype::float32);
    static_assert(!ff::array_element<char>);
    static_assert(!ff::array_element<long double>);
}

TEST(ChunkedArray, AdoptsAMovedInXarrayWithoutCopying) {
    xt::xarray<double> x = xt::arange<double>(24.0);
    x.reshape({4, 6});
    const double* storage = x.data();
    auto a = ff::chunked_array::from(std::move(x), {2, 3});
    EXPECT_EQ(reinterpret_cast<const double*>(a.data()), storage);
    EXPECT_EQ(a.type(), ff::dtype::float64);
    EXPECT_EQ(a.shape(), (ff::chunked_array::shape_type{4, 6}));
    EXPECT_EQ(a.chunks(), (ff::chunked_array::shape_type{2, 3}));
    EXPECT_EQ(a.chunk_count(), 4u);
    EXPECT_EQ(a.data_as<double>()[23], 23.0);
}

TEST(ChunkedArray, AdoptsAMovedInXtensor) {
    xt::xtensor<std::int32_t, 2> x = xt::zeros<std::int32_t>({3, 5});
    x(2, 4) = 42;
    const auto* storage = x.data();
    auto a = ff::chunked_array::from(std::move(x), {2, 2});
    EXPECT_EQ(reinterpret_cast<const std::int32_t*>(a.data()), storage);
    EXPECT_EQ(a.type(), ff::dtype::int32);
    auto back = a.to_xtensor<std::int32_t, 2>();
    EXPECT_EQ(back(2, 4), 42);
}

TEST(ChunkedArray, CopiesAnLvalueAndEvaluatesExpressions) {
    xt::xarray<float> x = {{1, 2, 3}, {4, 5, 6}};
    auto a = ff::chunked_array::from(x, {1, 3});
    EXPECT_NE(reinterpret_cast<const float*>(a.data()), x.data());
    x(0, 0) = 100;  // the array owns its own copy
    EXPECT_EQ(a.view<float>()(0, 0), 1.0f);

    auto e = ff::chunked_array::from(2.0 * xt::arange<double>(6.0), {4});
    EXPECT_EQ(e.shape(), (ff::chunked_array::shape_type{6}));
    EXPECT_EQ(e.to_xarray<double>(), (xt::xarray<double>{0, 2, 4, 6, 8, 10}));

    xt::xarray<int> big = xt::arange<int>(20);
    big.reshape({4, 5});
    auto v = ff::chunked_array::from(xt::view(big, xt::range(1, 3), xt::all()), {1, 5});
    EXPECT_EQ(v.shape(), (ff::chunked_array::shape_type{2, 5}));
    EXPECT_EQ(v.data_as<int>()[0], 5);
}

TEST(ChunkedArray, ViewIsZeroCopyAndToXarrayCopies) {
    auto a = ff_test::pattern_array(ff::dtype::int16, {3, 4}, {2, 2});
    auto v = a.view<std::int16_t>();
    EXPECT_EQ(&v(0, 0), a.data_as<std::int16_t>());
    auto x = a.to_xarray<std::int16_t>();
    EXPECT_NE(x.data(), a.data_as<std::int16_t>());
    EXPECT_EQ(x, v);
}

TEST(ChunkedArray, WrongDtypeOrRankIsATypeError) {
    auto a = ff_test::pattern_array(ff::dtype::float32, {3}, {2});
    EXPECT_THROW(a.to_xarray<double>(), ff::type_error);
    EXPECT_THROW(a.view<std::int32_t>(), ff::type_error);
    EXPECT_THROW((a.to_xtensor<float, 2>()), ff::type_error);
    try {
        a.data_as<double>();
        FAIL();
    } catch (const ff::type_error& e) {
        EXPECT_NE(std::string(e.what()).find("float32"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("float64"), std::string::npos);
    }
}

TEST(ChunkedArray, BadChunkShapesAreConfigErrorsNamingChunks) {
    xt::xarray<double> x = xt::zeros<double>({4, 4});
    try {
        ff::chunked_array::from(x, {2});
        FAIL();
    } catch (const ff::config_error& e) {
        EXPECT_EQ(e.field(), "chunks");
    }
    EXPECT_THROW(ff::chunked_array::from(x, {2, 0}), ff::config_error);
    EXPECT_THROW(ff::chunked_array::from(x, {1, 1, 1}), ff::config_error);
    EXPECT_THROW(ff::chunked_array(ff::dtype::int8, {3}, {1}, nullptr), ff::config_error);
}

TEST(ChunkedArray, OversizedChunksAreClampedAsDaskDoes) {
    auto a = ff::chunked_array::from(xt::xarray<double>(xt::zeros<double>({3, 5})), {10, 2});
    EXPECT_EQ(a.chunks(), (ff::chunked_array::shape_type{3, 2}));
    EXPECT_EQ(a.chunk_grid(), (ff::chunked_array::shape_type{1, 3}));  // edge chunk is partial
}

TEST(ChunkedArray, ZeroDimensionalAndZeroSized) {
    auto s = ff::chunked_array::from(xt::xarray<double>(3.5), {});
    EXPECT_EQ(s.ndim(), 0u);
    EXPECT_EQ(s.size(), 1u);
    EXPECT_EQ(s.chunk_count(), 1u);
    EXPECT_EQ(s.data_as<double>()[0], 3.5);

    auto z = ff::chunked_array::from(xt::xarray<std::uint8_t>::from_shape({0, 7}), {4, 4});
    EXPECT_EQ(z.size(), 0u);
    EXPECT_EQ(z.chunks(), (ff::chunked_array::shape_type{1, 4}));
    EXPECT_EQ(z.chunk_count(), 0u);
    EXPECT_EQ(z.to_xarray<std::uint8_t>().shape(0), 0u);
}

TEST(ChunkedArray, ThirtyTwoDimensions) {
    ff::chunked_array::shape_type shape(32, 1), chunks(32, 1);
    shape[31] = 3;
    shape[0] = 2;
    auto a = ff_test::pattern_array(ff::dtype::uint16, shape, chunks);
    EXPECT_EQ(a.ndim(), 32u);
    EXPECT_EQ(a.size(), 6u);
    EXPECT_EQ(a.chunk_count(), 6u);
    auto x = a.to_xarray<std::uint16_t>();
    EXPECT_EQ(x.dimension(), 32u);
}

TEST(ChunkedArray, AutoChunksHalveTheLargestDimension) {
    auto c = ff::chunked_array::auto_chunks({1 << 20, 4}, 8, 1 << 20);
    EXPECT_EQ(c, (ff::chunked_array::shape_type{1 << 15, 4}));
    EXPECT_EQ(ff::chunked_array::auto_chunks({0, 3}, 8), (ff::chunked_array::shape_type{1, 3}));
    EXPECT_TRUE(ff::chunked_array::auto_chunks({}, 8).empty());
}

TEST(ChunkedArray, StoredInAValueAsAnExtension) {
    auto a = ff_test::pattern_array(ff::dtype::int64, {5}, {2});
    ff::value v = a;
    ASSERT_TRUE(v.is<ff::extension>());
    EXPECT_NE(v.get<ff::extension>().get_if<ff::chunked_array>(), nullptr);
    EXPECT_EQ(v.as<ff::chunked_array>(), a);
    EXPECT_EQ(v.as<ff::chunked_array>().data(), a.data());  // shares the buffer
    EXPECT_THROW(ff::value(3).as<ff::chunked_array>(), ff::type_error);

    ff::value d = ff::dict{{"loss", 0.25}, {"weights", a}};
    EXPECT_EQ(d.get<ff::dict>().at("weights").as<ff::chunked_array>(), a);

    xt::xarray<double> x = {1.0, 2.0};
    ff::value vx = x;
    EXPECT_EQ(vx.as<xt::xarray<double>>(), x);
    EXPECT_THROW(vx.as<xt::xarray<float>>(), ff::type_error);
    xt::xtensor<double, 1> t = {3.0, 4.0};
    EXPECT_EQ((ff::value(t).as<xt::xtensor<double, 1>>()), t);
}

TEST(ChunkedArray, EqualityComparesDtypeShapeChunksAndBytes) {
    auto a = ff_test::pattern_array(ff::dtype::uint8, {4}, {2});
    auto b = ff_test::pattern_array(ff::dtype::uint8, {4}, {2});
    EXPECT_EQ(a, b);
    EXPECT_NE(a, ff_test::pattern_array(ff::dtype::uint8, {4}, {3}));
    EXPECT_NE(a, ff_test::pattern_array(ff::dtype::int8, {4}, {2}));
    EXPECT_NE(a, ff_test::pattern_array(ff::dtype::uint8, {4}, {2}, 1));
}
