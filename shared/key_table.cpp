// The INCR/GET table inside the counter block (see key_table.hpp).
#include "key_table.hpp"

#include <errno.h>
#include <pthread.h>

#include <atomic>
#include <cstring>

#include "blocking.hpp"

namespace lab {
namespace {

// Locks the table, measuring the wait, and repairs the lock if its holder died.
class TableLock {
  public:
    TableLock(StatsBlock& stats, Locking locking) : lock_(stats.table_lock) {
        if (locking == Locking::SingleTask) {
            held_ = false;  // one task only: nobody to exclude
            return;
        }
        add(stats.table_locks, 1);  // counted, so that a model's STATS shows it took the lock
        int rc = pthread_mutex_trylock(&lock_);
        if (rc == EBUSY) {
            BlockingTimer timer(stats, Blocking::Lock);
            rc = pthread_mutex_lock(&lock_);
        }
        // A holder died mid-update: the table is still consistent, because a slot becomes
        // visible (length set) only after its key and value are written.
        if (rc == EOWNERDEAD) pthread_mutex_consistent(&lock_);
    }
    ~TableLock() {
        if (held_) pthread_mutex_unlock(&lock_);
    }
    TableLock(const TableLock&) = delete;
    TableLock& operator=(const TableLock&) = delete;

  private:
    pthread_mutex_t& lock_;
    bool held_ = true;
};

std::uint64_t hash_key(const std::string& key) {
    std::uint64_t h = 1469598103934665603u;  // FNV-1a
    for (char c : key) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211u;
    }
    return h;
}

// The slot holding key, or the empty slot where it would go.
KeySlot& find_slot(StatsBlock& stats, const std::string& key) {
    std::size_t i = hash_key(key) % kKeySlots;
    while (true) {
        KeySlot& slot = stats.slots[i];
        if (std::atomic_ref<std::uint8_t>(slot.length).load(std::memory_order_acquire) == 0) {
            return slot;
        }
        if (slot.length == key.size() && std::memcmp(slot.key, key.data(), key.size()) == 0) {
            return slot;
        }
        i = (i + 1) % kKeySlots;  // at most half full, so an empty slot is always found
    }
}

}  // namespace

TableResult incr_key(StatsBlock& stats, const std::string& key, std::uint64_t& value,
                     Locking locking) {
    TableLock lock(stats, locking);
    KeySlot& slot = find_slot(stats, key);
    if (slot.length == 0) {
        if (stats.key_count >= kMaxTableKeys) return TableResult::Full;
        std::memcpy(slot.key, key.data(), key.size());
        slot.value = 0;
        ++stats.key_count;  // before the slot is visible: a death in between over-counts
                            // by one key, never lets the table pass its limit
        // Published last, with release ordering, so that a process that dies holding the lock
        // leaves either no slot or a complete one (the stores above cannot move after it).
        std::atomic_ref<std::uint8_t>(slot.length)
            .store(static_cast<std::uint8_t>(key.size()), std::memory_order_release);
    }
    value = ++slot.value;
    return TableResult::Ok;
}

std::uint64_t get_key(StatsBlock& stats, const std::string& key, Locking locking) {
    TableLock lock(stats, locking);
    return find_slot(stats, key).value;
}

}  // namespace lab
