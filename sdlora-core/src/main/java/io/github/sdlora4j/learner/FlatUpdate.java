package io.github.sdlora4j.learner;

import io.github.sdlora4j.NativeArrays;
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
    /** The updater's state (its view), or null for a stateless updater. */
    private final INDArray updaterState;

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
        updaterState = stateSize > 0 ? Nd4j.zeros(DataType.FLOAT, 1, stateSize) : null;
        updater = config.instantiate(updaterState, true);
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
    /** Releases the flat arrays and the optimizer state; unusable afterwards. */
    void close() {
        NativeArrays.close(values, gradient, updaterState);
    }

    Map<String, INDArray> snapshot() {
        return OptimizerStates.snapshot(stateByTensor());
    }

    /** Writes per-tensor state back; {@code saved} must hold exactly this optimizer's entries, with matching sizes. */
    void restore(Map<String, INDArray> saved) {
        OptimizerStates.restore(stateByTensor(), saved);
    }

    /** Each tensor's live part of the flat state. */
    private Map<String, Map<String, INDArray>> stateByTensor() {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        for (Slice s : slices) {
            Map<String, INDArray> parts = new LinkedHashMap<>();
            state().forEach((key, array) -> parts.put(key, part(array, s)));
            out.put(s.name(), parts);
        }
        return out;
    }

    /** A tensor's part of a state array: its slice of a per-element array, or the whole of a shared one (Adam's step count). */
    private INDArray part(INDArray stateArray, Slice s) {
        if (stateArray.length() != host.length) {
            return stateArray;
        }
        return stateArray.reshape(stateArray.length()).get(NDArrayIndex.interval(s.offset(), s.offset() + s.length()));
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
