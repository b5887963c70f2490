// openBeneath(root, rel, flags, mode): the file driver's one way to open a file symbol's path
// (docs/adr/0022). `root` is an allowed prefix (already resolved by the caller); `rel` the
// path below it, relative, with no "." or ".." parts. The kernel refuses a symbolic link
// anywhere below `root` — a folder on the way or the file itself — so a link swapped in after
// the caller's check cannot lead the open elsewhere. Node has no openat, hence this.
//
//   openBeneath(root, rel, flags, mode[, walk]) -> { fd, how }
//     how: "openat2"  Linux >= 5.6: one openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) call
//          "walk"     elsewhere (or openat2 refused by a seccomp filter): each folder opened
//                     with openat(O_DIRECTORY | O_NOFOLLOW) from the previous one, then the
//                     file with openat(flags | O_NOFOLLOW)
//     walk true: skip openat2 (for tests of the walk on kernels that have openat2)
//
// A link on the way fails with ELOOP (or EMLINK/EFTYPE, as the platform says); the fd is
// O_CLOEXEC. Errors throw a JS Error with code (errno name), errno, syscall, like shm.cc's.

#include "beneath.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define RTT_HAVE_OPENAT2 1
#endif
#endif
#endif

namespace rtt {

namespace {

const char* ErrnoName(int err) {
  switch (err) {
    case ELOOP: return "ELOOP";
    case ENOTDIR: return "ENOTDIR";
    case EXDEV: return "EXDEV";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENXIO: return "ENXIO";
    case EMLINK: return "EMLINK";
    case ENOSYS: return "ENOSYS";
#ifdef EFTYPE
    case EFTYPE: return "EFTYPE";
#endif
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EAGAIN: return "EAGAIN";
    default: return "EUNKNOWN";
  }
}

Napi::Value Fail(Napi::Env env, const char* syscall, int err) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + ": " + std::strerror(err));
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

#ifndef _WIN32
// Splits "a/b/c" into its parts; false for an absolute path, an empty one or a "."/".." part.
bool Parts(const std::string& rel, std::vector<std::string>* out) {
  if (rel.empty() || rel[0] == '/') return false;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    out->push_back(part);
    start = end + 1;
  }
  return true;
}

// The per-component walk: every folder below root, then the file, opened without following.
int Walk(int rootfd, const std::vector<std::string>& parts, int flags, mode_t mode,
         const char** failed) {
  int dirfd = rootfd;
  for (size_t i = 0; i + 1 < parts.size(); i++) {
#ifdef O_PATH
    const int dirFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
    const int dirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif
    int next = openat(dirfd, parts[i].c_str(), dirFlags);
    int err = errno;
    // O_DIRECTORY | O_NOFOLLOW on a link says ENOTDIR on Linux: say it was a link, as openat2.
    struct stat st;
    if (next < 0 && err == ENOTDIR &&
        fstatat(dirfd, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
      err = ELOOP;
    if (dirfd != rootfd) close(dirfd);
    if (next < 0) {
      *failed = "openat";
      errno = err;
      return -1;
    }
    dirfd = next;
  }
  int fd = openat(dirfd, parts.back().c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  int err = errno;
  if (dirfd != rootfd) close(dirfd);
  *failed = "openat";
  errno = err;
  return fd;
}
#endif

}  // namespace

Napi::Value OpenBeneath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber() ||
      !info[3].IsNumber())
    return Fail(env, "openBeneath", EINVAL);
#ifdef _WIN32
  return Fail(env, "openBeneath", ENOSYS);
#else
  std::string root = info[0].As<Napi::String>().Utf8Value();
  std::string rel = info[1].As<Napi::String>().Utf8Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  mode_t mode = static_cast<mode_t>(info[3].As<Napi::Number>().Uint32Value());
  std::vector<std::string> parts;
  if (root.find('\0') != std::string::npos || rel.find('\0') != std::string::npos ||
      !Parts(rel, &parts))
    return Fail(env, "openBeneath", EINVAL);
  // The root itself is the caller's resolved, allowed prefix: it may be reached through links.
  int rootfd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return Fail(env, "open", errno);
  int fd = -1;
  const char* failed = "openat2";
  const char* how = "openat2";
  bool walk = true;
  const bool forceWalk =
      info.Length() > 4 && info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  (void)forceWalk;  // only read where openat2 exists
#if defined(RTT_HAVE_OPENAT2) && defined(SYS_openat2)
  struct open_how spec;
  std::memset(&spec, 0, sizeof(spec));
  spec.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  spec.mode = (flags & O_CREAT) != 0 ? mode : 0;
  spec.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  if (!forceWalk) fd = static_cast<int>(syscall(SYS_openat2, rootfd, rel.c_str(), &spec, sizeof(spec)));
  // Older kernels say ENOSYS; a container's seccomp filter may say EPERM (or ENOSYS) for a
  // call it does not know. Only then walk; any other answer is the kernel's verdict.
  walk = forceWalk || (fd < 0 && (errno == ENOSYS || errno == EPERM));
#endif
  if (walk) {
    how = "walk";
    fd = Walk(rootfd, parts, flags, mode, &failed);
  }
  int err = errno;
  close(rootfd);
  if (fd < 0) return Fail(env, failed, err);
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("how", Napi::String::New(env, how));
  return out;
#endif
}

}  // namespace rtt
