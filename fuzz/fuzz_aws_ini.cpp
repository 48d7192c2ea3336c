// libFuzzer target: functionfuse::fuzz::aws_ini (see entry_points.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    functionfuse::fuzz::aws_ini(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
