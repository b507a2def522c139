package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdLoraLearnerTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    static SdLoraConfig config(double lr) {
        return SdLoraConfig.reference(C).withRanks(RankSchedule.constant(4))
                .withOptimizer(new OptimizerConfig("sgd", lr, 0.9, List.of(), 0.1)).withSeed(5);
    }

    private static Map<String, float[]> snapshot(Map<String, INDArray> arrays) {
        Map<String, float[]> m = new HashMap<>();
        arrays.forEach((k, v) -> m.put(k, v.castTo(DataType.FLOAT).dup('c').data().asFloat()));
        return m;
    }

    /** A learner that has trained and ended task 0 (classes 0-1) of {@code data}. */
    private static SdLoraLearner afterFirstTask(TemplateData data) {
        SdLoraLearner learner = SdLoraLearner.create(config(0.05), TestWeights.perturbed(C, 1, DataType.FLOAT));
        data.trainTasks(learner, 1, 8, 3, 8, 1);
        return learner;
    }

    private static float[] bits(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    @Test
    void trainingChangesOnlyTheCurrentFactorsMagnitudesAndNewHeadRows() {
        TemplateData data = new TemplateData(C, 4, 2);
        SdLoraLearner learner = afterFirstTask(data);

        Map<String, float[]> backboneBefore = snapshot(learner.backbone().tensors());
        LoraFactors task0q = learner.state().task(0).get(1, Projection.Q).copy();
        LoraFactors task0v = learner.state().task(0).get(0, Projection.V).copy();
        float[] oldHeadRows = learner.head().weight().get(NDArrayIndex.interval(0, 2), NDArrayIndex.all())
                .dup('c').data().asFloat();
        learner.beforeTask(2);
        LoraFactors task1Before = learner.state().task(1).get(0, Projection.Q).copy();
        double[] alphaBefore = learner.state().magnitudes();
        float[] newHeadBefore = learner.head().weightRows(2).data().asFloat();
        assertArrayEquals(new double[]{0.8, 0.8}, alphaBefore, "reference mode re-creates every magnitude at 0.8");

        // The magnitude gradient is non-zero at the first step (task 0's direction is live, B_1 is still zero).
        learner.trainStep(data.sample(2, 4, 4, 4), 0, 0);
        learner.train(TemplateData.iterator(data.sample(2, 4, 8, 5), 8), 2, null);

        Map<String, float[]> backboneAfter = snapshot(learner.backbone().tensors());
        assertEquals(backboneBefore.keySet(), backboneAfter.keySet());
        backboneBefore.forEach((k, v) -> assertArrayEquals(v, backboneAfter.get(k), "backbone tensor " + k));
        assertArrayEquals(bits(task0q.a()), bits(learner.state().task(0).get(1, Projection.Q).a()));
        assertArrayEquals(bits(task0q.b()), bits(learner.state().task(0).get(1, Projection.Q).b()));
        assertArrayEquals(bits(task0v.a()), bits(learner.state().task(0).get(0, Projection.V).a()));
        assertArrayEquals(bits(task0v.b()), bits(learner.state().task(0).get(0, Projection.V).b()));
        assertArrayEquals(oldHeadRows, learner.head().weight().get(NDArrayIndex.interval(0, 2), NDArrayIndex.all())
                .dup('c').data().asFloat(), "old head rows");

        LoraFactors task1After = learner.state().task(1).get(0, Projection.Q);
        assertFalse(java.util.Arrays.equals(bits(task1Before.a()), bits(task1After.a())), "A_1 unchanged");
        assertTrue(task1After.b().norm2Number().doubleValue() > 0, "B_1 left zero");
        assertFalse(java.util.Arrays.equals(alphaBefore, learner.state().magnitudes()), "magnitudes unchanged");
        assertNotEquals(alphaBefore[0], learner.state().magnitudes()[0], "task 0's magnitude was not trained");
        assertFalse(java.util.Arrays.equals(newHeadBefore, learner.head().weightRows(2).data().asFloat()));
    }

    @Test
    void magnitudeGradientIsNonZero() {
        TemplateData data = new TemplateData(C, 4, 2);
        SdLoraLearner learner = afterFirstTask(data);
        learner.beforeTask(2);
        TaskTrainingGraph g = new TaskTrainingGraph(learner.backbone(), learner.state(), learner.config().mode().norm(),
                learner.head(), 2, learner.config().optimizer(), DataType.FLOAT);
        DataSet batch = data.sample(2, 4, 4, 9);
        Map<String, INDArray> grads = g.sameDiff().calculateGradients(Map.of(VitGraph.INPUT, batch.getFeatures(),
                TaskTrainingGraph.LABEL, TaskLabels.slice(batch.getLabels(), 2, 2)), SdLoraAlgebra.MAGNITUDE);
        INDArray ga = grads.get(SdLoraAlgebra.MAGNITUDE);
        assertEquals(2, ga.length());
        assertTrue(Math.abs(ga.getDouble(0)) > 1e-7, "dL/dalpha_0 = " + ga);
    }

    @Test
    void atTaskZeroWithZeroBLogitsAreFrozenFeaturesTimesHead() {
        VitWeights backbone = TestWeights.perturbed(C, 2, DataType.FLOAT);
        SdLoraLearner learner = SdLoraLearner.create(config(0.05), backbone);
        learner.beforeTask(3);
        INDArray x = TestWeights.images(C, 5, 3, DataType.FLOAT);
        INDArray features = new ClassifierGraph(backbone, QkvAdapter.NONE, null, DataType.FLOAT).features(x);
        INDArray expected = features.mmul(learner.head().weight().transpose()).addRowVector(learner.head().bias());
        assertTrue(expected.equalsWithEps(learner.logits(x), 1e-5));
        assertTrue(expected.equalsWithEps(learner.logitsUnmerged(x), 1e-5));
        assertEquals(3, learner.logits(x).size(1));
    }

    @Test
    void unmergedForwardComputesTheSdLoraFormulaAndMergedEqualsUnmerged() {
        VitWeights backbone = TestWeights.perturbed(C, 4, DataType.FLOAT);
        SdLoraLearner learner = SdLoraLearner.create(config(0.05), backbone);
        TemplateData data = new TemplateData(C, 6, 2);
        data.trainTasks(learner, 3, 8, 10, 8, 2);
        learner.state().setAssimilated(1, Projection.V, 0, 0.37); // a KD coefficient must enter the forward too
        learner.state().setMagnitudes(new double[]{1.3, 0.6, 0.9});
        INDArray x = TestWeights.images(C, 4, 8, DataType.FLOAT);
        INDArray unmerged = learner.logitsUnmerged(x);
        INDArray merged = learner.logits(x);
        double scale = unmerged.amaxNumber().doubleValue();
        assertTrue(merged.sub(unmerged).amaxNumber().doubleValue() < 1e-5 * Math.max(1, scale),
                "merged vs unmerged: " + merged.sub(unmerged).amaxNumber());

        // Independent formula: finished tasks (α_i + β)·B_iA_i/(||B_i||·||A_i||), current α_c·B_cA_c.
        double[] alpha = learner.state().magnitudes();
        Map<String, double[][]> extra = new HashMap<>();
        for (int l = 0; l < C.depth(); l++) {
            for (Projection p : Projection.values()) {
                INDArray sum = Nd4j.zeros(DataType.DOUBLE, C.dim(), C.dim());
                for (int t = 0; t < 3; t++) {
                    LoraFactors f = learner.state().task(t).get(l, p);
                    INDArray ba = f.b().castTo(DataType.DOUBLE).mmul(f.a().castTo(DataType.DOUBLE));
                    double s = t == 2 ? alpha[t] : (alpha[t] + (l == 1 && p == Projection.V && t == 0 ? 0.37 : 0))
                            / (f.b().norm2Number().doubleValue() * f.a().norm2Number().doubleValue());
                    sum.addi(ba.mul(s));
                }
                extra.put(l + "/" + p.qkvIndex(), sum.toDoubleMatrix());
            }
        }
        double[][] refFeatures = new io.github.sdlora4j.vit.ReferenceVit(backbone, (b, k) -> extra.get(b + "/" + k))
                .features(x.castTo(DataType.DOUBLE));
        INDArray ref = Nd4j.create(refFeatures).mmul(learner.head().weight().castTo(DataType.DOUBLE).transpose())
                .addRowVector(learner.head().bias().castTo(DataType.DOUBLE));
        assertTrue(ref.castTo(DataType.FLOAT).equalsWithEps(unmerged, 2e-4), "unmerged vs formula");
    }

    /** The SameDiff engine differentiates the graph, which makes ND4J print a line per op unless filtered. */
    @Test
    void trainingKeepsSameDiffsPerOpLinesOffStandardOutput() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream capture = new java.io.PrintStream(captured, true);
        java.io.PrintStream old = System.out;
        System.setOut(capture);
        try {
            SdLoraLearner learner = SdLoraLearner.create(config(0.05), TestWeights.perturbed(C, 9, DataType.FLOAT));
            learner.beforeTask(2);
            EngineProperty.with("samediff",
                    () -> learner.trainStep(new TemplateData(C, 2, 2).sample(0, 2, 4, 1), 0, 0));
            System.out.println("application line");
            assertTrue(System.out == capture, "standard output is given back");
        } finally {
            System.setOut(old);
        }
        String out = captured.toString();
        assertFalse(out.contains("Added differentiated op"), out.substring(0, Math.min(200, out.length())));
        assertTrue(out.contains("application line"));
    }

    @Test
    void lifecycleMisuseIsRejected() {
        SdLoraLearner learner = SdLoraLearner.create(config(0.05), TestWeights.perturbed(C, 1, DataType.FLOAT));
        TemplateData data = new TemplateData(C, 4, 2);
        assertThrows(IllegalStateException.class, learner::afterTask);
        assertThrows(IllegalStateException.class, () -> learner.trainStep(data.sample(0, 2, 2, 1), 0, 0));
        assertThrows(IllegalStateException.class, () -> learner.logits(TestWeights.images(C, 1, 1, DataType.FLOAT)));
        assertThrows(IllegalArgumentException.class, () -> learner.beforeTask(0));
        learner.beforeTask(2);
        assertThrows(IllegalStateException.class, () -> learner.beforeTask(2));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> learner.trainStep(data.sample(2, 4, 2, 1), 0, 0));
        assertTrue(outside.getMessage().contains("[0, 2)"), outside.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> learner.logits(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8)));
        assertTrue(shape.getMessage().contains("[N, 3, 16, 16]"), shape.getMessage());
    }

    @Test
    void nanLossStopsTrainingWithTaskEpochAndStep() {
        SdLoraLearner learner = SdLoraLearner.create(config(0.05), TestWeights.perturbed(C, 1, DataType.FLOAT));
        TemplateData data = new TemplateData(C, 2, 2);
        learner.beforeTask(2);
        DataSet bad = data.sample(0, 2, 2, 1);
        bad.getFeatures().putScalar(new long[]{0, 0, 0, 0}, Double.NaN);
        learner.trainStep(data.sample(0, 2, 2, 2), 0, 0);
        INDArray x = TestWeights.images(C, 2, 3, DataType.FLOAT);
        float[] before = learner.logits(x).data().asFloat();
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> learner.trainStep(bad, 3, 17));
        assertArrayEquals(before, learner.logits(x).data().asFloat(), "the state of the last good step is kept");
        learner.trainStep(data.sample(0, 2, 2, 4), 3, 18); // training can go on from it
        assertTrue(Float.isFinite(learner.logits(x).getFloat(0, 0)));
        assertEquals(0, e.task());
        assertEquals(3, e.epoch());
        assertEquals(17, e.step());
        assertTrue(e.getMessage().contains("task 0, epoch 3, step 17"), e.getMessage());
    }

    @ParameterizedTest(name = "engine {0}")
    @ValueSource(strings = {"fused", "samediff"})
    void divergingParametersStopTrainingEvenBeforeTheLossShowsIt(String engine) {
        // A learning rate beyond float32's range: the first update is infinite while the loss, computed before it,
        // is still finite.
        SdLoraConfig huge = SdLoraConfig.reference(C).withRanks(RankSchedule.constant(4))
                .withOptimizer(new OptimizerConfig("adam", 1e39, 0, List.of(), 0.1));
        SdLoraLearner learner = SdLoraLearner.create(huge, TestWeights.perturbed(C, 1, DataType.FLOAT));
        TemplateData data = new TemplateData(C, 2, 2);
        learner.beforeTask(2);
        NonFiniteLossException e = EngineProperty.with(engine, () -> assertThrows(NonFiniteLossException.class, () -> {
            for (int s = 0; s < 5; s++) {
                learner.trainStep(data.sample(0, 2, 4, s), 0, s);
            }
        }));
        assertTrue(e.getMessage().contains("task 0, epoch 0") && e.getMessage().contains("became non-finite"),
                e.getMessage());
        assertTrue(java.util.Arrays.stream(learner.state().magnitudes()).allMatch(Double::isFinite),
                "the state keeps the last finite step");
    }

    @Test
    void threeTaskSyntheticProblemIsLearnedOnAllSeenClasses() {
        // SD-LoRA presumes a pretrained backbone: pretrain the tiny ViT on 8 other classes of the same generator.
        VitWeights backbone = TemplateData.pretrainedBackbone();
        SdLoraLearner learner = SdLoraLearner.create(config(0.01), backbone);
        TemplateData data = new TemplateData(C, 6, 12);
        data.trainTasks(learner, 3, 32, 100, 16, 6);
        Evaluation eval = learner.evaluate(TemplateData.iterator(data.sample(0, 6, 20, 999), 32));
        assertTrue(eval.accuracy() > 0.55, "accuracy over 6 classes (chance 0.17): " + eval.accuracy());
        for (int t = 0; t < 3; t++) {
            Evaluation e = learner.evaluate(TemplateData.iterator(data.sample(2 * t, 2 * t + 2, 20, 500 + t), 32));
            assertTrue(e.accuracy() > 0.3, "task " + t + " accuracy among 6 classes (chance 0.17): " + e.accuracy());
        }
    }
}
