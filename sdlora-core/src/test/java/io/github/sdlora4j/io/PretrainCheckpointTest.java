package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.BackbonePretrainer;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pretraining stopped at a checkpoint and continued from the file ends with the uninterrupted run's weights. */
class PretrainCheckpointTest {

    private static final int CLASSES = 4;
    private static final int EPOCHS = 3;
    /** Adam with a milestone, so the resumed run must also get the learning-rate schedule right. */
    private static final OptimizerConfig ADAM = new OptimizerConfig("adam", 3e-3, 0, List.of(2), 0.1);

    @TempDir
    Path dir;

    /** 24 images of 4 classes in batches of 8: 3 steps per epoch. */
    private static DataSetIterator data() {
        VitConfig c = VitConfig.TINY_TEST;
        int n = 24;
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[n * c.channels() * c.imageSize() * c.imageSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            y[i * CLASSES + i % CLASSES] = 1;
        }
        return new TestDataSetIterator(new DataSet(
                Nd4j.create(x, new long[]{n, c.channels(), c.imageSize(), c.imageSize()}, 'c'),
                Nd4j.create(y, new long[]{n, CLASSES}, 'c')), 8);
    }

    private static BackbonePretrainer fresh() {
        return BackbonePretrainer.start(VitWeights.random(VitConfig.TINY_TEST, 5, DataType.FLOAT), CLASSES, ADAM, 5);
    }

    private static BackbonePretrainer trainedOneEpoch() {
        BackbonePretrainer p = fresh();
        p.train(data(), 1, null);
        return p;
    }

    /** @return the file {@code name} in the test folder, holding {@code p}'s checkpoint */
    private Path saved(BackbonePretrainer p, String name) throws IOException {
        Path file = dir.resolve(name);
        PretrainCheckpoint.save(p.snapshot(), Map.of(), file);
        return file;
    }

    /** Saves the checkpoint after {@code afterStep} steps (or at the end of epoch -afterStep - 1), then "dies". */
    private record KilledAfter(BackbonePretrainer p, int afterStep, int afterEpoch, Path file)
            implements TrainingMonitor {

        @Override
        public void stepDone(int task, int epoch, int iteration, double loss, int batchSize) {
            if (iteration + 1 == afterStep) {
                saveAndDie();
            }
        }

        @Override
        public void epochDone(int task, int epoch, double meanLoss) {
            if (epoch == afterEpoch) {
                saveAndDie();
            }
        }

        private void saveAndDie() {
            try {
                PretrainCheckpoint.save(p.snapshot(), Map.of("run.note", "test"), file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("killed");
        }
    }

    @Test
    void resumedPretrainingEndsWithTheUninterruptedWeightsBitForBit() throws Exception {
        BackbonePretrainer straight = fresh();
        straight.train(data(), EPOCHS, null);
        assertEquals(new EpochLoop.Position(EPOCHS, 0, 9), straight.position());
        BackbonePretrainer.Snapshot expected = straight.snapshot();

        // Mid-epoch (epoch 1, 1 of 3 batches done) and at an epoch's end (before the milestone epoch 2).
        for (int[] stop : new int[][]{{4, -1}, {-1, 1}}) {
            Path file = dir.resolve("stop-" + stop[0] + "-" + stop[1] + ".ckpt.safetensors");
            BackbonePretrainer interrupted = fresh();
            IllegalStateException killed = assertThrows(IllegalStateException.class,
                    () -> interrupted.train(data(), EPOCHS, new KilledAfter(interrupted, stop[0], stop[1], file)));
            assertEquals("killed", killed.getMessage());

            PretrainCheckpoint.Contents saved = PretrainCheckpoint.load(file);
            assertEquals("test", saved.metadata().get("run.note"));
            assertEquals(stop[0] > 0 ? new EpochLoop.Position(1, 1, 4) : new EpochLoop.Position(2, 0, 6),
                    saved.snapshot().position());
            assertFalse(saved.snapshot().optimizerState().isEmpty(), "the Adam moments are part of the checkpoint");
            BackbonePretrainer resumed = BackbonePretrainer.resume(saved.snapshot(), ADAM);
            resumed.train(data(), EPOCHS, null);
            assertEquals(straight.position(), resumed.position());
            BackbonePretrainer.Snapshot actual = resumed.snapshot();
            for (Map.Entry<String, INDArray> e : expected.backbone().tensors().entrySet()) {
                assertArrayEquals(e.getValue().data().asFloat(), actual.backbone().get(e.getKey()).data().asFloat(),
                        e.getKey() + " after a stop at " + Arrays.toString(stop));
            }
            assertArrayEquals(expected.headWeight().data().asFloat(), actual.headWeight().data().asFloat());
            assertEquals(expected.optimizerState().keySet(), actual.optimizerState().keySet());
        }
        // A stopped run differs from a fresh one: the comparison above is not vacuous.
        assertFalse(Arrays.equals(expected.headWeight().data().asFloat(),
                fresh().snapshot().headWeight().data().asFloat()));
    }

    @Test
    void finishedPositionTrainsNothingMore() throws Exception {
        BackbonePretrainer p = trainedOneEpoch();
        Path file = saved(p, "done.ckpt.safetensors");
        BackbonePretrainer again = BackbonePretrainer.resume(PretrainCheckpoint.load(file).snapshot(), ADAM);
        assertTrue(Double.isNaN(again.train(data(), 1, null)));
        assertArrayEquals(p.snapshot().headWeight().data().asFloat(), again.snapshot().headWeight().data().asFloat());
        assertThrows(IllegalArgumentException.class, () -> again.train(data(), 0, null));
    }

    @Test
    void damagedForeignAndMismatchedFilesAreClearErrors() throws Exception {
        BackbonePretrainer p = trainedOneEpoch();
        Path file = saved(p, "p.ckpt.safetensors");

        Path truncated = dir.resolve("truncated.ckpt.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(SafetensorsFormatException.class, () -> PretrainCheckpoint.load(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());

        Path backbone = dir.resolve("backbone.safetensors");
        SafetensorsWriter.write(backbone, p.backbone().tensors(), Map.of());
        e = assertThrows(CheckpointException.class, () -> PretrainCheckpoint.load(backbone));
        assertTrue(e.getMessage().contains(backbone.toString()) && e.getMessage().contains("not a pretraining"),
                e.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> PretrainCheckpoint.save(p.snapshot(), Map.of(PretrainCheckpoint.KEY_STEP, "1"), file));
        // Adam's moments cannot continue as SGD momentum.
        BackbonePretrainer.Snapshot adam = PretrainCheckpoint.load(file).snapshot();
        IllegalArgumentException sgd = assertThrows(IllegalArgumentException.class, () -> BackbonePretrainer.resume(
                adam, new OptimizerConfig("sgd", 0.1, 0.9, List.of(), 0.1)));
        assertTrue(sgd.getMessage().contains("optimizer"), sgd.getMessage());
    }
}
