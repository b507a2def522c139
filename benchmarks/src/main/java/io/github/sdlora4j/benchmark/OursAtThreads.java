package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.learner.SdLoraLearner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.function.UnaryOperator;

/**
 * Our training step and merged-model forward at a given number of threads: the one place where the suite asks the
 * library for a thread count, so every section measures "ours at N threads" the same way.
 *
 * <p>SWITCH: the library's multi-threaded fused step and forward ({@code FusedSdLoraStep(..., threads)},
 * {@code FusedVitForward(mergedBackbone, headWeight, headBias, threads)}, {@code FusedThreads.defaultThreads()}) are
 * not on this branch yet. Until they are, {@link #step} and {@link #mergedLogits} run the single-threaded learner
 * whatever {@code threads} says, {@link #THREADS_APPLIED} is {@code false} and the report's notes say so; switching
 * means changing the three methods below and that constant, nothing else. Sections that do not compare thread
 * counts (task scaling, the SameDiff reference, the plain/merged/unmerged inference variants, the long run) use the
 * learner as a user gets it, at the library's default threads.
 */
final class OursAtThreads {

    /** Whether {@code threads} reaches the library; the figures' notes repeat it so a reader knows. */
    static final boolean THREADS_APPLIED = false;

    private OursAtThreads() {
    }

    /** Threads of "ours on all cores": the library's own default (SWITCH: {@code FusedThreads.defaultThreads()}). */
    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * One training step (forward, backward, optimizer update) of {@code fixture}'s learner on {@code batch} per run,
     * computed with {@code threads} threads. Each call needs its own fixture: the step changes its learner.
     */
    static Runnable step(SdLoraFixture fixture, DataSet batch, int threads) {
        requirePositive(threads);
        int[] iteration = {0};
        // SWITCH: the learner's fused engine at `threads` threads.
        return () -> fixture.step(batch, iteration[0]++);
    }

    /** Logits of the learner's merged model (adapters folded into W_q and W_v) computed with {@code threads} threads. */
    static UnaryOperator<INDArray> mergedLogits(SdLoraLearner learner, int threads) {
        requirePositive(threads);
        // SWITCH: new FusedVitForward(learner.mergedBackbone(), head weight, head bias, threads)::logits.
        return learner::logits;
    }

    /** A few words for a figure's note: at how many threads ours really ran. */
    static String describe(int threads) {
        return THREADS_APPLIED || threads == 1 ? threads + (threads == 1 ? " thread" : " threads")
                : threads + " threads requested, 1 used (the library's threaded step is not wired in yet)";
    }

    private static void requirePositive(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }
}
