#include "formats/hdf5/hdf5_error.hpp"

#include <string>

#include "functionfuse/error.hpp"
#include "value/error_text.hpp"

namespace functionfuse::hdf5 {

void quiet_this_thread() {
    thread_local bool done = false;
    if (!done) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        done = true;
    }
}

namespace {
herr_t collect(unsigned n, const H5E_error2_t* e, void* out) {
    auto& msg = *static_cast<std::string*>(out);
    if (n > 3)
        return 0;  // the innermost few frames say what went wrong; the rest is noise
    if (!msg.empty())
        msg += "; ";
    msg += e->desc ? e->desc : "?";
    if (e->func_name) {
        msg += " (";
        msg += e->func_name;
        msg += ")";
    }
    return 0;
}
}  // namespace

void fail(const std::filesystem::path& file, std::string_view what) {
    std::string stack;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &stack);
    H5Eclear2(H5E_DEFAULT);
    std::string msg = "HDF5: " + std::string(what) + " '" + detail::shown(file.string()) + "'";
    if (!stack.empty())
        msg += ": " + stack;
    throw io_error(msg);
}

}  // namespace functionfuse::hdf5
