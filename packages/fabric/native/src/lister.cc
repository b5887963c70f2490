// A folder lister on threads of its own: the scanner's walk reads folder listings from it
// instead of calling readdir itself, so the kernel's share of a walk (getdents, the bulk of what
// `find` spends) runs on other cores, and can start before the scanner has loaded (ADR 0038).
//
//   listerStart(roots, prune) -> handle | undefined
//       roots:  folders to list, in the order a stack holding them was pushed (the last is
//               listed first); then every folder below them, depth first, last name first:
//               the order the walk asks in. A path is listed once however often it comes.
//       prune:  folder names never descended into (the walk ignores them; should it enter one
//               all the same, it finds it "not listed" and reads the folder itself)
//       undefined when no thread could be started
//   listerFilter(handle, { all, names, suffixes, containing, noExtension })
//       which regular files listings name from now on; the others are only counted. Until it
//       is called, every file is named (the walk calls it before it takes a listing)
//   listerSkip(handle, path)   the walk will not enter `path`: nothing below it is listed
//   listerDrain(handle, awaited, waitMs) -> [finished, timedOut, text, shape, types]
//       awaited: a folder the caller needs (or null): when nothing is waiting to be handed
//               over, first waits until it is listed, or a batch of others, or the end, for at
//               most waitMs (timedOut then says it ran out: a folder on a slow mount, say)
//       what was listed since the last drain, flat, so a batch costs a few JavaScript values
//       rather than a few per folder:
//         text:  each folder's path, then the names in it, every one followed by "\0"
//         shape: two numbers per folder: its plain files (-1: not listed, because pruned,
//                unreadable or holding a name that is not UTF-8), and how many names follow
//         types: one per name
//       finished: nothing more will be listed
//   listerClose(handle)   stops the threads (idempotent); one stuck in the kernel is not
//                         waited for beyond a moment, and frees what it holds when it ends
//
// types: 1 file, 2 folder, 3 symbolic link, 4 FIFO, 5 socket. Devices are counted with plain
// files (the walk counts them and reads nothing from them). Names are sorted by strcmp, as
// libuv sorts readdir's, so the walk meets them in the order it always has.

#include "lister.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#ifndef _WIN32
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#endif

namespace rtt {

namespace {

enum EntryType : uint8_t { kFile = 1, kFolder = 2, kLink = 3, kFifo = 4, kSocket = 5 };

struct NameFilter {
  bool all = false;
  std::unordered_set<std::string> names;
  // Suffixes with one dot, at their start (`.py`): a name ends with one exactly when its
  // extension from the last dot is one, so they are looked up, not compared one by one.
  std::unordered_set<std::string> extensions;
  std::vector<std::string> other_suffixes;
  std::vector<std::string> containing;
  bool no_extension = false;

  void AddSuffix(std::string suffix) {
    if (!suffix.empty() && suffix[0] == '.' && suffix.find('.', 1) == std::string::npos) {
      extensions.insert(std::move(suffix));
    } else {
      other_suffixes.push_back(std::move(suffix));
    }
  }

  bool Matches(const std::string& name) const {
    if (all || names.count(name) > 0) return true;
    size_t dot = name.rfind('.');
    if (dot != std::string::npos && extensions.count(name.substr(dot)) > 0) return true;
    for (const std::string& s : other_suffixes) {
      if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
        return true;
    }
    for (const std::string& c : containing) {
      if (name.find(c) != std::string::npos) return true;
    }
    // No dot, or a dot file's leading one only (`.profile`).
    return no_extension && (dot == std::string::npos || dot == 0);
  }
};

struct Entry {
  std::string name;
  uint8_t type;
};

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), and no U+FFFD: Node
// decodes a bad name to U+FFFD, which the walk takes as its sign to read the folder by bytes.
bool PlainUtf8(const char* s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  while (*p != 0) {
    unsigned char c = *p;
    if (c < 0x80) {
      p++;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int i = 1; i <= n; i++) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFD)
      return false;
    p += n + 1;
  }
  return true;
}

// A folder listed (or not), until a drain hands it over.
struct Listed {
  std::string path;
  bool listed = false;
  // Regular files already weighed against a filter (the others are all in `entries`).
  bool filtered = false;
  // Named like `.rtt/manifests`: every file in it is named, whatever the filter.
  bool all_files = false;
  uint32_t plain = 0;
  std::vector<Entry> entries;
};

// Lists `out->path` into `out`: false when it cannot be listed as the walk would list it.
// Regular files are weighed against `filter` when there is one.
bool ListFolder(const NameFilter* filter, Listed* out) {
#ifdef _WIN32
  (void)filter;
  (void)out;
  return false;
#else
  DIR* dir = opendir(out->path.c_str());
  if (dir == nullptr) return false;
  bool ok = true;
  errno = 0;
  for (struct dirent* d = readdir(dir); d != nullptr; d = readdir(dir)) {
    const char* name = d->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    if (!PlainUtf8(name)) {
      ok = false;
      break;
    }
    unsigned char type = d->d_type;
    if (type == DT_UNKNOWN) {
      // Some file systems do not say: ask, as Node's readdir does.
      struct stat st;
      if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        ok = false;
        break;
      }
      type = S_ISREG(st.st_mode)    ? DT_REG
             : S_ISDIR(st.st_mode)  ? DT_DIR
             : S_ISLNK(st.st_mode)  ? DT_LNK
             : S_ISFIFO(st.st_mode) ? DT_FIFO
             : S_ISSOCK(st.st_mode) ? DT_SOCK
                                    : DT_CHR;
    }
    switch (type) {
      case DT_REG: {
        std::string n(name);
        if (filter == nullptr || out->all_files || filter->Matches(n)) {
          out->entries.push_back(Entry{std::move(n), kFile});
        } else {
          out->plain++;
        }
        break;
      }
      case DT_DIR: out->entries.push_back(Entry{name, kFolder}); break;
      case DT_LNK: out->entries.push_back(Entry{name, kLink}); break;
      case DT_FIFO: out->entries.push_back(Entry{name, kFifo}); break;
      case DT_SOCK: out->entries.push_back(Entry{name, kSocket}); break;
      default: out->plain++;  // a device: counted, never read
    }
    errno = 0;
  }
  if (ok && errno != 0) ok = false;
  closedir(dir);
  if (!ok) return false;
  out->filtered = filter != nullptr;
  std::sort(out->entries.begin(), out->entries.end(), [](const Entry& a, const Entry& b) {
    return std::strcmp(a.name.c_str(), b.name.c_str()) < 0;
  });
  return true;
#endif
}

struct Folder {
  std::string path;
  int parent;  // index in State::folders, -1 for a root
  bool all_files;
  bool skipped;
};

// Every folder named like `.rtt/manifests` has every file named, as the walk reads each
// `*.json` in one as a manifest (a superset of its rule, which is relative to the workspace).
bool AllFilesIn(const std::string& path) {
  static const std::string kManifests = "/.rtt/manifests";
  return path.size() >= kManifests.size() &&
         path.compare(path.size() - kManifests.size(), kManifests.size(), kManifests) == 0;
}

// What the listing threads and the JavaScript thread share. The threads hold it too, so a
// thread stuck in the kernel (a hung mount) can outlive its lister without touching freed
// memory: Close stops waiting for it after a while.
struct State {
  explicit State(std::unordered_set<std::string> pruned) : prune(std::move(pruned)) {}

  const std::unordered_set<std::string> prune;
  std::mutex mutex;
  std::condition_variable listed_cv;  // the walk, waiting in Drain
  std::condition_variable work_cv;    // the threads, waiting for folders to list
  std::condition_variable exit_cv;    // Close, waiting for the threads to end
  std::shared_ptr<const NameFilter> filter;
  std::deque<Folder> folders;
  std::unordered_map<std::string, int> index;
  std::vector<int> stack;
  std::vector<Listed> done;
  bool stopping = false;
  unsigned busy = 0;     // threads listing a folder now
  unsigned running = 0;  // threads not ended
  // The walk is waiting in Drain, for `awaited` (or for a batch, or the end).
  bool waiting = false;
  std::string awaited;
  bool awaited_listed = false;

  bool Finished() const { return stopping || (stack.empty() && busy == 0); }

  // Under mutex (or before the threads start). A path already known is not listed twice (a
  // root inside another).
  void Push(std::string path, int parent) {
    if (index.count(path) > 0) return;
    int at = static_cast<int>(folders.size());
    bool all_files = AllFilesIn(path);
    index.emplace(path, at);
    folders.push_back(Folder{std::move(path), parent, all_files, false});
    stack.push_back(at);
  }

  bool Skipped(int at) const {
    for (int i = at; i >= 0; i = folders[i].parent) {
      if (folders[i].skipped) return true;
    }
    return false;
  }

  // Under mutex: hands `listed` over, waking a waiting walk when what it waits for is there.
  void Hand(Listed listed) {
    if (waiting && listed.path == awaited) awaited_listed = true;
    done.push_back(std::move(listed));
    if (waiting && (awaited_listed || done.size() >= kBatch || Finished())) {
      waiting = false;
      listed_cv.notify_all();
    }
  }

  // A walk waiting for one folder is woken when it is listed, or when this many others are
  // (it takes them all at once), or at the end: not once per folder, which put both sides to
  // sleep and woke them thousands of times and cost more than the listing saved.
  static constexpr size_t kBatch = 64;
};

// One listing thread: pops the newest folder, lists it unlocked, pushes its subfolders.
void Run(const std::shared_ptr<State>& state) {
  State& s = *state;
  std::unique_lock<std::mutex> lock(s.mutex);
  for (;;) {
    // Nothing to pop while another thread lists: it may push subfolders.
    s.work_cv.wait(lock, [&] { return s.stopping || !s.stack.empty() || s.busy == 0; });
    if (s.stopping || s.stack.empty()) break;
    int at = s.stack.back();
    s.stack.pop_back();
    if (s.Skipped(at)) continue;  // the walk will not ask for it
    Listed listed;
    // A deque's elements stay put as it grows, but another thread may be growing it: copied.
    listed.path = s.folders[at].path;
    listed.all_files = s.folders[at].all_files;
    std::shared_ptr<const NameFilter> filter = s.filter;
    s.busy++;
    lock.unlock();
    listed.listed = ListFolder(filter.get(), &listed);
    lock.lock();
    s.busy--;
    if (listed.listed) {
      for (const Entry& e : listed.entries) {
        if (e.type != kFolder) continue;
        std::string child = listed.path + "/" + e.name;
        if (s.prune.count(e.name) > 0) {
          Listed pruned;
          pruned.path = std::move(child);
          s.Hand(std::move(pruned));
        } else {
          s.Push(std::move(child), at);
        }
      }
    }
    s.Hand(std::move(listed));
    s.work_cv.notify_all();
  }
  s.running--;
  if (s.Finished() && s.waiting) {
    s.waiting = false;
    s.listed_cv.notify_all();
  }
  lock.unlock();
  s.work_cv.notify_all();
  s.exit_cv.notify_all();
}

void* RunThread(void* arg) {
  auto* state = static_cast<std::shared_ptr<State>*>(arg);
  Run(*state);
  delete state;
  return nullptr;
}

class Lister {
 public:
  Lister(const std::vector<std::string>& roots, std::unordered_set<std::string> prune)
      : state_(std::make_shared<State>(std::move(prune))) {
    for (const std::string& root : roots) state_->Push(root, -1);
  }

  ~Lister() { Close(); }

  // Starts the threads; false when not one could be (a process's thread limit): the caller
  // then reads every folder itself.
  bool Start() {
#ifdef _WIN32
    return false;
#else
    unsigned started = 0;
    for (unsigned i = 0; i < kThreads; i++) {
      // Detached, each holding the state: Close waits for them, but not forever.
      auto* held = new std::shared_ptr<State>(state_);
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      pthread_t thread;
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->running++;
      }
      if (pthread_create(&thread, &attr, RunThread, held) == 0) {
        started++;
      } else {
        delete held;
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->running--;
      }
      pthread_attr_destroy(&attr);
    }
    if (started > 0) return true;
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    return false;
#endif
  }

  void SetFilter(NameFilter filter) {
    auto shared = std::make_shared<const NameFilter>(std::move(filter));
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->filter = std::move(shared);
  }

  void Skip(const std::string& path) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->index.find(path);
    if (it != state_->index.end()) state_->folders[it->second].skipped = true;
  }

  // Stops the threads, waiting a little for each to end: one stuck in the kernel (a hung
  // mount) is left to end by itself, holding what it needs.
  void Close() {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    state_->work_cv.notify_all();
    state_->listed_cv.notify_all();
    state_->exit_cv.wait_for(lock, std::chrono::milliseconds(kCloseWaitMs),
                             [&] { return state_->running == 0; });
    state_->done.clear();
  }

  // Hands over what was listed since the last call. With `awaited`, first waits until that
  // folder is listed (or a batch of others, or the end) for at most `wait_ms`. Returns whether
  // nothing more will be listed, and sets `*timed_out` when the wait ran out.
  bool Drain(const std::string* awaited, int wait_ms, std::vector<Listed>* out, bool* timed_out) {
    State& s = *state_;
    std::shared_ptr<const NameFilter> filter;
    bool finished;
    *timed_out = false;
    {
      std::unique_lock<std::mutex> lock(s.mutex);
      if (awaited != nullptr && s.done.empty() && !s.Finished()) {
        s.waiting = true;
        s.awaited = *awaited;
        s.awaited_listed = false;
        *timed_out = !s.listed_cv.wait_for(lock, std::chrono::milliseconds(wait_ms),
                                           [&] { return !s.waiting || s.Finished(); });
        s.waiting = false;
      }
      out->swap(s.done);
      filter = s.filter;
      finished = s.Finished();
    }
    // Folders listed before the filter was set.
    if (filter != nullptr) {
      for (Listed& listed : *out) {
        if (!listed.listed || listed.filtered || listed.all_files) continue;
        auto kept = std::remove_if(listed.entries.begin(), listed.entries.end(),
                                   [&](const Entry& e) {
                                     return e.type == kFile && !filter->Matches(e.name);
                                   });
        listed.plain += static_cast<uint32_t>(listed.entries.end() - kept);
        listed.entries.erase(kept, listed.entries.end());
        listed.filtered = true;
      }
    }
    return finished;
  }

 private:
  // Two: a walk's time is mostly the kernel's, and directory reads on two cores overlap well.
  static constexpr unsigned kThreads = 2;
  static constexpr int kCloseWaitMs = 200;
  std::shared_ptr<State> state_;
};

// The tag that marks an External as a lister handle, so no other value is taken for one.
constexpr napi_type_tag kListerTag = {0x7a1c3e5b9d2f4a61ULL, 0x8e0b6c4d2a193f57ULL};

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Strings as given; false for anything else, or a string holding a NUL (no path does, and one
// would name a prefix of itself to opendir).
bool StringsOf(const Napi::Value& value, std::vector<std::string>* out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) return false;
    std::string text = item.As<Napi::String>().Utf8Value();
    if (text.find('\0') != std::string::npos) return false;
    out->push_back(std::move(text));
  }
  return true;
}

bool FilterOf(const Napi::Value& value, NameFilter* filter) {
  if (!value.IsObject()) return false;
  Napi::Object f = value.As<Napi::Object>();
  std::vector<std::string> names;
  std::vector<std::string> suffixes;
  if (!StringsOf(f.Get("names"), &names) || !StringsOf(f.Get("suffixes"), &suffixes) ||
      !StringsOf(f.Get("containing"), &filter->containing))
    return false;
  filter->names.insert(names.begin(), names.end());
  for (std::string& suffix : suffixes) filter->AddSuffix(std::move(suffix));
  filter->all = f.Get("all").ToBoolean();
  filter->no_extension = f.Get("noExtension").ToBoolean();
  return true;
}

Lister* ListerOf(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) return nullptr;
  auto handle = info[0].As<Napi::External<Lister>>();
  return handle.CheckTypeTag(&kListerTag) ? handle.Data() : nullptr;
}

}  // namespace

Napi::Value ListerStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> roots;
  std::vector<std::string> prune;
  if (info.Length() < 2 || !StringsOf(info[0], &roots) || !StringsOf(info[1], &prune))
    return ThrowType(env, "listerStart(roots: string[], prune: string[]), no NUL in either");
  auto* lister =
      new Lister(roots, std::unordered_set<std::string>(prune.begin(), prune.end()));
  if (!lister->Start()) {
    delete lister;
    return env.Undefined();
  }
  auto handle = Napi::External<Lister>::New(env, lister, [](Napi::Env, Lister* l) { delete l; });
  handle.TypeTag(&kListerTag);
  return handle;
}

Napi::Value ListerFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Lister* lister = ListerOf(info);
  NameFilter filter;
  if (lister == nullptr || info.Length() < 2 || !FilterOf(info[1], &filter))
    return ThrowType(env, "listerFilter(handle, { all, names, suffixes, containing, noExtension })");
  lister->SetFilter(std::move(filter));
  return env.Undefined();
}

Napi::Value ListerSkip(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Lister* lister = ListerOf(info);
  if (lister == nullptr || info.Length() < 2 || !info[1].IsString())
    return ThrowType(env, "listerSkip(handle, path: string)");
  lister->Skip(info[1].As<Napi::String>().Utf8Value());
  return env.Undefined();
}

Napi::Value ListerDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Lister* lister = ListerOf(info);
  if (lister == nullptr || info.Length() < 3 || !(info[1].IsString() || info[1].IsNull()) ||
      !info[2].IsNumber())
    return ThrowType(env, "listerDrain(handle, awaited: string | null, waitMs: number)");
  std::string awaited = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::vector<Listed> batch;
  bool timed_out = false;
  bool finished = lister->Drain(info[1].IsString() ? &awaited : nullptr,
                                info[2].As<Napi::Number>().Int32Value(), &batch, &timed_out);
  std::string text;
  size_t names = 0;
  for (const Listed& listed : batch) {
    text += listed.path;
    text += '\0';
    for (const Entry& e : listed.entries) {
      text += e.name;
      text += '\0';
    }
    names += listed.entries.size();
  }
  Napi::Int32Array shape = Napi::Int32Array::New(env, batch.size() * 2);
  Napi::Uint8Array types = Napi::Uint8Array::New(env, names);
  size_t at = 0;
  for (size_t i = 0; i < batch.size(); i++) {
    const Listed& listed = batch[i];
    shape[2 * i] = listed.listed ? static_cast<int32_t>(listed.plain) : -1;
    shape[2 * i + 1] = static_cast<int32_t>(listed.entries.size());
    for (const Entry& e : listed.entries) types[at++] = e.type;
  }
  Napi::Array out = Napi::Array::New(env, 5);
  out.Set(0u, Napi::Boolean::New(env, finished));
  out.Set(1u, Napi::Boolean::New(env, timed_out));
  out.Set(2u, Napi::String::New(env, text));
  out.Set(3u, shape);
  out.Set(4u, types);
  return out;
}

Napi::Value ListerClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Lister* lister = ListerOf(info);
  if (lister == nullptr) return ThrowType(env, "listerClose(handle)");
  lister->Close();
  return env.Undefined();
}

}  // namespace rtt
