package io.github.sdlora4j.fused;

import java.util.Map;

/**
 * How many threads the fused engine computes on: the environment variable {@value #ENV} if set, else every
 * processor the JVM sees. Each thread takes a contiguous share of a batch's images with single-threaded BLAS
 * (see {@link FusedSdLoraStep} and {@link FusedVitForward}).
 */
public final class FusedThreads {

    /** The environment variable that overrides the thread count: a positive integer. */
    public static final String ENV = "SDLORA_THREADS";

    private FusedThreads() {
    }

    /**
     * {@value #ENV} if set, else {@link Runtime#availableProcessors()}.
     *
     * @throws IllegalArgumentException if {@value #ENV} is set but is not a positive integer
     */
    public static int defaultThreads() {
        return fromEnvironment(System.getenv());
    }

    /** Whether {@value #ENV} is set: it then overrides a configured thread count (as the engine property does). */
    public static boolean setInEnvironment() {
        String value = System.getenv(ENV);
        return value != null && !value.isBlank();
    }

    /** {@link #defaultThreads()} read from {@code environment}. */
    static int fromEnvironment(Map<String, String> environment) {
        String value = environment.get(ENV);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int threads;
        try {
            threads = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads < 1) {
            throw new IllegalArgumentException(ENV + " must be a positive integer (threads of the fused engine), got '"
                    + value + "'");
        }
        return threads;
    }

    /** {@code threads}, or {@link #defaultThreads()} for 0 (a setting left at its default). */
    public static int orDefault(int threads) {
        return requireSetting(threads, "The fused engine's thread count") == 0 ? defaultThreads() : threads;
    }

    /**
     * {@code threads} if it is a thread count setting: at least 1, or 0 for {@link #defaultThreads()}; {@code what}
     * names the setting in the error.
     */
    public static int requireSetting(int threads, String what) {
        if (threads < 0) {
            throw new IllegalArgumentException(what + ": expected at least 1 thread, or 0 for the default (" + ENV
                    + ", else every processor), got " + threads);
        }
        return threads;
    }

    /** {@code threads} if it is at least 1; {@code what} names the setting in the error. */
    public static int require(int threads, String what) {
        if (threads < 1) {
            throw new IllegalArgumentException(what + ": expected at least 1 thread, got " + threads);
        }
        return threads;
    }
}
