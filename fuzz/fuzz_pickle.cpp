// libFuzzer target: functionfuse::fuzz::pickle_loads (see entry_points.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    functionfuse::fuzz::pickle_loads(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
