#pragma once
// tests/tools/aws_credentials_server.py (loopback IMDSv2, container endpoint or STS) run for
// one test; stopped on destruction. FF_SOURCE_DIR is compiled into every test (ff_test).

#include <fstream>
#include <iterator>
#include <string>

#include "loopback_process.hpp"

namespace ff_test {

class credentials_server_process : public loopback_process {
  public:
    /// Starts the server with command-line `args` ("--mode imds --lifetime 4", ...) and waits
    /// for its port.
    explicit credentials_server_process(const std::string& args)
        : loopback_process(std::string("exec /usr/bin/python3 '") + FF_SOURCE_DIR +
                               "/tests/tools/aws_credentials_server.py' " + args,
                           "aws_credentials_server.py") {}
};

/// The text of a file ("" when unreadable).
inline std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace ff_test
