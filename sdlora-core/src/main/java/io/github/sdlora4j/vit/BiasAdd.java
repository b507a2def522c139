package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * {@code y + b} for a linear layer's bias b [out] on y [n, out], as libnd4j's {@code add}, whose backward skips the
 * bias gradient when b is a constant. SameDiff's own {@code add_bp} always reduces dY over the rows for b too, and
 * copies dY for y: about 3 ms per [2080, 768] activation, for a gradient nobody reads when the backbone is frozen.
 */
public final class BiasAdd extends LeanPairwiseOp {

    /** Graph op name; the native kernel is libnd4j's {@code add}. */
    static final String OP_NAME = "sdlora_bias_add";
    private static final String NATIVE_OP = "add";

    static {
        register(OP_NAME, new BiasAdd());
    }

    /** For SameDiff's deserialization only. */
    public BiasAdd() {
        super(NATIVE_OP);
    }

    private BiasAdd(SameDiff sd, SDVariable y, SDVariable bias) {
        super(NATIVE_OP, sd, y, bias);
    }

    /** {@code y + bias}, bias broadcast over the rows of y. */
    static SDVariable apply(SameDiff sd, SDVariable y, SDVariable bias) {
        return new BiasAdd(sd, y, bias).outputVariable();
    }

    @Override
    public String opName() {
        return OP_NAME;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable dy = gradients.get(0);
        // identity, not dy itself: SameDiff renames the variable a gradient is returned in.
        SDVariable dInput = sameDiff.identity(dy);
        if (arg(1).isConstant()) {
            return List.of(dInput);
        }
        return List.of(dInput, dy.sum(0));
    }
}
