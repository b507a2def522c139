package io.github.sdlora4j.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The PyTorch baseline must be the same computation as ours, or the ratio means nothing: same loss, and after SGD
 * steps (momentum included) the same trained factors and magnitudes. Skipped where libtorch cannot load.
 */
class TorchSdLoraStepTest {

    private static Optional<PyTorchRuntime> torch;

    @BeforeAll
    static void loadTorch() {
        torch = PyTorchRuntime.load(1).runtime();
    }

    @Test
    void geluIsTheExactErfForm() {
        assumeTrue(torch.isPresent(), "libtorch not loadable here");
        try (NDManager m = torch.get().engine().newBaseManager()) {
            NDArray x = m.create(new float[]{1f, -0.5f});
            float[] y = Activation.gelu(x).toFloatArray();
            // 0.5·x·(1 + erf(x/√2)); the tanh approximation gives 0.841192 and -0.154286.
            assertEquals(0.8413447, y[0], 2e-6);
            assertEquals(-0.1542687, y[1], 2e-6);
        }
    }

    @Test
    void trainsTheSameNumbersAsTheSameDiffLearner() {
        assumeTrue(torch.isPresent(), "libtorch not loadable here");
        VitConfig vit = VitConfig.TINY_TEST;
        SdLoraFixture fixture = SdLoraFixture.create(randomEverywhere(vit), 2, 3, 2, 5);
        // A non-zero current B, so the first step's gradient reaches A as well.
        for (int l = 0; l < vit.depth(); l++) {
            for (Projection p : Projection.values()) {
                LoraFactors f = fixture.learner().state().task(2).get(l, p);
                fixture.learner().state().task(2).set(l, p, new LoraFactors(f.a(), Nd4j.rand(f.b().dataType(),
                        f.b().shape()).subi(0.5).muli(0.2)));
            }
        }
        DataSet batch = fixture.batch(4, 9);
        try (TorchSdLoraStep theirs = new TorchSdLoraStep(torch.get(), fixture.learner())) {
            theirs.setBatch(batch, fixture.learner().knownClasses());
            for (int step = 0; step < 3; step++) {
                double ours = fixture.step(batch, step);
                double their = theirs.step();
                assertEquals(ours, their, 1e-4 * Math.max(1, Math.abs(ours)), "loss at step " + step);
            }
            for (int l = 0; l < vit.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = fixture.learner().state().task(2).get(l, p);
                    assertClose(f.b().dup('c').reshape(f.b().length()).toFloatVector(), theirs.currentB(l, p),
                            "B of block " + l + " " + p);
                }
            }
            double[] alpha = fixture.learner().state().magnitudes();
            float[] theirAlpha = theirs.magnitudes();
            for (int i = 0; i < alpha.length; i++) {
                assertEquals(alpha[i], theirAlpha[i], 1e-5, "magnitude " + i);
            }
            assertTrue(Math.abs(alpha[2] - 0.8) > 1e-6, "the current magnitude must have been trained");
        }
    }

    @Test
    void mergedEvalGivesTheLearnersLogitsAtAnyThreadCount() {
        assumeTrue(torch.isPresent(), "libtorch not loadable here");
        VitConfig vit = VitConfig.TINY_TEST;
        SdLoraFixture fixture = SdLoraFixture.create(randomEverywhere(vit), 2, 3, 2, 6);
        DataSet batch = fixture.batch(4, 10);
        fixture.step(batch, 0); // a non-zero current B, so the merged weights differ from the backbone's
        float[] ours = fixture.learner().logits(batch.getFeatures()).dup('c').reshape(-1).toFloatVector();
        try (TorchMergedForward theirs = new TorchMergedForward(torch.get(), fixture.learner())) {
            theirs.setImages(batch.getFeatures());
            for (int threads : new int[]{1, 2}) {
                float[][] out = new float[1][];
                torch.get().atThreads(threads, () -> out[0] = theirs.predict()).run();
                assertEquals(threads, torch.get().threads());
                assertClose(ours, out[0], "logits at " + threads + " threads");
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(scale, 1e-3), what + " [" + i + "]");
        }
    }

    /** Random values in every tensor, biases and LayerNorm parameters included, so none of them can be left out. */
    private static VitWeights randomEverywhere(VitConfig vit) {
        SplittableRandom rng = new SplittableRandom(3);
        Map<String, INDArray> t = new LinkedHashMap<>();
        TimmVitLayout.expectedShapes(vit).forEach((name, shape) -> {
            INDArray a = Nd4j.create(SdLoraFixture.TYPE, shape);
            for (long i = 0; i < a.length(); i++) {
                double centre = name.contains("norm") && name.endsWith("weight") ? 1.0 : 0.0;
                a.putScalar(i, centre + (2 * rng.nextDouble() - 1) * 0.2);
            }
            t.put(name, a);
        });
        return VitWeights.of(vit, t, "test");
    }
}
