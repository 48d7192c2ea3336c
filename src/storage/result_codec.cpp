#include "storage/result_codec.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "functionfuse/error.hpp"
#include "functionfuse/storage.hpp"
#include "log/log.hpp"
#include "pickle/checksum.hpp"
#include "pickle/pickle.hpp"
#include "storage/async_util.hpp"
#include "value/error_text.hpp"

namespace functionfuse::detail {

namespace {

using entry = serializer_registry::entry;

std::string demangle(std::type_index type) {
    int status = 0;
    char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : type.name();
    std::free(name);
    return out;
}

/// An extension object found in a value being saved, with the serializer that stores it.
struct found_object {
    extension object;
    const entry* serializer;
};

template <class F>
void for_each_child(const value& v, F&& f) {
    auto each = [&](const std::vector<value>& xs) {
        for (const auto& x : xs)
            f(x);
    };
    switch (v.kind()) {
        case value::kind_t::list:
            each(v.get<list>());
            break;
        case value::kind_t::tuple:
            each(v.get<tuple>());
            break;
        case value::kind_t::set:
            each(v.get<set>());
            break;
        case value::kind_t::frozenset:
            each(v.get<frozenset>());
            break;
        case value::kind_t::dict:
            for (const auto& [k, x] : v.get<dict>()) {
                f(k);
                f(x);
            }
            break;
        default:
            break;
    }
}

bool is_leaf(const value& v) {
    switch (v.kind()) {
        case value::kind_t::list:
        case value::kind_t::tuple:
        case value::kind_t::set:
        case value::kind_t::frozenset:
        case value::kind_t::dict:
        case value::kind_t::extension:
            return false;
        default:
            return true;
    }
}

/// Every distinct extension object in `root` (by identity), each with its serializer.
/// Iterative, so a deep value cannot overflow the stack here (pickling bounds depth later).
std::vector<found_object> find_objects(const value& root,
                                       const serializer_registry::table& serializers) {
    std::vector<found_object> found;
    std::unordered_set<const void*> seen;
    std::vector<const value*> stack{&root};
    while (!stack.empty()) {
        const value* v = stack.back();
        stack.pop_back();
        if (const auto* e = v->get_if<extension>()) {
            if (!seen.insert(e->get()).second)
                continue;
            const entry* s = serializers.by_class(e->type());
            if (!s)
                throw type_error(
                    fmt::format("cannot save an object of type '{}': no persistent serializer is "
                                "registered for it",
                                demangle(e->type())));
            found.push_back({*e, s});
            continue;
        }
        for_each_child(*v, [&](const value& child) {
            if (!is_leaf(child))
                stack.push_back(&child);
        });
    }
    return found;
}

/// Placeholder that `loads` puts where a persistent id was, until the object is loaded.
struct pid_slot {
    std::size_t index;
};

void substitute(value& v, std::vector<value>& objects) {
    if (auto* e = v.get_if<extension>()) {
        if (const auto* slot = e->get_if<pid_slot>())
            v = std::move(objects.at(slot->index));
        return;
    }
    auto each = [&](std::vector<value>& xs) {
        for (auto& x : xs)
            substitute(x, objects);
    };
    if (auto* l = v.get_if<list>()) {
        each(*l);
    } else if (auto* t = v.get_if<tuple>()) {
        each(*t);
    } else if (auto* s = v.get_if<set>()) {
        each(*s);
    } else if (auto* f = v.get_if<frozenset>()) {
        each(*f);
    } else if (auto* d = v.get_if<dict>()) {
        // Values are replaced in place; keys are hashable, so they hold no persistent ids
        // that could be loaded into objects.
        for (const auto& item : d->items())
            substitute(*d->find(item.first), objects);
    }
}

/// A persistent id read from a task: Python's `(name, payload)`.
struct reference {
    std::string name;
    value payload;
};

reference parse_pid(const value& pid, std::string_view where) {
    const auto* t = pid.get_if<tuple>();
    if (!t || t->size() != 2 || !(*t)[0].is<std::string>())
        throw invalid_pickle(fmt::format(
            "{}: persistent id {} is not a (serializer name, payload) tuple", where, pid.repr()));
    return {(*t)[0].get<std::string>(), (*t)[1]};
}

/// The serializer a stored persistent id names. A name nobody registered is a property of the
/// stored bytes (written by another program, or before a serializer was dropped), not of a C++
/// type: `invalid_pickle` naming it.
const entry& serializer_for(const reference& ref, const serializer_registry::table& serializers,
                            std::string_view where) {
    const entry* s = serializers.by_name(ref.name);
    if (!s)
        throw invalid_pickle(fmt::format(
            "{}: the pickle references persistent serializer '{}', which is not registered with "
            "this storage (register_persistent_serializers)",
            where, ref.name.size() > 200 ? ref.name.substr(0, 200) + "..." : ref.name));
    return *s;
}

/// Verifies and unpickles `stored`, recording persistent ids instead of resolving them.
value decode(std::string_view stored, std::string_view where, std::vector<value>& pids) {
    const std::string_view body = checksum::verify_sha1(stored, where);
    return pickle::loads(body, [&](value pid) {
        pids.push_back(std::move(pid));
        return value(extension::make(pid_slot{pids.size() - 1}));
    });
}

/// Persistent ids by object identity.
using pid_map = std::unordered_map<const void*, value>;

/// The stored form of `v`: protocol-4 pickle (extension objects as BINPERSID over their
/// entry in `pids`) followed by its SHA-1.
std::string encode(const value& v, const pid_map& pids) {
    std::string b = pickle::dumps(
        v,
        [&](const extension& e) -> std::optional<value> {
            auto it = pids.find(e.get());
            if (it == pids.end())
                return std::nullopt;
            return it->second;
        },
        checksum::trailer_size);
    checksum::append_sha1(b);
    return b;
}

awaitable<void> remove_objects(const codec_env& env, const std::string& workflow,
                               const std::vector<const entry*>& serializers,
                               const std::vector<value>& payloads) {
    std::vector<awaitable<void>> ops;
    for (std::size_t i = 0; i < payloads.size(); ++i)
        ops.push_back(
            serializers[i]->serializer->remove(env.store->lent_protocols(), workflow, payloads[i]));
    rethrow_first(co_await gather(std::move(ops)));
}

/// The out-of-band objects a stored result references, read back for removal once it has been
/// replaced: each with the serializer that removes it.
struct references {
    std::vector<const entry*> serializers;
    std::vector<value> payloads;
    /// Whether the task had a stored result at all (what the overwrite estimate learns).
    bool existed = false;
};

/// The references of the result stored for the task now, or none when there is none, it is
/// unreadable (corrupt: what it referenced cannot be known; gc finds it), or it names a
/// serializer that is not registered (nothing can remove those objects here; gc reports them).
awaitable<references> current_references(const codec_env& env, const std::string& workflow,
                                         const std::string& task) {
    references refs;
    if (env.serializers->entries().empty())
        co_return refs;  // nothing could remove them; saves without serializers stay one write
    std::optional<std::string> stored = co_await env.store->get(workflow, task);
    if (!stored)
        co_return refs;
    refs.existed = true;
    const std::string where = env.store->describe(workflow, task);
    auto collect = [&] {
        std::vector<value> pids;
        try {
            decode(*stored, where, pids);
        } catch (const invalid_pickle&) {
            return;
        }
        for (const auto& pid : pids) {
            try {
                reference ref = parse_pid(pid, where);
                const entry* s = env.serializers->by_name(ref.name);
                if (!s)
                    continue;
                refs.serializers.push_back(s);
                refs.payloads.push_back(std::move(ref.payload));
            } catch (const invalid_pickle&) {
            }
        }
    };
    // A named lambda: GCC 12 coroutine rule, CONTRIBUTING.md.
    co_await run_blocking(env.blocking, std::move(collect));
    co_return refs;
}

/// Removes what the replaced result referenced, after the new one was published. The save has
/// succeeded by then, so a failure here is not the caller's: what is left is out-of-band data
/// that no task references, which `collect_garbage` finds.
awaitable<void> remove_replaced(const codec_env& env, const std::string& workflow,
                                const references& old, const std::vector<value>& kept) {
    references doomed;
    for (std::size_t i = 0; i < old.payloads.size(); ++i) {
        // A payload the new result still references (a serializer that deduplicates) stays.
        if (std::find(kept.begin(), kept.end(), old.payloads[i]) != kept.end())
            continue;
        doomed.serializers.push_back(old.serializers[i]);
        doomed.payloads.push_back(old.payloads[i]);
    }
    if (doomed.payloads.empty())
        co_return;
    std::string failure;
    try {
        co_await remove_objects(env, workflow, doomed.serializers, doomed.payloads);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty())
        log(log_level::warn, "storage.save",
            "workflow '{}': the replaced result's out-of-band data was not removed ({}); "
            "collect_garbage will find it",
            shown(workflow), failure);
}

/// Publishes `bytes` as the task and returns the references of the result it replaced, for
/// `remove_replaced` once published. Create-only first where the store supports it and the
/// storage's saves mostly create tasks (overwrite_estimate.hpp): a new task then costs one
/// request and no read. Refused (the task exists) or not tried: read what the task references
/// now, just before replacing it, so that the window in which a concurrent save of the same
/// task can slip in (and leave its objects to gc) stays one request wide. Without registered
/// serializers there is nothing to read (a save is one write already), so nothing is tried.
/// `bytes` is moved from only by the replacing write.
awaitable<references> publish(const codec_env& env, const std::string& workflow,
                              const std::string& task, std::string& bytes) {
    const bool reads_first = !env.serializers->entries().empty();
    bool recorded = false;
    if (reads_first && (!env.overwrites || env.overwrites->try_create_first())) {
        const create_outcome outcome = co_await env.store->put_if_absent(workflow, task, bytes);
        if (outcome == create_outcome::published) {
            if (env.overwrites)
                env.overwrites->record(false);
            co_return references{};
        }
        if (outcome == create_outcome::exists && env.overwrites) {
            env.overwrites->record(true);
            recorded = true;
        }
    }
    references old = co_await current_references(env, workflow, task);
    // A save that did not try still tells the estimate what it found, so that tries resume
    // when a re-run workload turns into one of new tasks.
    if (reads_first && !recorded && env.overwrites)
        env.overwrites->record(old.existed);
    co_await env.store->put_atomic(workflow, task, std::move(bytes));
    co_return old;
}

}  // namespace

awaitable<void> save_result(codec_env env, std::string workflow, std::string task,
                            std::shared_ptr<const value> result) {
    // One hop to the blocking pool finds the extension objects and, in the common case of
    // none, also pickles and hashes the value.
    struct prepared {
        std::vector<found_object> found;
        std::optional<std::string> bytes;
    };
    prepared prep = co_await run_blocking(env.blocking, [&] {
        prepared p;
        p.found = find_objects(*result, *env.serializers);
        if (p.found.empty())
            p.bytes = encode(*result, {});
        return p;
    });
    if (prep.bytes) {
        result.reset();  // the caller's value may be large; hold only the bytes from here
        const references old = co_await publish(env, workflow, task, *prep.bytes);
        const std::vector<value> none;
        // Published: the save has succeeded, so a cancellation arriving now must neither cut
        // the removal short nor turn the outcome into operation_aborted.
        auto removal = remove_replaced(env, workflow, old, none);
        FF_AWAIT_SHIELDED(std::move(removal));
        co_return;
    }
    const std::vector<found_object>& found = prep.found;

    // Out-of-band objects first, all at once: the task's pickle must only be published once
    // everything it references is complete.
    std::vector<const entry*> stored_by;
    std::vector<value> payloads;
    {
        std::vector<awaitable<value>> ops;
        for (const auto& f : found)
            ops.push_back(
                f.serializer->serializer->pickle(env.store->lent_protocols(), workflow, f.object));
        auto outcomes = co_await gather(std::move(ops));
        std::exception_ptr failed;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            if (outcomes[i].error) {
                if (!failed)
                    failed = outcomes[i].error;
            } else {
                stored_by.push_back(found[i].serializer);
                payloads.push_back(std::move(outcomes[i].result));
            }
        }
        if (failed) {
            try {
                // Shielded: after a cancellation too, what was stored must go.
                auto cleanup = remove_objects(env, workflow, stored_by, payloads);
                FF_AWAIT_SHIELDED(std::move(cleanup));
            } catch (...) {  // best effort: the first failure is what the caller needs
            }
            std::rethrow_exception(failed);
        }
    }

    std::exception_ptr failed;
    references old;
    try {
        pid_map pids;
        for (std::size_t i = 0; i < found.size(); ++i)
            pids.emplace(found[i].object.get(),
                         value(tuple{value(found[i].serializer->name), payloads[i]}));
        std::string bytes =
            co_await run_blocking(env.blocking, [&] { return encode(*result, pids); });
        result.reset();
        old = co_await publish(env, workflow, task, bytes);
    } catch (...) {
        failed = std::current_exception();
    }
    if (failed) {
        try {
            auto cleanup = remove_objects(env, workflow, stored_by, payloads);
            FF_AWAIT_SHIELDED(std::move(cleanup));
        } catch (...) {  // best effort, as above
        }
        std::rethrow_exception(failed);
    }
    // Published (see above): shielded, so a late cancellation does not report a stored save
    // as aborted.
    auto removal = remove_replaced(env, workflow, old, payloads);
    FF_AWAIT_SHIELDED(std::move(removal));
}

awaitable<value> read_result(codec_env env, std::string workflow, std::string task) {
    const std::string where = env.store->describe(workflow, task);
    std::optional<std::string> stored = co_await env.store->get(workflow, task);
    if (!stored)
        throw not_found(fmt::format("task '{}' of workflow '{}' not found ({})", shown(task),
                                    shown(workflow), where));
    std::vector<value> pids;
    value v = co_await run_blocking(env.blocking, [&] { return decode(*stored, where, pids); });
    stored.reset();
    if (pids.empty())
        co_return v;

    std::vector<awaitable<value>> ops;
    for (const auto& pid : pids) {
        reference ref = parse_pid(pid, where);
        const entry& s = serializer_for(ref, *env.serializers, where);
        ops.push_back(
            s.serializer->unpickle(env.store->lent_protocols(), workflow, std::move(ref.payload)));
    }
    auto outcomes = co_await gather(std::move(ops));
    rethrow_first(outcomes);
    std::vector<value> objects;
    objects.reserve(outcomes.size());
    for (auto& o : outcomes)
        objects.push_back(std::move(o.result));
    substitute(v, objects);
    co_return v;
}

awaitable<std::vector<stored_reference>> read_references(codec_env env, std::string workflow,
                                                         std::string task) {
    const std::string where = env.store->describe(workflow, task);
    std::optional<std::string> stored = co_await env.store->get(workflow, task);
    if (!stored)
        throw not_found(fmt::format("task '{}' of workflow '{}' not found ({})", shown(task),
                                    shown(workflow), where));
    auto collect = [&] {
        std::vector<value> pids;
        decode(*stored, where, pids);
        std::vector<stored_reference> refs;
        for (const auto& pid : pids) {
            reference r = parse_pid(pid, where);
            refs.push_back({std::move(r.name), std::move(r.payload)});
        }
        return refs;
    };
    co_return co_await run_blocking(env.blocking, std::move(collect));
}

awaitable<bool> result_exists(codec_env env, std::string workflow, std::string task) {
    co_return co_await env.store->exists(std::move(workflow), std::move(task));
}

awaitable<void> remove_result(codec_env env, std::string workflow, std::string task) {
    const std::string where = env.store->describe(workflow, task);
    std::optional<std::string> stored = co_await env.store->get(workflow, task);
    if (!stored)
        co_return;
    std::vector<value> pids;
    const bool readable = co_await run_blocking(env.blocking, [&] {
        try {
            decode(*stored, where, pids);
            return true;
        } catch (const invalid_pickle&) {
            // Its references cannot be known; the unreadable result itself is still removed.
            return false;
        }
    });
    stored.reset();
    if (readable && !pids.empty()) {
        std::vector<const entry*> serializers;
        std::vector<value> payloads;
        for (const auto& pid : pids) {
            reference ref = parse_pid(pid, where);
            serializers.push_back(&serializer_for(ref, *env.serializers, where));
            payloads.push_back(std::move(ref.payload));
        }
        // Objects before the task: if this fails midway the task still lists what is left,
        // and removing it again finishes the job (serializers ignore missing objects).
        co_await remove_objects(env, workflow, serializers, payloads);
    }
    co_await env.store->remove(std::move(workflow), std::move(task));
}

awaitable<std::vector<std::string>> list_results(codec_env env, std::string workflow,
                                                 std::string pattern) {
    std::vector<std::string> names = co_await env.store->list(std::move(workflow));
    std::erase_if(names, [&](const std::string& n) { return !glob_match(pattern, n); });
    std::sort(names.begin(), names.end());
    co_return names;
}

awaitable<void> remove_matching(codec_env env, std::string workflow, std::string pattern) {
    auto listing = list_results(env, workflow, pattern);
    const std::vector<std::string> names = co_await std::move(listing);
    std::vector<awaitable<void>> ops;
    ops.reserve(names.size());
    for (const auto& name : names)
        ops.push_back(remove_result(env, workflow, name));
    rethrow_first(co_await gather(std::move(ops)));
}

}  // namespace functionfuse::detail
