// The shared counter block: creation, mapping, and the few operations on it. The INCR/GET
// table that lives in the block is key_table.cpp (it times its lock waits, a server's job).
#include "counters.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>

#include "clock.hpp"

namespace lab {
namespace {

std::string errno_text(const char* what, const std::string& path) {
    return std::string(what) + " " + path + ": " + std::strerror(errno);
}

void init_table_lock(pthread_mutex_t& lock) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    // Shared by every child process; robust so that a child killed while holding it
    // cannot hang the others (the next locker gets EOWNERDEAD and repairs it).
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

void init_block(StatsBlock* block, const std::string& model, std::uint32_t port,
                std::uint32_t loops) {
    // The memory is zero-filled (a new file or anonymous mapping); constructing the block in
    // place starts the lifetime of its atomics.
    new (block) StatsBlock{};
    block->magic = kStatsMagic;
    block->version = kStatsVersion;
    block->size = sizeof(StatsBlock);
    block->pid = getpid();
    block->start_time_ns = realtime_ns();
    block->start_mono_ns = mono_ns();
    block->port = port;
    std::strncpy(block->model, model.c_str(), sizeof block->model - 1);
    block->loop_count = std::min<std::uint32_t>(loops, kMaxLoops);
    init_table_lock(block->table_lock);
    block->ready.store(1, std::memory_order_release);  // last: readers check it first
}

}  // namespace

std::optional<StatsRegion> StatsRegion::create(const std::string& path, const std::string& model,
                                               std::uint32_t port, std::string& error,
                                               std::uint32_t loops) {
    void* memory = nullptr;
    if (path.empty()) {
        memory = mmap(nullptr, sizeof(StatsBlock), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            error = errno_text("cannot map", "anonymous shared memory");
            return std::nullopt;
        }
        init_block(static_cast<StatsBlock*>(memory), model, port, loops);
        return StatsRegion(static_cast<StatsBlock*>(memory), path);
    }
    // Build the block under a temporary name and rename it into place, so a reader never maps
    // a half-made block. The file is sized once and never truncated while mapped: shrinking
    // a mapped file kills its readers with SIGBUS.
    std::string temp = path + ".tmp." + std::to_string(getpid());
    int fd = open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = errno_text("cannot create stats file", temp);
        return std::nullopt;
    }
    if (ftruncate(fd, sizeof(StatsBlock)) != 0) {
        error = errno_text("cannot size stats file", temp);
        close(fd);
        unlink(temp.c_str());
        return std::nullopt;
    }
    memory = mmap(nullptr, sizeof(StatsBlock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);  // the mapping keeps the file alive
    if (memory == MAP_FAILED) {
        error = errno_text("cannot map stats file", temp);
        unlink(temp.c_str());
        return std::nullopt;
    }
    init_block(static_cast<StatsBlock*>(memory), model, port, loops);
    if (rename(temp.c_str(), path.c_str()) != 0) {
        error = errno_text("cannot rename stats file to", path);
        munmap(memory, sizeof(StatsBlock));
        unlink(temp.c_str());
        return std::nullopt;
    }
    return StatsRegion(static_cast<StatsBlock*>(memory), path);
}

void publish_event_method(StatsBlock& stats, const std::string& method) {
    std::strncpy(stats.event_method, method.c_str(), sizeof stats.event_method - 1);
    stats.event_method_set.store(1, std::memory_order_release);  // last: readers check it first
}

std::string event_method(const StatsBlock& stats) {
    if (stats.event_method_set.load(std::memory_order_acquire) != 1) return "";
    return std::string(stats.event_method, strnlen(stats.event_method, sizeof stats.event_method));
}

std::optional<StatsRegion> StatsRegion::open_readonly(const std::string& path, std::string& error) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = errno_text("cannot open stats file", path);
        return std::nullopt;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) != sizeof(StatsBlock)) {
        error = "stats file " + path + " has the wrong size (another layout version?)";
        close(fd);
        return std::nullopt;
    }
    // PROT_READ only: readers never write. The atomics are read with plain loads.
    void* memory = mmap(nullptr, sizeof(StatsBlock), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (memory == MAP_FAILED) {
        error = errno_text("cannot map stats file", path);
        return std::nullopt;
    }
    auto* block = static_cast<StatsBlock*>(memory);
    const char* problem = nullptr;
    if (block->ready.load(std::memory_order_acquire) != 1)
        problem = "is not ready";
    else if (block->magic != kStatsMagic)
        problem = "is not a lab-server stats file";
    else if (block->version != kStatsVersion)
        problem = "has another layout version";
    else if (block->size != sizeof(StatsBlock))
        problem = "has the wrong size";
    else if (kill(static_cast<pid_t>(block->pid), 0) != 0 && errno == ESRCH) {
        problem = "belongs to a server that is no longer running (a stale file)";
    }
    if (problem != nullptr) {
        error = "stats file " + path + " " + problem;
        munmap(memory, sizeof(StatsBlock));
        return std::nullopt;
    }
    return StatsRegion(block, path);
}

StatsRegion::StatsRegion(StatsRegion&& other) noexcept
    : block_(other.block_), path_(std::move(other.path_)) {
    other.block_ = nullptr;
}

StatsRegion::~StatsRegion() {
    if (block_ != nullptr) munmap(block_, sizeof(StatsBlock));
}

void store_max(Counter& c, std::uint64_t value) {
    std::uint64_t seen = c.load(std::memory_order_relaxed);
    while (seen < value && !c.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

bool add_below(Counter& c, std::uint64_t limit) {
    std::uint64_t seen = c.load(std::memory_order_relaxed);
    while (seen < limit) {
        if (c.compare_exchange_weak(seen, seen + 1, std::memory_order_relaxed)) return true;
    }
    return false;
}

void add_blocking(StatsBlock& stats, Blocking kind, std::uint64_t ns) {
    add(stats.blocking_ns[static_cast<std::size_t>(kind)], ns);
}

namespace {

// A write to the queue gauge: the sequence is odd while the counters change. Every access
// to the gauge (and to blocking_ns[queue]) is sequentially consistent, so all of them fall in
// one order: a reader that sees the same even sequence before and after its loads read
// nothing of a write in progress. (Fences would do with weaker orders, but ThreadSanitizer,
// which checks the pool, does not model them.)
template <typename Change>
void write_queue(StatsBlock& stats, Change change) {
    stats.queue.sequence.fetch_add(1);
    change(stats.queue);
    stats.queue.sequence.fetch_add(1);
}

Counter& queue_ended_ns(StatsBlock& stats) {
    return stats.blocking_ns[static_cast<std::size_t>(Blocking::Queue)];
}

}  // namespace

void queue_wait_begins(StatsBlock& stats, std::uint64_t since_ns) {
    write_queue(stats, [&](QueueGauge& q) {
        q.waiting.fetch_add(1);
        q.since_sum_ns.fetch_add(since_ns);
    });
}

void queue_wait_ends(StatsBlock& stats, std::uint64_t since_ns, std::uint64_t now_ns) {
    write_queue(stats, [&](QueueGauge& q) {
        q.waiting.fetch_sub(1);
        q.since_sum_ns.fetch_sub(since_ns);
        queue_ended_ns(stats).fetch_add(now_ns - since_ns);
    });
}

QueueReading read_queue(const StatsBlock& stats, std::uint64_t now_ns) {
    const QueueGauge& q = stats.queue;
    const Counter& ended_ns = stats.blocking_ns[static_cast<std::size_t>(Blocking::Queue)];
    constexpr int kTries = 1000;  // a write is a few instructions: a reader rarely retries
    QueueReading reading;
    for (int i = 0; i < kTries; ++i) {
        std::uint64_t before = q.sequence.load();
        std::uint64_t waiting = q.waiting.load();
        std::uint64_t since_sum = q.since_sum_ns.load();
        std::uint64_t ended = ended_ns.load();
        if (before % 2 == 0 && q.sequence.load() == before) {
            reading.waiting = waiting;
            // The sum over waits in progress of (now - since), in modular arithmetic: right
            // even where waiting x now overflows. A wait that began after `now` was read makes
            // it a little negative: that is no wait yet.
            std::uint64_t in_progress = waiting * now_ns - since_sum;
            if (in_progress > std::numeric_limits<std::int64_t>::max()) in_progress = 0;
            reading.wait_ns = ended + in_progress;
            return reading;
        }
    }
    // A writer died mid-write (the pool is in one process, so the server died with it): the
    // ended waits are still right.
    reading.wait_ns = ended_ns.load();
    return reading;
}

Rusage from_rusage(const struct rusage& ru) {
    auto us = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000u +
               static_cast<std::uint64_t>(tv.tv_usec);
    };
    Rusage r;
    r.user_us = us(ru.ru_utime);
    r.system_us = us(ru.ru_stime);
    r.voluntary_ctx_switches = static_cast<std::uint64_t>(ru.ru_nvcsw);
    r.involuntary_ctx_switches = static_cast<std::uint64_t>(ru.ru_nivcsw);
    r.max_rss_kb = static_cast<std::uint64_t>(ru.ru_maxrss);
    return r;
}

Rusage read_rusage(int who) {
    struct rusage ru {};
    getrusage(who, &ru);
    return from_rusage(ru);
}

void add_rusage(RusageCounters& into, const Rusage& r) {
    add(into.user_us, r.user_us);
    add(into.system_us, r.system_us);
    add(into.voluntary_ctx_switches, r.voluntary_ctx_switches);
    add(into.involuntary_ctx_switches, r.involuntary_ctx_switches);
    store_max(into.max_rss_kb, r.max_rss_kb);
}

void store_rusage(RusageCounters& into, const Rusage& r) {
    into.user_us.store(r.user_us, std::memory_order_relaxed);
    into.system_us.store(r.system_us, std::memory_order_relaxed);
    into.voluntary_ctx_switches.store(r.voluntary_ctx_switches, std::memory_order_relaxed);
    into.involuntary_ctx_switches.store(r.involuntary_ctx_switches, std::memory_order_relaxed);
    into.max_rss_kb.store(r.max_rss_kb, std::memory_order_relaxed);
}

Rusage load_rusage(const RusageCounters& from) {
    Rusage r;
    r.user_us = load(from.user_us);
    r.system_us = load(from.system_us);
    r.voluntary_ctx_switches = load(from.voluntary_ctx_switches);
    r.involuntary_ctx_switches = load(from.involuntary_ctx_switches);
    r.max_rss_kb = load(from.max_rss_kb);
    return r;
}

Rusage live_workers_rusage(const StatsBlock& stats) {
    Rusage sum;
    for (const WorkerSlot& slot : stats.workers) {
        if (slot.pid.load(std::memory_order_relaxed) == 0) continue;
        Rusage r = load_rusage(slot.usage);
        sum.user_us += r.user_us;
        sum.system_us += r.system_us;
        sum.voluntary_ctx_switches += r.voluntary_ctx_switches;
        sum.involuntary_ctx_switches += r.involuntary_ctx_switches;
        sum.max_rss_kb = std::max(sum.max_rss_kb, r.max_rss_kb);
    }
    return sum;
}

}  // namespace lab
