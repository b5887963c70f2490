// peerCred(fd): the credentials of the process at the other end of a connected Unix socket.
// Declared here so shm.cc's module Init can export it beside the shared-memory calls.
#pragma once

#include <napi.h>

namespace rtt {

// peerCred(fd) -> { pid, uid, gid }; throws an errno-style Error (code, errno, syscall).
Napi::Value PeerCred(const Napi::CallbackInfo& info);

}  // namespace rtt
