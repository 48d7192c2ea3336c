# Included by the top-level CMakeLists.txt before src/ when FUNCTIONFUSE_BUILD_FUZZERS is ON:
# the whole library is built with coverage instrumentation for libFuzzer and with ASan+UBSan,
# so a fuzzer sees (and a sanitizer checks) our code, not just the target's few lines.
# Use a build folder of its own (scripts/fuzz.sh uses build-fuzz/).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FUNCTIONFUSE_BUILD_FUZZERS needs clang (libFuzzer): "
                      "configure with CC=clang-14 CXX=clang++-14, or use scripts/fuzz.sh")
endif()
# UBSan findings abort (no recovery), so the fuzzer counts them as crashes. clang 14's
# -fsanitize=function (part of "undefined" there) cannot compile our coroutines ("Cannot
# represent a difference across sections", LLVM issue 49689): it is left out.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
