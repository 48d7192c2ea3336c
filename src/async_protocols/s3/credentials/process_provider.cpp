#include "async_protocols/s3/credentials/process_provider.hpp"

#include <sys/wait.h>

#include <cstdio>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/credentials/credential_values.hpp"

namespace functionfuse::s3 {

timed_credentials process_provider::fetch() {
    FILE* pipe = ::popen(command_.c_str(), "r");
    if (!pipe)
        throw config_error(field_, "credential_process: cannot start the command");
    std::string out;
    bool too_large = false;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) {
        if (out.size() + n > 64 * 1024) {
            too_large = true;
            continue;  // drained so that the child is not blocked on a full pipe
        }
        out.append(buf, n);
    }
    const int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string how = status != -1 && WIFEXITED(status)
                                    ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                    : std::string("did not exit normally");
        throw config_error(field_, "credential_process: the command " + how);
    }
    if (too_large)
        throw config_error(field_, "credential_process: the output is larger than 64 KiB");
    try {
        return parse_credentials_json(out, "SessionToken", false);
    } catch (const bad_credentials& e) {
        throw config_error(field_, "credential_process: malformed output (not shown): " + e.reason);
    }
}

}  // namespace functionfuse::s3
