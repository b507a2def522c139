package io.github.sdlora4j.fused;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused step computes the same loss and gradients as the SameDiff training graph (itself checked against finite
 * differences in {@code SdLoraGradientCheckTest}), with finished tasks below and past the fold rank (so in both
 * gradient forms), a KD coefficient and a non-zero current B so that every gradient is non-trivial.
 */
class FusedSdLoraStepTest {

    static final VitConfig CONFIG = new VitConfig(16, 4, 3, 32, 2, 2, 64, 1e-6);
    private static final int KNOWN = 2;
    private static final int CLASSES = 5;

    /** Finished ranks 2 + 3, at most d/4 = 8: every term stays low-rank. */
    static final int[] UNFOLDED = {2, 3, 2};
    /** Finished ranks 5 + 4, past d/4: the finished terms are folded into the weight. */
    static final int[] FOLDED = {5, 4, 2};

    private static SdLoraState state(SplittableRandom rng) {
        return state(rng, UNFOLDED);
    }

    /** Every block and projection of {@code step} takes gradient form {@code form}. */
    static void assertGradientForm(FusedSdLoraStep step, SdLoraAlgebra.GradientForm form) {
        for (int l = 0; l < CONFIG.depth(); l++) {
            for (Projection p : Projection.values()) {
                assertEquals(form, step.gradientForm(l, p), "the state was built for the " + form + " form");
            }
        }
    }

    static SdLoraState state(SplittableRandom rng, int[] ranks) {
        SdLoraState state = new SdLoraState(CONFIG.depth());
        for (int t = 0; t < ranks.length; t++) {
            TaskAdapter adapter = TaskAdapter.initial(CONFIG.depth(), CONFIG.dim(), ranks[t], rng, DataType.FLOAT);
            for (int l = 0; l < CONFIG.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = adapter.get(l, p);
                    adapter.set(l, p, new LoraFactors(f.a(), TestWeights.uniform(rng, 0.3, CONFIG.dim(), f.rank())));
                }
            }
            state.addTask(adapter);
        }
        state.setMagnitudes(new double[]{0.7, 1.2, 0.9});
        state.setAssimilated(1, Projection.V, 0, 0.25);
        return state;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SdLoraAlgebra.GradientForm.class)
    void lossAndGradientsMatchTheSameDiffGraph(SdLoraAlgebra.GradientForm form) {
        SplittableRandom rng = new SplittableRandom(9);
        VitWeights backbone = TestWeights.perturbed(CONFIG, 21, DataType.FLOAT);
        SdLoraState state = state(rng, form == SdLoraAlgebra.GradientForm.WEIGHT ? FOLDED : UNFOLDED);
        INDArray headW = TestWeights.uniform(rng, 0.5, CLASSES - KNOWN, CONFIG.dim());
        INDArray headB = TestWeights.uniform(rng, 0.1, CLASSES - KNOWN);
        INDArray images = TestWeights.images(CONFIG, 4, 5, DataType.FLOAT);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, CLASSES - KNOWN);
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i % (CLASSES - KNOWN), 1.0);
        }

        SameDiff sd = SameDiff.create();
        SDVariable feature = VitGraph.build(sd, backbone,
                new SdLoraAdapterGraph(state, DirectionNorm.FACTOR_PRODUCT, true, DataType.FLOAT), DataType.FLOAT);
        SDVariable logits = sd.mmul(feature, sd.var("w", headW.dup()), false, true, false).add(sd.var("b", headB.dup()));
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, CLASSES - KNOWN);
        sd.loss.softmaxCrossEntropy("loss", label, logits, null);
        sd.setLossVariables("loss");
        Map<String, INDArray> feed = Map.of(VitGraph.INPUT, images, "label", labels);
        List<String> names = new ArrayList<>(List.of(SdLoraAlgebra.MAGNITUDE, "w", "b"));
        for (int l = 0; l < CONFIG.depth(); l++) {
            for (Projection p : Projection.values()) {
                names.add(SdLoraAlgebra.factorName(l, p, 2, "A"));
                names.add(SdLoraAlgebra.factorName(l, p, 2, "B"));
            }
        }
        Map<String, INDArray> expected = sd.calculateGradients(feed, names);
        double expectedLoss = sd.output(feed, "loss").get("loss").getDouble(0);

        FusedSdLoraStep step = new FusedSdLoraStep(backbone, state, DirectionNorm.FACTOR_PRODUCT, headW, headB, 1);
        assertGradientForm(step, form);
        double loss = step.lossAndGradients(images, labels);
        // A second call on the same arrays must give the same numbers: nothing may leak from one batch to the next.
        assertEquals(loss, step.lossAndGradients(images, labels), 1e-6);

        assertEquals(expectedLoss, loss, 1e-4);
        assertClose(expected.get(SdLoraAlgebra.MAGNITUDE), step.magnitudesGradient(), "alpha");
        assertClose(expected.get("w"), step.headWeightGradient(), "head weight");
        assertClose(expected.get("b"), step.headBiasGradient(), "head bias");
        for (int l = 0; l < CONFIG.depth(); l++) {
            for (Projection p : Projection.values()) {
                assertClose(expected.get(SdLoraAlgebra.factorName(l, p, 2, "A")), step.factorAGradient(l, p),
                        "A " + l + p);
                assertClose(expected.get(SdLoraAlgebra.factorName(l, p, 2, "B")), step.factorBGradient(l, p),
                        "B " + l + p);
            }
        }
    }

    /**
     * Both engines execute the algebra's fold rule: the fused step takes the weight-gradient form exactly where the
     * SameDiff graph puts the finished terms into the weight, for ranks on either side of d/4 and in every block.
     */
    @ParameterizedTest(name = "finished rank {0}")
    @ValueSource(ints = {7, 8, 9, 12})
    void bothEnginesFoldExactlyWhereTheAlgebraSays(int finishedRank) {
        SplittableRandom rng = new SplittableRandom(finishedRank);
        SdLoraState state = state(rng, new int[]{finishedRank - 3, 3, 2});
        SdLoraAlgebra algebra = SdLoraAlgebra.of(state, DirectionNorm.PRODUCT, SdLoraAlgebra.Training.ALL);
        SameDiff sd = SameDiff.create();
        VitGraph.build(sd, TestWeights.perturbed(CONFIG, 4, DataType.FLOAT), new SdLoraAdapterGraph(algebra,
                DataType.FLOAT), DataType.FLOAT);
        FusedSdLoraStep step = new FusedSdLoraStep(TestWeights.perturbed(CONFIG, 4, DataType.FLOAT), algebra,
                TestWeights.uniform(rng, 0.5, 2, CONFIG.dim()), TestWeights.uniform(rng, 0.1, 2));
        boolean expected = finishedRank > CONFIG.dim() / 4;
        for (int l = 0; l < CONFIG.depth(); l++) {
            for (Projection p : Projection.values()) {
                assertEquals(expected, algebra.terms(l, p).foldsFinished(), "algebra " + l + p);
                assertEquals(expected, sd.hasVariable(SdLoraAdapterGraph.foldedTermName(l, p)), "SameDiff " + l + p);
                assertEquals(expected ? SdLoraAlgebra.GradientForm.WEIGHT : SdLoraAlgebra.GradientForm.LOW_RANK,
                        step.gradientForm(l, p), "fused " + l + p);
            }
        }
    }

    @Test
    void alternatingBatchSizesGiveTheSameResultsAsFreshSteps() {
        SplittableRandom rng = new SplittableRandom(2);
        VitWeights backbone = TestWeights.perturbed(CONFIG, 3, DataType.FLOAT);
        SdLoraState state = state(rng);
        INDArray headW = TestWeights.uniform(rng, 0.5, 2, CONFIG.dim());
        INDArray headB = TestWeights.uniform(rng, 0.1, 2);
        INDArray images = TestWeights.images(CONFIG, 4, 6, DataType.FLOAT);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 2);
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i % 2, 1.0);
        }
        INDArray small = images.get(NDArrayIndex.interval(0, 3)).dup();
        INDArray smallLabels = labels.get(NDArrayIndex.interval(0, 3)).dup();
        FusedSdLoraStep step = new FusedSdLoraStep(backbone, state, DirectionNorm.PRODUCT, headW, headB);
        double full = step.lossAndGradients(images, labels);
        INDArray fullGrad = step.factorAGradient(1, Projection.V).dup();
        double part = step.lossAndGradients(small, smallLabels);
        INDArray partGrad = step.factorAGradient(1, Projection.V).dup();
        assertEquals(full, step.lossAndGradients(images, labels), 1e-9);
        assertEquals(fullGrad, step.factorAGradient(1, Projection.V));

        FusedSdLoraStep fresh = new FusedSdLoraStep(backbone, state, DirectionNorm.PRODUCT, headW, headB);
        assertEquals(part, fresh.lossAndGradients(small, smallLabels), 1e-9);
        assertEquals(partGrad, fresh.factorAGradient(1, Projection.V));
        assertTrue(Math.abs(full - part) > 1e-6, "the two batches must differ for the check to mean anything");
    }

    @Test
    void malformedBatchesAreRefusedWithTheExpectedShapes() {
        SplittableRandom rng = new SplittableRandom(2);
        FusedSdLoraStep step = new FusedSdLoraStep(TestWeights.perturbed(CONFIG, 3, DataType.FLOAT), state(rng),
                DirectionNorm.PRODUCT, TestWeights.uniform(rng, 0.5, 2, CONFIG.dim()), TestWeights.uniform(rng, 0.1, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> step.lossAndGradients(Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 8), Nd4j.zeros(DataType.FLOAT, 2, 2)));
        assertTrue(e.getMessage().contains("[batch, 3, 16, 16]") && e.getMessage().contains("[2, 3, 8, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> step.lossAndGradients(Nd4j.zeros(DataType.FLOAT, 2, 3, 16, 16), Nd4j.zeros(DataType.FLOAT, 2, 5)));
        assertTrue(e.getMessage().contains("Labels must be [2, 2]"), e.getMessage());
    }

    @Test
    void closeReleasesTheStepsOwnArraysAndLeavesTheBackboneAndStateAlone() {
        SplittableRandom rng = new SplittableRandom(4);
        VitWeights backbone = TestWeights.perturbed(CONFIG, 5, DataType.FLOAT);
        SdLoraState state = state(rng);
        FusedSdLoraStep step = new FusedSdLoraStep(backbone, state, DirectionNorm.FACTOR_PRODUCT,
                TestWeights.uniform(rng, 0.5, 2, CONFIG.dim()), TestWeights.uniform(rng, 0.1, 2), 2);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 2);
        labels.putScalar(0, 0, 1).putScalar(1, 1, 1).putScalar(2, 0, 1).putScalar(3, 1, 1);
        step.lossAndGradients(TestWeights.images(CONFIG, 4, 6, DataType.FLOAT), labels);
        step.close();
        for (Projection p : Projection.values()) {
            assertTrue(step.factorA(0, p).wasClosed() && step.factorB(0, p).wasClosed()
                    && step.factorAGradient(0, p).wasClosed() && step.factorBGradient(0, p).wasClosed(), p + " factors");
        }
        assertTrue(step.magnitudes().wasClosed() && step.headWeight().wasClosed() && step.headBiasGradient().wasClosed(),
                "magnitudes and head rows");
        backbone.tensors().forEach((name, t) -> assertFalse(t.wasClosed(), name + " is the caller's"));
        for (int t = 0; t < state.numTasks(); t++) {
            for (int l = 0; l < CONFIG.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = state.task(t).get(l, p);
                    assertFalse(f.a().wasClosed() || f.b().wasClosed(), "the state's factors are the caller's");
                }
            }
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE).reshape(actual.shape());
        INDArray a = actual.castTo(DataType.DOUBLE);
        double scale = e.norm2Number().doubleValue();
        assertTrue(scale > 1e-6, what + ": the expected gradient is zero, the check would prove nothing");
        double err = e.sub(a).norm2Number().doubleValue();
        assertTrue(err <= 1e-4 * scale + 1e-7, what + ": relative error " + err / scale + "\nexpected " + e + "\nactual " + a);
    }
}
