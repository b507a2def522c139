package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss terms reach the loss and the gradients on both engines, or are refused with a message naming them. */
class LossTermTest {

    private static final VitConfig C = VitConfig.TINY_TEST;
    private static final double LAMBDA = 0.5;
    private static final double LR = 0.05;

    /** λ·Σ W² over the task's head rows, in the graph form only. */
    private static class GraphOnlyPenalty implements LossTerm {
        @Override
        public String name() {
            return "head-l2";
        }

        @Override
        public SDVariable define(SameDiff sd, Map<String, SDVariable> trained) {
            SDVariable w = trained.get(HEAD_WEIGHT);
            return w.mul(w).sum().mul(LAMBDA);
        }
    }

    /** The same penalty with its gradient 2λW, which the fused engine needs. */
    private static final class Penalty extends GraphOnlyPenalty implements ExplicitLossTerm {
        @Override
        public double addGradients(Map<String, INDArray> values, Map<String, INDArray> gradients) {
            INDArray w = values.get(HEAD_WEIGHT);
            gradients.get(HEAD_WEIGHT).addi(w.mul(2 * LAMBDA));
            return LAMBDA * w.mul(w).sumNumber().doubleValue();
        }
    }

    private static SdLoraLearner learner(EngineChoice engine) {
        SdLoraConfig config = SdLoraConfig.reference(C).withRanks(RankSchedule.constant(3)).withSeed(5)
                .withOptimizer(new OptimizerConfig("sgd", LR, 0.9, List.of(), 0.1));
        VitWeights backbone = TestWeights.perturbed(C, 1, DataType.FLOAT);
        SdLoraLearner l = SdLoraLearner.create(config, backbone);
        l.useEngine(engine);
        l.beforeTask(2);
        return l;
    }

    private static INDArray taskRows(SdLoraLearner l) {
        return l.head().weight().get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).castTo(DataType.DOUBLE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = EngineChoice.class, names = {"FUSED", "SAMEDIFF"})
    void bothEnginesAddTheTermToTheLossAndItsGradientToTheUpdate(EngineChoice engine) {
        DataSet batch = new TemplateData(C, 2, 2).sample(0, 2, 6, 1);
        SdLoraLearner plain = learner(engine);
        SdLoraLearner penalised = learner(engine);
        penalised.addLossTerm(new Penalty());
        INDArray w0 = taskRows(penalised);
        double penalty = LAMBDA * w0.mul(w0).sumNumber().doubleValue();

        double without = plain.trainStep(batch, 0, 0);
        double with = penalised.trainStep(batch, 0, 0);
        assertEquals(without + penalty, with, 1e-4 * Math.abs(with), "the step's loss includes the term");
        // SGD's first step moves by lr·gradient (momentum starts at zero): the term adds lr·2λ·W0.
        INDArray shift = taskRows(plain).sub(taskRows(penalised));
        INDArray expected = w0.mul(LR * 2 * LAMBDA);
        assertTrue(shift.sub(expected).amaxNumber().doubleValue() < 1e-4,
                "head rows moved by the term's gradient: " + shift + " vs " + expected);
    }

    @Test
    void theFusedEngineRefusesATermWithoutItsGradientAndAutoFallsBackToSameDiff() {
        DataSet batch = new TemplateData(C, 2, 2).sample(0, 2, 6, 1);
        SdLoraLearner fused = learner(EngineChoice.FUSED);
        fused.addLossTerm(new GraphOnlyPenalty());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fused.trainStep(batch, 0, 0));
        assertTrue(e.getMessage().contains("engine: fused") && e.getMessage().contains("'head-l2'")
                && e.getMessage().contains("ExplicitLossTerm"), e.getMessage());

        SdLoraLearner auto = learner(EngineChoice.AUTO);
        auto.addLossTerm(new GraphOnlyPenalty());
        SdLoraLearner plain = learner(EngineChoice.AUTO);
        INDArray w0 = taskRows(auto);
        double penalty = LAMBDA * w0.mul(w0).sumNumber().doubleValue();
        assertEquals(plain.trainStep(batch, 0, 0) + penalty, auto.trainStep(batch, 0, 0), 1e-3,
                "auto trains the term with SameDiff");
    }

    @Test
    void simpleCilTakesNoLossTerm() {
        SimpleCilLearner l = new SimpleCilLearner(TestWeights.perturbed(C, 1, DataType.FLOAT));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> l.addLossTerm(new Penalty()));
        assertTrue(e.getMessage().contains("head-l2") && e.getMessage().contains("no loss"), e.getMessage());
    }
}
