package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.fused.FusedVitForward;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * Logits of a plain (merged) ViT and the head: the fused forward ({@link FusedVitForward}, on every core) where the
 * fused engine runs ({@link TrainingEngine#selected}), the SameDiff graph ({@link ClassifierGraph}) otherwise.
 */
final class MergedInference {

    private final UnaryOperator<INDArray> logits;

    /** @param threads the fused forward's threads, 0 for {@link FusedThreads#defaultThreads()} */
    MergedInference(VitWeights mergedBackbone, ClassifierHead head, int threads) {
        if (TrainingEngine.selected(DataType.FLOAT) == TrainingEngine.FUSED) {
            logits = new FusedVitForward(mergedBackbone, head.weight(), head.bias(), FusedThreads.orDefault(threads))::logits;
        } else {
            logits = new ClassifierGraph(mergedBackbone, null, head, DataType.FLOAT)::logits;
        }
    }

    INDArray logits(INDArray images) {
        return logits.apply(images);
    }
}
