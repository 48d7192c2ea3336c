// numpy's reconstructors, recognized by shape (see objects.hpp). What numpy writes:
//
//   ndarray, protocols 2-4 (and protocol 5 for a non-contiguous array):
//     _reconstruct(numpy.ndarray, (0,), b'b')          -> an empty array
//     BUILD (1, shape, dtype, is_fortran, raw bytes)    -> its contents
//   ndarray, protocol 5 (contiguous, in-band PickleBuffer as BYTEARRAY8 or bytes):
//     _frombuffer(buffer, dtype, shape, 'C' | 'F')
//   scalar: scalar(dtype, raw bytes)
//   dtype:  numpy.dtype('f8', False, True), BUILD (3, '<', None, None, None, -1, -1, 0)
//
// Every check that bounds memory is done before anything is allocated: an array's bytes are
// already in the pickle, and the shape must account for exactly them.

#include <fmt/format.h>

#include "objects.hpp"

namespace functionfuse::pickle::objects {

namespace {

/// numpy's limit is 32 dimensions (64 in numpy 2).
constexpr std::size_t max_ndim = 64;

[[noreturn]] void refuse(std::string message) {
    throw refused(std::move(message));
}

std::string shown(const value& v) {
    std::string r = v.repr();
    if (r.size() > 60)
        r = r.substr(0, 57) + "...";
    return r;
}

/// Names the numpy dtypes that are recognized but not supported.
[[noreturn]] void unsupported_dtype(std::string_view spec) {
    std::string_view what = "an unknown dtype";
    if (!spec.empty()) {
        switch (spec[0]) {
            case 'O':
                what = "object arrays (dtype object)";
                break;
            case 'U':
            case 'S':
            case 'a':
                what = "string dtypes";
                break;
            case 'M':
            case 'm':
                what = "datetime64/timedelta64 dtypes";
                break;
            case 'V':
                what = "structured/void dtypes";
                break;
            default:
                break;
        }
    }
    refuse(
        fmt::format("unsupported numpy dtype '{}': {} cannot be read (supported: bool, "
                    "int8-64, uint8-64, float16/32/64, complex64/128)",
                    std::string(spec.substr(0, 40)), what));
}

const dtype_object& built_dtype(const value& v, std::string_view who) {
    const auto* e = v.get_if<extension>();
    const auto* d = e ? e->get_if<dtype_object>() : nullptr;
    if (!d || !d->built())
        refuse(fmt::format("{} needs a numpy dtype, got {}", who, v.type_name()));
    return *d;
}

/// A shape tuple of non-negative ints, checked against `max_ndim`.
ndarray::shape_type read_shape(const value& v, std::string_view who) {
    const auto* t = v.get_if<tuple>();
    if (!t)
        refuse(fmt::format("{} needs a shape tuple, got {}", who, v.type_name()));
    if (t->size() > max_ndim)
        refuse(fmt::format("{}: {} dimensions (at most {})", who, t->size(), max_ndim));
    ndarray::shape_type shape;
    shape.reserve(t->size());
    for (const value& d : *t) {
        const auto* i = d.get_if<std::int64_t>();
        if (!i || *i < 0)
            refuse(fmt::format("{}: shape entry {} is not a non-negative int", who, shown(d)));
        shape.push_back(static_cast<std::size_t>(*i));
    }
    return shape;
}

std::string* raw_bytes(value& v) {
    auto* b = v.get_if<bytes>();
    return b ? &b->data : nullptr;
}

/// The array, with the byte count checked against the shape (ndarray's constructor does it).
ndarray make_array(const std::string& typestr, ndarray::shape_type shape, std::string&& data,
                   ndarray::order o, std::string_view who) {
    try {
        return ndarray(typestr, std::move(shape), std::move(data), o);
    } catch (const type_error& e) {
        refuse(fmt::format("{}: {}", who, e.what()));
    }
}

result call_dtype(tuple& args) {
    // numpy.dtype(spec, align=False, copy=True)
    if (args.size() != 3 || !args[0].is<std::string>() || !args[1].is<bool>() ||
        !args[2].is<bool>() || args[1].get<bool>() || !args[2].get<bool>())
        refuse("numpy.dtype called with arguments numpy would not write");
    const std::string& spec = args[0].get<std::string>();
    // Supported: the kind letter and the size ("f8", "b1", "c16"); byte order comes with BUILD.
    if (ndarray_typestr("<" + spec).empty())
        unsupported_dtype(spec);
    return {value(extension::make(dtype_object{spec, {}})), true};
}

result build_dtype(const dtype_object& d, value& state) {
    // (3, byteorder, subarray, names, fields, elsize, alignment, flags)
    auto* t = state.get_if<tuple>();
    if (!t || t->size() != 8)
        refuse(fmt::format(
            "BUILD of numpy.dtype('{}') with a state numpy would not write "
            "(an 8-tuple of version 3 expected, got {})",
            d.spec, t ? std::to_string(t->size()) + "-tuple" : std::string(state.type_name())));
    const value& version = (*t)[0];
    const auto* order = (*t)[1].get_if<std::string>();
    const auto* elsize = (*t)[5].get_if<std::int64_t>();
    const auto* alignment = (*t)[6].get_if<std::int64_t>();
    const auto* flags = (*t)[7].get_if<std::int64_t>();
    if (!version.is<std::int64_t>() || version.get<std::int64_t>() != 3 || !order ||
        order->size() != 1 || !(*t)[2].is_none() || !(*t)[3].is_none() || !(*t)[4].is_none() ||
        !elsize || *elsize != -1 || !alignment || *alignment != -1 || !flags || *flags != 0)
        refuse(
            fmt::format("BUILD of numpy.dtype('{}') with a state numpy would not write", d.spec));
    const std::string typestr = ndarray_typestr(*order + d.spec);
    // numpy writes '|' for one-byte types and '<' or '>' for the others.
    if (typestr.empty() || typestr[0] != (*order)[0])
        refuse(fmt::format("numpy.dtype('{}') with byte order '{}'", d.spec, *order));
    return {value(extension::make(dtype_object{d.spec, typestr})), true};
}

result call_reconstruct(tuple& args) {
    // _reconstruct(numpy.ndarray, (0,), b'b')
    const bool ok = args.size() == 3 && args[0].is<extension>() &&
                    args[0].get<extension>().get_if<callable>() &&
                    *args[0].get<extension>().get_if<callable>() == callable::numpy_ndarray &&
                    args[1].is<tuple>() && args[1].get<tuple>().size() == 1 &&
                    args[1].get<tuple>()[0].is<std::int64_t>() &&
                    args[1].get<tuple>()[0].get<std::int64_t>() == 0 && raw_bytes(args[2]) &&
                    *raw_bytes(args[2]) == "b";
    if (!ok)
        refuse("numpy.core.multiarray._reconstruct called with arguments numpy would not write");
    return {value(extension::make(pending_array{})), true};
}

result build_array(value& state) {
    // (1, shape, dtype, is_fortran, raw bytes)
    auto* t = state.get_if<tuple>();
    if (!t || t->size() != 5)
        refuse("BUILD of numpy.ndarray with a state numpy would not write (a 5-tuple expected)");
    const auto* version = (*t)[0].get_if<std::int64_t>();
    if (!version || *version != 1)
        refuse("BUILD of numpy.ndarray with a state version other than 1");
    constexpr std::string_view who = "BUILD of numpy.ndarray";
    ndarray::shape_type shape = read_shape((*t)[1], who);
    const dtype_object& d = built_dtype((*t)[2], who);
    const auto* fortran = (*t)[3].get_if<bool>();
    if (!fortran)
        refuse("BUILD of numpy.ndarray: the Fortran flag is not a bool");
    std::string* data = raw_bytes((*t)[4]);
    if (!data) {
        if ((*t)[4].is<list>())
            refuse(
                "BUILD of numpy.ndarray with a list of elements (object arrays) is not "
                "supported");
        refuse(fmt::format("BUILD of numpy.ndarray: the data is a {}, not bytes",
                           (*t)[4].type_name()));
    }
    return {value(make_array(d.typestr, std::move(shape), std::move(*data),
                             *fortran ? ndarray::order::fortran : ndarray::order::c, who)),
            false};
}

result call_frombuffer(tuple& args) {
    // _frombuffer(buffer, dtype, shape, order)
    constexpr std::string_view who = "numpy.core.numeric._frombuffer";
    if (args.size() != 4)
        refuse(fmt::format("{} called with {} arguments (4 expected)", who, args.size()));
    std::string* data = raw_bytes(args[0]);
    if (!data)
        refuse(fmt::format("{}: the buffer is a {}, not bytes", who, args[0].type_name()));
    const dtype_object& d = built_dtype(args[1], who);
    ndarray::shape_type shape = read_shape(args[2], who);
    const auto* order = args[3].get_if<std::string>();
    if (!order || (*order != "C" && *order != "F"))
        refuse(fmt::format("{}: order {} is not 'C' or 'F'", who, shown(args[3])));
    return {value(make_array(d.typestr, std::move(shape), std::move(*data),
                             *order == "F" ? ndarray::order::fortran : ndarray::order::c, who)),
            false};
}

result call_scalar(tuple& args) {
    // scalar(dtype, raw bytes)
    constexpr std::string_view who = "numpy.core.multiarray.scalar";
    if (args.size() != 2)
        refuse(fmt::format("{} called with {} arguments (2 expected)", who, args.size()));
    const dtype_object& d = built_dtype(args[0], who);
    std::string* data = raw_bytes(args[1]);
    if (!data)
        refuse(fmt::format("{}: the data is a {}, not bytes", who, args[1].type_name()));
    try {
        return {value(ndarray::scalar(d.typestr, std::move(*data))), false};
    } catch (const type_error& e) {
        refuse(fmt::format("{}: {}", who, e.what()));
    }
}

}  // namespace

std::optional<callable> find_numpy_global(std::string_view module, std::string_view name) {
    if (module == "numpy") {
        if (name == "ndarray")
            return callable::numpy_ndarray;
        if (name == "dtype")
            return callable::numpy_dtype;
        return std::nullopt;
    }
    const bool multiarray = module == "numpy.core.multiarray" || module == "numpy._core.multiarray";
    if (multiarray && name == "_reconstruct")
        return callable::numpy_reconstruct;
    if (multiarray && name == "scalar")
        return callable::numpy_scalar;
    if ((module == "numpy.core.numeric" || module == "numpy._core.numeric") &&
        name == "_frombuffer")
        return callable::numpy_frombuffer;
    return std::nullopt;
}

result call_numpy(callable c, tuple& args) {
    switch (c) {
        case callable::numpy_reconstruct:
            return call_reconstruct(args);
        case callable::numpy_dtype:
            return call_dtype(args);
        case callable::numpy_frombuffer:
            return call_frombuffer(args);
        case callable::numpy_scalar:
            return call_scalar(args);
        default:
            break;
    }
    refuse(fmt::format("{} cannot be called (only passed to _reconstruct)", name(c)));
}

result build(const extension& target, value& state) {
    if (const auto* d = target.get_if<dtype_object>()) {
        if (d->built())
            refuse(fmt::format("BUILD of numpy.dtype('{}') twice", d->spec));
        return build_dtype(*d, state);
    }
    if (target.get_if<pending_array>())
        return build_array(state);
    refuse("BUILD of an object that is not a numpy array or dtype");
}

}  // namespace functionfuse::pickle::objects
