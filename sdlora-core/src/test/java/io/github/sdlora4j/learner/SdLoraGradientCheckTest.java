package io.github.sdlora4j.learner;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Central finite differences in double precision over every trainable entry of an SD-LoRA training graph. */
class SdLoraGradientCheckTest {

    @AfterEach
    void restoreDefaultTypes() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /**
     * @param foldFinished whether the finished tasks' rank (6, or 2) passes dim/4 = 2, so that they are folded into
     *                     the projection weight rather than stacked with the current task's factors
     */
    @ParameterizedTest(name = "finished tasks folded into the weight: {0}")
    @ValueSource(booleans = {true, false})
    void gradientsOfFactorsMagnitudesAndHeadMatchFiniteDifferences(boolean foldFinished) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        VitConfig c = new VitConfig(8, 4, 3, 8, 1, 2, 16, 1e-6);
        VitWeights backbone = TestWeights.perturbed(c, 21, DataType.DOUBLE);
        SplittableRandom rng = new SplittableRandom(4);
        SdLoraState state = new SdLoraState(c.depth());
        for (int t = 0; t < 3; t++) {
            TaskAdapter adapter = TaskAdapter.initial(c.depth(), c.dim(), t == 2 ? 2 : foldFinished ? 3 : 1, rng,
                    DataType.DOUBLE);
            for (Projection p : Projection.values()) {
                LoraFactors f = adapter.get(0, p);
                // Non-zero B everywhere, so every entry of A and B has a non-trivial gradient.
                adapter.set(0, p, new LoraFactors(f.a(), TestWeights.uniform(rng, 0.3, c.dim(), f.rank())));
            }
            state.addTask(adapter);
        }
        state.setMagnitudes(new double[]{0.7, 1.2, 0.9});
        state.setAssimilated(0, Projection.V, 1, 0.25);
        ClassifierHead head = new ClassifierHead(TestWeights.uniform(rng, 0.5, 5, c.dim()), TestWeights.uniform(rng, 0.1, 5));

        TaskTrainingGraph graph = new TaskTrainingGraph(backbone, state, DirectionNorm.FACTOR_PRODUCT, head, 2,
                OptimizerConfig.REFERENCE_SGD, DataType.DOUBLE);
        SameDiff sd = graph.sameDiff();
        INDArray x = TestWeights.images(c, 3, 5, DataType.DOUBLE);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        y.putScalar(0, 0, 1);
        y.putScalar(1, 2, 1);
        y.putScalar(2, 1, 1);
        sd.createGradFunction(VitGraph.INPUT, TaskTrainingGraph.LABEL);
        sd.getVariable(VitGraph.INPUT).setArray(x);
        sd.getVariable(TaskTrainingGraph.LABEL).setArray(y);

        Set<String> skip = new HashSet<>(List.of(VitGraph.INPUT, TaskTrainingGraph.LABEL));
        Set<String> checked = new HashSet<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.CONSTANT) {
                skip.add(v.name());
            } else if (v.getVariableType() == VariableType.VARIABLE) {
                checked.add(v.name());
            }
        }
        assertEquals(Set.of(SdLoraAlgebra.MAGNITUDE, TaskTrainingGraph.HEAD_WEIGHT, TaskTrainingGraph.HEAD_BIAS,
                SdLoraAlgebra.factorName(0, Projection.Q, 2, "A"), SdLoraAlgebra.factorName(0, Projection.Q, 2, "B"),
                SdLoraAlgebra.factorName(0, Projection.V, 2, "A"), SdLoraAlgebra.factorName(0, Projection.V, 2, "B")),
                checked, "exactly the current factors, the magnitudes and the new head rows are trainable");
        assertEquals(foldFinished, sd.variables().stream().anyMatch(v -> v.name().startsWith("sdlora.blocks.0.attn.q.weight.")),
                "which form the finished tasks take");
        boolean ok = GradCheckUtil.checkGradients(sd, Map.of(VitGraph.INPUT, x, TaskTrainingGraph.LABEL, y),
                1e-6, 1e-5, 1e-9, false, false, false, false, skip, null);
        assertTrue(ok, "gradient check failed (see log)");
    }
}
