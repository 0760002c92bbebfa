// See child_process.hpp.
#include "child_process.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

#include "clock.hpp"
#include "counters.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {

void reap_exited_children(StatsBlock& stats, const std::function<void(pid_t)>& reaped) {
    while (true) {
        int status = 0;
        struct rusage usage {};
        pid_t pid = wait4(-1, &status, WNOHANG, &usage);
        if (pid <= 0) return;  // none left to reap now (0), or no children at all (-1)
        add_rusage(stats.children, from_rusage(usage));
        reaped(pid);
    }
}

SignalsHeld::SignalsHeld() {
    sigset_t held;
    sigemptyset(&held);
    for (int s : {SIGTERM, SIGINT, SIGCHLD})
        sigaddset(&held, s);
    sigprocmask(SIG_BLOCK, &held, &previous_);
}

void SignalsHeld::release() {
    sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

bool become_child(pid_t parent, SignalsHeld& held, const std::string& process_name,
                  const std::string& thread_name) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return false;  // the parent died before prctl took effect
    if (std::string error; !install_signal_handlers(error)) {
        std::cerr << "lab-server: " << process_name << ": " << error << "\n";
        return false;
    }
    trace::after_fork_in_child(process_name);
    trace::name_thread(thread_name);
    held.release();
    return true;
}

void stop_children(const std::function<std::vector<pid_t>()>& alive,
                   const std::function<void()>& reap) {
    for (pid_t pid : alive())
        kill(pid, SIGTERM);
    std::uint64_t deadline = mono_ns() + kChildStopGraceMs * 1'000'000;
    while (!alive().empty() && mono_ns() < deadline) {
        reap();
        usleep(10'000);
    }
    for (pid_t pid : alive())
        kill(pid, SIGKILL);
    while (true) {
        reap();
        if (alive().empty()) return;
        usleep(1'000);
    }
}

}  // namespace lab
