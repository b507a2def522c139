package io.github.sdlora4j.learner;

import io.github.sdlora4j.inflora.InputSubspace;
import io.github.sdlora4j.inflora.MemoryThreshold;
import io.github.sdlora4j.inflora.SubspaceMemory;
import io.github.sdlora4j.io.InfLoraCheckpoint;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfLoraLearnerTest {

    static final VitConfig C = VitConfig.TINY_TEST;
    static final TemplateData DATA = new TemplateData(C, 6, 12);

    static InfLoraConfig config() {
        return new InfLoraConfig(C, 3, new MemoryThreshold(0.9, 1.0), 3,
                new OptimizerConfig("adam", 1e-2, 0, List.of(), 0.1), 7);
    }

    /** Task t (classes 2t, 2t+1) with its training batches. */
    static TaskExperience task(int t) {
        return new TaskExperience(t, 2 * t, 2, TemplateData.iterator(DATA.sample(2 * t, 2 * t + 2, 6, 100 + t), 4));
    }

    static double maxDifference(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    static INDArray probe() {
        return DATA.sample(0, 6, 2, 999).getFeatures();
    }

    @Test
    void designsAOrthogonalToTheMemoryTrainsOnlyBAndMergesWithoutChangingTheFunction() {
        InfLoraLearner learner = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        for (int t = 0; t < 2; t++) {
            TaskExperience task = task(t);
            SubspaceMemory[] before = new SubspaceMemory[C.depth()];
            for (int l = 0; l < C.depth(); l++) {
                before[l] = learner.memory(l);
            }
            learner.beforeTask(task);
            INDArray[] designed = new INDArray[C.depth()];
            for (int l = 0; l < C.depth(); l++) {
                LoraFactors q = learner.unfinishedAdapter().get(l, Projection.Q);
                LoraFactors v = learner.unfinishedAdapter().get(l, Projection.V);
                INDArray a = q.a().castTo(DataType.DOUBLE);
                assertEquals(q.a(), v.a(), "q and v read the same input: one designed A");
                assertTrue(maxDifference(Nd4j.eye(3).muli(InputSubspace.ROW_SCALE * InputSubspace.ROW_SCALE),
                        a.mmul(a.transpose())) < 1e-6, "A's rows orthonormal up to 1/√3, block " + l);
                assertEquals(0.0, q.b().amaxNumber().doubleValue(), "B starts at zero");
                if (t == 0) {
                    assertEquals(0, before[l].dimension());
                } else {
                    assertTrue(before[l].dimension() > 0, "the memory holds task 0's inputs");
                    double leak = a.mmul(before[l].memoryBasis()).amaxNumber().doubleValue();
                    assertTrue(leak < 1e-6, "A ⟂ M in block " + l + ": |A·M| reaches " + leak);
                }
                designed[l] = q.a().dup();
            }

            learner.train(task.trainingData(), 2, null);

            for (int l = 0; l < C.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = learner.unfinishedAdapter().get(l, p);
                    assertArrayEquals(designed[l].data().asFloat(), f.a().dup('c').data().asFloat(),
                            "A is bit-identical after training, block " + l + " " + p);
                    assertTrue(f.b().amaxNumber().doubleValue() > 0, "B trained, block " + l + " " + p);
                }
            }
            INDArray unmerged = learner.logits(probe());
            learner.afterTask();
            assertNull(learner.unfinishedAdapter());
            INDArray merged = learner.logits(probe());
            assertTrue(maxDifference(unmerged, merged) < 1e-5, "merging B·A changes logits by "
                    + maxDifference(unmerged, merged));
            for (int l = 0; l < C.depth(); l++) {
                assertTrue(learner.memory(l).dimension() > before[l].dimension(), "the task's inputs join M");
            }
        }
        assertEquals(4, learner.numClasses());
    }

    @Test
    void needsTheTasksData() {
        InfLoraLearner learner = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> learner.beforeTask(2));
        assertTrue(e.getMessage().contains(InfLoraLearner.NAME), e.getMessage());
        assertEquals(-1, learner.currentTask());
    }

    /** Trains tasks [from, to) with the batches of {@link #task}, each task's steps on its batches in order. */
    static void run(InfLoraLearner learner, int from, int to) {
        for (int t = from; t < to; t++) {
            TaskExperience task = task(t);
            learner.beforeTask(task);
            learner.train(task.trainingData(), 2, null);
            learner.afterTask();
        }
    }

    @Test
    void aRunResumedAfterATaskEqualsTheUninterruptedOne(@TempDir Path dir) throws IOException {
        InfLoraLearner whole = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        run(whole, 0, 3);

        InfLoraLearner first = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        run(first, 0, 2);
        Path file = dir.resolve("inflora.safetensors");
        InfLoraCheckpoint.save(first, file, null);
        InfLoraLearner resumed = InfLoraCheckpoint.load(file, config());
        assertEquals(List.of(2, 2), resumed.taskClasses());
        assertFalse(resumed.inTask());
        run(resumed, 2, 3);

        assertArrayEquals(whole.logits(probe()).data().asFloat(), resumed.logits(probe()).data().asFloat());
        for (int l = 0; l < C.depth(); l++) {
            assertEquals(whole.memory(l).storesComplement(), resumed.memory(l).storesComplement());
            assertEquals(whole.memory(l).storedBasis(), resumed.memory(l).storedBasis());
        }
        assertThrows(io.github.sdlora4j.io.CheckpointException.class,
                () -> InfLoraCheckpoint.load(file, config().withRank(2)));
    }

    @Test
    void aRunResumedInsideATaskEqualsTheUninterruptedOne(@TempDir Path dir) throws IOException {
        List<DataSet> batches = DATA.sample(2, 4, 6, 101).batchBy(4);
        InfLoraLearner whole = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        run(whole, 0, 1);
        whole.beforeTask(task(1));
        for (int s = 0; s < batches.size(); s++) {
            whole.trainStep(batches.get(s), 0, s);
        }
        whole.afterTask();

        InfLoraLearner first = InfLoraLearner.create(config(), TemplateData.pretrainedBackbone());
        run(first, 0, 1);
        first.beforeTask(task(1));
        first.trainStep(batches.get(0), 0, 0);
        first.trainStep(batches.get(1), 0, 1);
        Path file = dir.resolve("inflora-mid.safetensors");
        InfLoraCheckpoint.save(first, file, null);
        InfLoraLearner resumed = InfLoraCheckpoint.load(file, config());
        assertTrue(resumed.inTask());
        assertFalse(resumed.optimizerState().isEmpty());
        resumed.resumeTask(task(1));
        for (int s = 2; s < batches.size(); s++) {
            resumed.trainStep(batches.get(s), 0, s);
        }
        resumed.afterTask();

        assertArrayEquals(whole.logits(probe()).data().asFloat(), resumed.logits(probe()).data().asFloat());
        for (int l = 0; l < C.depth(); l++) {
            assertEquals(whole.memory(l).storedBasis(), resumed.memory(l).storedBasis());
        }
        assertThrows(IllegalArgumentException.class, () -> {
            InfLoraLearner again = InfLoraCheckpoint.load(file, config());
            again.resumeTask(task(0));
        });
    }
}
