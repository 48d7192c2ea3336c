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
        "or the S3 store options, which every command takes), or @config.json (the library's "
        "config).\n"
        "Exit codes: 0 ok, 1 error, 2 usage.",
        "ffuse"};
    app.require_subcommand(1);
    globals g;
    add_store_options(app, g);
    add_ls(app, g);
    add_cat(app, g);
    add_rm(app, g);
    add_du(app, g);
    add_gc(app, g);
    add_cp(app, g);
    // The same S3 store options on every command: each command's --help lists them, and they
    // may come before or after the command.
    for (CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; }))
        add_store_options(*cmd, g);

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
