package io.github.sdlora4j.vit;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Backbones for tests: random weights with LayerNorm gains, biases and the CLS token perturbed so they all matter. */
public final class TestWeights {

    private TestWeights() {
    }

    public static VitWeights perturbed(VitConfig config, long seed, DataType type) {
        VitWeights base = VitWeights.random(config, seed, type);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Map<String, INDArray> t = new LinkedHashMap<>();
        base.tensors().forEach((name, a) -> {
            INDArray copy = a.dup('c');
            if (name.endsWith(".bias") || name.startsWith("norm") || name.contains(".norm") || name.equals("cls_token")) {
                double[] noise = new double[(int) copy.length()];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (rng.nextDouble() - 0.5) * 0.2;
                }
                copy.addi(Nd4j.create(noise, copy.shape(), 'c').castTo(type));
            }
            if (name.equals(TimmVitLayout.PATCH_WEIGHT) || name.contains("mlp.fc") || name.contains("attn.")) {
                copy.muli(8); // std 0.16: inputs visibly move the features, as in a trained ViT
            }
            t.put(name, copy);
        });
        return VitWeights.of(config, t, "test");
    }

    /** Uniform [0,1) images. */
    public static INDArray images(VitConfig c, int n, long seed, DataType type) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n * c.channels() * c.imageSize() * c.imageSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble();
        }
        return Nd4j.create(v, new long[]{n, c.channels(), c.imageSize(), c.imageSize()}, 'c').castTo(type);
    }

    /** Uniform values in (−scale, scale), row-major, in the default floating-point type. */
    public static INDArray uniform(SplittableRandom rng, double scale, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rng.nextDouble() - 0.5) * 2 * scale;
        }
        return Nd4j.create(v, shape, 'c').castTo(Nd4j.defaultFloatingPointType());
    }
}
