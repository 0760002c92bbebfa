// See server_sampler.hpp.
#include "server_sampler.hpp"

#include <unistd.h>

#include <algorithm>

#include "accept_queue.hpp"
#include "clock.hpp"

namespace lab {

BlockReading read_block(const StatsBlock& b) {
    BlockReading s;
    s.requests = load(b.requests);
    s.errors = load(b.errors);
    s.connections_active = load(b.connections_active);
    s.connections_accepted = load(b.connections_accepted);
    s.connections_rejected = load(b.connections_rejected);
    for (std::size_t i = 0; i < s.blocking_ns.size(); ++i)
        s.blocking_ns[i] = load(b.blocking_ns[i]);
    QueueReading queue = read_queue(b, mono_ns());
    s.connections_queued = queue.waiting;
    s.backend = {load(b.backend_queries), load(b.backend_failures), load(b.backend_query_ns),
                 load(b.backend_pool_wait_ns)};
    s.blocking_ns[static_cast<std::size_t>(Blocking::Queue)] = queue.wait_ns;
    for (std::size_t i = 0; i < std::min<std::size_t>(b.loop_count, kMaxLoops); ++i)
        s.loops.push_back({load(b.loops[i].connections_accepted), load(b.loops[i].requests)});
    s.exited_threads = load_rusage(b.exited_threads);
    s.children = load_rusage(b.children);
    return s;
}

ServerSampler::ServerSampler(pid_t pid, const StatsBlock& block, std::uint16_t port,
                             std::uint64_t interval_ns)
    : pid_(pid), block_(block), port_(port), interval_ns_(interval_ns) {
    thread_ = std::thread([this] { loop(); });
}

ServerSampler::~ServerSampler() {
    stop();
}

void ServerSampler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    if (thread_.joinable()) thread_.join();
}

std::vector<Sample> ServerSampler::samples() {
    std::lock_guard lock(mutex_);
    return samples_;
}

std::uint64_t ServerSampler::own_cpu_ns() {
    std::lock_guard lock(mutex_);
    return own_cpu_ns_;
}

std::optional<Sample> ServerSampler::take() {
    Sample s;
    // Read at the sample's time stamp (the walk's start): walking 10,000 tasks takes a good
    // part of a second, and the server does not stand still meanwhile.
    s.requests = load(block_.requests);
    s.connections_active = load(block_.connections_active);
    s.connections_queued = read_queue(block_, mono_ns()).waiting;
    auto tree = sample_tree(pid_, true);
    if (!tree) return std::nullopt;
    s.tree = *tree;
    s.ended_voluntary = load(block_.exited_threads.voluntary_ctx_switches) +
                        load(block_.children.voluntary_ctx_switches);
    s.ended_involuntary = load(block_.exited_threads.involuntary_ctx_switches) +
                          load(block_.children.involuntary_ctx_switches);
    s.accept_queue = accept_queue_length(port_);
    return s;
}

void ServerSampler::loop() {
    while (true) {
        std::uint64_t started = mono_ns();
        std::uint64_t cpu_before = thread_cpu_ns();
        std::optional<Sample> sample = take();
        // The sampler's own CPU time for this sample, not its wall time: on a busy machine
        // the wall time includes waiting for a CPU, which says nothing about its cost.
        std::uint64_t took = thread_cpu_ns() - cpu_before;
        {
            std::lock_guard lock(mutex_);
            own_cpu_ns_ += took;
            if (sample && samples_.size() < kMaxTimeseries) samples_.push_back(*sample);
            if (stopping_) return;
        }
        // At most a fifth of a CPU for sampling (many tasks make a sample dear), and a sample
        // at least every second.
        std::uint64_t wait = std::max(interval_ns_, std::min(took * 5, kMaxSampleGapNs));
        std::uint64_t until = started + wait;
        while (mono_ns() < until) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            usleep(5'000);
        }
    }
}

}  // namespace lab
