package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * {@code x ⊙ y} as libnd4j's {@code multiply}, with a backward that computes only what trains: {@code x ⊙ x} gets
 * {@code 2·x·dY}, and a constant y (a frozen LayerNorm gain) gets no gradient. SameDiff's own {@code multiply_bp}
 * computes and reduces both operands' gradients, about 2.8 ms per [2080, 192] activation against two light passes.
 */
public final class LeanMultiply extends LeanPairwiseOp {

    /** Graph op name; the native kernel is libnd4j's {@code multiply}. */
    static final String OP_NAME = "sdlora_lean_multiply";
    private static final String NATIVE_OP = "multiply";

    static {
        register(OP_NAME, new LeanMultiply());
    }

    /** For SameDiff's deserialization only. */
    public LeanMultiply() {
        super(NATIVE_OP);
    }

    private LeanMultiply(SameDiff sd, SDVariable x, SDVariable y) {
        super(NATIVE_OP, sd, x, y);
    }

    /** {@code x ⊙ x}. */
    static SDVariable square(SameDiff sd, SDVariable x) {
        return new LeanMultiply(sd, x, x).outputVariable();
    }

    /** {@code x ⊙ c} for a constant c that broadcasts against x (never the other way round). */
    static SDVariable byConstant(SameDiff sd, SDVariable x, SDVariable c) {
        if (!c.isConstant()) {
            return x.mul(c);
        }
        return new LeanMultiply(sd, x, c).outputVariable();
    }

    @Override
    public String opName() {
        return OP_NAME;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable dy = gradients.get(0);
        SDVariable x = arg(0);
        SDVariable y = arg(1);
        if (x.name().equals(y.name())) {
            return List.of(dy.mul(x).mul(2.0));
        }
        return List.of(dy.mul(y));
    }
}
