#pragma once
// Test helpers for the pickle reader's refusals, shared by the pickle test files.
#include <string>

#include "functionfuse/error.hpp"
#include "pickle/pickle.hpp"

namespace pickle_test {

/// The message of the invalid_pickle that loading `data` raises ("" if it loads).
inline std::string error_of(const std::string& data,
                            const functionfuse::pickle::read_options& options = {}) {
    try {
        (void)functionfuse::pickle::loads(data, {}, options);
    } catch (const functionfuse::invalid_pickle& e) {
        return e.what();
    }
    return "";
}

inline bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace pickle_test
