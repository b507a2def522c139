package io.github.sdlora4j.fused;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static io.github.sdlora4j.fused.FusedSdLoraStepTest.CONFIG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused forward's logits equal the SameDiff inference graph's within 1e-5 relative, on 1 and 3 threads, over
 * more images than one chunk so that chunks and shares of unequal size are exercised.
 */
class FusedVitForwardTest {

    @Test
    void logitsMatchTheSameDiffGraphOnOneAndSeveralThreads() {
        SplittableRandom rng = new SplittableRandom(6);
        VitWeights backbone = TestWeights.perturbed(CONFIG, 17, DataType.FLOAT);
        ClassifierHead head = new ClassifierHead(TestWeights.uniform(rng, 0.5, 7, CONFIG.dim()).castTo(DataType.FLOAT),
                TestWeights.uniform(rng, 0.2, 7).castTo(DataType.FLOAT));
        int n = FusedVitForward.CHUNK + 5;
        INDArray images = TestWeights.images(CONFIG, n, 3, DataType.FLOAT);
        INDArray expected = new ClassifierGraph(backbone, null, head, DataType.FLOAT).logits(images);
        for (int threads : new int[]{1, 3}) {
            INDArray actual = new FusedVitForward(backbone, head.weight(), head.bias(), threads).logits(images);
            assertArrayEquals(expected.shape(), actual.shape());
            for (int i = 0; i < n; i++) {
                INDArray e = expected.getRow(i).castTo(DataType.DOUBLE);
                double err = e.sub(actual.getRow(i).castTo(DataType.DOUBLE)).norm2Number().doubleValue();
                double scale = e.norm2Number().doubleValue();
                assertTrue(err <= 1e-5 * scale, threads + " threads, image " + i + ": relative error " + err / scale);
            }
        }
        assertTrue(expected.std(0).minNumber().doubleValue() > 1e-3, "the images must move the logits");
    }

    @Test
    void malformedImagesAndHeadsAreRefused() {
        VitWeights backbone = TestWeights.perturbed(CONFIG, 17, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FusedVitForward(backbone, Nd4j.zeros(DataType.FLOAT, 2, 5), Nd4j.zeros(DataType.FLOAT, 2), 1));
        assertTrue(e.getMessage().contains("[classes, " + CONFIG.dim() + "]"), e.getMessage());
        FusedVitForward forward = new FusedVitForward(backbone, Nd4j.zeros(DataType.FLOAT, 2, CONFIG.dim()),
                Nd4j.zeros(DataType.FLOAT, 2), 2);
        e = assertThrows(IllegalArgumentException.class, () -> forward.logits(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("[N, 3, 16, 16]") && e.getMessage().contains("[1, 3, 8, 8]"), e.getMessage());
    }
}
