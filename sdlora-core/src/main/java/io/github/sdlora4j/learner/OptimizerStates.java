package io.github.sdlora4j.learner;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Saving and restoring per-tensor optimizer state under one naming scheme, {@code sdlora.optimizer.<tensor>.<key>},
 * shared by both training engines so that a checkpoint written by one resumes in the other.
 */
final class OptimizerStates {

    /** Prefix of optimizer-state tensors. */
    static final String PREFIX = "sdlora.optimizer.";

    private OptimizerStates() {
    }

    /** Copies of every updater's state, by tensor name. */
    static Map<String, INDArray> snapshot(Map<String, ? extends GradientUpdater<?>> updaters) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends GradientUpdater<?>> e : new TreeMap<>(updaters).entrySet()) {
            for (Map.Entry<String, INDArray> s : new TreeMap<>(stateOf(e.getValue())).entrySet()) {
                out.put(PREFIX + e.getKey() + "." + s.getKey(), s.getValue().dup('c'));
            }
        }
        return out;
    }

    /** Writes {@code saved} into the updaters' state; it must hold exactly their entries, with matching sizes. */
    static void restore(Map<String, ? extends GradientUpdater<?>> updaters, Map<String, INDArray> saved) {
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, ? extends GradientUpdater<?>> e : updaters.entrySet()) {
            for (Map.Entry<String, INDArray> s : stateOf(e.getValue()).entrySet()) {
                String key = PREFIX + e.getKey() + "." + s.getKey();
                expected.add(key);
                INDArray value = saved.get(key);
                if (value == null || value.length() != s.getValue().length()) {
                    throw new IllegalArgumentException("Saved optimizer state lacks '" + key + "' of "
                            + s.getValue().length() + " values (was it saved with another optimizer?)");
                }
                s.getValue().assign(value.reshape(s.getValue().shape()));
            }
        }
        if (!expected.equals(new TreeSet<>(saved.keySet()))) {
            throw new IllegalArgumentException("Saved optimizer state has entries " + new TreeSet<>(saved.keySet())
                    + ", this optimizer expects " + expected);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, INDArray> stateOf(GradientUpdater<?> updater) {
        return (Map<String, INDArray>) updater.getState();
    }
}
