# Every third-party dependency, found once. Used by the build and (via find_dependency) by
# functionfuseConfig.cmake for consumers.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(fmt REQUIRED)
find_package(xtensor REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(BLOSC REQUIRED IMPORTED_TARGET blosc)
# FindHDF5 probes with a C program: a consumer project may have enabled only C++.
if(NOT CMAKE_C_COMPILER_LOADED)
  enable_language(C)
endif()
set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 REQUIRED COMPONENTS C)
