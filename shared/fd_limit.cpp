// The descriptor limit. See fd_limit.hpp.
#include "fd_limit.hpp"

#include <sys/resource.h>

namespace lab {

std::uint64_t raise_fd_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        // Fails only if the hard limit is above what the kernel allows (fs.nr_open): keep the
        // old soft limit then, and report it.
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur;
}

}  // namespace lab
