#pragma once
// tests/tools/aws_credentials_server.py (loopback IMDSv2, container endpoint or STS) run for
// one test; stopped on destruction. FF_SOURCE_DIR is compiled into every test (ff_test).

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace ff_test {

class credentials_server_process {
  public:
    /// Starts the server with command-line `args` ("--mode imds --lifetime 4", ...) and waits
    /// for its port.
    explicit credentials_server_process(const std::string& args) {
        int out[2];
        if (::pipe(out) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            const std::string cmd = std::string("exec /usr/bin/python3 '") + FF_SOURCE_DIR +
                                    "/tests/tools/aws_credentials_server.py' " + args;
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* f = ::fdopen(out[0], "r");
        unsigned port = 0;
        const bool ok = f && std::fscanf(f, "listening on %u", &port) == 1;
        if (f)
            std::fclose(f);
        if (!ok) {
            stop();
            throw std::runtime_error("aws_credentials_server.py did not start");
        }
        port_ = static_cast<std::uint16_t>(port);
    }
    credentials_server_process(const credentials_server_process&) = delete;
    credentials_server_process& operator=(const credentials_server_process&) = delete;
    ~credentials_server_process() { stop(); }

    std::uint16_t port() const { return port_; }
    /// "http://127.0.0.1:PORT"
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

/// The text of a file ("" when unreadable).
inline std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace ff_test
