#pragma once
// A helper server of the tests (a loopback proxy, a fake credentials endpoint, ...) run as a
// child process for one test: started by a shell command, it prints "listening on PORT" on its
// stdout once it accepts connections on 127.0.0.1; stopped (SIGTERM, then reaped) on
// destruction.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace ff_test {

class loopback_process {
  public:
    /// Runs `command` with /bin/sh (which should `exec` the server, so that the signal reaches
    /// it) and waits for its port. Throws std::runtime_error naming `what` when the process
    /// exits or prints anything else first.
    loopback_process(const std::string& command, const std::string& what) {
        int out[2];
        if (::pipe(out) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* f = ::fdopen(out[0], "r");
        unsigned port = 0;
        const bool ok = f && std::fscanf(f, "listening on %u", &port) == 1;
        if (f)
            std::fclose(f);
        else
            ::close(out[0]);
        if (!ok) {
            stop();
            throw std::runtime_error(what + " did not start");
        }
        port_ = static_cast<std::uint16_t>(port);
    }
    loopback_process(const loopback_process&) = delete;
    loopback_process& operator=(const loopback_process&) = delete;
    ~loopback_process() { stop(); }

    /// The port the process listens on (127.0.0.1).
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

}  // namespace ff_test
