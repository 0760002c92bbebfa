// See thread_group.hpp.
#include "thread_group.hpp"

#include <sys/resource.h>

#include <system_error>

#include "trace.hpp"

namespace lab {

bool ThreadGroup::start(std::function<void()> task) {
    reap();
    std::uint64_t id = next_id_++;
    try {
        threads_.emplace(id, std::thread([this, id, task = std::move(task)] {
                             trace::name_thread("client thread " + std::to_string(id));
                             task();
                             add_rusage(stats_.exited_threads, read_rusage(RUSAGE_THREAD));
                             std::lock_guard lock(finished_lock_);
                             finished_.push_back(id);
                         }));
    } catch (const std::system_error&) {
        return false;  // EAGAIN: out of threads or memory for a stack
    }
    return true;
}

void ThreadGroup::reap() {
    std::vector<std::uint64_t> done;
    {
        std::lock_guard lock(finished_lock_);
        done.swap(finished_);
    }
    for (std::uint64_t id : done) {
        auto it = threads_.find(id);
        it->second.join();
        threads_.erase(it);
    }
}

void ThreadGroup::join_all() {
    for (auto& [id, thread] : threads_)
        thread.join();
    threads_.clear();
    std::lock_guard lock(finished_lock_);
    finished_.clear();
}

}  // namespace lab
