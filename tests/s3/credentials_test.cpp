// Credentials/region/endpoint resolution: precedence, profile files, errors without secrets.
// The environment is injected (a map), and profile files are temp files, so the real
// environment and ~/.aws are never touched.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include <functionfuse/error.hpp>

#include "async_protocols/s3/credentials/credentials.hpp"
#include "credentials_env_test.hpp"

namespace s3 = functionfuse::s3;

namespace {

using ff_test::env_map;
using ff_test::env_of;
using ff_test::write_file;

// Runs `f`, expecting a config_error; returns it.
template <class F>
functionfuse::config_error expect_config_error(F&& f) {
    try {
        f();
    } catch (const functionfuse::config_error& e) {
        return e;
    }
    ADD_FAILURE() << "no config_error thrown";
    return functionfuse::config_error("none", "none");
}

const char* const secret = "s3cr3t/Value+WithSpecials#1";

using Credentials = ff_test::credentials_env_test;

TEST_F(Credentials, ExplicitConfigWinsOverEnvironmentAndFiles) {
    write_file(creds_file(), "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = f\n");
    auto env = base_env();
    env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
    env["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    env["AWS_REGION"] = "eu-west-1";
    env["AWS_ENDPOINT_URL"] = "http://env:9000";
    s3::credentials_config cfg;
    cfg.access_key_id = "CFGKEY";
    cfg.secret_access_key = secret;
    cfg.session_token = "cfgtoken";
    cfg.region = "ap-south-1";
    cfg.endpoint_url = "https://cfg.example";
    auto r = s3::resolve_settings(cfg, env_of(env));
    EXPECT_EQ(r.creds.access_key_id, "CFGKEY");
    EXPECT_EQ(r.creds.secret_access_key, secret);
    EXPECT_EQ(r.creds.session_token, "cfgtoken");
    EXPECT_EQ(r.region, "ap-south-1");
    EXPECT_EQ(r.endpoint_url, "https://cfg.example");
    EXPECT_EQ(r.credentials_source, "configuration");
}

TEST_F(Credentials, EnvironmentIsUsedWhenConfigIsSilent) {
    write_file(creds_file(), "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = f\n");
    auto env = base_env();
    env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
    env["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    env["AWS_SESSION_TOKEN"] = "envtoken";
    env["AWS_DEFAULT_REGION"] = "us-west-2";
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4568";
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id, "ENVKEY");
    EXPECT_EQ(r.creds.secret_access_key, "envsecret");
    EXPECT_EQ(r.creds.session_token, "envtoken");
    EXPECT_EQ(r.region, "us-west-2");
    EXPECT_EQ(r.endpoint_url, "http://127.0.0.1:4568");
    EXPECT_EQ(r.credentials_source, "environment");

    env["AWS_REGION"] = "eu-central-1";  // AWS_REGION beats AWS_DEFAULT_REGION
    env["AWS_ENDPOINT_URL_S3"] = "http://s3-specific:1";
    r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.region, "eu-central-1");
    EXPECT_EQ(r.endpoint_url, "http://s3-specific:1");
}

TEST_F(Credentials, DefaultProfileFromHomeFilesWithRegionFromConfig) {
    write_file(creds_file(),
               "# comment\n[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = " +
                   std::string(secret) + "\n");
    write_file(config_file(), "[default]\nregion = eu-north-1\n");
    auto r = s3::resolve_settings({}, env_of(base_env()));
    EXPECT_EQ(r.creds.access_key_id, "FILEKEY");
    EXPECT_EQ(r.creds.secret_access_key, secret) << "'#' inside a value is kept";
    EXPECT_EQ(r.creds.session_token, "");
    EXPECT_EQ(r.region, "eu-north-1");
    EXPECT_EQ(r.endpoint_url, "");
    EXPECT_NE(r.credentials_source.find("profile 'default'"), std::string::npos);
    EXPECT_EQ(r.credentials_source.find(secret), std::string::npos);
}

TEST_F(Credentials, NamedProfileFromEnvironmentMergesBothFilesCredentialsFileFirst) {
    write_file(creds_file(),
               "[default]\naws_access_key_id = DEF\naws_secret_access_key = d\n"
               "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\n"
               "aws_session_token = devtoken\n");
    write_file(config_file(),
               "[default]\nregion = us-east-2\n"
               "[profile dev]\nregion = sa-east-1\naws_access_key_id = IGNORED\n"
               "s3 =\n  endpoint_url = http://minio:9000\n  addressing_style = path\n");
    auto env = base_env();
    env["AWS_PROFILE"] = "dev";
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id, "DEVKEY");
    EXPECT_EQ(r.creds.secret_access_key, "devsecret");
    EXPECT_EQ(r.creds.session_token, "devtoken");
    EXPECT_EQ(r.region, "sa-east-1");
    EXPECT_EQ(r.endpoint_url, "http://minio:9000");

    s3::credentials_config cfg;
    cfg.profile = "default";  // the config's profile beats AWS_PROFILE
    r = s3::resolve_settings(cfg, env_of(env));
    EXPECT_EQ(r.creds.access_key_id, "DEF");
    EXPECT_EQ(r.region, "us-east-2");
}

TEST_F(Credentials, ExplicitFilePathsFromEnvironmentAndProfileOnlyInConfig) {
    auto other_creds = home.path() / "elsewhere" / "creds";
    auto other_config = home.path() / "elsewhere" / "conf";
    write_file(other_creds, "[unrelated]\naws_access_key_id = X\naws_secret_access_key = y\n");
    write_file(other_config,
               "[profile ci]\naws_access_key_id = CIKEY\naws_secret_access_key = cisecret\n"
               "region = ca-central-1\nendpoint_url = https://ci.example:8443\n");
    env_map env{{"AWS_SHARED_CREDENTIALS_FILE", other_creds.string()},
                {"AWS_CONFIG_FILE", other_config.string()},
                {"AWS_PROFILE", "ci"}};  // and no HOME at all
    auto r = s3::resolve_settings({}, env_of(env));
    EXPECT_EQ(r.creds.access_key_id, "CIKEY");
    EXPECT_EQ(r.creds.secret_access_key, "cisecret");
    EXPECT_EQ(r.region, "ca-central-1");
    EXPECT_EQ(r.endpoint_url, "https://ci.example:8443");
}

TEST_F(Credentials, AnonymousOnlyWhenAskedFor) {
    s3::credentials_config cfg;
    cfg.anonymous = true;
    auto env = base_env();
    env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
    env["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    auto r = s3::resolve_settings(cfg, env_of(env));
    EXPECT_TRUE(r.creds.anonymous());
    EXPECT_EQ(r.creds.secret_access_key, "");
    EXPECT_EQ(r.region, "us-east-1");

    auto e = expect_config_error([&] { s3::resolve_settings({}, env_of(base_env())); });
    EXPECT_EQ(e.field(), "credentials");
    EXPECT_NE(std::string(e.what()).find("anonymous"), std::string::npos);
}

TEST_F(Credentials, MissingNamedProfileIsAnError) {
    write_file(creds_file(), "[default]\naws_access_key_id = A\naws_secret_access_key = b\n");
    auto env = base_env();
    env["AWS_PROFILE"] = "typo";
    auto e = expect_config_error([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_EQ(e.field(), "AWS_PROFILE");
    EXPECT_NE(std::string(e.what()).find("'typo'"), std::string::npos);
}

TEST_F(Credentials, HalfGivenKeyPairsAreErrorsWithoutTheSecret) {
    auto env = base_env();
    env["AWS_SECRET_ACCESS_KEY"] = secret;
    auto e = expect_config_error([&] { s3::resolve_settings({}, env_of(env)); });
    EXPECT_EQ(e.field(), "AWS_ACCESS_KEY_ID");
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos);

    s3::credentials_config cfg;
    cfg.secret_access_key = secret;
    e = expect_config_error([&] { s3::resolve_settings(cfg, env_of(base_env())); });
    EXPECT_EQ(e.field(), "options.s3fs.key");
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos);

    write_file(creds_file(), "[default]\naws_secret_access_key = " + std::string(secret) + "\n");
    e = expect_config_error([&] { s3::resolve_settings({}, env_of(base_env())); });
    EXPECT_NE(std::string(e.what()).find("without aws_access_key_id"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos);
}

TEST_F(Credentials, MalformedFileErrorNamesFileAndLineButNotTheSecret) {
    // A missing '=' on the secret line: the text must not echo the line.
    write_file(creds_file(), "[default]\naws_access_key_id = A\naws_secret_access_key " +
                                 std::string(secret) + "\n");
    auto e = expect_config_error([&] { s3::resolve_settings({}, env_of(base_env())); });
    EXPECT_EQ(e.field(), creds_file().string() + ":3");
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
}

TEST_F(Credentials, ControlBytesInProfileValuesAreRefusedNamingTheEntry) {
    // A CR inside a value survives the line split ('\n') and the trim (ends only); sent in
    // x-amz-security-token it would end the header line early.
    write_file(creds_file(), "[default]\naws_access_key_id = A\naws_secret_access_key = " +
                                 std::string(secret) + "\naws_session_token = tok\rX-Evil: 1\n");
    auto e = expect_config_error([&] { s3::resolve_settings({}, env_of(base_env())); });
    EXPECT_NE(e.field().find("aws_session_token"), std::string::npos) << e.field();
    EXPECT_NE(e.field().find(creds_file().string()), std::string::npos) << e.field();
    EXPECT_EQ(std::string(e.what()).find("X-Evil"), std::string::npos) << e.what();
}

TEST(ParseIni, SectionsKeysCommentsAndNestedBlocks) {
    auto s = s3::parse_ini(
        "; leading comment\n"
        "[default]\r\n"
        "  Region = us-east-1  \n"
        "\n"
        "# another\n"
        "[profile x]\n"
        "s3 =\n"
        "    addressing_style = virtual\n"
        "    endpoint_url=http://h:1\n"
        "output = json\n"
        "key = a=b\n",
        "test.ini");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s["default"]["region"], "us-east-1");
    EXPECT_EQ(s["profile x"]["s3"], "");
    EXPECT_EQ(s["profile x"]["s3.addressing_style"], "virtual");
    EXPECT_EQ(s["profile x"]["s3.endpoint_url"], "http://h:1");
    EXPECT_EQ(s["profile x"]["output"], "json");
    EXPECT_EQ(s["profile x"]["key"], "a=b");
}

TEST(ParseIni, RejectsKeysOutsideSectionsAndBrokenHeaders) {
    auto e = expect_config_error([] { s3::parse_ini("key = v\n", "f.ini"); });
    EXPECT_EQ(e.field(), "f.ini:1");
    e = expect_config_error([] { s3::parse_ini("[ok]\n[broken\n", "f.ini"); });
    EXPECT_EQ(e.field(), "f.ini:2");
}

TEST(ReadIniFile, AbsentFileHasNoSections) {
    ff_test::temp_dir dir;
    EXPECT_TRUE(s3::read_ini_file(dir.path() / "nope").empty());
}

TEST(ProcessEnvironment, ReadsTheRealEnvironmentWithoutChangingIt) {
    auto env = s3::process_environment();
    ASSERT_TRUE(env("PATH").has_value());
    EXPECT_FALSE(env("FF_SURELY_UNSET_VARIABLE_1b7c").has_value());
}

}  // namespace
