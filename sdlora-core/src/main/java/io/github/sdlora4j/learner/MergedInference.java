package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.fused.FusedVitForward;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Features and logits of a plain (merged) ViT and the head: the fused forward ({@link FusedVitForward}, on the fused
 * engine's threads) where the fused engine runs, the SameDiff graph ({@link ClassifierGraph}) otherwise.
 */
final class MergedInference implements AutoCloseable {

    private final FusedVitForward fused;
    private final ClassifierGraph graph;

    /**
     * @param engine  the engine the learner trains with, which also predicts
     * @param head    null for features only
     * @param threads the fused forward's threads, 0 for {@link FusedThreads#defaultThreads()}
     */
    MergedInference(TrainingEngine engine, VitWeights mergedBackbone, ClassifierHead head, int threads) {
        if (engine == TrainingEngine.FUSED) {
            int n = FusedThreads.orDefault(threads);
            fused = head == null ? new FusedVitForward(mergedBackbone, n)
                    : new FusedVitForward(mergedBackbone, head.weight(), head.bias(), n);
            graph = null;
        } else {
            fused = null;
            graph = new ClassifierGraph(mergedBackbone, null, head, DataType.FLOAT);
        }
    }

    /** The head's logits [N, classes]. */
    INDArray logits(INDArray images) {
        return fused != null ? fused.logits(images) : graph.logits(images);
    }

    /** The backbone's features [N, D] (the final LayerNorm of the CLS token). */
    INDArray features(INDArray images) {
        return fused != null ? fused.features(images) : graph.features(images);
    }

    /** Releases the forward's own native memory (weight copies, work arrays) at once; unusable afterwards. */
    @Override
    public void close() {
        if (fused != null) {
            fused.close();
        } else {
            graph.close();
        }
    }

    /** Closes {@code inference} if there is one; returns null, for {@code x = MergedInference.release(x)}. */
    static MergedInference release(MergedInference inference) {
        if (inference != null) {
            inference.close();
        }
        return null;
    }
}
