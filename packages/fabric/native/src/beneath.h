// openBeneath(root, rel, flags, mode): open a path below a folder without following any link.
// Declared here so shm.cc's module Init can export it beside the shared-memory calls.
#pragma once

#include <napi.h>

namespace rtt {

// openBeneath(root, rel, flags, mode[, walk]) -> { fd, how }; throws an errno-style Error.
Napi::Value OpenBeneath(const Napi::CallbackInfo& info);

}  // namespace rtt
