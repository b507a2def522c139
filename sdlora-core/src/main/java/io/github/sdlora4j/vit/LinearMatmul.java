package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code x·W} for a linear layer, as SameDiff's {@code matmul}, whose backward is two separate GEMMs instead of one
 * fused {@code matmul_bp}. SameDiff then runs only the gradients it needs: for a frozen (constant) weight the
 * {@code dW = xᵀ·dY} GEMM is never executed.
 *
 * <p>Why not {@code xw_plus_b}, which also splits its backward: libnd4j allocates its output in 'f' order, and every
 * element-wise op that then mixes 'f' and 'c' operands takes libnd4j's strided path, measured 8–13x slower than the
 * contiguous one on [2080, 768] (about a third of a ViT-Tiny training step). {@code matmul}'s output follows its
 * input's order, so the whole residual stream stays 'c'.
 */
public final class LinearMatmul extends Mmul {

    /** Graph op name; the native kernel is libnd4j's {@code matmul}. */
    static final String OP_NAME = "sdlora_linear_matmul";
    private static final String NATIVE_OP = "matmul";

    static {
        // SameDiff copies the graph through FlatBuffers before differentiating it and finds each op's class by name;
        // registering ours keeps this doDiff instead of Mmul's fused one.
        LeanPairwiseOp.register(OP_NAME, new LinearMatmul());
    }

    /** For SameDiff's deserialization only. */
    public LinearMatmul() {
    }

    private LinearMatmul(SameDiff sd, SDVariable x, SDVariable w) {
        super(sd, x, w, false, false, false);
    }

    @Override
    public String opName() {
        return OP_NAME;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public long opHash() {
        return getDescriptor().getHash();
    }

    @Override
    public CustomOpDescriptor getDescriptor() {
        return Nd4j.getExecutioner().getCustomOperations().get(NATIVE_OP);
    }

    /** {@code x·w + b} with x [n, in], w [in, out] and b [out] (null for no bias). */
    static SDVariable apply(SameDiff sd, SDVariable x, SDVariable w, SDVariable b) {
        SDVariable y = new LinearMatmul(sd, x, w).outputVariable();
        return b == null ? y : BiasAdd.apply(sd, y, b);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable dy = gradients.get(0);
        SDVariable x = arg(0);
        SDVariable w = arg(1);
        return List.of(sameDiff.mmul(dy, w, false, true, false), sameDiff.mmul(x, dy, true, false, false));
    }
}
