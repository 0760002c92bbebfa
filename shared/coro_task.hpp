// The coroutines model's task type (C++20 coroutines, no library): a Task<T> is a coroutine
// that starts only when awaited or started, and hands its caller a T when it ends. A coroutine
// that awaits another (co_await receive(...)) is suspended until the other ends, then goes on
// where it was; the awaited one's frame is freed when its Task is destroyed, right after. The
// loop (coro_loop.hpp) starts the top-level ones, one per client, and frees each frame at the end
// of the turn in which it ended, or at stop all those still suspended (their destructors run:
// sockets close, waits are forgotten). Nothing is ever freed by a coroutine running off its end.
//
// Frames come from operator new (malloc) through the promise, which counts them in the counter
// block (coroutine_frames, coroutine_frame_bytes, coroutine_frames_made: STATS' `coroutines`)
// when the calling thread has said where (count_frames_in): so what one client's state costs
// is measured, not guessed. An exception escaping a coroutine ends the process
// (std::terminate): the server's code throws only std::bad_alloc.
//
// Not thread-safe: a Task belongs to the thread that runs its loop.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "counters.hpp"

namespace lab::coro {

// Counts the frames the calling thread allocates from now on in `stats` (null: stop counting).
// Frames freed must be freed by a thread that counts in the same block, and only one thread
// may count in a block: the counters are updated without a locked read-modify-write.
void count_frames_in(StatsBlock* stats);
void* allocate_frame(std::size_t bytes);
void free_frame(void* frame, std::size_t bytes);

template <typename T>
class Task;

namespace detail {

struct PromiseBase {
    // Every frame of a Task comes from here: the compiler asks for the frame's size.
    static void* operator new(std::size_t bytes) { return allocate_frame(bytes); }
    static void operator delete(void* frame, std::size_t bytes) { free_frame(frame, bytes); }

    std::suspend_always initial_suspend() noexcept { return {}; }  // starts when awaited
    // At its end, the coroutine goes back to the one that awaited it (symmetric transfer: no
    // stack grows however deep the chain), or, started by the loop, tells the loop it ended.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <typename Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
            PromiseBase& promise = self.promise();
            if (promise.continuation) return promise.continuation;
            if (promise.ended != nullptr) promise.ended->push_back(self.address());
            return std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { std::terminate(); }

    std::coroutine_handle<> continuation;  // the coroutine that awaits this one (null: none)
    std::vector<void*>* ended = nullptr;   // a top-level task's loop: where it says it ended
};

template <typename T>
struct Promise : PromiseBase {
    Task<T> get_return_object();
    void return_value(T value) { result.emplace(std::move(value)); }
    std::optional<T> result;
};

template <>
struct Promise<void> : PromiseBase {
    Task<void> get_return_object();
    void return_void() noexcept {}
};

}  // namespace detail

// Owns its coroutine's frame: destroying the Task destroys the frame, wherever the coroutine
// is suspended. Move-only.
template <typename T = void>
class [[nodiscard]] Task {
  public:
    using promise_type = detail::Promise<T>;
    using Handle = std::coroutine_handle<promise_type>;

    explicit Task(Handle handle) : handle_(handle) {}
    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    // co_await task: runs it until it ends (suspending the awaiting coroutine whenever it
    // suspends), then yields its result.
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
        handle_.promise().continuation = caller;
        return handle_;
    }
    T await_resume() {
        if constexpr (!std::is_void_v<T>) return std::move(*handle_.promise().result);
    }

    // For the loop, which runs the top-level tasks: the frame's address (its key), where to
    // say it ended, and the first resume.
    void* address() const { return handle_.address(); }
    void report_end_to(std::vector<void*>& ended) { handle_.promise().ended = &ended; }
    void start() { handle_.resume(); }

  private:
    void destroy() {
        if (handle_) handle_.destroy();
        handle_ = {};
    }
    Handle handle_;
};

namespace detail {

template <typename T>
Task<T> Promise<T>::get_return_object() {
    return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Task<void> Promise<void>::get_return_object() {
    return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace detail

}  // namespace lab::coro
