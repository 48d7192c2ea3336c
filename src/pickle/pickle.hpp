#pragma once
// The pickle codec: pure functions, no I/O. Writes protocol 4 (with frames); reads protocols
// 2-5 for the types of `value`. Never executes anything: a GLOBAL/STACK_GLOBAL/REDUCE of a
// callable not on the small allow-list (the ones CPython itself emits for bytes, set and
// frozenset under protocols 2-3, numpy's reconstructors of arrays, dtypes and scalars, and
// those of datetime's types, OrderedDict, complex and Decimal, recognized by exact argument
// shapes in objects/) is `invalid_pickle` naming it.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "functionfuse/value.hpp"

namespace functionfuse::pickle {

/// Containers nested deeper than this are `invalid_pickle` on read and `type_error` on write
/// (values are destroyed and compared recursively, so depth must stay bounded).
inline constexpr std::size_t max_depth = 1000;

/// Called by `dumps` for each `extension` in the value; returns its persistent id (pickled,
/// then BINPERSID). Returning nullopt makes `dumps` throw `type_error` naming the type.
using persistent_id_fn = std::function<std::optional<value>(const extension&)>;

/// Called by `loads` for each PERSID/BINPERSID with the unpickled persistent id; returns the
/// value to put in its place. Without one, a persistent id is `invalid_pickle`.
using persistent_load_fn = std::function<value(value pid)>;

/// Encodes `v` as a protocol-4 pickle laid out as CPython's C pickler does (frames, MEMOIZE,
/// batches of 1000), so values without shared sub-objects give CPython's exact bytes. An
/// `ndarray` is written as numpy writes it (`_reconstruct` + BUILD, or `scalar` for a numpy
/// scalar), with CPython's memo GETs of the objects numpy shares (globals, native dtypes), and
/// a `big_int` as LONG1/LONG4, a `python_object` and an OrderedDict as CPython's `__reduce__`
/// makes it write them (docs/python_objects.md).
/// `reserve_tail` extra bytes are reserved at the end of the returned buffer so that a checksum
/// can be appended without reallocating. Throws `type_error` for a str that is not valid UTF-8,
/// nesting deeper than `max_depth`, an extension `persistent_id` does not handle, or a
/// `python_object` Python could not load (a field out of range, a Decimal text that is not one).
std::string dumps(const value& v, const persistent_id_fn& persistent_id = {},
                  std::size_t reserve_tail = 0);

/// Limits of `loads` beyond the fixed ones (`max_depth`).
struct read_options {
    /// `value` has no shared references, so each memo GET (and DUP) of a pickle loads as a deep
    /// copy, and a tiny pickle whose levels each reference the previous one ten times would
    /// expand exponentially. The bytes copied this way (an estimate of the memory the copies
    /// take: one `value` per node plus the heap text of str and bytes) may total at most
    /// max(`copy_budget_min`, `copy_budget_per_input_byte` × the pickle's size); beyond that
    /// `loads` throws `invalid_pickle`. The defaults admit the sharing CPython writes for
    /// repeated keys and strings; SIZE_MAX in both lifts the limit.
    std::size_t copy_budget_per_input_byte = 64;
    std::size_t copy_budget_min = std::size_t{64} << 20;
};

/// Decodes a pickle of protocol 2-5 (protocol 0-1 opcodes are read too). Throws
/// `invalid_pickle` on anything malformed, truncated, forbidden or unsupported; the message says
/// what and at which byte offset. In particular:
/// - text integers (protocol 0-1 INT/LONG) of more than 4300 digits, Python's limit (beyond
///   64 bits they load as `big_int`, as LONG1/LONG4 of any length do);
/// - a str that is not strict UTF-8 (e.g. a lone surrogate): "str is not valid UTF-8";
/// - GLOBAL/STACK_GLOBAL other than `_codecs.encode`, `__builtin__`/`builtins` `bytes`, `set`,
///   `frozenset` (the callables CPython writes for bytes and sets under protocols 2-3), which
///   REDUCE may call with exactly CPython's argument shapes: "forbidden global os.system";
/// - numpy arrays, dtypes and scalars other than the dtypes and argument/state shapes numpy
///   writes for plain numeric types (docs/python_objects.md), naming what is unsupported;
/// - `datetime.date`/`time`/`datetime`/`timedelta`/`timezone`, `collections.OrderedDict`,
///   `complex` and `decimal.Decimal` other than with CPython's argument shapes, a state of the
///   wrong length or with a field out of range, a tzinfo other than a fixed-offset `timezone`
///   (docs/python_objects.md);
/// - objects (BUILD other than numpy's, NEWOBJ, INST, OBJ, EXT*), out-of-band buffers (NEXT_BUFFER,
///   READONLY_BUFFER), nesting deeper than `max_depth`, data after STOP;
/// - a list, dict or set that contains itself (`l = []; l.append(l)`, also through a tuple),
///   or any container modified after a memo GET or DUP referenced it: "self-referencing/cyclic
///   object" (`value` cannot hold cycles or shared objects; CPython writes such a modification
///   only for cycles).
/// BYTEARRAY8 reads as bytes. Shared references (memo GET) load as equal copies, within the
/// budget of `options` ("shared references expand to more than ..."). Running out of memory
/// (`std::bad_alloc`, `std::length_error`) is reported as `invalid_pickle` too. The decoder is
/// iterative: hostile input cannot overflow the stack.
value loads(std::string_view data, const persistent_load_fn& persistent_load = {},
            const read_options& options = {});

}  // namespace functionfuse::pickle
