// rtt_shm: named shared-memory segments for RTT's SHM lanes, as a Node-API addon.
//
// Node has no API for shared memory between unrelated processes, so this file does the one
// thing it must in C++: create / open / unlink a named segment and hand its mapping to
// JavaScript as an external ArrayBuffer. Everything else (the ring, its atomics, naming rules,
// RttError) lives in TypeScript (packages/fabric/src/native.ts and the lanes).
//
//   create(name, size) -> { buffer: ArrayBuffer, size }   new segment, zero-filled by the kernel
//   open(name)         -> { buffer: ArrayBuffer, size }   existing segment, size from fstat
//   unlink(name)       -> boolean                          false when there was no such name
//   close(buffer)      -> boolean                          false when already closed
//
// Lifetime of a mapping: the ArrayBuffer is external (it does not own memory V8 knows about),
// so a Mapping record tracks the address. close() detaches the ArrayBuffer first, so any JS
// view of it reads length 0 instead of touching unmapped memory, then unmaps. If the script
// never calls close(), the finalizer unmaps when the ArrayBuffer is garbage-collected. The
// record's `mapped` flag makes the two paths exclusive: whichever runs first unmaps, the other
// does nothing. Both run on the JS thread of the environment that made the buffer.
//
// Errors: every failure throws a JS Error whose message names the call and the segment and
// carries strerror(errno), with `code` = the errno name ("EEXIST"), `errno` = the number,
// `syscall` and `path` (the segment name), like Node's own system errors.
//
// Platforms: Linux and macOS use POSIX shm_open + mmap(MAP_SHARED). macOS limits a name to
// 31 bytes (PSHMNAMLEN) including the leading slash; the TypeScript wrapper enforces that
// everywhere so a name that works on Linux works on macOS. Windows uses a pagefile-backed
// named file mapping (CreateFileMappingW / OpenFileMappingW / MapViewOfFile); that branch is
// written to the same contract but is not compiled or tested yet (see docs/adr/0008).

#include <napi.h>

#include "beneath.h"
#include "lister.h"
#include "peer.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Mapping records

struct Mapping {
  void* addr;
  size_t size;
  bool mapped;  // false once close() or the finalizer has unmapped it
#ifdef _WIN32
  HANDLE handle;  // the file-mapping object; the segment lives while a handle or view does
#endif
};

// Live mappings by base address, so close(buffer) can find the record of a buffer. An entry
// is removed when its mapping is unmapped, before the address can be reused by a new mapping.
// The records themselves are owned by the ArrayBuffer finalizer (deleted there), because the
// finalizer may run after close() and must still find its record. A mutex because worker
// threads each load the addon into their own environment but share this process-wide table.
std::mutex g_mutex;
std::unordered_map<void*, Mapping*> g_live;

void Unmap(Mapping* m) {
  if (!m->mapped) return;
  m->mapped = false;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_live.find(m->addr);
    if (it != g_live.end() && it->second == m) g_live.erase(it);
  }
#ifdef _WIN32
  UnmapViewOfFile(m->addr);
  CloseHandle(m->handle);
#else
  munmap(m->addr, m->size);
#endif
}

// napi_finalize for the external ArrayBuffer: runs on the JS thread when the buffer is
// collected (or, for a detached buffer, when its backing store is released).
void FinalizeMapping(napi_env /*env*/, void* /*data*/, void* hint) {
  Mapping* m = static_cast<Mapping*>(hint);
  Unmap(m);
  delete m;
}

// ---------------------------------------------------------------------------------------------
// Errors

const char* ErrnoName(int e) {
  switch (e) {
#define RTT_ERRNO_CASE(x) \
  case x:                 \
    return #x;
    RTT_ERRNO_CASE(EEXIST)
    RTT_ERRNO_CASE(ENOENT)
    RTT_ERRNO_CASE(EACCES)
    RTT_ERRNO_CASE(EPERM)
    RTT_ERRNO_CASE(EINVAL)
    RTT_ERRNO_CASE(ENOMEM)
    RTT_ERRNO_CASE(ENOSPC)
    RTT_ERRNO_CASE(EMFILE)
    RTT_ERRNO_CASE(ENFILE)
    RTT_ERRNO_CASE(ENAMETOOLONG)
    RTT_ERRNO_CASE(EFBIG)
    RTT_ERRNO_CASE(EBADF)
    RTT_ERRNO_CASE(EBUSY)
    RTT_ERRNO_CASE(EINTR)
    RTT_ERRNO_CASE(EIO)
    RTT_ERRNO_CASE(ENOSYS)
    RTT_ERRNO_CASE(ENODEV)
    RTT_ERRNO_CASE(EAGAIN)
#ifdef EOVERFLOW
    RTT_ERRNO_CASE(EOVERFLOW)
#endif
#ifdef ENOTSUP
    RTT_ERRNO_CASE(ENOTSUP)
#endif
#ifdef ETXTBSY
    RTT_ERRNO_CASE(ETXTBSY)
#endif
#undef RTT_ERRNO_CASE
    default:
      return "EUNKNOWN";
  }
}

// Throws `<syscall>(<name>): <strerror>` with code/errno/syscall/path set. Returns undefined
// so callers can `return ThrowErrno(...)`.
Napi::Value ThrowErrno(Napi::Env env, const char* syscall, const std::string& name, int err,
                       const char* detail = nullptr) {
  std::string message = std::string(syscall) + "(" + name + "): " + std::strerror(err);
  if (detail != nullptr) message += std::string(" (") + detail + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.Set("path", Napi::String::New(env, name));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "EINVAL"));
  error.Set("errno", Napi::Number::New(env, EINVAL));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

#ifdef _WIN32
// Win32 error -> the errno the POSIX branch would have produced, so callers see one contract.
int ErrnoFromWin32(DWORD w) {
  switch (w) {
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return EEXIST;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
      return EACCES;
    case ERROR_INVALID_NAME:
    case ERROR_INVALID_PARAMETER:
      return EINVAL;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
      return ENOMEM;
    case ERROR_DISK_FULL:
      return ENOSPC;
    default:
      return EIO;
  }
}
#endif

// ---------------------------------------------------------------------------------------------
// Arguments

// A segment name: "/" then 1..254 bytes with no further "/". The TypeScript wrapper applies
// RTT's stricter rule (/rtt-..., portable characters, <= 31 bytes); this is the OS-level floor.
bool ReadName(const Napi::CallbackInfo& info, std::string* out) {
  if (info.Length() < 1 || !info[0].IsString()) {
    ThrowType(info.Env(), "segment name must be a string");
    return false;
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.size() < 2 || name.size() > 255 || name[0] != '/' ||
      name.find('/', 1) != std::string::npos || name.find('\0') != std::string::npos) {
    ThrowType(info.Env(), "invalid segment name '" + name +
                              "': it must be '/' followed by 1-254 bytes without '/'");
    return false;
  }
  *out = std::move(name);
  return true;
}

// A segment size: a positive integer number of bytes below 2^53 (exact in a double, and far
// beyond any sane segment; off_t and the Windows size pair are 64-bit on every target).
bool ReadSize(const Napi::CallbackInfo& info, uint64_t* out) {
  if (info.Length() < 2 || !info[1].IsNumber()) {
    ThrowType(info.Env(), "size must be a number");
    return false;
  }
  double requested = info[1].As<Napi::Number>().DoubleValue();
  if (!(requested >= 1) || requested > 9007199254740991.0 ||
      requested != static_cast<double>(static_cast<int64_t>(requested))) {
    ThrowType(info.Env(), "size must be a positive integer number of bytes");
    return false;
  }
  *out = static_cast<uint64_t>(requested);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The result object

// Wraps a fresh mapping into { buffer, size }. On failure unmaps it and throws.
Napi::Value Wrap(Napi::Env env, Mapping* m, const std::string& name) {
  napi_value ab = nullptr;
  napi_status status =
      napi_create_external_arraybuffer(env, m->addr, m->size, FinalizeMapping, m, &ab);
  if (status != napi_ok) {
    Unmap(m);
    delete m;
    Napi::Error error =
        Napi::Error::New(env, "napi_create_external_arraybuffer(" + name +
                                  "): this runtime refuses external ArrayBuffers");
    error.Set("code", Napi::String::New(env, "ENOTSUP"));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_live[m->addr] = m;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("buffer", Napi::Value(env, ab));
  result.Set("size", Napi::Number::New(env, static_cast<double>(m->size)));
  return result;
}

#ifndef _WIN32
// ---------------------------------------------------------------------------------------------
// POSIX: Linux, macOS, the BSDs

Napi::Value MapFd(Napi::Env env, int fd, size_t size, const std::string& name, bool created) {
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);  // the mapping keeps the segment alive; the descriptor is not needed any more
  if (addr == MAP_FAILED) {
    if (created) shm_unlink(name.c_str());  // do not leave a half-made segment behind
    return ThrowErrno(env, "mmap", name, err);
  }
  return Wrap(env, new Mapping{addr, size, true}, name);
}

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();
  uint64_t requested = 0;
  if (!ReadSize(info, &requested)) return env.Undefined();
  size_t size = static_cast<size_t>(requested);

  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(env, "shm_open", name, errno);
  // shm_open applies the umask; make sure only this user can map the segment.
  fchmod(fd, 0600);
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(name.c_str());
    return ThrowErrno(env, "ftruncate", name, err);
  }
  return MapFd(env, fd, size, name, true);
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();

  int fd = shm_open(name.c_str(), O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(env, "shm_open", name, errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, "fstat", name, err);
  }
  if (st.st_size <= 0) {
    // Created but not yet sized (the creator is between shm_open and ftruncate), or not ours.
    close(fd);
    return ThrowErrno(env, "fstat", name, EINVAL, "segment has size 0");
  }
  // On macOS st_size is the size rounded up to a page; on Linux it is exact.
  return MapFd(env, fd, static_cast<size_t>(st.st_size), name, false);
}

// mapFile(fd, size): a MAP_SHARED mapping of the first `size` bytes of an open regular file
// (the caller keeps and closes its descriptor). Stores into it reach the page cache with no
// system call, so they outlive a kill -9 of this process as a write(2) would: a route journal's
// delivered mark is one aligned 8-byte store a message (ADR 0016). The file must already hold
// `size` bytes: a store past its end would be lost, one past its last page is SIGBUS.
Napi::Value MapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "fd must be a number");
  int fd = info[0].As<Napi::Number>().Int32Value();
  std::string name = "fd " + std::to_string(fd);
  uint64_t requested = 0;
  if (!ReadSize(info, &requested)) return env.Undefined();
  struct stat st;
  if (fstat(fd, &st) != 0) return ThrowErrno(env, "fstat", name, errno);
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) < requested) {
    return ThrowErrno(env, "fstat", name, EINVAL, "not a regular file of at least size bytes");
  }
  size_t size = static_cast<size_t>(requested);
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return ThrowErrno(env, "mmap", name, errno);
  return Wrap(env, new Mapping{addr, size, true}, name);
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();
  if (shm_unlink(name.c_str()) == 0) return Napi::Boolean::New(env, true);
  int err = errno;
  if (err == ENOENT) return Napi::Boolean::New(env, false);
  return ThrowErrno(env, "shm_unlink", name, err);
}

#else
// ---------------------------------------------------------------------------------------------
// Windows (not compiled in CI yet): a named, pagefile-backed file mapping. Names live in the
// session's "Local\" namespace; "/rtt-x" becomes L"Local\rtt-x". There is no unlink: the
// kernel object disappears when its last handle and view are gone, which is also why nothing
// can be left behind by a killed process.

std::wstring WideName(const std::string& name) {
  std::string local = "Local\\" + name.substr(1);
  int n = MultiByteToWideChar(CP_UTF8, 0, local.c_str(), -1, nullptr, 0);
  std::wstring out(n > 0 ? static_cast<size_t>(n) : 0, L'\0');
  if (n > 0) MultiByteToWideChar(CP_UTF8, 0, local.c_str(), -1, &out[0], n);
  if (!out.empty()) out.pop_back();  // drop the terminator MultiByteToWideChar counted
  return out;
}

Napi::Value MapHandle(Napi::Env env, HANDLE h, const std::string& name, size_t size) {
  void* addr = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  if (addr == nullptr) {
    int err = ErrnoFromWin32(GetLastError());
    CloseHandle(h);
    return ThrowErrno(env, "MapViewOfFile", name, err);
  }
  if (size == 0) {
    // open(): the section's size is not queryable directly; the view's region size is the
    // segment size rounded up to a page (like macOS's fstat).
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(addr, &mbi, sizeof mbi) == 0) {
      int err = ErrnoFromWin32(GetLastError());
      UnmapViewOfFile(addr);
      CloseHandle(h);
      return ThrowErrno(env, "VirtualQuery", name, err);
    }
    size = mbi.RegionSize;
  }
  // Keep the handle open with the view so the name stays openable while we hold it.
  return Wrap(env, new Mapping{addr, size, true, h}, name);
}

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();
  uint64_t size = 0;
  if (!ReadSize(info, &size)) return env.Undefined();
  std::wstring wname = WideName(name);
  // Default security descriptor: the creator's token, i.e. this user (like mode 0600).
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                static_cast<DWORD>(size >> 32),
                                static_cast<DWORD>(size & 0xffffffffu), wname.c_str());
  if (h == nullptr) return ThrowErrno(env, "CreateFileMappingW", name, ErrnoFromWin32(GetLastError()));
  if (GetLastError() == ERROR_ALREADY_EXISTS) {  // O_EXCL: someone else has this name
    CloseHandle(h);
    return ThrowErrno(env, "CreateFileMappingW", name, EEXIST);
  }
  return MapHandle(env, h, name, static_cast<size_t>(size));
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();
  std::wstring wname = WideName(name);
  HANDLE h = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, wname.c_str());
  if (h == nullptr) return ThrowErrno(env, "OpenFileMappingW", name, ErrnoFromWin32(GetLastError()));
  return MapHandle(env, h, name, 0);
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ReadName(info, &name)) return env.Undefined();
  // Nothing to remove: the mapping dies with its last handle. False = "no name was removed".
  return Napi::Boolean::New(env, false);
}
#endif

// close(buffer): detach, then unmap. False when the buffer was already closed (detached).
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    return ThrowType(env, "close() takes the ArrayBuffer returned by create() or open()");
  }
  Napi::ArrayBuffer ab = info[0].As<Napi::ArrayBuffer>();
  if (ab.IsDetached()) return Napi::Boolean::New(env, false);
  void* addr = ab.Data();
  Mapping* m = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_live.find(addr);
    if (it != g_live.end()) m = it->second;
  }
  if (m == nullptr || m->size != ab.ByteLength()) {
    return ThrowType(env, "close() takes the ArrayBuffer returned by create() or open()");
  }
  // Detach first: from here on every view of the buffer has length 0, so no JS code can reach
  // the memory we are about to unmap. Node runs the finalizer later, from the event loop;
  // `mapped` then makes it a no-op apart from freeing the record.
  napi_status status = napi_detach_arraybuffer(env, ab);
  if (status != napi_ok) {
    return ThrowType(env, "close(): the ArrayBuffer cannot be detached");
  }
  // Should a runtime ever run the finalizer synchronously inside the detach, the record would
  // be gone (and its table entry with it): look again rather than touch `m`.
  bool still_live = false;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_live.find(addr);
    still_live = it != g_live.end() && it->second == m;
  }
  if (still_live) Unmap(m);
  return Napi::Boolean::New(env, true);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("create", Napi::Function::New(env, Create, "create"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("unlink", Napi::Function::New(env, Unlink, "unlink"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
#ifndef _WIN32
  exports.Set("mapFile", Napi::Function::New(env, MapFile, "mapFile"));
#endif
  // Not shared memory, but the one other thing Node cannot do: see peer.cc.
  exports.Set("peerCred", Napi::Function::New(env, rtt::PeerCred, "peerCred"));
  // Nor can it open a path without following links below a folder: see beneath.cc.
  exports.Set("openBeneath", Napi::Function::New(env, rtt::OpenBeneath, "openBeneath"));
  // Nor list folders on a thread of their own while JavaScript walks them: see lister.cc.
  exports.Set("listerStart", Napi::Function::New(env, rtt::ListerStart, "listerStart"));
  exports.Set("listerFilter", Napi::Function::New(env, rtt::ListerFilter, "listerFilter"));
  exports.Set("listerSkip", Napi::Function::New(env, rtt::ListerSkip, "listerSkip"));
  exports.Set("listerDrain", Napi::Function::New(env, rtt::ListerDrain, "listerDrain"));
  exports.Set("listerClose", Napi::Function::New(env, rtt::ListerClose, "listerClose"));
#ifdef O_PATH
  // Linux's O_PATH, which Node's fs.constants lack and whose value differs by architecture:
  // a socket symbol is connected through /proc/self/fd/N of such a descriptor (ADR 0022).
  exports.Set("O_PATH", Napi::Number::New(env, O_PATH));
#endif
#ifdef _WIN32
  exports.Set("platform", Napi::String::New(env, "win32-file-mapping"));
#else
  exports.Set("platform", Napi::String::New(env, "posix-shm"));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(rtt_shm, Init)
