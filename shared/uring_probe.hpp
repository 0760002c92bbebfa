// Whether this process may use io_uring, for the uring model (models/uring_loop.cpp): asked by
// lab-server before it listens (a model that cannot run exits 2 with one line saying why and
// what to do) and by the test suites (which skip the model with that line). io_uring is often
// unavailable where everything else works: kernel.io_uring_disabled (Linux 6.6) turns it off for
// some or all processes, and container runtimes deny it in their default seccomp profile
// (Docker's since 2023), which makes io_uring_setup fail with EPERM or ENOSYS. Needs no
// liburing: the probe is one raw io_uring_setup. Nothing here exits; any thread.
#pragma once

#include <string>

namespace lab {

// The oldest kernel the uring model runs on: multishot receive (IORING_RECV_MULTISHOT) and the
// provided buffer ring it receives into came in Linux 6.0 (the ring itself in 5.19).
inline constexpr int kUringMinKernelMajor = 6;
inline constexpr int kUringMinKernelMinor = 0;

// Why the uring model cannot run here ("" when it can): sets up and closes a tiny ring, and
// checks the kernel's version.
std::string uring_unavailable();

// The one line saying why, from what the probe found: io_uring_setup's errno (0: it worked),
// kernel.io_uring_disabled (-1: no such sysctl, a kernel before 6.6) and the kernel's release
// (uname -r). "" when none of them stands in the way. Pure, for tests.
std::string uring_refusal(int setup_errno, int disabled_sysctl, const std::string& release);

}  // namespace lab
