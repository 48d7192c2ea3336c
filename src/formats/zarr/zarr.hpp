#pragma once
/// \file
/// The zarr v2 layer in one include: metadata (`.zarray`, `.zgroup`), chunk geometry,
/// codecs and the per-array chunk codec. Pure functions and immutable objects, no I/O;
/// storages move the bytes (see DESIGN.md: kvstore moves bytes by key, zarr turns arrays
/// into bytes).

#include "formats/zarr/chunk_codec.hpp"
#include "formats/zarr/codec.hpp"
#include "formats/zarr/dtype.hpp"
#include "formats/zarr/error.hpp"
#include "formats/zarr/geometry.hpp"
#include "formats/zarr/metadata.hpp"
