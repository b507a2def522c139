package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.fused.FusedVitForward;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.TrainingEngine;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.function.UnaryOperator;

/**
 * Our training step and merged-model forward at a given number of threads: the one place where the suite asks the
 * library for a thread count, so every section measures "ours at N threads" the same way. The step is the learner's
 * own ({@link SdLoraLearner#setThreads}), the forward the fused one ({@link FusedVitForward}) where the fused engine
 * runs; the SameDiff engine (CUDA) takes no thread count. Sections that do not compare thread counts (task scaling,
 * the SameDiff reference, the plain/merged/unmerged inference variants, the long run) use the learner as a user gets
 * it, at the library's default threads.
 */
final class OursAtThreads {

    /** Whether {@code threads} reaches the library; the report's machine block repeats it. */
    static final boolean THREADS_APPLIED = true;

    private OursAtThreads() {
    }

    /** Threads of "ours on all cores": the library's own default ({@code SDLORA_THREADS}, else every processor). */
    static int defaultThreads() {
        return FusedThreads.defaultThreads();
    }

    /**
     * One training step (forward, backward, optimizer update) of {@code fixture}'s learner on {@code batch} per run,
     * computed with {@code threads} threads. Each call needs its own fixture: the step changes its learner.
     */
    static Runnable step(SdLoraFixture fixture, DataSet batch, int threads) {
        fixture.learner().setThreads(FusedThreads.require(threads, "bench threads"));
        int[] iteration = {0};
        return () -> fixture.step(batch, iteration[0]++);
    }

    /** Logits of the learner's merged model (adapters folded into W_q and W_v) computed with {@code threads} threads. */
    static UnaryOperator<INDArray> mergedLogits(SdLoraLearner learner, int threads) {
        FusedThreads.require(threads, "bench threads");
        if (TrainingEngine.selected(SdLoraFixture.TYPE) != TrainingEngine.FUSED) {
            return learner::logits;
        }
        return new FusedVitForward(learner.mergedBackbone(), learner.head().weight(), learner.head().bias(),
                threads)::logits;
    }

    /** A few words for a figure's note: at how many threads ours ran. */
    static String describe(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }
}
