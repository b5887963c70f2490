// The scanner's folder lister, on threads of its own: see lister.cc.
// Declared here so shm.cc's module Init can export it beside the shared-memory calls.
#pragma once

#include <napi.h>

namespace rtt {

// listerStart, listerFilter, listerSkip, listerDrain, listerClose: see lister.cc.
Napi::Value ListerStart(const Napi::CallbackInfo& info);
Napi::Value ListerFilter(const Napi::CallbackInfo& info);
Napi::Value ListerSkip(const Napi::CallbackInfo& info);
Napi::Value ListerDrain(const Napi::CallbackInfo& info);
Napi::Value ListerClose(const Napi::CallbackInfo& info);

}  // namespace rtt
