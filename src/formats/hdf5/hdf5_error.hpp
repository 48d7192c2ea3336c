#pragma once
// HDF5 failures as io_error naming the file. HDF5's automatic error printing is switched off
// for each thread that calls HDF5 (its error stack is per thread in the thread-safe build) and
// the stack's messages are collected into the exception instead.
#include <filesystem>
#include <string_view>

#include <hdf5.h>

namespace functionfuse::hdf5 {

/// Switches off HDF5's stderr printing for the calling thread (cheap after the first call).
void quiet_this_thread();

/// Throws `io_error`: "HDF5: <what> '<file>': <messages from the error stack>", clearing it.
[[noreturn]] void fail(const std::filesystem::path& file, std::string_view what);

/// Returns `r` if it is not negative, else `fail(file, what)`.
template <class R>
R check(R r, const std::filesystem::path& file, std::string_view what) {
    if (r < 0)
        fail(file, what);
    return r;
}

}  // namespace functionfuse::hdf5
