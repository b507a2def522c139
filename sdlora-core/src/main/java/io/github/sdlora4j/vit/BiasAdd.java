package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * {@code y + b} for a linear layer's bias b [out] on y [n, out], as libnd4j's {@code add}, whose backward skips the
 * bias gradient when b is a constant. SameDiff's own {@code add_bp} always reduces dY over the rows for b too, and
 * copies dY for y: about 3 ms per [2080, 768] activation, for a gradient nobody reads when the backbone is frozen.
 * Registered by name like {@link LinearMatmul}, for the same reason.
 */
public final class BiasAdd extends AddOp {

    /** Graph op name; the native kernel is libnd4j's {@code add}. */
    static final String OP_NAME = "sdlora_bias_add";
    private static final String NATIVE_OP = "add";

    static {
        ImportClassMapping.getOpNameMapping().putIfAbsent(OP_NAME, new BiasAdd());
    }

    /** For SameDiff's deserialization only. */
    public BiasAdd() {
    }

    private BiasAdd(SameDiff sd, SDVariable y, SDVariable bias) {
        super(sd, y, bias);
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

    /** {@code add} takes no arguments besides its two inputs (and libnd4j has no descriptor under our name). */
    @Override
    public Map<String, Object> propertiesForFunction() {
        return Map.of();
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
