#pragma once
/// \file
/// Umbrella header: everything a task runner needs.

#include "functionfuse/array.hpp"
#include "functionfuse/array_serializer.hpp"
#include "functionfuse/batch.hpp"
#include "functionfuse/error.hpp"
#include "functionfuse/executor.hpp"
#include "functionfuse/maintenance.hpp"
#include "functionfuse/ndarray_xtensor.hpp"
#include "functionfuse/progress.hpp"
#include "functionfuse/serializer.hpp"
#include "functionfuse/storage.hpp"
#include "functionfuse/sync.hpp"
#include "functionfuse/value.hpp"
