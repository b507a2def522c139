package io.github.sdlora4j.fused;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@value FusedThreads#ENV} is read and checked; the executor splits work evenly and reports a shard's failure. */
class FusedThreadsTest {

    @Test
    void theEnvironmentVariableSetsTheThreadsElseEveryProcessor() {
        assertEquals(3, FusedThreads.fromEnvironment(Map.of(FusedThreads.ENV, " 3")));
        assertEquals(Runtime.getRuntime().availableProcessors(), FusedThreads.fromEnvironment(Map.of()));
        for (String bad : new String[]{"0", "-2", "two", "1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FusedThreads.fromEnvironment(Map.of(FusedThreads.ENV, bad)));
            assertTrue(e.getMessage().contains("SDLORA_THREADS must be a positive integer")
                    && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void sharesAreContiguousAndDifferByAtMostOne() {
        assertArrayEquals(new int[]{0, 3, 3, 2, 5, 2}, ShardExecutor.split(7, 3));
        assertArrayEquals(new int[]{0, 1, 1, 1}, ShardExecutor.split(2, 2));
    }

    @Test
    void everyShardRunsAndTheLowestFailureReachesTheCaller() {
        ShardExecutor executor = new ShardExecutor(3);
        AtomicIntegerArray ran = new AtomicIntegerArray(3);
        executor.run(3, s -> ran.incrementAndGet(s));
        assertEquals("[1, 1, 1]", ran.toString());
        IllegalStateException failure = new IllegalStateException("shard 1");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> executor.run(3, s -> {
            ran.incrementAndGet(s);
            if (s == 1) {
                throw failure;
            }
            if (s == 2) {
                throw new IllegalArgumentException("shard 2");
            }
        }));
        assertSame(failure, thrown);
        assertEquals("[2, 2, 2]", ran.toString());
        assertThrows(IllegalArgumentException.class, () -> executor.run(4, s -> { }));
    }
}
