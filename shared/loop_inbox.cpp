// A loop's inbox. See loop_inbox.hpp.
#include "loop_inbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace lab {

LoopInbox::LoopInbox(StatsBlock& stats)
    : stats_(stats), event_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

LoopInbox::~LoopInbox() {
    for (int fd : mail_.clients) {
        close(fd);  // never served: its place goes back
        add(stats_.connections_active, static_cast<std::uint64_t>(-1));
    }
    if (event_fd_ >= 0) close(event_fd_);
}

void LoopInbox::hand_client(int fd) {
    {
        std::lock_guard lock(lock_);
        mail_.clients.push_back(fd);
    }
    wake();
}

void LoopInbox::hand_post(std::uint64_t waiter, std::string value) {
    {
        std::lock_guard lock(lock_);
        mail_.posts.emplace_back(waiter, std::move(value));
    }
    wake();
}

void LoopInbox::wake() {
    std::uint64_t one = 1;
    // The counter only grows (to 2^64 - 2 before a write would block): a failed write means a
    // wake-up is pending already.
    [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof one);
}

LoopInbox::Mail LoopInbox::take() {
    std::uint64_t count = 0;
    // Read first: what is handed after this read makes the eventfd readable again, so nothing
    // handed after the swap below can go unnoticed.
    [[maybe_unused]] ssize_t n = read(event_fd_, &count, sizeof count);
    Mail taken;
    std::lock_guard lock(lock_);
    std::swap(taken, mail_);
    return taken;
}

}  // namespace lab
