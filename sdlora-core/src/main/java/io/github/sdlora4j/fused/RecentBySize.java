package io.github.sdlora4j.fused;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Work arrays kept for the two most recently used batch sizes: an epoch's last, smaller batch must not make the
 * next epoch's full batches reallocate everything.
 */
final class RecentBySize<T> {

    private final Map<Integer, T> entries = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, T> eldest) {
            return size() > 2;
        }
    };

    /** The entry for {@code size}, made by {@code create} if it is not among the two kept. */
    T get(int size, IntFunction<T> create) {
        return entries.computeIfAbsent(size, create::apply);
    }

    /** Hands every kept entry to {@code release} and forgets them. */
    void clear(Consumer<T> release) {
        entries.values().forEach(release);
        entries.clear();
    }
}
