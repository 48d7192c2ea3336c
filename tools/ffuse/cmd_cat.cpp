// ffuse cat STORE WORKFLOW TASK: one task's value as JSON (default) or Python repr.
#include <iostream>

#include <boost/json.hpp>

#include "ffuse.hpp"
#include "render.hpp"

namespace ffuse {

namespace {
struct cat_args {
    std::string store, workflow, task, region;
    bool repr = false, array = false, pretty = false;
};

void print_pretty(std::ostream& os, const boost::json::value& v, std::string indent) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            const auto& o = v.as_object();
            if (o.empty()) {
                os << "{}";
                return;
            }
            os << "{\n";
            bool first = true;
            for (const auto& kv : o) {
                os << (first ? "" : ",\n") << indent << "  " << boost::json::serialize(kv.key())
                   << ": ";
                print_pretty(os, kv.value(), indent + "  ");
                first = false;
            }
            os << "\n" << indent << "}";
            return;
        }
        case boost::json::kind::array: {
            const auto& a = v.as_array();
            bool scalars = true;
            for (const auto& x : a)
                scalars = scalars && !x.is_object() && !x.is_array();
            if (a.empty() || scalars) {
                os << boost::json::serialize(v);
                return;
            }
            os << "[\n";
            bool first = true;
            for (const auto& x : a) {
                os << (first ? "" : ",\n") << indent << "  ";
                print_pretty(os, x, indent + "  ");
                first = false;
            }
            os << "\n" << indent << "]";
            return;
        }
        default:
            os << boost::json::serialize(v);
    }
}
}  // namespace

void add_cat(CLI::App& app, const globals& g) {
    auto a = std::make_shared<cat_args>();
    auto* cmd = app.add_subcommand(
        "cat",
        "Print one task's value: JSON by default (mapping in README.md: tuples and sets as "
        "arrays, bytes as {\"$bytes\": base64}, dicts with non-str keys as [key, value] pairs, "
        "NaN/Infinity as strings), or Python repr. Arrays are summarized (dtype, shape, "
        "chunks) unless --array; --region reads a part of each array.");
    cmd->add_option("STORE", a->store, "a directory, s3://bucket/prefix or @config.json")
        ->required();
    cmd->add_option("WORKFLOW", a->workflow, "the workflow")->required();
    cmd->add_option("TASK", a->task, "the task")->required();
    cmd->add_flag("--repr", a->repr, "print Python's repr instead of JSON");
    cmd->add_flag("--array", a->array, "read arrays and print their elements");
    auto* region_option = cmd->add_option(
        "--region", a->region,
        "read only this part of each array (implies --array): numpy slices, one per "
        "dimension, e.g. 0:10,5:20 or 3,: (an index keeps its dimension; negative "
        "counts from the end; dimensions left out are whole); fetches only the "
        "chunks it touches");
    cmd->add_flag("--pretty", a->pretty, "indent the JSON");
    cmd->callback([a, &g, region_option] {
        std::optional<region_spec> region;
        if (region_option->count() > 0) {
            region = parse_region(a->region);  // a usage error before the store is opened
            a->array = true;
        }
        auto s = open_store(a->store, g, true);
        std::string wf = a->workflow, task = a->task;
        ff::value v = run(s->read_task(wf, task));
        if (a->array)
            run(read_arrays(v, region ? &*region : nullptr));
        if (a->repr) {
            std::cout << to_repr(v, a->array) << "\n";
        } else if (a->pretty) {
            print_pretty(std::cout, to_json(v, a->array), "");
            std::cout << "\n";
        } else {
            std::cout << boost::json::serialize(to_json(v, a->array)) << "\n";
        }
    });
}

}  // namespace ffuse
