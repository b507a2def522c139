package io.github.sdlora4j.learner;

import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

import static io.github.sdlora4j.learner.SdLoraLearnerTest.C;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prediction takes the fused forward where the fused engine runs and the SameDiff graph otherwise; the two agree, and
 * the learners' thread setting reaches training and prediction.
 */
class MergedInferenceTest {

    @Test
    void theFusedForwardAndTheSameDiffGraphGiveTheSameLogits() {
        VitWeights backbone = TestWeights.perturbed(C, 5, DataType.FLOAT);
        ClassifierHead head = ClassifierHead.empty(C.dim(), DataType.FLOAT);
        head.grow(4, new SplittableRandom(1));
        INDArray x = TestWeights.images(C, 9, 2, DataType.FLOAT);
        INDArray graph = new ClassifierGraph(backbone, null, head, DataType.FLOAT).logits(x);
        INDArray sameDiff = new MergedInference(TrainingEngine.SAMEDIFF, backbone, head, 0).logits(x);
        INDArray fused = new MergedInference(TrainingEngine.FUSED, backbone, head, 2).logits(x);
        assertEquals(graph, sameDiff, "the SameDiff path is the graph itself");
        double err = fused.sub(graph).norm2Number().doubleValue();
        assertTrue(err <= 1e-5 * graph.norm2Number().doubleValue(), "fused vs SameDiff: " + err);
        INDArray features = new ClassifierGraph(backbone, null, null, DataType.FLOAT).features(x);
        INDArray fusedFeatures = new MergedInference(TrainingEngine.FUSED, backbone, null, 3).features(x);
        assertArrayEquals(features.shape(), fusedFeatures.shape());
        err = fusedFeatures.sub(features).norm2Number().doubleValue();
        assertTrue(err <= 1e-5 * features.norm2Number().doubleValue(), "fused vs SameDiff features: " + err);
    }

    @Test
    void theThreadSettingGivesTheSameTrainingAndPrediction() {
        TemplateData data = new TemplateData(C, 4, 2);
        VitWeights backbone = TestWeights.perturbed(C, 6, DataType.FLOAT);
        double[] losses = new double[2];
        INDArray[] logits = new INDArray[2];
        int[] threads = {1, 3};
        for (int i = 0; i < 2; i++) {
            SdLoraLearner learner = SdLoraLearner.create(SdLoraLearnerTest.config(0.05), backbone);
            learner.setThreads(threads[i]);
            learner.beforeTask(2);
            int index = i;
            EngineProperty.with("fused", () -> {
                losses[index] = learner.trainStep(data.sample(0, 2, 5, 3), 0, 0)
                        + learner.trainStep(data.sample(0, 2, 5, 4), 0, 1);
                logits[index] = learner.logits(data.sample(0, 2, 3, 5).getFeatures());
            });
        }
        assertEquals(losses[0], losses[1], 1e-5 * Math.abs(losses[0]));
        double err = logits[0].sub(logits[1]).norm2Number().doubleValue();
        assertTrue(err <= 1e-5 * logits[0].norm2Number().doubleValue(), "1 vs 3 threads: " + err);
    }

    @Test
    void zeroThreadsIsTheDefaultAndANegativeCountIsRefused() {
        TemplateData data = new TemplateData(C, 4, 2);
        VitWeights backbone = TestWeights.perturbed(C, 6, DataType.FLOAT);
        int[] threads = {0, FusedThreads.defaultThreads()};
        double[] losses = new double[2];
        INDArray[] logits = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            SdLoraLearner learner = SdLoraLearner.create(SdLoraLearnerTest.config(0.05), backbone);
            learner.setThreads(3);
            learner.setThreads(threads[i]);
            learner.beforeTask(2);
            int index = i;
            EngineProperty.with("fused", () -> {
                losses[index] = learner.trainStep(data.sample(0, 2, 5, 3), 0, 0);
                logits[index] = learner.logits(data.sample(0, 2, 3, 5).getFeatures());
            });
        }
        assertEquals(losses[1], losses[0], "0 trains on the default thread count");
        assertEquals(logits[1], logits[0], "and predicts on it");
        SdLoraLearner learner = SdLoraLearner.create(SdLoraLearnerTest.config(0.05), backbone);
        learner.setThreads(0);
        assertEquals(0, learner.threads(), "the default, as a run config's threads: 0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> learner.setThreads(-1));
        assertTrue(e.getMessage().contains("setThreads") && e.getMessage().contains("got -1")
                && e.getMessage().contains("0 for the default"), e.getMessage());
    }
}
