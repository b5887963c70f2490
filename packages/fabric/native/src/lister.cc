// A folder lister on threads of its own: the scanner's walk reads folder listings from it
// instead of calling readdir itself, so the kernel's share of a walk (getdents, the bulk of what
// `find` spends) runs on other cores, and can start before the scanner has loaded (ADR 0038).
//
//   listerStart(roots, prune) -> handle
//       roots:  folders to list, in the order a stack holding them was pushed (the last is
//               listed first); then every folder below them, depth first, last name first:
//               the order the walk asks in
//       prune:  folder names never descended into (the walk ignores them; should it enter one
//               all the same, it finds it "not listed" and reads the folder itself)
//   listerFilter(handle, { all, names, suffixes, containing, noExtension })
//       which regular files listings name from now on; the others are only counted. Until it
//       is called, every file is named (the walk calls it before it takes a listing)
//   listerDrain(handle, skips, wait) -> [finished, text, shape, types]
//       skips:  folders the walk will not enter: nothing below them is listed from now on
//       wait:   when nothing was listed since the last drain, wait until something is
//       what was listed since the last drain, flat, so a batch costs a few JavaScript values
//       rather than a few per folder:
//         text:  each folder's path, then the names in it, every one followed by "\0"
//         shape: two numbers per folder: its plain files (-1: not listed, because pruned,
//                unreadable or holding a name that is not UTF-8), and how many names follow
//         types: one per name
//       finished: nothing more will be listed
//   listerClose(handle)   stops the threads and frees what was not drained (idempotent)
//
// types: 1 file, 2 folder, 3 symbolic link, 4 FIFO, 5 socket. Devices are counted with plain
// files (the walk counts them and reads nothing from them). Names are sorted by strcmp, as
// libuv sorts readdir's, so the walk meets them in the order it always has.

#include "lister.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#ifndef _WIN32
#include <dirent.h>
#include <fcntl.h>
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
  int parent;  // index in Lister::folders_, -1 for a root
  bool all_files;
  bool skipped;
};

class Lister {
 public:
  Lister(std::vector<std::string> roots, std::unordered_set<std::string> prune)
      : prune_(std::move(prune)) {
    for (std::string& root : roots) Push(std::move(root), -1, false);
    for (unsigned i = 0; i < kThreads; i++) threads_.emplace_back([this] { Run(); });
  }

  ~Lister() { Close(); }

  void SetFilter(NameFilter filter) {
    auto shared = std::make_shared<const NameFilter>(std::move(filter));
    std::lock_guard<std::mutex> lock(mutex_);
    filter_ = std::move(shared);
  }

  void Close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    listed_cv_.notify_all();
    work_cv_.notify_all();
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    threads_.clear();
    folders_.clear();
    index_.clear();
    done_.clear();
  }

  // Marks `skips` skipped, then hands over what was listed since the last call (waiting for
  // something when asked to), each weighed against the filter. Returns whether nothing more
  // will be listed.
  bool Drain(const std::vector<std::string>& skips, bool wait, std::vector<Listed>* out) {
    std::shared_ptr<const NameFilter> filter;
    bool finished;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      for (const std::string& path : skips) {
        auto it = index_.find(path);
        if (it != index_.end()) folders_[it->second].skipped = true;
      }
      if (wait) listed_cv_.wait(lock, [&] { return !done_.empty() || Finished(); });
      out->swap(done_);
      filter = filter_;
      finished = Finished();
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
  // A walk waiting in Drain is woken once per this many folders (or at the end): it then has a
  // batch to take, and the threads are not put to sleep and woken once per folder (which cost
  // more than the listing saved).
  static constexpr size_t kBatch = 64;

  bool Finished() const { return stopping_ || (stack_.empty() && busy_ == 0); }

  // Under mutex_ (or before the threads start).
  void Push(std::string path, int parent, bool all_files) {
    int at = static_cast<int>(folders_.size());
    index_.emplace(path, at);
    folders_.push_back(Folder{std::move(path), parent, all_files, false});
    stack_.push_back(at);
  }

  bool Skipped(int at) const {
    for (int i = at; i >= 0; i = folders_[i].parent) {
      if (folders_[i].skipped) return true;
    }
    return false;
  }

  // One listing thread: pops the newest folder, lists it unlocked, pushes its subfolders.
  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      // Nothing to pop while another thread lists: it may push subfolders.
      work_cv_.wait(lock, [&] { return stopping_ || !stack_.empty() || busy_ == 0; });
      if (stopping_ || stack_.empty()) break;
      int at = stack_.back();
      stack_.pop_back();
      if (Skipped(at)) continue;  // the walk will not ask for it
      Listed listed;
      // A deque's elements stay put as it grows, but another thread may be growing it: copied.
      listed.path = folders_[at].path;
      listed.all_files = folders_[at].all_files;
      std::shared_ptr<const NameFilter> filter = filter_;
      busy_++;
      lock.unlock();
      listed.listed = ListFolder(filter.get(), &listed);
      lock.lock();
      busy_--;
      if (listed.listed) {
        for (const Entry& e : listed.entries) {
          if (e.type != kFolder) continue;
          std::string child = listed.path + "/" + e.name;
          if (prune_.count(e.name) > 0) {
            Listed pruned;
            pruned.path = std::move(child);
            done_.push_back(std::move(pruned));
          } else {
            Push(std::move(child), at, e.name == "manifests");
          }
        }
      }
      done_.push_back(std::move(listed));
      if (done_.size() % kBatch == 0 || Finished()) listed_cv_.notify_all();
      work_cv_.notify_all();
    }
    lock.unlock();
    listed_cv_.notify_all();
    work_cv_.notify_all();
  }

  const std::unordered_set<std::string> prune_;
  std::mutex mutex_;
  std::condition_variable listed_cv_;
  std::condition_variable work_cv_;
  std::shared_ptr<const NameFilter> filter_;
  std::deque<Folder> folders_;
  std::unordered_map<std::string, int> index_;
  std::vector<int> stack_;
  std::vector<Listed> done_;
  bool stopping_ = false;
  unsigned busy_ = 0;  // threads listing a folder now
  std::vector<std::thread> threads_;
};

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool StringsOf(const Napi::Value& value, std::vector<std::string>* out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) return false;
    out->push_back(item.As<Napi::String>().Utf8Value());
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
  return info[0].As<Napi::External<Lister>>().Data();
}

}  // namespace

Napi::Value ListerStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> roots;
  std::vector<std::string> prune;
  if (info.Length() < 2 || !StringsOf(info[0], &roots) || !StringsOf(info[1], &prune))
    return ThrowType(env, "listerStart(roots: string[], prune: string[])");
  auto* lister =
      new Lister(std::move(roots), std::unordered_set<std::string>(prune.begin(), prune.end()));
  return Napi::External<Lister>::New(env, lister, [](Napi::Env, Lister* l) { delete l; });
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

Napi::Value ListerDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Lister* lister = ListerOf(info);
  std::vector<std::string> skips;
  if (lister == nullptr || info.Length() < 3 || !StringsOf(info[1], &skips))
    return ThrowType(env, "listerDrain(handle, skips: string[], wait: boolean)");
  std::vector<Listed> batch;
  bool finished = lister->Drain(skips, info[2].ToBoolean(), &batch);
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
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Boolean::New(env, finished));
  out.Set(1u, Napi::String::New(env, text));
  out.Set(2u, shape);
  out.Set(3u, types);
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
