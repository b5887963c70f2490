// peerCred(fd): who is on the other end of an accepted Unix socket, as the kernel says.
//
// The panel's audit records the connecting process, not what the client claims (docs/adr
// 0017/0019). Node has no API for SO_PEERCRED, so this reads it: Linux's getsockopt(SOL_SOCKET,
// SO_PEERCRED) gives pid, uid and gid as of connect(); macOS/BSD have getpeereid (uid and gid,
// no pid; LOCAL_PEERPID gives the pid on macOS). Windows: not built (docs/adr/0008).
//
//   peerCred(fd) -> { pid, uid, gid }   pid is -1 where the platform does not say
//
// Errors throw a JS Error with code (errno name), errno, syscall, like shm.cc's.

#include "peer.h"

#include <cerrno>
#include <cstring>
#include <string>

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace rtt {

namespace {

Napi::Value Fail(Napi::Env env, const char* syscall, int err) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + ": " + std::strerror(err));
  const char* name = err == EBADF      ? "EBADF"
                     : err == ENOTSOCK ? "ENOTSOCK"
                     : err == EINVAL   ? "EINVAL"
                     : err == ENOTCONN ? "ENOTCONN"
                     : err == ENOSYS   ? "ENOSYS"
                                       : "EUNKNOWN";
  error.Set("code", Napi::String::New(env, name));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return Fail(env, "peerCred", EINVAL);
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (fd < 0) return Fail(env, "peerCred", EBADF);
  double pid = -1, uid = -1, gid = -1;
#if defined(__linux__)
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return Fail(env, "getsockopt", errno);
  pid = cred.pid;
  uid = cred.uid;
  gid = cred.gid;
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
  uid_t u;
  gid_t g;
  if (getpeereid(fd, &u, &g) != 0) return Fail(env, "getpeereid", errno);
  uid = u;
  gid = g;
#if defined(__APPLE__) && defined(LOCAL_PEERPID)
  pid_t p;
  socklen_t len = sizeof(p);
  if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &p, &len) == 0) pid = p;
#endif
#else
  (void)fd;
  return Fail(env, "peerCred", ENOSYS);
#endif
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, pid));
  out.Set("uid", Napi::Number::New(env, uid));
  out.Set("gid", Napi::Number::New(env, gid));
  return out;
}

}  // namespace rtt
