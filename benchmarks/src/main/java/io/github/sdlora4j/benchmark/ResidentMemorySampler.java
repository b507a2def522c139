package io.github.sdlora4j.benchmark;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's peak resident memory over a stretch of time: {@code VmRSS} read every few milliseconds on a daemon
 * thread. Unlike {@code VmHWM}, which the kernel never lowers, the peak restarts at every {@link #restart()}, so
 * each task of a long run gets its own.
 */
final class ResidentMemorySampler implements AutoCloseable {

    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts sampling every {@code periodMillis} ms; throws if {@code /proc/self/status} cannot be read. */
    ResidentMemorySampler(long periodMillis) {
        if (PeakMemory.residentBytes().isEmpty()) {
            throw new IllegalStateException("/proc/self/status is not readable: resident memory cannot be sampled");
        }
        restart();
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Forgets the peak so far; the next peak starts from the current resident size. */
    void restart() {
        peak.set(current());
    }

    /** The highest resident size sampled since the last {@link #restart()}, including now, in bytes. */
    long peakBytes() {
        sample();
        return peak.get();
    }

    private void sample() {
        long now = current();
        peak.accumulateAndGet(now, Math::max);
    }

    private static long current() {
        OptionalLong rss = PeakMemory.residentBytes();
        return rss.orElse(0L);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
