package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused and SameDiff engines train identically, share checkpoints, and are chosen as documented. */
class TrainingEngineTest {

    private static final VitConfig C = VitConfig.TINY_TEST;

    private static SdLoraConfig config(String optimizer) {
        OptimizerConfig o = optimizer.equals("sgd") ? new OptimizerConfig("sgd", 0.05, 0.9, List.of(), 0.1)
                : new OptimizerConfig("adam", 0.01, 0, List.of(), 0.1);
        return SdLoraConfig.reference(C).withRanks(RankSchedule.constant(3)).withOptimizer(o).withSeed(5);
    }

    /** Two tasks: the second trains with a finished, normalized first task in its projections. */
    private static SdLoraLearner train(String engine, String optimizer) {
        return EngineProperty.with(engine, () -> {
            SdLoraLearner learner = SdLoraLearner.create(config(optimizer), TestWeights.perturbed(C, 1, DataType.FLOAT));
            TemplateData data = new TemplateData(C, 4, 2);
            for (int t = 0; t < 2; t++) {
                learner.beforeTask(2);
                for (int s = 0; s < 3; s++) {
                    learner.trainStep(data.sample(2 * t, 2 * t + 2, 6, 10 * t + s), 0, s);
                }
                if (t == 0) {
                    learner.afterTask();
                }
            }
            return learner;
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "adam"})
    void bothEnginesTrainTheSameWay(String optimizer) {
        SdLoraLearner fused = train("fused", optimizer);
        SdLoraLearner sameDiff = train("samediff", optimizer);
        // Adam divides each gradient by its own size, so float32 rounding in near-zero entries moves them further.
        double tolerance = optimizer.equals("adam") ? 2e-3 : 2e-4;
        for (int t = 0; t < 2; t++) {
            for (int l = 0; l < C.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = fused.state().task(t).get(l, p);
                    LoraFactors s = sameDiff.state().task(t).get(l, p);
                    assertClose(s.a(), f.a(), tolerance, "task " + t + " block " + l + " " + p + " A");
                    assertClose(s.b(), f.b(), tolerance, "task " + t + " block " + l + " " + p + " B");
                }
            }
        }
        double[] fa = fused.state().magnitudes();
        double[] sa = sameDiff.state().magnitudes();
        for (int i = 0; i < fa.length; i++) {
            assertEquals(sa[i], fa[i], tolerance * Math.abs(sa[i]), "alpha " + i);
        }
        assertClose(sameDiff.head().weight(), fused.head().weight(), tolerance, "head weight");
        assertClose(sameDiff.head().bias(), fused.head().bias(), tolerance, "head bias");
        assertFalse(fused.state().task(1).get(0, Projection.Q).isZero(), "the second task's B trained away from 0");
    }

    @ParameterizedTest(name = "written by {0}, resumed by {1}")
    @CsvSource({"fused, samediff", "samediff, fused"})
    void optimizerStateWrittenByOneEngineResumesInTheOther(String writer, String reader) {
        TemplateData data = new TemplateData(C, 2, 3);
        VitWeights backbone = TestWeights.perturbed(C, 1, DataType.FLOAT);
        SdLoraLearner straight = EngineProperty.with(writer, () -> {
            SdLoraLearner l = SdLoraLearner.create(config("adam"), backbone);
            l.beforeTask(2);
            l.trainStep(data.sample(0, 2, 6, 1), 0, 0);
            l.trainStep(data.sample(0, 2, 6, 2), 0, 1);
            return l;
        });
        Map<String, INDArray> saved = straight.optimizerState();
        assertTrue(saved.keySet().stream().anyMatch(k -> k.startsWith("sdlora.optimizer.sdlora.magnitude.")), saved.keySet().toString());
        SdLoraLearner resumed = SdLoraLearner.restore(config("adam"), backbone, straight.state().copy(),
                straight.head().copy(), straight.taskClasses(), true, saved);
        EngineProperty.with(reader, () -> resumed.trainStep(data.sample(0, 2, 6, 3), 0, 2));
        EngineProperty.with(writer, () -> straight.trainStep(data.sample(0, 2, 6, 3), 0, 2));
        for (int l = 0; l < C.depth(); l++) {
            assertClose(straight.state().task(0).get(l, Projection.V).a(), resumed.state().task(0).get(l, Projection.V).a(),
                    2e-3, "block " + l + " v A after the resumed step");
        }
        assertEquals(straight.state().magnitudes()[0], resumed.state().magnitudes()[0], 1e-5);
        // And the resumed learner saves the same entries it was given.
        assertEquals(new java.util.TreeSet<>(saved.keySet()), new java.util.TreeSet<>(resumed.optimizerState().keySet()));
    }

    @Test
    void aFreshStartAndAResumeFromItsOwnStateTrainTheSame() {
        // Adam's moments and step count must survive the fused engine's flat optimizer state being cut per tensor.
        TemplateData data = new TemplateData(C, 2, 3);
        VitWeights backbone = TestWeights.perturbed(C, 1, DataType.FLOAT);
        EngineProperty.with("fused", () -> {
            SdLoraLearner straight = SdLoraLearner.create(config("adam"), backbone);
            straight.beforeTask(2);
            straight.trainStep(data.sample(0, 2, 6, 1), 0, 0);
            SdLoraLearner resumed = SdLoraLearner.restore(config("adam"), backbone, straight.state().copy(),
                    straight.head().copy(), straight.taskClasses(), true, straight.optimizerState());
            straight.trainStep(data.sample(0, 2, 6, 2), 0, 1);
            resumed.trainStep(data.sample(0, 2, 6, 2), 0, 1);
            assertClose(straight.state().task(0).get(1, Projection.Q).b(), resumed.state().task(0).get(1, Projection.Q).b(),
                    1e-6, "q B after the resumed step");
            assertEquals(straight.head().bias().getDouble(1), resumed.head().bias().getDouble(1), 1e-7);
        });
    }

    @Test
    void anUnknownEngineIsRefusedWithTheValidNames() {
        IllegalArgumentException e = EngineProperty.with("gpu", () -> assertThrows(IllegalArgumentException.class,
                () -> TrainingEngine.selected(DataType.FLOAT)));
        assertTrue(e.getMessage().contains("sdlora.engine=gpu") && e.getMessage().contains("auto, fused, samediff"),
                e.getMessage());
    }

    @Test
    void autoPicksTheFusedEngineWhereItRunsAndSameDiffForDouble() {
        // The tests run with --add-modules jdk.incubator.vector on the CPU backend (see the parent pom).
        assertEquals(TrainingEngine.FUSED, EngineProperty.with("auto", () -> TrainingEngine.selected(DataType.FLOAT)));
        assertEquals(TrainingEngine.SAMEDIFF, EngineProperty.with("auto", () -> TrainingEngine.selected(DataType.DOUBLE)));
        IllegalStateException e = EngineProperty.with("fused", () -> assertThrows(IllegalStateException.class,
                () -> TrainingEngine.selected(DataType.DOUBLE)));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
    }

    @Test
    void theLearnersChoiceHoldsUnlessThePropertyOverridesIt() {
        assertEquals(TrainingEngine.SAMEDIFF, TrainingEngine.resolve(EngineChoice.SAMEDIFF, DataType.FLOAT, null));
        assertEquals(TrainingEngine.FUSED, TrainingEngine.resolve(EngineChoice.FUSED, DataType.FLOAT, null));
        assertEquals(TrainingEngine.SAMEDIFF, EngineProperty.with("samediff",
                () -> TrainingEngine.resolve(EngineChoice.FUSED, DataType.FLOAT, null)));
        assertEquals(TrainingEngine.FUSED, EngineProperty.with("fused",
                () -> TrainingEngine.resolve(EngineChoice.SAMEDIFF, DataType.FLOAT, null)));
    }

    @Test
    void aMethodWithoutAFusedStepTrainsWithSameDiffUnderAutoAndRefusesFused() {
        String why = "has no step for this method";
        assertEquals(TrainingEngine.SAMEDIFF, TrainingEngine.resolve(EngineChoice.AUTO, DataType.FLOAT, why));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingEngine.resolve(EngineChoice.FUSED, DataType.FLOAT, why));
        assertEquals("engine: fused, but the fused engine " + why, e.getMessage());
        IllegalStateException p = EngineProperty.with("fused", () -> assertThrows(IllegalStateException.class,
                () -> TrainingEngine.resolve(EngineChoice.AUTO, DataType.FLOAT, why)));
        assertTrue(p.getMessage().startsWith("-Dsdlora.engine=fused, but"), p.getMessage());
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(e.shape());
        double scale = e.norm2Number().doubleValue();
        double err = e.sub(a).norm2Number().doubleValue();
        assertTrue(err <= tolerance * scale + 1e-6, what + ": relative difference " + err / scale);
    }
}
