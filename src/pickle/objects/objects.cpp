// Dispatch from a global or a callable to its family (numpy.cpp, python_stdlib.cpp).

#include "objects.hpp"

namespace functionfuse::pickle::objects {

std::optional<callable> find_global(std::string_view module, std::string_view name) {
    if (auto c = find_numpy_global(module, name))
        return c;
    return find_stdlib_global(module, name);
}

std::string_view name(callable c) noexcept {
    switch (c) {
        case callable::numpy_reconstruct:
            return "numpy.core.multiarray._reconstruct";
        case callable::numpy_ndarray:
            return "numpy.ndarray";
        case callable::numpy_dtype:
            return "numpy.dtype";
        case callable::numpy_frombuffer:
            return "numpy.core.numeric._frombuffer";
        case callable::numpy_scalar:
            return "numpy.core.multiarray.scalar";
        case callable::datetime_date:
            return "datetime.date";
        case callable::datetime_time:
            return "datetime.time";
        case callable::datetime_datetime:
            return "datetime.datetime";
        case callable::datetime_timedelta:
            return "datetime.timedelta";
        case callable::datetime_timezone:
            return "datetime.timezone";
        case callable::ordered_dict:
            return "collections.OrderedDict";
        case callable::complex:
            return "builtins.complex";
        case callable::decimal:
            return "decimal.Decimal";
    }
    return "?";
}

result call(callable c, tuple& args) {
    switch (c) {
        case callable::numpy_reconstruct:
        case callable::numpy_ndarray:
        case callable::numpy_dtype:
        case callable::numpy_frombuffer:
        case callable::numpy_scalar:
            return call_numpy(c, args);
        default:
            return call_stdlib(c, args);
    }
}

bool is_argument(const extension& e) noexcept {
    if (const auto* c = e.get_if<callable>())
        return is_argument_global(*c);
    if (e.get_if<timezone_object>())
        return true;
    const auto* d = e.get_if<dtype_object>();
    return d && d->built();
}

}  // namespace functionfuse::pickle::objects
