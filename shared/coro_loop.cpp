// The coroutines model's loop and its awaitables. See coro_loop.hpp.
#include "coro_loop.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab::coro {
namespace {

thread_local StatsBlock* frame_stats = nullptr;  // where this thread counts its frames

// The frame counters have one writer, the loop's thread, so a plain load and store keeps them
// exact without a locked read-modify-write: a request makes and frees several frames, and
// fetch_add's lock would be a measurable part of its CPU. Readers (STATS, the stats file) see
// each store whole, as every Counter is a lock-free atomic.
void bump(Counter& c, std::uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Frames

void count_frames_in(StatsBlock* stats) {
    frame_stats = stats;
}

void* allocate_frame(std::size_t bytes) {
    void* frame = std::malloc(bytes);
    if (frame == nullptr) throw std::bad_alloc();
    if (frame_stats != nullptr) {
        bump(frame_stats->coroutine_frames, 1);
        bump(frame_stats->coroutine_frame_bytes, bytes);
        bump(frame_stats->coroutine_frames_made, 1);
    }
    return frame;
}

void free_frame(void* frame, std::size_t bytes) {
    if (frame_stats != nullptr) {
        bump(frame_stats->coroutine_frames, static_cast<std::uint64_t>(-1));
        bump(frame_stats->coroutine_frame_bytes, static_cast<std::uint64_t>(0) - bytes);
    }
    std::free(frame);
}

// ---------------------------------------------------------------------------------------
// Parking

Parking::Parking(CoroLoop& loop, int fd, bool owns_fd, std::uint16_t task)
    : loop_(loop), fd_(fd), owns_fd_(owns_fd), task_(task) {}

Parking::~Parking() {
    if (coroutine_) wake(Woken::Deadline);  // its frame is being destroyed while suspended
    if (query_pending_) loop_.context.backend.forget(this);
    if (waiting_) loop_.context.waiters.forget(waiting_key_, this);
    if (fd_ >= 0) loop_.forget_socket(fd_, owns_fd_);
    if (owns_fd_ && fd_ >= 0) close(fd_);  // closing also takes it out of the epoll set
}

void Parking::park(std::coroutine_handle<> coroutine, std::uint32_t events,
                   std::uint64_t deadline_ns, bool answer) {
    coroutine_ = coroutine;
    events_ = events;
    wants_answer_ = answer;
    if (events == 0 && deadline_ns == 0 && !answer) {  // next_turn()
        loop_.schedule(wake(Woken::Ready), task_);
        return;
    }
    if (events != 0 && fd_ >= 0) {
        CoroLoop::Slot& slot = loop_.slot(fd_);
        slot.parked = this;
        // Widened at once; narrowed only when epoll reports what nobody waits for (dispatch),
        // so that a connection going back and forth between reading and sleeping costs no
        // system call.
        if ((slot.registered & events) != events &&
            !loop_.set_registration(fd_, slot.registered | events)) {
            // ENOMEM, or ENOSPC past fs.epoll.max_user_watches (EPERM: a file epoll cannot
            // watch): the coroutine hears so in the loop's next turn and gives up on this
            // socket, as epoll's settle closes such a client; the others go on. Not its
            // deadline: a client would get ERR 408 for a wait it never had.
            std::perror("lab-server: epoll_ctl");
            loop_.schedule(wake(Woken::Failed), task_);
            return;
        }
    }
    if (deadline_ns != 0) {
        timer_ns_ = deadline_ns;
        loop_.timers_.emplace(deadline_ns, this);
    }
}

std::coroutine_handle<> Parking::wake(Woken why) {
    if (fd_ >= 0 && events_ != 0) {
        CoroLoop::Slot& slot = loop_.slot(fd_);
        if (slot.parked == this) slot.parked = nullptr;
    }
    if (timer_ns_ != 0) loop_.timers_.erase({timer_ns_, this});
    timer_ns_ = 0;
    events_ = 0;
    wants_answer_ = false;
    woken_ = why;
    return std::exchange(coroutine_, {});
}

std::optional<Reply> Parking::submit_query(std::uint64_t ms, std::uint64_t rows) {
    query_pending_ = true;  // before submit: the pool may answer inside it (a failed connect)
    std::optional<Reply> now = loop_.context.backend.submit(this, ms, rows);
    if (now) query_pending_ = false;
    return now;
}

bool Parking::add_waiter(const std::string& key) {
    if (!loop_.context.waiters.add(key, this)) return false;
    waiting_ = true;
    waiting_key_ = key;
    return true;
}

void Parking::remove_waiter() {
    if (!waiting_) return;
    // Always true here: only a POST made on another loop finds a waiter taken (its value then
    // on its way through an inbox), and this loop's board is never shared.
    loop_.context.waiters.remove(waiting_key_, this);
    waiting_ = false;
}

Reply Parking::take_answer() {
    Reply reply = std::move(*reply_);
    reply_.reset();
    return reply;
}

void Parking::on_query_done(Reply reply) {
    if (!query_pending_) return;
    query_pending_ = false;
    reply_ = std::move(reply);
    // Never resumed here: the pool calls this in the middle of its own work (or of another
    // coroutine's submit), so the loop resumes it in its turn.
    if (coroutine_ && wants_answer_) loop_.schedule(wake(Woken::Answer), task_);
}

void Parking::on_posted(const std::string& value) {
    if (!waiting_) return;
    waiting_ = false;  // the board has taken it off
    reply_ = ok_reply(value);
    // Called by the POSTing coroutine, which is running now: this one runs in the loop's turn.
    if (coroutine_ && wants_answer_) loop_.schedule(wake(Woken::Answer), task_);
}

// ---------------------------------------------------------------------------------------
// The loop

CoroLoop::CoroLoop(Server& s) : server(s), context(s, 0), events_(kMaxEventsPerTurn) {
    count_frames_in(server.stats);
    // A pool socket about to close leaves the epoll set by itself; only the books change.
    context.backend.on_close = [this](int fd) { backend_registered.erase(fd); };
}

CoroLoop::~CoroLoop() {
    tasks_.clear();  // every suspended frame: sockets closed, timers and waits forgotten
    ready_.clear();
    resuming_.clear();
    count_frames_in(nullptr);
    if (epoll_fd_ >= 0) close(epoll_fd_);
}

CoroLoop::Slot& CoroLoop::slot(int fd) {
    std::size_t index = static_cast<std::size_t>(fd);
    if (index >= slots_.size()) slots_.resize(index + 1);
    return slots_[index];
}

bool CoroLoop::set_registration(int fd, std::uint32_t events) {
    Slot& s = slot(fd);
    if (events == s.registered) return true;
    // A socket that waits for nothing leaves the set: epoll reports a hang-up or an error
    // even to a registration that asks for no events, and would report it every turn.
    int op = s.registered == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, op, fd, &event) != 0) return false;
    s.registered = events;
    return true;
}

void CoroLoop::forget_socket(int fd, bool closing) {
    Slot& s = slot(fd);
    if (!closing && s.registered != 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    s = Slot{};
}

void CoroLoop::schedule(std::coroutine_handle<> coroutine, std::uint16_t task) {
    ready_.push_back({coroutine, task});
}

void CoroLoop::resume(std::coroutine_handle<> coroutine, std::uint16_t task) {
    trace::TaskScope scope(task);  // its spans carry its client's port
    coroutine.resume();
}

void CoroLoop::spawn(Task<> coroutine, std::uint16_t task) {
    void* frame = coroutine.address();
    coroutine.report_end_to(ended_);
    auto it = tasks_.emplace(frame, std::move(coroutine)).first;
    trace::TaskScope scope(task);  // its spans carry its client's port
    it->second.start();  // runs until it first awaits (or ends: freed at the end of the turn)
}

// A hang-up or an error counts as ready for whatever the coroutine waits for, as select() has
// it: its next recv() or send() finds out which it was.
void CoroLoop::dispatch(const epoll_event& event) {
    int fd = event.data.fd;
    if (static_cast<std::size_t>(fd) >= slots_.size()) return;
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    std::uint32_t wanted = s.parked != nullptr ? s.parked->events_ : 0;
    // epoll reported what nobody waits for now (a socket readable while its coroutine sleeps
    // through simulated I/O): narrow the registration, or level-triggered epoll reports it
    // again every turn.
    if ((event.events & (EPOLLIN | EPOLLOUT) & ~wanted) != 0 || wanted == 0) {
        if (!set_registration(fd, wanted)) std::perror("lab-server: epoll_ctl");
    }
    constexpr std::uint32_t kEnded = EPOLLHUP | EPOLLERR;
    if (s.parked != nullptr && (event.events & (wanted | kEnded)) != 0) {
        Parking& parked = *s.parked;
        resume(parked.wake(Woken::Ready), parked.task_);
    }
}

// Swaps the two lists rather than moving ready_ into a new one, so that neither is allocated
// again each turn. Safe: only run() calls this, never a coroutine, so it never runs inside itself.
void CoroLoop::resume_ready() {
    resuming_.swap(ready_);  // those that yield again are resumed next turn
    for (const Ready& r : resuming_)
        resume(r.coroutine, r.task);
    resuming_.clear();
}

// One at a time, earliest first: a coroutine resumed here may wake or end another whose timer
// is due too, which then is no longer in the queue.
void CoroLoop::run_due_timers() {
    std::uint64_t now = mono_ns();
    while (!timers_.empty() && timers_.begin()->first <= now) {
        Parking& parked = *timers_.begin()->second;
        resume(parked.wake(Woken::Deadline), parked.task_);
    }
}

// The loop's only wait: until a socket is ready or the earliest timer (or the database pool's
// deadline) is due; only a look, without waiting, when a coroutine is ready to go on.
int CoroLoop::wait_for_events() {
    timespec timeout{};
    timespec* timeout_ptr = nullptr;  // no timer: wait for a socket only
    std::uint64_t earliest = context.backend.deadline_ns();
    if (!timers_.empty() && (earliest == 0 || timers_.begin()->first < earliest)) {
        earliest = timers_.begin()->first;
    }
    if (!ready_.empty()) {
        timeout_ptr = &timeout;  // zero: look, do not wait
    } else if (earliest != 0) {
        timeout = time_until(earliest);
        timeout_ptr = &timeout;
    }
    BlockingTimer timer(*server.stats, Blocking::Wait);
    return epoll_pwait2(epoll_fd_, events_.data(), kMaxEventsPerTurn, timeout_ptr, nullptr);
}

void CoroLoop::run(Task<> first) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event stop{};
    stop.events = EPOLLIN;
    stop.data.fd = stop_fd();
    if (epoll_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd(), &stop) != 0) {
        std::perror("lab-server: epoll");
        return;
    }
    slot(stop_fd()).registered = EPOLLIN;  // never a coroutine's
    void* accepting = first.address();     // its key in tasks_ while it lives
    spawn(std::move(first), 0);
    while (true) {
        sync_backend_watches(epoll_fd_, context.backend, backend_registered);
        int ready = wait_for_events();
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: epoll_pwait2");
            return;
        }
        // Dispatch: resume each coroutine whose socket epoll found ready, and only those.
        for (int i = 0; i < ready; ++i) {
            const epoll_event& event = events_[static_cast<std::size_t>(i)];
            if (event.data.fd == stop_fd()) return;  // SIGTERM or SIGINT
            if (backend_registered.count(event.data.fd) != 0) {
                constexpr std::uint32_t kEnded = EPOLLHUP | EPOLLERR;
                context.backend.on_ready(event.data.fd, (event.events & (EPOLLIN | kEnded)) != 0,
                                         (event.events & (EPOLLOUT | kEnded)) != 0);
            } else {
                dispatch(event);
            }
        }
        // Coroutines that answers woke (their QUERY's, a POST's) or that yielded.
        resume_ready();
        // Due timers: simulated I/O that has ended, idle clients, drains that are over.
        run_due_timers();
        std::uint64_t due = context.backend.deadline_ns();
        if (due != 0 && due <= mono_ns()) context.backend.on_deadline(mono_ns());
        // Frees the frames of the coroutines that ended in this turn.
        for (void* frame : ended_)
            tasks_.erase(frame);
        ended_.clear();
        // No client comes in any more: the accepting coroutine's socket could not be watched
        // (park said why). The loop ends, as epoll's does when it cannot watch its listener.
        if (tasks_.count(accepting) == 0) return;
    }
}

}  // namespace lab::coro
