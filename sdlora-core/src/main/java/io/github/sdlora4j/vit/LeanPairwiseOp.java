package io.github.sdlora4j.vit;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.impl.transforms.BaseDynamicTransformOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * A libnd4j pairwise op ({@code add}, {@code multiply}) under a graph op name of its own, so that a subclass can give
 * it a leaner {@code doDiff} than SameDiff's {@code *_bp} ops. SameDiff copies the graph through FlatBuffers before
 * differentiating it and finds each op's class by its name: {@link #register} makes that name lead back to the
 * subclass, and the native kernel is still looked up by its own name.
 *
 * <p>Each subclass returns its graph name from {@code opName()} as a constant rather than a field here: SameDiff
 * calls {@code opName()} from the superclass constructor, before any field of this class is set.
 */
abstract class LeanPairwiseOp extends BaseDynamicTransformOp {

    private final String nativeOp;

    /** For SameDiff's deserialization. */
    LeanPairwiseOp(String nativeOp) {
        this.nativeOp = nativeOp;
    }

    LeanPairwiseOp(String nativeOp, SameDiff sd, SDVariable x, SDVariable y) {
        super(sd, new SDVariable[]{x, y}, false);
        this.nativeOp = nativeOp;
    }

    /** Makes {@code name} resolve to {@code prototype}'s class when SameDiff copies a graph. */
    static void register(String name, DifferentialFunction prototype) {
        ImportClassMapping.getOpNameMapping().putIfAbsent(name, prototype);
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
        return Nd4j.getExecutioner().getCustomOperations().get(nativeOp);
    }

    /** The pairwise ops take no arguments besides their two inputs (and libnd4j has no descriptor under our name). */
    @Override
    public Map<String, Object> propertiesForFunction() {
        return Map.of();
    }
}
