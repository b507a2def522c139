package io.github.sdlora4j.learner;

/**
 * The one formula that derives per-task (and per-epoch) random seeds from a run seed, so that every stream a run
 * draws from is independent of the others and a resumed run draws the same numbers as an uninterrupted one. The
 * learners seed their initialisation with {@link #learner}, the protocol harness its data order with {@link #data}.
 * Changing these numbers changes every published result: a test pins them.
 */
public final class TaskSeeds {

    /** A prime multiplier that keeps the streams of neighbouring run seeds apart. */
    private static final long STRIDE = 1_000_003L;
    /** Spacing of the learner's per-task streams, leaving room for up to 31 purposes per task. */
    private static final long PURPOSES = 31L;

    private TaskSeeds() {
    }

    /** The seed of stream {@code n} of a run (a task's data order, an epoch's shuffle). */
    public static long derive(long seed, long n) {
        return seed * STRIDE + n;
    }

    /** The seed of task {@code task}'s data order (batches and augmentation). */
    public static long data(long seed, int task) {
        return derive(seed, task);
    }

    /** The seed of source {@code source}'s data order when task {@code task} trains on several tasks' data at once. */
    public static long dataSource(long seed, int task, int source) {
        return data(seed, task) * PURPOSES + source;
    }

    /**
     * The seed of a learner's stream for {@code purpose} (0-30, each a different initialisation, e.g. head rows or
     * adapter factors) at task {@code task}.
     */
    public static long learner(long seed, int task, int purpose) {
        if (purpose < 0 || purpose >= PURPOSES) {
            throw new IllegalArgumentException("A seed purpose must be in 0.." + (PURPOSES - 1) + ", got " + purpose);
        }
        return derive(seed, task * PURPOSES + purpose);
    }
}
