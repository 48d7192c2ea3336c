#pragma once
// Test helper: runs Debian's /usr/bin/python3 (which sees python3-h5py, -zarr, -boto3) on a
// script, returning its exit code and combined output.
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace ff_test {

struct python_result {
    int exit_code;
    std::string output;
};

/// Writes `script` to a file and runs `/usr/bin/python3 <file> <args>`.
inline python_result run_python(const std::string& script, const std::string& args = "") {
    auto file = std::filesystem::temp_directory_path() /
                ("ff-py-" + std::to_string(::getpid()) + "-" +
                 std::to_string(reinterpret_cast<std::uintptr_t>(&script)) + ".py");
    {
        std::ofstream out(file);
        out << script;
    }
    std::string cmd = "/usr/bin/python3 " + file.string() + " " + args + " 2>&1";
    python_result r{-1, {}};
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        std::array<char, 4096> buf;
        std::size_t n;
        while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
            r.output.append(buf.data(), n);
        int status = ::pclose(p);
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::filesystem::remove(file);
    return r;
}

}  // namespace ff_test
