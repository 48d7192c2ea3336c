// The logger: filter specs, levels per component, the sink, escaping, and FUNCTIONFUSE_LOG
// read from the environment (in a child process, since it is read once per process).
#include <array>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "functionfuse/error.hpp"
#include "functionfuse/log.hpp"
#include "log/log.hpp"

namespace ff = functionfuse;

namespace {

struct captured {
    ff::log_level level;
    std::string component;
    std::string message;
};

// Installs a sink that records every message; restores stderr and the default filter after.
class LogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ff::set_log_sink(
            [this](ff::log_level level, std::string_view component, std::string_view message) {
                std::lock_guard lock(mutex_);
                messages_.push_back({level, std::string(component), std::string(message)});
            });
    }
    void TearDown() override {
        ff::set_log_sink({});
        ff::set_log_level(ff::log_level::warn);
    }
    std::vector<captured> messages() {
        std::lock_guard lock(mutex_);
        return messages_;
    }

  private:
    std::mutex mutex_;
    std::vector<captured> messages_;
};

TEST_F(LogTest, DefaultPassesWarningsAndErrorsOnly) {
    ff::set_log_level(ff::log_level::warn);
    ff::detail::log(ff::log_level::error, "s3", "e {}", 1);
    ff::detail::log(ff::log_level::warn, "s3", "w {}", 2);
    ff::detail::log(ff::log_level::info, "s3", "i {}", 3);
    ff::detail::log(ff::log_level::debug, "s3", "d {}", 4);
    const auto got = messages();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].message, "e 1");
    EXPECT_EQ(got[0].level, ff::log_level::error);
    EXPECT_EQ(got[1].message, "w 2");
    EXPECT_EQ(got[1].component, "s3");
}

TEST_F(LogTest, OffPassesNothing) {
    ff::set_log_level(ff::log_level::off);
    ff::detail::log(ff::log_level::error, "s3", "nothing");
    EXPECT_TRUE(messages().empty());
    EXPECT_FALSE(ff::log_enabled(ff::log_level::error, "s3"));
}

TEST_F(LogTest, ComponentEntriesCoverTheirChildrenAndTheLongestWins) {
    ff::set_log_filter("warn, s3=debug, s3.retry=trace, file=off");
    EXPECT_TRUE(ff::log_enabled(ff::log_level::debug, "s3"));
    EXPECT_TRUE(ff::log_enabled(ff::log_level::debug, "s3.multipart"));
    EXPECT_FALSE(ff::log_enabled(ff::log_level::trace, "s3.multipart"));
    EXPECT_TRUE(ff::log_enabled(ff::log_level::trace, "s3.retry"));
    EXPECT_FALSE(ff::log_enabled(ff::log_level::debug, "s3x"));  // not a child of "s3"
    EXPECT_FALSE(ff::log_enabled(ff::log_level::debug, "storage"));
    EXPECT_TRUE(ff::log_enabled(ff::log_level::warn, "storage"));
    EXPECT_FALSE(ff::log_enabled(ff::log_level::error, "file.hdf5"));
}

TEST_F(LogTest, ABadSpecIsAConfigErrorAndKeepsTheFilter) {
    ff::set_log_filter("debug");
    for (const char* bad : {"loud", "warn,info", "s3=", "=debug", "s3/x=debug", "s3=chatty"}) {
        try {
            ff::set_log_filter(bad);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const ff::config_error& e) {
            EXPECT_EQ(e.field(), "FUNCTIONFUSE_LOG") << bad;
        }
    }
    EXPECT_TRUE(ff::log_enabled(ff::log_level::debug, "any"));
}

TEST_F(LogTest, LevelNamesParseCaseInsensitively) {
    EXPECT_EQ(ff::parse_log_level("DEBUG"), ff::log_level::debug);
    EXPECT_EQ(ff::parse_log_level("Warning"), ff::log_level::warn);
    EXPECT_EQ(ff::parse_log_level("off"), ff::log_level::off);
    EXPECT_FALSE(ff::parse_log_level("verbose"));
    EXPECT_EQ(ff::to_string(ff::log_level::trace), "trace");
}

TEST_F(LogTest, ControlCharactersCannotForgeALine) {
    ff::set_log_level(ff::log_level::info);
    const std::string hostile = "task\r\nfunctionfuse error s3: forged";
    ff::detail::log(ff::log_level::info, "storage", "saved {}", hostile);
    const auto got = messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message.find('\n'), std::string::npos);
    EXPECT_EQ(got[0].message.find('\r'), std::string::npos);
    EXPECT_NE(got[0].message.find("\\x0d\\x0a"), std::string::npos);
}

TEST_F(LogTest, AThrowingSinkDoesNotFailTheCaller) {
    ff::set_log_sink([](ff::log_level, std::string_view, std::string_view) {
        throw std::runtime_error("sink down");
    });
    EXPECT_NO_THROW(ff::detail::log(ff::log_level::error, "s3", "still fine"));
}

// FUNCTIONFUSE_LOG is read once, when the logger is first used: check it in a fresh process
// (this test binary, running only the child test below) and read what it wrote to stderr.
std::string run_child(const std::string& env) {
    const std::string command = env + " /proc/" + std::to_string(::getpid()) +
                                "/exe --gtest_filter=LogChild.WritesAtEveryLevel 2>&1";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return out;
    std::array<char, 4096> buffer{};
    while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe))
        out.append(buffer.data(), n);
    ::pclose(pipe);
    return out;
}

TEST(LogChild, WritesAtEveryLevel) {
    for (auto level : {ff::log_level::error, ff::log_level::warn, ff::log_level::info,
                       ff::log_level::debug, ff::log_level::trace})
        ff::detail::log(level, "s3.retry", "child says {}", ff::to_string(level));
}

TEST(LogEnvironment, FunctionfuseLogChoosesTheLevel) {
    const std::string debug = run_child("FUNCTIONFUSE_LOG=debug");
    EXPECT_NE(debug.find("functionfuse debug s3.retry: child says debug"), std::string::npos)
        << debug;
    EXPECT_EQ(debug.find("child says trace"), std::string::npos) << debug;

    const std::string by_component = run_child("FUNCTIONFUSE_LOG=error,s3.retry=info");
    EXPECT_NE(by_component.find("child says info"), std::string::npos) << by_component;
    EXPECT_EQ(by_component.find("child says debug"), std::string::npos) << by_component;

    const std::string unset = run_child("env -u FUNCTIONFUSE_LOG");
    EXPECT_NE(unset.find("functionfuse warn s3.retry: child says warn"), std::string::npos)
        << unset;
    EXPECT_EQ(unset.find("child says info"), std::string::npos) << unset;

    const std::string bad = run_child("FUNCTIONFUSE_LOG=chatty");
    EXPECT_NE(bad.find("FUNCTIONFUSE_LOG"), std::string::npos) << bad;
    EXPECT_NE(bad.find("child says warn"), std::string::npos) << bad;  // default kept
}

}  // namespace
