#pragma once
/// \file
/// The zarr v2 layer in one include: metadata (`.zarray`, `.zgroup`), chunk geometry,
/// codecs and the per-array chunk codec. Pure functions and immutable objects, no I/O;
/// storages move the bytes (see DESIGN.md: kvstore moves bytes by key, zarr turns arrays
/// into bytes).

#include "async_protocols/zarr/chunk_codec.hpp"
#include "async_protocols/zarr/codec.hpp"
#include "async_protocols/zarr/dtype.hpp"
#include "async_protocols/zarr/error.hpp"
#include "async_protocols/zarr/geometry.hpp"
#include "async_protocols/zarr/metadata.hpp"
