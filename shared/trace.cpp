// The span recorder behind lab-server --trace. See trace.hpp.
#include "trace.hpp"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "clock.hpp"

namespace lab::trace {
namespace {

constexpr std::array<const char*, static_cast<std::size_t>(Phase::Count)> kPhaseNames = {
    "accept", "read",    "write", "io_wait", "lock", "wait",
    "queue",  "backend", "pool",  "peer",    "cpu"};

struct Event {
    std::uint64_t start_ns;
    std::uint64_t dur_ns;
    std::uint64_t cpu_ns;
    std::uint64_t task;
    Phase phase;
    bool async;  // a wait no thread sits in (an event loop's timers): a track per client
};

// One thread's spans. Only its thread appends; read at exit after every thread is joined.
struct ThreadBuffer {
    pid_t tid = 0;
    std::string name;
    std::vector<Event> events;
};

struct State {
    std::atomic<bool> on{false};
    std::string path;
    std::string process_name;
    std::mutex mutex;  // guards buffers (the list, not the buffers' contents)
    std::vector<std::unique_ptr<ThreadBuffer>> buffers;
    std::atomic<std::size_t> count{0};
    std::atomic<std::uint64_t> dropped{0};
    pid_t parent_pid = 0;  // the process that called enable() and writes the trace
};

State& state() {
    static State s;
    return s;
}

thread_local ThreadBuffer* tl_buffer = nullptr;
thread_local std::uint64_t tl_task = 0;

pid_t current_tid() {
    return static_cast<pid_t>(syscall(SYS_gettid));
}

ThreadBuffer& buffer() {
    if (tl_buffer == nullptr) {
        auto owned = std::make_unique<ThreadBuffer>();
        owned->tid = current_tid();
        tl_buffer = owned.get();
        std::lock_guard lock(state().mutex);
        state().buffers.push_back(std::move(owned));
    }
    return *tl_buffer;
}

void append(const Event& e) {
    State& s = state();
    if (s.count.fetch_add(1, std::memory_order_relaxed) >= kMaxSpansPerProcess) {
        s.dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    buffer().events.push_back(e);
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out + "\"";
}

// Microseconds with nanosecond digits, the trace format's time unit.
std::string micros(std::uint64_t ns) {
    char text[32];
    std::snprintf(text, sizeof text, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                  static_cast<unsigned long long>(ns % 1000));
    return text;
}

// Writes this process's spans and names as comma-separated trace events.
void write_events(std::ostream& out, bool& first) {
    State& s = state();
    pid_t pid = getpid();
    auto emit = [&](const std::string& event) {
        out << (first ? "\n" : ",\n") << event;
        first = false;
    };
    emit("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
         ",\"args\":{\"name\":" + json_string(s.process_name) + "}}");
    std::lock_guard lock(s.mutex);
    for (const auto& b : s.buffers) {
        std::string ids = "\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(b->tid);
        if (!b->name.empty()) {
            emit("{\"name\":\"thread_name\",\"ph\":\"M\"," + ids +
                 ",\"args\":{\"name\":" + json_string(b->name) + "}}");
        }
        for (const Event& e : b->events) {
            std::string name = kPhaseNames[static_cast<std::size_t>(e.phase)];
            std::string args = "{\"task\":" + std::to_string(e.task);
            if (e.async) {
                // An async pair (a wait no thread sits in). A process-local id keeps its
                // track under the server process in Perfetto; waits that overlap in time get
                // tracks of their own.
                std::string category = e.phase == Phase::Queue ? "queue" : "timer";
                std::string common = "\"name\":\"" + name + "\",\"cat\":\"" + category +
                                     "\",\"id2\":{\"local\":" + std::to_string(e.task) + "}," + ids;
                emit("{" + common + ",\"ph\":\"b\",\"ts\":" + micros(e.start_ns) +
                     ",\"args\":" + args + "}}");
                emit("{" + common + ",\"ph\":\"e\",\"ts\":" + micros(e.start_ns + e.dur_ns) + "}");
                continue;
            }
            args += ",\"cpu_us\":" + micros(e.cpu_ns) + "}";
            emit("{\"name\":\"" + name +
                 "\",\"cat\":\"server\",\"ph\":\"X\",\"ts\":" + micros(e.start_ns) +
                 ",\"dur\":" + micros(e.dur_ns) + "," + ids + ",\"args\":" + args + "}");
        }
    }
    std::uint64_t dropped = s.dropped.load();
    if (dropped > 0) {
        // A process-wide instant (Perfetto ignores metadata events other than names).
        emit("{\"name\":\"dropped_spans\",\"ph\":\"i\",\"s\":\"p\",\"ts\":" + micros(mono_ns()) +
             ",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(pid) +
             ",\"args\":{\"count\":" + std::to_string(dropped) + "}}");
    }
}

// Children's parts: PATH.part.PARENT.CHILD, so a part left by an earlier run (another
// parent) is never merged into this one.
std::string part_prefix() {
    return state().path + ".part." + std::to_string(state().parent_pid) + ".";
}

}  // namespace

void enable(const std::string& path, const std::string& process_name) {
    State& s = state();
    s.path = path;
    s.process_name = process_name;
    s.parent_pid = getpid();
    s.on.store(true);
}

bool enabled() {
    return state().on.load(std::memory_order_relaxed);
}

void set_task(std::uint64_t task) {
    tl_task = task;
}
std::uint64_t current_task() {
    return tl_task;
}

void name_thread(const std::string& name) {
    if (enabled()) buffer().name = name;
}

void record(Phase phase, std::uint64_t start_ns, std::uint64_t dur_ns, std::uint64_t cpu_ns) {
    if (!enabled()) return;
    append(Event{start_ns, dur_ns, cpu_ns, tl_task, phase, false});
}

void record_async_wait(Phase phase, std::uint64_t task, std::uint64_t start_ns,
                       std::uint64_t dur_ns) {
    if (!enabled()) return;
    append(Event{start_ns, dur_ns, 0, task, phase, true});
}

void after_fork_in_child(const std::string& process_name) {
    if (!enabled()) return;
    State& s = state();
    // The parent's spans stay with the parent. The child is single-threaded here.
    s.buffers.clear();
    tl_buffer = nullptr;
    s.count.store(0);
    s.dropped.store(0);
    s.process_name = process_name;
}

void write_child_part() {
    if (!enabled()) return;
    // Written under a temporary name and renamed when complete: a child killed while
    // writing leaves no part that the parent would merge.
    std::string part = part_prefix() + std::to_string(getpid());
    std::string temp = part + ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        bool first = false;  // every event of a part is preceded by a comma
        write_events(out, first);
        out.flush();
        if (!out) {
            std::remove(temp.c_str());
            return;
        }
    }
    std::rename(temp.c_str(), part.c_str());
}

bool write_trace(std::string& error) {
    if (!enabled()) return true;
    State& s = state();
    std::string temp = s.path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temp, std::ios::trunc);
        if (!out) {
            error = "cannot write trace file " + temp;
            return false;
        }
        out << "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"clock\":\"CLOCK_MONOTONIC\"},"
               "\"traceEvents\":[";
        bool first = true;
        write_events(out, first);
        // Merge the children's parts, then remove them.
        std::string dir = s.path.substr(0, s.path.rfind('/') + 1);
        std::string prefix = part_prefix().substr(dir.size());
        if (dir.empty()) dir = "./";
        if (DIR* d = opendir(dir.c_str())) {
            while (dirent* entry = readdir(d)) {
                std::string name = entry->d_name;
                if (name.rfind(prefix, 0) != 0) continue;
                std::string part_path = dir + name;
                if (name.ends_with(".tmp")) {  // a child that did not finish writing
                    std::remove(part_path.c_str());
                    continue;
                }
                std::ifstream part(part_path);
                std::stringstream text;
                text << part.rdbuf();
                std::string body = text.str();
                if (first && !body.empty() && body[0] == ',') body.erase(0, 1);
                if (!body.empty()) first = false;
                out << body;
                std::remove(part_path.c_str());
            }
            closedir(d);
        }
        out << "\n]}\n";
        if (!out) {
            error = "cannot write trace file " + temp;
            return false;
        }
    }
    if (std::rename(temp.c_str(), s.path.c_str()) != 0) {
        error = "cannot rename " + temp + " to " + s.path;
        return false;
    }
    return true;
}

Span::Span(Phase phase) : phase_(phase) {
    if (!enabled()) return;
    start_ns_ = mono_ns();
    start_cpu_ns_ = thread_cpu_ns();
}

Span::~Span() {
    if (!enabled()) return;
    record(phase_, start_ns_, mono_ns() - start_ns_, thread_cpu_ns() - start_cpu_ns_);
}

}  // namespace lab::trace
