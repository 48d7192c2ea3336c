#pragma once
// The config of a file store in a test's scratch directory. fsync is off: the tests check what
// is published and what is left behind, not durability across power loss (crash_test does that).
#include <filesystem>

#include <boost/json.hpp>

namespace ff_test {

inline boost::json::value file_store_config(const std::filesystem::path& root) {
    return boost::json::value{{"kind", "file"},
                              {"options", {{"path", root.string()}, {"fsync", false}}}};
}

}  // namespace ff_test
