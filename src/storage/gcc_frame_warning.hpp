#pragma once
// GCC 12 reports -Wmismatched-new-delete at the end of some coroutines: Asio's coroutine-frame
// operator new (aligned_new) and its sized operator delete are a correct pair, which GCC
// misreads after inlining (GCC PR middle-end/109224, a false positive; Clang is quiet). Wrap
// only the coroutine GCC names in these, never a whole file:
//
//   FF_GCC_FRAME_DELETE_WARNING_OFF;
//   awaitable<void> f() { ... }
//   FF_GCC_FRAME_DELETE_WARNING_ON;

#if defined(__GNUC__) && !defined(__clang__)
#define FF_GCC_FRAME_DELETE_WARNING_OFF \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmismatched-new-delete\"")
#define FF_GCC_FRAME_DELETE_WARNING_ON _Pragma("GCC diagnostic pop")
#else
#define FF_GCC_FRAME_DELETE_WARNING_OFF
#define FF_GCC_FRAME_DELETE_WARNING_ON
#endif
