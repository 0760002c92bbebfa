// The /proc walk of proc_sampler.hpp. One sample reads /proc/*/stat once to learn every
// process's parent, then, for the root and each descendant, every task's stat, status and
// schedstat, and the process's status (and smaps_rollup). Processes and tasks come and go
// while this runs: a file that cannot be opened or parsed is skipped, never an error.
#include "proc_sampler.hpp"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lab {
namespace {

// The most of one /proc file that is read. status is the longest file read (about 1.5 KiB,
// more with very many CPUs in Cpus_allowed); a longer file is cut here, and fields past the
// cut read as missing.
constexpr std::size_t kMaxProcFileBytes = 16 * 1024;
// Room for the longest path built here, "/proc/<pid>/task/<tid>/schedstat".
constexpr std::size_t kMaxPathBytes = 64;
constexpr std::uint64_t kUsPerSecond = 1'000'000;
// Fields of the "cpu" line of /proc/stat that make up the total: user nice system idle
// iowait irq softirq steal. guest and guest_nice (fields 9 and 10) are already counted in
// user and nice, so they are left out.
constexpr std::size_t kCpuTotalFields = 8;
constexpr std::size_t kCpuStealField = 7;  // zero-based: the 8th field

// The clock id now, in ns (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID).
std::uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// Reads small /proc files into one buffer it owns. A view it returns is valid until the
// next read(). Not thread-safe: one reader per sample.
class ProcReader {
  public:
    ProcReader() : buffer_(kMaxProcFileBytes) {}

    // The file's text (at most kMaxProcFileBytes), or nullopt if it cannot be opened or
    // read: the process or task is gone, or we may not look at it.
    std::optional<std::string_view> read(const char* path) {
        const int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::nullopt;
        std::size_t used = 0;
        bool failed = false;
        while (used < buffer_.size()) {
            const ssize_t n = ::read(fd, buffer_.data() + used, buffer_.size() - used);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) failed = true;  // ESRCH: the task exited after open()
            if (n <= 0) break;
            used += static_cast<std::size_t>(n);
        }
        close(fd);
        if (failed || used == 0) return std::nullopt;
        return std::string_view(buffer_.data(), used);
    }

  private:
    std::vector<char> buffer_;
};

// "/proc/<pid>/<leaf>", in out. pids are short: never truncated.
const char* process_path(char (&out)[kMaxPathBytes], pid_t pid, const char* leaf) {
    std::snprintf(out, sizeof out, "/proc/%d/%s", pid, leaf);
    return out;
}

// "/proc/<pid>/task/<tid>/<leaf>", in out.
const char* task_path(char (&out)[kMaxPathBytes], pid_t pid, pid_t tid, const char* leaf) {
    std::snprintf(out, sizeof out, "/proc/%d/task/%d/%s", pid, tid, leaf);
    return out;
}

template <typename T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    return value;
}

// The whitespace-separated fields of text, from the first; at most out.size() are kept.
// Returns how many were found.
template <std::size_t N>
std::size_t split_fields(std::string_view text, std::string_view (&out)[N]) {
    std::size_t found = 0;
    std::size_t pos = 0;
    while (found < N) {
        pos = text.find_first_not_of(" \t\n", pos);
        if (pos == std::string_view::npos) break;
        const std::size_t end = std::min(text.find_first_of(" \t\n", pos), text.size());
        out[found++] = text.substr(pos, end - pos);
        pos = end;
    }
    return found;
}

// What is read from /proc/PID/stat or /proc/PID/task/TID/stat.
// PF_IO_WORKER (include/linux/sched.h): a task the kernel made to do a process's io_uring work
// (an io-wq worker or an SQPOLL thread). It lives in the process's thread group, so /proc lists
// it among the process's tasks; its name can be anything, its flag cannot.
constexpr std::uint64_t kIoWorkerFlag = 0x10;

struct StatFields {
    char state = '?';
    pid_t ppid = 0;
    std::uint64_t flags = 0;  // the kernel's PF_* flags of the task
    std::uint64_t utime_ticks = 0;
    std::uint64_t stime_ticks = 0;
};

// Parses a stat line "pid (comm) state ppid ... utime stime ...". comm is the executable's
// name as the process chose it: it may hold spaces and ')' itself, so the fields are
// counted from the last ')'. nullopt if the line is cut short.
std::optional<StatFields> parse_stat(std::string_view text) {
    const std::size_t comm_end = text.rfind(')');
    if (comm_end == std::string_view::npos) return std::nullopt;
    // Fields 3 (state) to 15 (stime), counting from 1 at pid as proc(5) does.
    constexpr std::size_t kState = 0, kPpid = 1, kFlags = 6, kUtime = 11, kStime = 12;
    std::string_view fields[kStime + 1];
    if (split_fields(text.substr(comm_end + 1), fields) <= kStime) return std::nullopt;
    const auto ppid = parse_number<pid_t>(fields[kPpid]);
    const auto utime = parse_number<std::uint64_t>(fields[kUtime]);
    const auto stime = parse_number<std::uint64_t>(fields[kStime]);
    const auto flags = parse_number<std::uint64_t>(fields[kFlags]);
    if (!ppid || !utime || !stime || !flags || fields[kState].empty()) return std::nullopt;
    return StatFields{fields[kState][0], *ppid, *flags, *utime, *stime};
}

// The number after "key" at the start of a line of a status-like file ("VmRSS:\t 1704 kB"),
// or nullopt if no line starts with key (a zombie has no Vm* lines).
std::optional<std::uint64_t> field_value(std::string_view text, std::string_view key) {
    std::size_t line = 0;
    while (line < text.size()) {
        const std::size_t next = std::min(text.find('\n', line), text.size());
        const std::string_view current = text.substr(line, next - line);
        if (current.substr(0, key.size()) == key) {
            std::string_view rest = current.substr(key.size());
            const std::size_t digits = rest.find_first_not_of(" \t");
            if (digits == std::string_view::npos) return std::nullopt;
            return parse_number<std::uint64_t>(rest.substr(digits));
        }
        line = next + 1;
    }
    return std::nullopt;
}

// Calls fn(pid) for each entry of dir whose name is a number (the processes in /proc, the
// tasks in /proc/PID/task). Returns false if dir cannot be opened (the process is gone).
template <typename Fn>
bool for_each_numbered_entry(const char* dir, Fn fn) {
    const std::unique_ptr<DIR, int (*)(DIR*)> handle(opendir(dir), closedir);
    if (!handle) return false;
    while (const dirent* entry = readdir(handle.get())) {
        const std::string_view name(entry->d_name);
        if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos)
            continue;
        if (const auto pid = parse_number<pid_t>(name)) fn(*pid);
    }
    return true;
}

// Every process's children, as /proc/*/stat said at one moment (field 4 is the thread group
// id of the parent, so a child forked by any thread lists the parent process). One entry
// per process on the machine, so the kernel's pid_max bounds it.
std::unordered_map<pid_t, std::vector<pid_t>> children_by_parent(ProcReader& reader) {
    std::unordered_map<pid_t, std::vector<pid_t>> children;
    char path[kMaxPathBytes];
    for_each_numbered_entry("/proc", [&](pid_t pid) {
        const auto text = reader.read(process_path(path, pid, "stat"));
        if (!text) return;  // exited since readdir
        if (const auto stat = parse_stat(*text)) children[stat->ppid].push_back(pid);
    });
    return children;
}

// Running sums in clock ticks, converted to µs once at the end so that rounding happens once.
struct TickSums {
    std::uint64_t user = 0;
    std::uint64_t system = 0;
    bool per_task = false;  // also record each task's run-queue time
};

// Adds one task's stat, status and schedstat to sample. Returns false, adding nothing, if the
// task is gone or has exited (a zombie, 'Z', or dead, 'X': it no longer runs).
bool add_task(ProcReader& reader, pid_t pid, pid_t tid, TreeSample& sample, TickSums& ticks) {
    char path[kMaxPathBytes];
    const auto stat_text = reader.read(task_path(path, pid, tid, "stat"));
    if (!stat_text) return false;
    const auto stat = parse_stat(*stat_text);
    if (!stat || stat->state == 'Z' || stat->state == 'X') return false;
    ticks.user += stat->utime_ticks;
    ticks.system += stat->stime_ticks;
    if (stat->flags & kIoWorkerFlag) ++sample.kernel_threads;

    if (const auto status = reader.read(task_path(path, pid, tid, "status"))) {
        sample.voluntary_ctx_switches +=
            field_value(*status, "voluntary_ctxt_switches:").value_or(0);
        sample.involuntary_ctx_switches +=
            field_value(*status, "nonvoluntary_ctxt_switches:").value_or(0);
    }
    if (const auto sched = reader.read(task_path(path, pid, tid, "schedstat"))) {
        std::string_view fields[3];
        if (split_fields(*sched, fields) == 3) {  // on-CPU ns, run-queue ns, timeslices
            sample.oncpu_ns += parse_number<std::uint64_t>(fields[0]).value_or(0);
            const std::uint64_t runqueue = parse_number<std::uint64_t>(fields[1]).value_or(0);
            sample.runqueue_ns += runqueue;
            if (ticks.per_task) sample.runqueue_by_task.emplace_back(tid, runqueue);
            sample.timeslices += parse_number<std::uint64_t>(fields[2]).value_or(0);
        }
    }
    return true;
}

// Adds process pid (its live tasks and its memory) to sample. Returns false, adding nothing,
// if it is gone or none of its tasks still runs.
bool add_process(ProcReader& reader, pid_t pid, bool with_memory, TreeSample& sample,
                 TickSums& ticks) {
    char path[kMaxPathBytes];
    std::uint64_t live_tasks = 0;
    const bool listed = for_each_numbered_entry(process_path(path, pid, "task"), [&](pid_t tid) {
        if (add_task(reader, pid, tid, sample, ticks)) ++live_tasks;
    });
    if (!listed || live_tasks == 0) return false;
    ++sample.processes;
    sample.threads += live_tasks;

    if (const auto status = reader.read(process_path(path, pid, "status"))) {
        sample.rss_kb += field_value(*status, "VmRSS:").value_or(0);
        sample.vm_kb += field_value(*status, "VmSize:").value_or(0);
    }
    if (with_memory) {
        if (const auto rollup = reader.read(process_path(path, pid, "smaps_rollup")))
            sample.pss_kb += field_value(*rollup, "Pss:").value_or(0);
    }
    return true;
}

// Clock ticks (USER_HZ, the unit of utime and stime) in µs.
std::uint64_t ticks_to_us(std::uint64_t ticks) {
    static const long ticks_per_second = sysconf(_SC_CLK_TCK);  // 100 on every Linux ABI
    return ticks * kUsPerSecond / static_cast<std::uint64_t>(std::max(ticks_per_second, 1L));
}

}  // namespace

std::optional<TreeSample> sample_tree(pid_t root_pid, bool with_memory, bool per_task) {
    const std::uint64_t cpu_start_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    TreeSample sample;
    sample.mono_ns = clock_ns(CLOCK_MONOTONIC);  // the start: the walk takes about a millisecond
    if (root_pid <= 0) return std::nullopt;

    ProcReader reader;
    const auto children = children_by_parent(reader);
    TickSums ticks;
    ticks.per_task = per_task;
    std::vector<pid_t> pending{root_pid};
    // The parent links are not read at one instant: a pid reused during the scan could make
    // them loop, so each pid is walked at most once.
    std::unordered_set<pid_t> queued{root_pid};
    while (!pending.empty()) {
        const pid_t pid = pending.back();
        pending.pop_back();
        const bool live = add_process(reader, pid, with_memory, sample, ticks);
        if (pid == root_pid && !live) return std::nullopt;  // gone, or a zombie not yet reaped
        // A process that exited since children_by_parent still leads to its children: they
        // were in the tree when the walk began.
        const auto found = children.find(pid);
        if (found == children.end()) continue;
        for (const pid_t child : found->second) {
            if (queued.insert(child).second) pending.push_back(child);
        }
    }
    sample.user_us = ticks_to_us(ticks.user);
    sample.system_us = ticks_to_us(ticks.system);
    sample.sample_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start_ns;
    return sample;
}

CpuTimes read_cpu_times() {
    // Zeros if /proc/stat cannot be read; steal_pct() then reports 0.
    CpuTimes times;
    ProcReader reader;
    const auto text = reader.read("/proc/stat");
    if (!text) return times;
    const std::string_view line = text->substr(0, text->find('\n'));
    if (line.substr(0, 4) != "cpu ") return times;
    std::string_view fields[kCpuTotalFields];
    const std::size_t found = split_fields(line.substr(4), fields);  // older kernels: fewer
    for (std::size_t i = 0; i < found; ++i) {
        const std::uint64_t value = parse_number<std::uint64_t>(fields[i]).value_or(0);
        times.total += value;
        if (i == kCpuStealField) times.steal = value;
    }
    return times;
}

double steal_pct(const CpuTimes& before, const CpuTimes& after) {
    // Counters that went backwards (a reading failed, or the hypervisor reset steal) give 0.
    if (after.total <= before.total || after.steal < before.steal) return 0.0;
    const auto total = static_cast<double>(after.total - before.total);
    const auto steal = static_cast<double>(after.steal - before.steal);
    return std::min(100.0, 100.0 * steal / total);
}

}  // namespace lab
