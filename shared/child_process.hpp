// What the process-based models (fork, prefork) do around fork(): hold the stop signals
// while forking, turn the new process into a proper child, and stop and reap their children
// at the end. One thread (the parent's only one) calls all of this.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lab {

struct StatsBlock;

// How long stopping children waits after SIGTERM before it sends SIGKILL.
inline constexpr std::uint64_t kChildStopGraceMs = 3000;

// Blocks the signals whose handlers use the stop latch (SIGTERM, SIGINT, SIGCHLD) from
// construction until release(), around fork(): a SIGTERM that hit the child before it had
// its own latch would write to the parent's. Both processes must call release().
class SignalsHeld {
  public:
    SignalsHeld();
    void release();

  private:
    sigset_t previous_{};
};

// In the child, right after fork: die with the parent (PR_SET_PDEATHSIG), a stop latch of
// its own, its trace named `process_name` with its thread named `thread_name`, then the held
// signals released (one that came meanwhile is delivered now, to the child's own latch).
// Returns false if the child must end at once without serving (the caller _exits): the
// parent died before the death signal was set up, or the child could not make its stop
// latch (said on stderr).
[[nodiscard]] bool become_child(pid_t parent, SignalsHeld& held, const std::string& process_name,
                                const std::string& thread_name);

// Reaps every child that has exited, without blocking: adds its wait4 rusage to
// stats.children, then calls reaped(pid) for the model's own bookkeeping (so a reader of the
// counter block never misses a child's figures: for a moment it may count them twice).
void reap_exited_children(StatsBlock& stats, const std::function<void(pid_t)>& reaped);

// Stops children: SIGTERM to each of alive(), then reap() every 10 ms until alive() is empty
// or kChildStopGraceMs pass, then SIGKILL to the rest and reap() until none is left. reap()
// must reap without blocking and drop what it reaped from what alive() returns.
void stop_children(const std::function<std::vector<pid_t>()>& alive,
                   const std::function<void()>& reap);

}  // namespace lab
