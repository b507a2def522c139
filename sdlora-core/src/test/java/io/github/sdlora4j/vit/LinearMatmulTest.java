package io.github.sdlora4j.vit;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearMatmulTest {

    private static final INDArray X = Nd4j.rand(DataType.DOUBLE, 5, 3).subi(0.5);
    private static final INDArray W = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
    private static final INDArray B = Nd4j.rand(DataType.DOUBLE, 4);
    private static final INDArray UPSTREAM = Nd4j.rand(DataType.DOUBLE, 5, 4);

    /** loss = sum(upstream ⊙ (x·W + b)), so dL/dY = upstream. */
    private static SameDiff graph(boolean trainableWeight) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", X.dup());
        SDVariable w = trainableWeight ? sd.var("w", W.dup()) : sd.constant("w", W.dup());
        SDVariable y = LinearMatmul.apply(sd, x, w, sd.constant("b", B.dup()));
        y.rename("y");
        y.mul(sd.constant("upstream", UPSTREAM.dup())).sum("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    @Test
    void forwardIsXwPlusBInCOrder() {
        INDArray y = graph(false).output(Map.of(), "y").get("y");
        assertEquals('c', y.ordering(), "element-wise ops downstream need a 'c' operand");
        assertTrue(y.equalsWithEps(X.mmul(W).addRowVector(B), 1e-12));
    }

    @Test
    void frozenWeightGetsNoFusedBackwardAndTheInputGradientIsDyTimesWTransposed() {
        SameDiff sd = graph(false);
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "x");
        assertTrue(grads.get("x").equalsWithEps(UPSTREAM.mmul(W.transpose()), 1e-12));
        for (DifferentialFunction op : sd.getFunction("grad").ops()) {
            assertTrue(!op.opName().equals("matmul_bp"), "a fused matmul_bp computes dW of the frozen weight too");
        }
    }

    @Test
    void trainableWeightGetsXTransposedTimesDy() {
        Map<String, INDArray> grads = graph(true).calculateGradients(Map.of(), "x", "w");
        assertTrue(grads.get("w").equalsWithEps(X.transpose().mmul(UPSTREAM), 1e-12));
        assertTrue(grads.get("x").equalsWithEps(UPSTREAM.mmul(W.transpose()), 1e-12));
    }
}
