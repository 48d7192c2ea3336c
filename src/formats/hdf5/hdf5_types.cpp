#include "formats/hdf5/hdf5_types.hpp"

#include <string>

#include "formats/hdf5/hdf5_error.hpp"
#include "value/error_text.hpp"

namespace functionfuse::hdf5 {

namespace {

handle bool_type(hid_t base) {
    handle t = datatype_handle(check(H5Tenum_create(base), "<memory>", "cannot create bool type"));
    signed char no = 0, yes = 1;
    check(H5Tenum_insert(t, "FALSE", &no), "<memory>", "cannot create bool type");
    check(H5Tenum_insert(t, "TRUE", &yes), "<memory>", "cannot create bool type");
    return t;
}

hid_t predefined(dtype t, bool native) {
    switch (t) {
        case dtype::int8:
            return native ? H5T_NATIVE_INT8 : H5T_STD_I8LE;
        case dtype::int16:
            return native ? H5T_NATIVE_INT16 : H5T_STD_I16LE;
        case dtype::int32:
            return native ? H5T_NATIVE_INT32 : H5T_STD_I32LE;
        case dtype::int64:
            return native ? H5T_NATIVE_INT64 : H5T_STD_I64LE;
        case dtype::uint8:
            return native ? H5T_NATIVE_UINT8 : H5T_STD_U8LE;
        case dtype::uint16:
            return native ? H5T_NATIVE_UINT16 : H5T_STD_U16LE;
        case dtype::uint32:
            return native ? H5T_NATIVE_UINT32 : H5T_STD_U32LE;
        case dtype::uint64:
            return native ? H5T_NATIVE_UINT64 : H5T_STD_U64LE;
        case dtype::float32:
            return native ? H5T_NATIVE_FLOAT : H5T_IEEE_F32LE;
        case dtype::float64:
            return native ? H5T_NATIVE_DOUBLE : H5T_IEEE_F64LE;
        case dtype::bool_:
            break;
    }
    return H5T_NATIVE_INT8;
}

}  // namespace

handle file_type(dtype t) {
    if (t == dtype::bool_)
        return bool_type(H5T_STD_I8LE);
    return datatype_handle(check(H5Tcopy(predefined(t, false)), "<memory>", "cannot copy type"));
}

handle memory_type(dtype t) {
    if (t == dtype::bool_)
        return bool_type(H5T_NATIVE_INT8);
    return datatype_handle(check(H5Tcopy(predefined(t, true)), "<memory>", "cannot copy type"));
}

dtype dtype_of(hid_t type, const std::filesystem::path& file) {
    H5T_class_t cls = H5Tget_class(type);
    std::size_t size = H5Tget_size(type);
    auto unsupported = [&](const std::string& what) -> type_error {
        return type_error("unsupported array dtype in '" + detail::shown(file.string()) +
                          "': " + what +
                          " (supported: bool, int8..int64, uint8..uint64, float32, float64)");
    };
    switch (cls) {
        case H5T_INTEGER: {
            bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
            switch (size) {
                case 1:
                    return is_signed ? dtype::int8 : dtype::uint8;
                case 2:
                    return is_signed ? dtype::int16 : dtype::uint16;
                case 4:
                    return is_signed ? dtype::int32 : dtype::uint32;
                case 8:
                    return is_signed ? dtype::int64 : dtype::uint64;
            }
            throw unsupported(std::to_string(size) + "-byte integer");
        }
        case H5T_FLOAT:
            if (size == 4)
                return dtype::float32;
            if (size == 8)
                return dtype::float64;
            throw unsupported(std::to_string(size) + "-byte float");
        case H5T_ENUM: {
            // h5py's bool: an enum over a 1-byte integer with exactly FALSE = 0 and TRUE = 1.
            if (size == 1 && H5Tget_nmembers(type) == 2) {
                signed char v0 = -1, v1 = -1;
                char n0[16] = {}, n1[16] = {};
                if (H5Tget_member_value(type, 0, &v0) >= 0 &&
                    H5Tget_member_value(type, 1, &v1) >= 0 &&
                    H5Tenum_nameof(type, &v0, n0, sizeof n0) >= 0 &&
                    H5Tenum_nameof(type, &v1, n1, sizeof n1) >= 0) {
                    std::string a = n0, b = n1;
                    if ((a == "FALSE" && v0 == 0 && b == "TRUE" && v1 == 1) ||
                        (a == "TRUE" && v0 == 1 && b == "FALSE" && v1 == 0))
                        return dtype::bool_;
                }
                H5Eclear2(H5E_DEFAULT);
            }
            throw unsupported("enum type");
        }
        case H5T_COMPOUND:
            throw unsupported("compound type (e.g. complex numbers)");
        case H5T_STRING:
            throw unsupported("string type");
        case H5T_ARRAY:
            throw unsupported("array type");
        case H5T_VLEN:
            throw unsupported("variable-length type");
        case H5T_OPAQUE:
            throw unsupported("opaque type");
        case H5T_BITFIELD:
            throw unsupported("bitfield type");
        case H5T_REFERENCE:
            throw unsupported("reference type");
        case H5T_TIME:
            throw unsupported("time type");
        default:
            throw unsupported("HDF5 type class " + std::to_string(static_cast<int>(cls)));
    }
}

}  // namespace functionfuse::hdf5
