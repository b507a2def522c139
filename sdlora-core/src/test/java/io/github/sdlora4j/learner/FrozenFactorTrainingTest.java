package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both engines' B-only training (InfLoRA's): A stays bit-identical while B and the head rows move. */
class FrozenFactorTrainingTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    @ParameterizedTest
    @ValueSource(strings = {"fused", "samediff"})
    void withAFrozenOnlyBAndTheHeadMove(String engine) {
        for (boolean trainA : new boolean[]{false, true}) {
            SdLoraState state = new SdLoraState(C.depth());
            // B starts non-zero so that A has a gradient from the first step (with B = 0 it would not move anyway).
            TaskAdapter adapter = TaskAdapter.initial(C.depth(), C.dim(), 3, new SplittableRandom(4), DataType.FLOAT);
            for (int l = 0; l < C.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = adapter.get(l, p);
                    adapter.set(l, p, new LoraFactors(f.a(), f.a().transpose().mul(0.5).dup('c')));
                }
            }
            state.addTask(adapter);
            state.setMagnitudes(new double[]{1.0});
            SdLoraState before = state.copy();
            ClassifierHead head = ClassifierHead.empty(C.dim(), DataType.FLOAT);
            head.grow(2, new SplittableRandom(5));
            ClassifierHead headBefore = head.copy();
            VitWeights backbone = VitWeights.random(C, 6, DataType.FLOAT);
            TemplateData data = new TemplateData(C, 2, 8);
            TaskTraining training = EngineProperty.with(engine, () -> TrainingEngine.selected(DataType.FLOAT).start(
                    backbone, state, DirectionNorm.FACTOR_PRODUCT, head, 0,
                    new OptimizerConfig("adam", 1e-2, 0, List.of(), 0.1), DataType.FLOAT, false, trainA, List.of(), List.of(),
                    2)); // two threads: every share must leave A alone
            for (int step = 0; step < 3; step++) {
                DataSet batch = data.sample(0, 2, 4, 10 + step);
                training.step(batch, 0, step);
            }
            training.copyBack(state, head, 0);

            for (int l = 0; l < C.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors was = before.task(0).get(l, p);
                    LoraFactors now = state.task(0).get(l, p);
                    if (trainA) {
                        assertNotEquals(was.a(), now.a(), engine + ": A trains when asked to");
                    } else {
                        assertArrayEquals(was.a().dup('c').data().asFloat(), now.a().dup('c').data().asFloat(),
                                engine + ": A must be bit-identical, block " + l + " " + p);
                    }
                    assertNotEquals(was.b(), now.b(), engine + ": B trains, block " + l + " " + p);
                }
            }
            assertNotEquals(headBefore.weight(), head.weight(), engine + ": the head rows train");
            boolean optimizerHoldsA = training.optimizerState().keySet().stream().anyMatch(k -> k.endsWith(".A")
                    || k.contains(".A."));
            assertEquals(trainA, optimizerHoldsA, engine + ": optimizer state for A " + training.optimizerState().keySet());
            assertTrue(training.optimizerState().keySet().stream().anyMatch(k -> k.contains(".B")));
            assertFalse(training.optimizerState().isEmpty());
        }
    }

}
