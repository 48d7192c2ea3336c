#pragma once
// tests/tools/fault_proxy run in front of a local server for one test; stopped on destruction.
// The including test target defines FF_FAULT_PROXY_PATH (the built proxy's path) and depends
// on the fault_proxy target.

#include <cstdint>
#include <string>

#include "loopback_process.hpp"

namespace ff_test {

class fault_proxy_process : public loopback_process {
  public:
    /// Starts the proxy towards 127.0.0.1:`upstream_port` with extra command-line `args`
    /// ("--latency-ms 20", "--reset-rate 0.1 --seed 7", ...) and waits for its port.
    fault_proxy_process(std::uint16_t upstream_port, const std::string& args)
        : loopback_process(std::string("exec '") + FF_FAULT_PROXY_PATH + "' --upstream 127.0.0.1:" +
                               std::to_string(upstream_port) + " " + args,
                           "fault_proxy") {}
};

}  // namespace ff_test
