// See thread_group.hpp.
#include "thread_group.hpp"

#include <sys/resource.h>

#include <cstring>
#include <memory>

#include "trace.hpp"

namespace lab {

bool thread_stack_fits(std::uint64_t stack_kb, std::string& error) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int rc = pthread_attr_setstacksize(&attr, stack_kb * 1024);
    pthread_t thread;
    if (rc == 0)
        rc = pthread_create(
            &thread, &attr, [](void*) -> void* { return nullptr; }, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        error = "a thread with a stack of ";
        error += std::to_string(stack_kb);
        error += " KiB cannot be made here: ";
        error += std::strerror(rc);
        return false;
    }
    pthread_join(thread, nullptr);
    return true;
}

struct ThreadGroup::Launch {
    ThreadGroup* group;
    std::uint64_t id;
    std::string name;
    std::function<void()> task;
};

void* ThreadGroup::run(void* arg) {
    std::unique_ptr<Launch> launch(static_cast<Launch*>(arg));  // the thread owns it now
    ThreadGroup& group = *launch->group;
    trace::name_thread(launch->name);
    launch->task();
    add_rusage(group.stats_.exited_threads, read_rusage(RUSAGE_THREAD));
    std::lock_guard lock(group.finished_lock_);
    group.finished_.push_back(launch->id);
    return nullptr;
}

bool ThreadGroup::start(std::function<void()> task, const std::string& name) {
    reap();
    std::uint64_t id = next_id_++;
    std::string shown = name;
    if (shown.empty()) {
        shown = "client thread ";
        shown += std::to_string(id);
    }
    auto launch = std::make_unique<Launch>(Launch{this, id, shown, std::move(task)});
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    // The size is checked against kMinThreadStackKb at the command line; glibc takes the
    // guard page and the thread's TLS out of it.
    if (stack_kb_ != 0 && pthread_attr_setstacksize(&attr, stack_kb_ * 1024) != 0) {
        pthread_attr_destroy(&attr);
        return false;
    }
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, &ThreadGroup::run, launch.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) return false;  // EAGAIN: out of threads or memory for a stack
    launch.release();           // run() owns it
    threads_.emplace(id, thread);
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
        pthread_join(it->second, nullptr);
        threads_.erase(it);
    }
}

void ThreadGroup::join_all() {
    for (auto& [id, thread] : threads_)
        pthread_join(thread, nullptr);
    threads_.clear();
    std::lock_guard lock(finished_lock_);
    finished_.clear();
}

}  // namespace lab
