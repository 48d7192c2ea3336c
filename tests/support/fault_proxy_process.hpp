#pragma once
// tests/tools/fault_proxy run in front of a local server for one test; stopped on destruction.
// The including test target defines FF_FAULT_PROXY_PATH (the built proxy's path) and depends
// on the fault_proxy target.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace ff_test {

class fault_proxy_process {
  public:
    /// Starts the proxy towards 127.0.0.1:`upstream_port` with extra command-line `args`
    /// ("--latency-ms 20", "--reset-rate 0.1 --seed 7", ...) and waits for its port.
    fault_proxy_process(std::uint16_t upstream_port, const std::string& args) {
        int out[2];
        if (::pipe(out) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            const std::string cmd = std::string("exec '") + FF_FAULT_PROXY_PATH +
                                    "' --upstream 127.0.0.1:" + std::to_string(upstream_port) +
                                    " " + args;
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
            throw std::runtime_error("fault_proxy did not start");
        }
        port_ = static_cast<std::uint16_t>(port);
    }
    fault_proxy_process(const fault_proxy_process&) = delete;
    fault_proxy_process& operator=(const fault_proxy_process&) = delete;
    ~fault_proxy_process() { stop(); }

    /// The port the proxy listens on (127.0.0.1).
    std::uint16_t port() const { return port_; }

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

}  // namespace ff_test
