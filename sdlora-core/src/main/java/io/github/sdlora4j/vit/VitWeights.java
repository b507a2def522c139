package io.github.sdlora4j.vit;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The frozen backbone: every tensor of a {@link VitConfig}, keyed by timm name (see {@link TimmVitLayout}).
 * Construction checks that exactly the expected tensors are present with the expected shapes, so a graph is never
 * built from a mismatched file.
 */
public final class VitWeights {

    private final VitConfig config;
    private final Map<String, INDArray> tensors;

    private VitWeights(VitConfig config, Map<String, INDArray> tensors) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Wraps {@code tensors} (timm names; {@code head.*} entries are ignored) after checking them against
     * {@code config}. The arrays are used as given, not copied.
     *
     * @param source names the origin (a file path, say) in error messages
     * @throws IllegalArgumentException listing missing, unexpected and mis-shaped tensors
     */
    public static VitWeights of(VitConfig config, Map<String, INDArray> tensors, String source) {
        Map<String, long[]> expected = TimmVitLayout.expectedShapes(config);
        List<String> problems = new ArrayList<>();
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray a = tensors.get(e.getKey());
            if (a == null) {
                problems.add("missing '" + e.getKey() + "' " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(a.shape(), e.getValue())) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(a.shape()) + ", expected "
                        + Arrays.toString(e.getValue()));
            } else if (!a.dataType().isFPType()) {
                problems.add("'" + e.getKey() + "' has data type " + a.dataType() + ", expected a floating point type");
            } else {
                ordered.put(e.getKey(), a);
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name) && !name.startsWith(TimmVitLayout.HEAD_PREFIX)) {
                problems.add("unexpected '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 12);
            throw new IllegalArgumentException(source + ": backbone does not match ViT config " + config + ": "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : ""));
        }
        return new VitWeights(config, ordered);
    }

    /**
     * A randomly initialised backbone in timm's style: linear and patch weights and position embeddings drawn from a
     * normal with std 0.02 truncated at two standard deviations, biases zero, LayerNorms identity, CLS token std 1e-6.
     */
    public static VitWeights random(VitConfig config, long seed, DataType type) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : TimmVitLayout.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            INDArray a;
            if (name.endsWith(".bias")) {
                a = Nd4j.zeros(type, shape);
            } else if (name.startsWith("norm") || name.contains(".norm")) {
                a = Nd4j.ones(type, shape);
            } else {
                double std = name.equals(TimmVitLayout.CLS_TOKEN) ? 1e-6 : 0.02;
                a = truncatedNormal(rng, shape, std, type);
            }
            t.put(name, a);
        }
        return new VitWeights(config, t);
    }

    private static INDArray truncatedNormal(SplittableRandom rng, long[] shape, double std, DataType type) {
        long n = Arrays.stream(shape).reduce(1L, (x, y) -> x * y);
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            double g;
            do {
                g = gaussian(rng);
            } while (Math.abs(g) > 2.0);
            v[i] = g * std;
        }
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /** Box-Muller on a splittable stream: reproducible for a seed on every backend. */
    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public VitConfig config() {
        return config;
    }

    /** The tensor named {@code name} (a timm key). */
    public INDArray get(String name) {
        INDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("No backbone tensor '" + name + "'");
        }
        return a;
    }

    /** All tensors in timm's order; unmodifiable. */
    public Map<String, INDArray> tensors() {
        return tensors;
    }

    /** Total number of backbone parameters. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(INDArray::length).sum();
    }

    /** A copy whose tensors have data type {@code type} (returns this when they already do). */
    public VitWeights castTo(DataType type) {
        if (tensors.values().stream().allMatch(a -> a.dataType() == type)) {
            return this;
        }
        Map<String, INDArray> t = new LinkedHashMap<>();
        tensors.forEach((k, v) -> t.put(k, v.castTo(type)));
        return new VitWeights(config, t);
    }

    /** A copy with some tensors replaced (used to fold adapters into q and v for merged inference). */
    public VitWeights withReplaced(Map<String, INDArray> replacements) {
        Map<String, INDArray> t = new LinkedHashMap<>(tensors);
        t.putAll(replacements);
        return of(config, t, "replacement");
    }
}
