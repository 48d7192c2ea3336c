// ffuse: look into, copy and repair functionfuse stores from the command line.
// Exit codes: 0 ok, 1 error (the message names the store, workflow and task), 2 usage.
#include <iostream>

#include "ffuse.hpp"

int main(int argc, char** argv) {
    using namespace ffuse;
    CLI::App app{
        "ffuse: look into, copy and repair functionfuse stores.\n"
        "STORE is a directory (file store), s3://bucket[/prefix] (S3; endpoint, region and "
        "credentials from AWS_* variables and ~/.aws profiles, as the library reads them, "
        "or the flags below), or @config.json (the library's config).\n"
        "Exit codes: 0 ok, 1 error, 2 usage.",
        "ffuse"};
    app.require_subcommand(1);
    app.fallthrough();  // the S3 flags may come before or after the command
    globals g;
    app.add_option("--endpoint", g.endpoint, "S3 endpoint URL (e.g. http://127.0.0.1:9000)");
    app.add_option("--region", g.region, "S3 region");
    app.add_option("--profile", g.profile, "AWS profile (~/.aws/credentials, ~/.aws/config)");
    app.add_option("--addressing", g.addressing, "S3 addressing: auto, path or virtual");
    app.add_option("--ca-file", g.ca_file, "CA bundle for https endpoints");
    add_ls(app, g);
    add_cat(app, g);
    add_rm(app, g);
    add_du(app, g);
    add_gc(app, g);
    add_cp(app, g);

    std::string command = "ffuse";
    try {
        app.parse(argc, argv);
        return exit_code();
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    } catch (const usage_error& e) {
        std::cerr << "ffuse: " << e.what() << "\n";
        return exit_usage;
    } catch (const std::exception& e) {
        for (const auto* sub : app.get_subcommands())
            command = "ffuse " + sub->get_name();
        std::cerr << command << ": " << e.what() << "\n";
        return exit_error;
    }
}
