package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One optimizer over many small tensors, as DL4J updates a network's flattened parameters: their gradients are
 * gathered into one vector, one updater ({@link TorchSgd}, {@link TorchAdam}: element-wise rules, so the result is the
 * same as one updater per tensor) updates it, and the values are scattered back. With one updater per tensor, the
 * fused engine's 51 tensors cost some 300 ND4J op calls a step. The state is still saved and restored per tensor,
 * under the SameDiff engine's names ({@link OptimizerStates#PREFIX}{@code <tensor>.<key>}).
 */
final class FlatUpdate {

    private record Slice(String name, INDArray value, INDArray gradient, int offset, int length) {
    }

    private final List<Slice> slices = new ArrayList<>();
    private final float[] host;
    private final INDArray values;
    private final INDArray gradient;
    private final GradientUpdater<?> updater;

    /**
     * @param tensors name → {value, gradient}: whole float arrays of equal length, the value updated in place
     */
    FlatUpdate(Map<String, INDArray[]> tensors, IUpdater config) {
        int offset = 0;
        for (Map.Entry<String, INDArray[]> e : tensors.entrySet()) {
            INDArray value = e.getValue()[0];
            INDArray grad = e.getValue()[1];
            int length = (int) value.length();
            if (grad.length() != length) {
                throw new IllegalArgumentException("Gradient of '" + e.getKey() + "' has " + grad.length()
                        + " values, the tensor " + length);
            }
            slices.add(new Slice(e.getKey(), value, grad, offset, length));
            offset += length;
        }
        host = new float[offset];
        values = Nd4j.create(DataType.FLOAT, offset);
        gradient = Nd4j.create(DataType.FLOAT, offset);
        for (Slice s : slices) {
            buffer(s.value()).get(0, host, s.offset(), s.length());
        }
        buffer(values).put(0, host);
        long stateSize = config.stateSize(offset);
        updater = config.instantiate(stateSize > 0 ? Nd4j.zeros(DataType.FLOAT, 1, stateSize) : null, true);
    }

    /**
     * Applies one update from the tensors' current gradients.
     *
     * @return the name of a tensor that became non-finite, or null; the tensors keep their values then
     */
    String apply(int iteration, int epoch) {
        for (Slice s : slices) {
            buffer(s.gradient()).get(0, host, s.offset(), s.length());
        }
        buffer(gradient).put(0, host);
        updater.applyUpdater(gradient, iteration, epoch);
        values.subi(gradient);
        buffer(values).get(0, host);
        for (Slice s : slices) {
            for (int i = s.offset(); i < s.offset() + s.length(); i++) {
                if (!Float.isFinite(host[i])) {
                    return s.name();
                }
            }
        }
        for (Slice s : slices) {
            buffer(s.value()).put(0, host, s.offset(), s.length());
        }
        return null;
    }

    /** Copies of the state, per tensor and key, sorted by name. */
    Map<String, INDArray> snapshot() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Slice s : new TreeMap<>(byName()).values()) {
            for (Map.Entry<String, INDArray> e : new TreeMap<>(state()).entrySet()) {
                out.put(OptimizerStates.PREFIX + s.name() + "." + e.getKey(), part(e.getValue(), s).dup('c'));
            }
        }
        return out;
    }

    /** Writes per-tensor state back; {@code saved} must hold exactly this optimizer's entries, with matching sizes. */
    void restore(Map<String, INDArray> saved) {
        Set<String> expected = new TreeSet<>();
        for (Slice s : slices) {
            for (Map.Entry<String, INDArray> e : state().entrySet()) {
                String key = OptimizerStates.PREFIX + s.name() + "." + e.getKey();
                expected.add(key);
                INDArray target = part(e.getValue(), s);
                INDArray value = saved.get(key);
                if (value == null || value.length() != target.length()) {
                    throw new IllegalArgumentException("Saved optimizer state lacks '" + key + "' of "
                            + target.length() + " values (was it saved with another optimizer?)");
                }
                target.assign(value.reshape(target.shape()));
            }
        }
        if (!expected.equals(new TreeSet<>(saved.keySet()))) {
            throw new IllegalArgumentException("Saved optimizer state has entries " + new TreeSet<>(saved.keySet())
                    + ", this optimizer expects " + expected);
        }
    }

    /** A tensor's part of a state array: its slice of a per-element array, or the whole of a shared one (Adam's step count). */
    private INDArray part(INDArray stateArray, Slice s) {
        if (stateArray.length() != host.length) {
            return stateArray;
        }
        return stateArray.reshape(stateArray.length()).get(NDArrayIndex.interval(s.offset(), s.offset() + s.length()));
    }

    private Map<String, Slice> byName() {
        Map<String, Slice> m = new LinkedHashMap<>();
        slices.forEach(s -> m.put(s.name(), s));
        return m;
    }

    @SuppressWarnings("unchecked")
    private Map<String, INDArray> state() {
        return (Map<String, INDArray>) updater.getState();
    }

    private static FloatBuffer buffer(INDArray a) {
        if (a.isView() || a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("Expected a whole FLOAT array, got a " + (a.isView() ? "view" : a.dataType()));
        }
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
