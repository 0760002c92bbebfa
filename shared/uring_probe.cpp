// Whether io_uring may be used here. See uring_probe.hpp.
#include "uring_probe.hpp"

#include <errno.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace lab {
namespace {

constexpr const char* kInstead = "use --model epoll instead";

// kernel.io_uring_disabled: 0 allowed, 1 only for root and kernel.io_uring_group, 2 for no
// one; -1 when the file is missing (before Linux 6.6) or unreadable.
int read_disabled_sysctl() {
    std::ifstream in("/proc/sys/kernel/io_uring_disabled");
    int value = -1;
    if (!(in >> value)) return -1;
    return value;
}

std::string kernel_release() {
    utsname name{};
    if (uname(&name) != 0) return "";
    return name.release;
}

// "6.1.0-18-amd64" -> 6 and 1; false if it does not start with two numbers.
bool parse_release(const std::string& release, int& major, int& minor) {
    return std::sscanf(release.c_str(), "%d.%d", &major, &minor) == 2;
}

std::string errno_text(int error) {
    const char* name = strerrorname_np(error);
    return std::string(name != nullptr ? name : "errno " + std::to_string(error)) + " (" +
           std::strerror(error) + ")";
}

}  // namespace

std::string uring_refusal(int setup_errno, int disabled_sysctl, const std::string& release) {
    const std::string head = "--model uring: io_uring is unavailable here: ";
    if (setup_errno == 0) {
        int major = 0;
        int minor = 0;
        if (!parse_release(release, major, minor)) return "";  // let the ring say what fails
        if (major > kUringMinKernelMajor ||
            (major == kUringMinKernelMajor && minor >= kUringMinKernelMinor)) {
            return "";
        }
        return head + "Linux " + std::to_string(kUringMinKernelMajor) + "." +
               std::to_string(kUringMinKernelMinor) +
               " or later is needed for multishot receive, and this is " + release + "; " +
               kInstead;
    }
    const std::string failed = "io_uring_setup failed with " + errno_text(setup_errno);
    if (setup_errno == EPERM && disabled_sysctl == 2) {
        return head + failed +
               " and kernel.io_uring_disabled is 2 (off for every process): as root, "
               "sysctl -w kernel.io_uring_disabled=0; or " +
               kInstead;
    }
    if (setup_errno == EPERM && disabled_sysctl == 1) {
        return head + failed +
               " and kernel.io_uring_disabled is 1 (only root and the group "
               "kernel.io_uring_group may use it): run as root or in that group, or as root "
               "sysctl -w kernel.io_uring_disabled=0; or " +
               kInstead;
    }
    if (setup_errno == EPERM || setup_errno == ENOSYS) {
        return head + failed +
               ": a seccomp profile denies it (a container runtime's default profile does; "
               "run the container with one that allows io_uring_setup, io_uring_enter and "
               "io_uring_register)" +
               (setup_errno == ENOSYS ? ", or this kernel was built without io_uring" : "") +
               "; or " + kInstead;
    }
    return head + failed + "; " + kInstead;
}

std::string uring_unavailable() {
    io_uring_params params{};
    long fd = syscall(__NR_io_uring_setup, 2, &params);
    int error = fd < 0 ? errno : 0;
    if (fd >= 0) close(static_cast<int>(fd));
    return uring_refusal(error, read_disabled_sysctl(), kernel_release());
}

}  // namespace lab
