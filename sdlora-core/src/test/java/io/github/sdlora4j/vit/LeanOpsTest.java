package io.github.sdlora4j.vit;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BiasAdd} and {@link LeanMultiply}: same forward as add/multiply, gradients only where they train. */
class LeanOpsTest {

    private static final INDArray X = Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5);
    private static final INDArray C = Nd4j.rand(DataType.DOUBLE, 4).addi(0.5);
    private static final INDArray UPSTREAM = Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5);

    /** loss = sum(upstream ⊙ op(x, c)), so dL/dOut = upstream. */
    private interface Op {
        SDVariable apply(SameDiff sd, SDVariable x, SDVariable c);
    }

    private static SameDiff graph(Op op, boolean trainableOperand) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", X.dup());
        SDVariable c = trainableOperand ? sd.var("c", C.dup()) : sd.constant("c", C.dup());
        op.apply(sd, x, c).rename("out").mul(sd.constant("upstream", UPSTREAM.dup())).sum("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static long count(SameDiff sd, String opName) {
        return java.util.Arrays.stream(sd.getFunction("grad").ops()).filter(op -> op.opName().equals(opName)).count();
    }

    private static Set<String> gradientOps(SameDiff sd) {
        return java.util.Arrays.stream(sd.getFunction("grad").ops()).map(DifferentialFunction::opName)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void biasAddWithAConstantBiasPassesTheGradientThroughWithoutAddBp() {
        SameDiff sd = graph(BiasAdd::apply, false);
        assertTrue(sd.output(Map.of(), "out").get("out").equalsWithEps(X.addRowVector(C), 1e-12));
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), "x");
        assertTrue(g.get("x").equalsWithEps(UPSTREAM, 1e-12));
        assertFalse(gradientOps(sd).contains("add_bp"), gradientOps(sd).toString());
    }

    @Test
    void biasAddWithATrainableBiasSumsTheGradientOverRows() {
        Map<String, INDArray> g = graph(BiasAdd::apply, true).calculateGradients(Map.of(), "x", "c");
        assertTrue(g.get("c").equalsWithEps(UPSTREAM.sum(0), 1e-12));
        assertTrue(g.get("x").equalsWithEps(UPSTREAM, 1e-12));
    }

    @Test
    void multiplyByAConstantGivesOnlyTheInputGradient() {
        SameDiff sd = graph(LeanMultiply::byConstant, false);
        assertTrue(sd.output(Map.of(), "out").get("out").equalsWithEps(X.mulRowVector(C), 1e-12));
        assertTrue(sd.calculateGradients(Map.of(), "x").get("x").equalsWithEps(UPSTREAM.mulRowVector(C), 1e-12));
        assertEquals(1, count(sd, "multiply_bp"), "only the test's loss (out ⊙ upstream) has a multiply_bp");
    }

    @Test
    void multiplyByATrainableOperandFallsBackToTheFullBackward() {
        Map<String, INDArray> g = graph(LeanMultiply::byConstant, true).calculateGradients(Map.of(), "x", "c");
        assertTrue(g.get("c").equalsWithEps(UPSTREAM.mul(X).sum(0), 1e-12));
        assertTrue(g.get("x").equalsWithEps(UPSTREAM.mulRowVector(C), 1e-12));
    }

    @Test
    void squareGetsTwiceXTimesTheGradient() {
        SameDiff sd = graph((s, x, c) -> LeanMultiply.square(s, x), false);
        assertTrue(sd.output(Map.of(), "out").get("out").equalsWithEps(X.mul(X), 1e-12));
        INDArray gx = sd.calculateGradients(Map.of(), "x").get("x");
        assertTrue(gx.equalsWithEps(UPSTREAM.mul(X).mul(2), 1e-12));
        assertEquals(1, count(sd, "multiply_bp"), "only the test's loss (out ⊙ upstream) has a multiply_bp");
    }
}
