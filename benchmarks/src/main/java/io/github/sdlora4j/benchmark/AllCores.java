package io.github.sdlora4j.benchmark;

/**
 * The thread counts of the suite's "all cores" runs; the matched runs use one thread on both sides.
 *
 * @param ours    our library's default ({@link OursAtThreads#defaultThreads()})
 * @param pytorch libtorch's default ({@link PyTorchRuntime#defaultThreads()}) unless {@code --torch-threads} says
 *                otherwise
 */
record AllCores(int ours, int pytorch) {

    /** Validates. */
    AllCores {
        if (ours < 1 || pytorch < 1) {
            throw new IllegalArgumentException("Thread counts must be >= 1, got ours " + ours + ", pytorch " + pytorch);
        }
    }
}
