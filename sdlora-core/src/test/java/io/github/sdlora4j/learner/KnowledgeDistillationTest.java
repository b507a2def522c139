package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SD-LoRA-KD inside the learner: what afterTask does to factors, assimilated magnitudes and predictions. */
class KnowledgeDistillationTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    @Test
    void aRedundantDirectionIsMergedAtTheRightIndexAndAnIndependentOneIsKept() {
        SdLoraConfig config = SdLoraConfig.reference(C).withRanks(RankSchedule.constant(3))
                .withOptimizer(new OptimizerConfig("sgd", 0.05, 0.9, List.of(), 0.1))
                .withKnowledgeDistillation(true, 9e-4);
        SdLoraLearner learner = SdLoraLearner.create(config, TestWeights.perturbed(C, 2, DataType.FLOAT));
        TemplateData data = new TemplateData(C, 6, 4);
        data.trainTasks(learner, 2, 8, 0, 8, 2);
        learner.beforeTask(2);
        learner.train(TemplateData.iterator(data.sample(4, 6, 8, 9), 8), 2, null);
        // Task 2's q in block 0 repeats task 0's direction and its v in block 1 repeats task 1's: scaling the factors
        // leaves the normalized direction unchanged, so KD must merge each with coefficient 1 at the right index.
        LoraFactors t0 = learner.state().task(0).get(0, Projection.Q);
        learner.state().task(2).set(0, Projection.Q, new LoraFactors(t0.a().dup(), t0.b().mul(2.0)));
        LoraFactors t1v = learner.state().task(1).get(1, Projection.V);
        learner.state().task(2).set(1, Projection.V, new LoraFactors(t1v.a().mul(0.5), t1v.b().mul(3.0)));
        INDArray x = TestWeights.images(C, 4, 1, DataType.FLOAT);

        learner.afterTask();

        assertEquals(0.0, learner.state().task(2).get(0, Projection.Q).b().amaxNumber().doubleValue(), "merged: zeroed");
        assertEquals(0.0, learner.state().task(2).get(0, Projection.Q).a().amaxNumber().doubleValue());
        assertEquals(1.0, learner.state().assimilated(0, Projection.Q, 0), 1e-4, "coefficient at task 0");
        assertEquals(0.0, learner.state().assimilated(0, Projection.Q, 1), 1e-4, "nothing at task 1");
        assertEquals(0.0, learner.state().task(2).get(1, Projection.V).b().amaxNumber().doubleValue());
        assertEquals(0.0, learner.state().assimilated(1, Projection.V, 0), 1e-4);
        assertEquals(1.0, learner.state().assimilated(1, Projection.V, 1), 1e-4, "coefficient at task 1");
        // A trained, independent direction is kept.
        assertTrue(learner.state().task(2).get(1, Projection.Q).b().amaxNumber().doubleValue() > 0);
        assertEquals(0.0, learner.state().assimilated(1, Projection.Q, 0));
        assertEquals(0.0, learner.state().assimilated(1, Projection.Q, 1));
        // Merged and unmerged forwards still agree after the merge.
        assertTrue(learner.logits(x).equalsWithEps(learner.logitsUnmerged(x), 1e-4));
    }
}
