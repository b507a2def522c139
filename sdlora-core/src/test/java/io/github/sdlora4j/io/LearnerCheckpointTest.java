package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnerCheckpointTest {

    static final VitConfig C = VitConfig.TINY_TEST;
    static SdLoraConfig config;
    static SdLoraLearner trained;

    static DataSet batch(int from, int classes, int total, long seed) {
        return batch(from, classes, total, seed, 8);
    }

    static DataSet batch(int from, int classes, int total, long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * 3 * 16 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, total);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, from + i % classes, 1);
        }
        return new DataSet(Nd4j.create(x, new long[]{n, 3, 16, 16}, 'c').castTo(DataType.FLOAT), y);
    }

    @BeforeAll
    static void train() {
        config = SdLoraConfig.reference(C).withRanks(RankSchedule.reduction(3, 1, 2, 2, 1))
                .withOptimizer(new OptimizerConfig("sgd", 0.05, 0.9, List.of(), 0.1))
                .withKnowledgeDistillation(true, 1e-3);
        trained = twoTasks();
    }

    static SdLoraLearner twoTasks() {
        SdLoraLearner learner = SdLoraLearner.create(config, TestWeights.perturbed(C, 3, DataType.FLOAT));
        for (int t = 0; t < 2; t++) {
            learner.beforeTask(2 + t);
            for (int s = 0; s < 3; s++) {
                learner.trainStep(batch(t == 0 ? 0 : 2, 2 + t, 5, 10 * t + s), 0, s);
            }
            learner.afterTask();
        }
        learner.state().setAssimilated(1, Projection.Q, 0, 0.125);
        return learner;
    }

    @Test
    void saveThenLoadGivesIdenticalStateAndPredictions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("learner.safetensors");
        LearnerCheckpoint.save(trained, file);
        SdLoraLearner loaded = LearnerCheckpoint.load(file, config);
        INDArray x = TestWeights.images(C, 6, 4, DataType.FLOAT);
        assertArrayEquals(trained.logits(x).data().asFloat(), loaded.logits(x).data().asFloat());
        assertEquals(trained.taskClasses(), loaded.taskClasses());
        assertEquals(trained.numClasses(), loaded.numClasses());
        assertEquals(trained.currentTask(), loaded.currentTask());
        assertArrayEquals(trained.state().magnitudes(), loaded.state().magnitudes());
        assertEquals(0.125, loaded.state().assimilated(1, Projection.Q, 0));
        assertEquals(2, loaded.state().task(1).rank(), "rank schedule of task 1");
        // The file is self-describing safetensors with the documented names and metadata.
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals("factor_product", f.metadata().get("sdlora.normalization"));
            assertEquals("1", f.metadata().get("sdlora.current_task"));
            assertEquals("5", f.metadata().get("sdlora.known_classes"));
            assertArrayEquals(new long[]{2, 32}, f.info(SdLoraAlgebra.factorName(0, Projection.V, 1, "A")).shape());
            assertArrayEquals(new long[]{32, 2}, f.info(SdLoraAlgebra.factorName(0, Projection.V, 1, "B")).shape());
            assertArrayEquals(new long[]{2}, f.info("sdlora.magnitude").shape());
            assertArrayEquals(new long[]{2}, f.info("sdlora.blocks.1.attn.q.assimilated").shape());
            assertArrayEquals(new long[]{5, 32}, f.info("head.weight").shape());
            assertTrue(f.contains("blocks.1.attn.qkv.weight"));
        }
        // Training continues identically from the loaded copy.
        SdLoraLearner original = twoTasks();
        for (SdLoraLearner l : List.of(original, loaded)) {
            l.beforeTask(1);
        }
        DataSet b = batch(5, 1, 6, 99);
        assertEquals(original.trainStep(b, 0, 0), loaded.trainStep(b, 0, 0), 0.0);
        assertEquals(original.trainStep(b, 0, 1), loaded.trainStep(b, 0, 1), 0.0);
        assertArrayEquals(original.logits(x).data().asFloat(), loaded.logits(x).data().asFloat());
    }

    @Test
    void aLearnerSavedMidTaskContinuesExactlyWithItsOptimizerState(@TempDir Path dir) throws IOException {
        for (OptimizerConfig optimizer : List.of(new OptimizerConfig("sgd", 0.05, 0.9, List.of(), 0.1),
                new OptimizerConfig("adam", 0.01, 0, List.of(), 0.1))) {
            SdLoraConfig c = config.withOptimizer(optimizer);
            SdLoraLearner a = SdLoraLearner.create(c, TestWeights.perturbed(C, 5, DataType.FLOAT));
            a.beforeTask(2);
            a.trainStep(batch(0, 2, 2, 1), 0, 0);
            a.trainStep(batch(0, 2, 2, 2), 0, 1);
            Path file = dir.resolve("mid-" + optimizer.type() + ".safetensors");
            LearnerCheckpoint.save(a, file);
            SdLoraLearner b = LearnerCheckpoint.load(file);
            assertTrue(b.inTask());
            assertEquals(0, b.knownClasses());
            assertTrue(a.optimizerState().size() > 0);
            INDArray x = TestWeights.images(C, 3, 2, DataType.FLOAT);
            assertArrayEquals(a.logits(x).data().asFloat(), b.logits(x).data().asFloat());
            for (int s = 2; s < 4; s++) {
                assertEquals(a.trainStep(batch(0, 2, 2, s + 1), 0, s), b.trainStep(batch(0, 2, 2, s + 1), 0, s), 0.0,
                        optimizer.type() + " step " + s);
            }
            assertArrayEquals(a.logits(x).data().asFloat(), b.logits(x).data().asFloat(), optimizer.type());
            b.afterTask();
            assertEquals(2, b.knownClasses());
        }
    }

    @Test
    void stepsOnBatchesOfChangingSizeMatchALearnerReloadedBeforeEveryStep(@TempDir Path dir) throws IOException {
        // The learner keeps one SameDiff session, whose array cache recycles buffers, for a task's whole training;
        // a reloaded learner builds a fresh graph and session. Both must train the same numbers.
        SdLoraConfig c = config.withOptimizer(new OptimizerConfig("adam", 0.01, 0, List.of(), 0.1));
        SdLoraLearner kept = SdLoraLearner.create(c, TestWeights.perturbed(C, 6, DataType.FLOAT));
        kept.beforeTask(2);
        Path file = dir.resolve("step.safetensors");
        LearnerCheckpoint.save(kept, file);
        int[] sizes = {8, 3, 8, 5};
        for (int s = 0; s < sizes.length; s++) {
            SdLoraLearner reloaded = LearnerCheckpoint.load(file);
            DataSet b = batch(0, 2, 2, 40 + s, sizes[s]);
            assertEquals(kept.trainStep(b, 0, s), reloaded.trainStep(b, 0, s), 0.0, "step " + s);
            LearnerCheckpoint.save(reloaded, file);
        }
        INDArray x = TestWeights.images(C, 3, 2, DataType.FLOAT);
        assertArrayEquals(kept.logits(x).data().asFloat(), LearnerCheckpoint.load(file).logits(x).data().asFloat());
    }

    @Test
    void withoutItsOptimizerStateAResumedTaskWouldDiverge(@TempDir Path dir) throws IOException {
        // Guards the test above: momentum matters, so equality there is not an accident.
        SdLoraLearner a = SdLoraLearner.create(config, TestWeights.perturbed(C, 5, DataType.FLOAT));
        a.beforeTask(2);
        a.trainStep(batch(0, 2, 2, 1), 0, 0);
        a.trainStep(batch(0, 2, 2, 2), 0, 1);
        SdLoraLearner b = SdLoraLearner.restore(a.config(), a.backbone(), a.state().copy(), a.head().copy(),
                a.taskClasses(), true);
        a.trainStep(batch(0, 2, 2, 3), 0, 2);
        b.trainStep(batch(0, 2, 2, 3), 0, 2);
        INDArray x = TestWeights.images(C, 3, 2, DataType.FLOAT);
        assertTrue(a.logits(x).sub(b.logits(x)).amaxNumber().doubleValue() > 0);
    }

    @Test
    void anotherConfigurationIsRejectedNamingTheDifference(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("learner.safetensors");
        LearnerCheckpoint.save(trained, file);
        SdLoraConfig other = config.withRanks(RankSchedule.constant(8)).withSeed(7);
        CheckpointException e = assertThrows(CheckpointException.class, () -> LearnerCheckpoint.load(file, other));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ranks: expected"), e.getMessage());
        assertTrue(e.getMessage().contains("seed: expected 7, file has 1993"), e.getMessage());
    }

    @Test
    void malformedFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("learner.safetensors");
        LearnerCheckpoint.save(trained, file);
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
        IOException t = assertThrows(SafetensorsFormatException.class, () -> LearnerCheckpoint.load(truncated));
        assertTrue(t.getMessage().contains("truncated.safetensors"), t.getMessage());

        Path backboneOnly = dir.resolve("backbone.safetensors");
        SafetensorsWriter.write(backboneOnly, trained.backbone().tensors(), Map.of());
        CheckpointException notLearner = assertThrows(CheckpointException.class, () -> LearnerCheckpoint.load(backboneOnly));
        assertTrue(notLearner.getMessage().contains("not an sdlora4j learner checkpoint"), notLearner.getMessage());

        Map<String, INDArray> tensors = new LinkedHashMap<>();
        Map<String, String> meta;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) {
                tensors.put(n, f.read(n));
            }
            meta = f.metadata();
        }
        Path wrongShape = dir.resolve("shape.safetensors");
        Map<String, INDArray> bad = new LinkedHashMap<>(tensors);
        bad.put(SdLoraAlgebra.factorName(1, Projection.Q, 0, "B"), Nd4j.zeros(DataType.FLOAT, 32, 5));
        SafetensorsWriter.write(wrongShape, bad, meta);
        CheckpointException shape = assertThrows(CheckpointException.class, () -> LearnerCheckpoint.load(wrongShape));
        assertTrue(shape.getMessage().contains("'sdlora.blocks.1.attn.q.task0.B' has shape [32, 5], expected [32, 3]"),
                shape.getMessage());

        Path missing = dir.resolve("missing.safetensors");
        Map<String, INDArray> less = new LinkedHashMap<>(tensors);
        less.remove("blocks.0.norm1.weight");
        SafetensorsWriter.write(missing, less, meta);
        CheckpointException m = assertThrows(CheckpointException.class, () -> LearnerCheckpoint.load(missing));
        assertTrue(m.getMessage().contains("missing tensor 'blocks.0.norm1.weight'"), m.getMessage());

        Path badMeta = dir.resolve("meta.safetensors");
        Map<String, String> lying = new LinkedHashMap<>(meta);
        lying.put("sdlora.known_classes", "9");
        SafetensorsWriter.write(badMeta, tensors, lying);
        CheckpointException inconsistent = assertThrows(CheckpointException.class, () -> LearnerCheckpoint.load(badMeta));
        assertTrue(inconsistent.getMessage().contains("inconsistent task metadata"), inconsistent.getMessage());
    }
}
