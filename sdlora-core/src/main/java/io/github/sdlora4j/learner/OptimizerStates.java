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
 * shared by both training engines so that a checkpoint written by one resumes in the other. The state is given as
 * tensor name → state key → live array (writing into the array changes the optimizer's state).
 */
final class OptimizerStates {

    /** Prefix of optimizer-state tensors. */
    static final String PREFIX = "sdlora.optimizer.";

    private OptimizerStates() {
    }

    /** The live state of one updater per tensor. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, INDArray>> of(Map<String, ? extends GradientUpdater<?>> updaters) {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        updaters.forEach((name, u) -> out.put(name, (Map<String, INDArray>) u.getState()));
        return out;
    }

    /** Copies of every tensor's state, sorted by tensor name and key. */
    static Map<String, INDArray> snapshot(Map<String, Map<String, INDArray>> stateByTensor) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, INDArray>> e : new TreeMap<>(stateByTensor).entrySet()) {
            for (Map.Entry<String, INDArray> s : new TreeMap<>(e.getValue()).entrySet()) {
                out.put(PREFIX + e.getKey() + "." + s.getKey(), s.getValue().dup('c'));
            }
        }
        return out;
    }

    /** Writes {@code saved} into the live state; it must hold exactly its entries, with matching sizes. */
    static void restore(Map<String, Map<String, INDArray>> stateByTensor, Map<String, INDArray> saved) {
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, Map<String, INDArray>> e : stateByTensor.entrySet()) {
            for (Map.Entry<String, INDArray> s : e.getValue().entrySet()) {
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
}
