package io.github.sdlora4j.fused;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.github.sdlora4j.fused.FusedSdLoraStepTest.CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused step on several threads computes the loss and every gradient of the 1-thread step, up to float rounding
 * (the shares' products and sums are grouped differently).
 */
class FusedStepThreadsTest {

    private static final int CLASSES = 3;

    /**
     * A step whose every block and projection takes gradient form {@code form} (the algebra's fold rule), on a random
     * backbone, or with {@code peaked} on one whose attention is sharply peaked ({@link TestWeights#perturbed}).
     */
    private static FusedSdLoraStep step(int threads, SdLoraAlgebra.GradientForm form, boolean peaked) {
        SplittableRandom rng = new SplittableRandom(4);
        VitWeights backbone = peaked ? TestWeights.perturbed(CONFIG, 8, DataType.FLOAT)
                : VitWeights.random(CONFIG, 8, DataType.FLOAT);
        SdLoraState state = FusedSdLoraStepTest.state(rng, form == SdLoraAlgebra.GradientForm.WEIGHT
                ? FusedSdLoraStepTest.FOLDED : FusedSdLoraStepTest.UNFOLDED);
        FusedSdLoraStep step = new FusedSdLoraStep(backbone, state, DirectionNorm.FACTOR_PRODUCT,
                TestWeights.uniform(rng, 0.5, CLASSES, CONFIG.dim()), TestWeights.uniform(rng, 0.1, CLASSES), threads);
        FusedSdLoraStepTest.assertGradientForm(step, form);
        return step;
    }

    private static INDArray labels(int batch) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, CLASSES);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, (i * 2) % CLASSES, 1.0);
        }
        return labels;
    }

    private static List<INDArray> gradients(FusedSdLoraStep s) {
        return tensors(s, true);
    }

    private static List<INDArray> parameters(FusedSdLoraStep s) {
        return tensors(s, false);
    }

    /** The trained tensors or their gradients: magnitudes, head weight and bias, then A and B of every block and projection. */
    private static List<INDArray> tensors(FusedSdLoraStep s, boolean gradients) {
        List<INDArray> t = new ArrayList<>(gradients
                ? List.of(s.magnitudesGradient(), s.headWeightGradient(), s.headBiasGradient())
                : List.of(s.magnitudes(), s.headWeight(), s.headBias()));
        for (int l = 0; l < CONFIG.depth(); l++) {
            for (Projection p : Projection.values()) {
                t.add(gradients ? s.factorAGradient(l, p) : s.factorA(l, p));
                t.add(gradients ? s.factorBGradient(l, p) : s.factorB(l, p));
            }
        }
        return t;
    }

    /** A plain gradient step on every trained tensor, as an optimizer between batches. */
    private static void descend(FusedSdLoraStep s) {
        List<INDArray> g = gradients(s);
        List<INDArray> t = parameters(s);
        for (int i = 0; i < t.size(); i++) {
            t.get(i).subi(g.get(i).mul(0.5));
        }
    }

    /**
     * On the random backbone. With sharply peaked attention (the perturbed backbone) softmax's backward cancels enough
     * to lift the rounding of the last block's q gradients (small: only the CLS rows reach the loss there) to as much
     * as 5e-5 relative in either form; the exact check below runs on that backbone.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(SdLoraAlgebra.GradientForm.class)
    void lossAndEveryGradientDoNotDependOnTheThreadCount(SdLoraAlgebra.GradientForm form) {
        INDArray images = TestWeights.images(CONFIG, 7, 12, DataType.FLOAT);
        FusedSdLoraStep one = step(1, form, false);
        double expected = one.lossAndGradients(images, labels(7));
        for (int threads : new int[]{2, 3}) {
            FusedSdLoraStep many = step(threads, form, false);
            double loss = many.lossAndGradients(images, labels(7));
            assertEquals(expected, loss, 1e-5 * Math.abs(expected), threads + " threads: loss");
            assertAllClose(gradients(one), gradients(many), 1e-5, threads + " threads");
        }
    }

    /**
     * Each thread's share is exactly the 1-thread step on its images, weighted by its share of the batch: checked
     * where the weights are powers of 2 (so the weighting rounds nothing), after an update of every trained tensor
     * (which every thread's share must see through the shared adapters), and with fewer images than threads.
     */
    @ParameterizedTest(name = "{0} images on {1} threads, {2}")
    @CsvSource({"8, 2, LOW_RANK", "8, 4, LOW_RANK", "2, 4, LOW_RANK", "8, 4, WEIGHT"})
    void eachThreadComputesItsShareOfTheBatch(int batch, int threads, SdLoraAlgebra.GradientForm form) {
        INDArray images = TestWeights.images(CONFIG, batch, 14, DataType.FLOAT);
        FusedSdLoraStep many = step(threads, form, true);
        many.lossAndGradients(images, labels(batch));
        descend(many);
        double loss = many.lossAndGradients(images, labels(batch));

        int shares = Math.min(threads, batch);
        int size = batch / shares;
        double expectedLoss = 0;
        List<INDArray> expected = null;
        for (int s = 0; s < shares; s++) {
            FusedSdLoraStep one = step(1, form, true);
            List<INDArray> target = parameters(one);
            for (int i = 0; i < target.size(); i++) {
                target.get(i).assign(parameters(many).get(i));
            }
            INDArrayIndex range = NDArrayIndex.interval(s * size, (s + 1) * size);
            expectedLoss += one.lossAndGradients(images.get(range).dup(), labels(batch).get(range).dup()) / shares;
            List<INDArray> share = gradients(one).stream().map(g -> g.div(shares)).toList();
            expected = expected == null ? share : sum(expected, share);
        }
        assertEquals(expectedLoss, loss, 1e-12 * Math.abs(expectedLoss), "loss");
        assertAllClose(expected, gradients(many), 1e-6, batch + " images on " + threads + " threads");
    }

    private static List<INDArray> sum(List<INDArray> a, List<INDArray> b) {
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.get(i).add(b.get(i)));
        }
        return out;
    }

    @Test
    void zeroThreadsAndEmptyBatchesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> step(0, SdLoraAlgebra.GradientForm.LOW_RANK, false));
        assertTrue(e.getMessage().contains("The fused engine: expected at least 1 thread, got 0"), e.getMessage());
        FusedSdLoraStep s = step(2, SdLoraAlgebra.GradientForm.LOW_RANK, false);
        e = assertThrows(IllegalArgumentException.class, () -> s.lossAndGradients(
                Nd4j.zeros(DataType.FLOAT, 0, 3, 16, 16), Nd4j.zeros(DataType.FLOAT, 0, CLASSES)));
        assertTrue(e.getMessage().contains("batch >= 1"), e.getMessage());
    }

    /** Each tensor within {@code tolerance} of the expected one, relative to the expected one's norm. */
    private static void assertAllClose(List<INDArray> expected, List<INDArray> actual, double tolerance, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            INDArray e = expected.get(i).castTo(DataType.DOUBLE);
            INDArray a = actual.get(i).castTo(DataType.DOUBLE);
            double scale = e.norm2Number().doubleValue();
            assertTrue(scale > 1e-6, what + ", tensor " + i + ": zero, the check would prove nothing");
            double err = e.sub(a).norm2Number().doubleValue();
            assertTrue(err <= tolerance * scale, what + ", tensor " + i + ": relative error " + err / scale);
        }
    }
}
