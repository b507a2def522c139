package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static io.github.sdlora4j.learner.SdLoraLearnerTest.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a learner drops it releases at once (trainings, prediction forwards), and what it keeps (the backbone, the
 * head, the adapters) stays usable.
 */
class ReleasedMemoryTest {

    /** A training that counts its closes and can be told to fail its next step. */
    private static final class RecordingTraining implements TaskTraining {
        int closes;
        boolean failNext;

        @Override
        public double step(DataSet batch, int epoch, int iteration) {
            if (failNext) {
                throw new NonFiniteLossException(0, epoch, iteration, Double.NaN);
            }
            return 1.0;
        }

        @Override
        public void copyBack(SdLoraState state, ClassifierHead head, int known) {
        }

        @Override
        public Map<String, INDArray> optimizerState() {
            return Map.of();
        }

        @Override
        public void restoreOptimizerState(Map<String, INDArray> saved) {
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void theCurrentTrainingClosesEachTrainingItDrops() {
        CurrentTraining current = new CurrentTraining();
        List<RecordingTraining> started = new ArrayList<>();
        CurrentTraining.Start start = listeners -> {
            RecordingTraining t = new RecordingTraining();
            started.add(t);
            return t;
        };
        DataSet batch = new DataSet(TestWeights.images(C, 2, 1, DataType.FLOAT), null);
        current.step(start, batch, 0, 0, null, null, 0);
        current.step(start, batch, 0, 1, null, null, 0);
        assertEquals(1, started.size(), "one training per task");
        assertEquals(0, started.get(0).closes, "a running training stays open");
        current.stop();
        assertEquals(1, started.get(0).closes, "the task's end closes it");
        current.stop();
        assertEquals(1, started.get(0).closes, "and only once");

        current.step(start, batch, 0, 0, null, null, 0);
        started.get(1).failNext = true;
        assertThrows(NonFiniteLossException.class, () -> current.step(start, batch, 0, 1, null, null, 0));
        assertEquals(1, started.get(1).closes, "a non-finite step drops and closes its training");
        current.step(start, batch, 0, 2, null, null, 0);
        assertEquals(3, started.size(), "the next step starts a fresh one");
    }

    @ParameterizedTest
    @EnumSource(TrainingEngine.class)
    void aClosedForwardLeavesTheBackboneAndHeadUsable(TrainingEngine engine) {
        VitWeights backbone = TestWeights.perturbed(C, 7, DataType.FLOAT);
        ClassifierHead head = ClassifierHead.empty(C.dim(), DataType.FLOAT);
        head.grow(3, new SplittableRandom(2));
        INDArray x = TestWeights.images(C, 4, 3, DataType.FLOAT);
        MergedInference first = new MergedInference(engine, backbone, head, 1);
        INDArray before = first.logits(x);
        first.close();
        backbone.tensors().forEach((name, t) -> assertFalse(t.wasClosed(), name + " is the caller's"));
        assertFalse(head.weight().wasClosed() || head.bias().wasClosed(), "the head is the caller's");
        try (MergedInference second = new MergedInference(engine, backbone, head, 1)) {
            assertEquals(before, second.logits(x), "a new forward on the same arrays predicts the same");
        }
    }

    @ParameterizedTest
    @EnumSource(TrainingEngine.class)
    void aLearnerKeepsPredictingAcrossTasksWhileItReleasesWhatItDrops(TrainingEngine engine) {
        TemplateData data = new TemplateData(C, 6, 2);
        SdLoraLearner learner = SdLoraLearner.create(SdLoraLearnerTest.config(0.05),
                TestWeights.perturbed(C, 8, DataType.FLOAT));
        EngineProperty.with(engine.name().toLowerCase(Locale.ROOT), () -> {
            for (int t = 0; t < 3; t++) {
                learner.beforeTask(2);
                for (int s = 0; s < 2; s++) {
                    learner.trainStep(data.sample(2 * t, 2 * t + 2, 2, 10 * t + s), 0, s);
                    learner.logits(data.sample(0, 2, 2, 5).getFeatures()); // built, then dropped by the next step
                }
                learner.afterTask();
                INDArray x = data.sample(0, 2 * t + 2, 1, 100 + t).getFeatures();
                INDArray merged = learner.logits(x);
                INDArray unmerged = learner.logitsUnmerged(x);
                double err = merged.sub(unmerged).norm2Number().doubleValue();
                assertTrue(err <= 1e-4 * unmerged.norm2Number().doubleValue(), "task " + t + ": " + err);
            }
        });
        learner.backbone().tensors().forEach((name, t) -> assertFalse(t.wasClosed(), name));
        for (int t = 0; t < learner.state().numTasks(); t++) {
            for (int l = 0; l < C.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = learner.state().task(t).get(l, p);
                    assertFalse(f.a().wasClosed() || f.b().wasClosed(), "task " + t + "'s factors are the learner's");
                }
            }
        }
    }
}
