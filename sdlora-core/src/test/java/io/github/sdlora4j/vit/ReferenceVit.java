package io.github.sdlora4j.vit;

import org.apache.commons.math3.special.Erf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;

/**
 * An independent ViT forward in plain Java doubles, written from timm's {@code VisionTransformer.forward} (conv patch
 * embedding, loops, no reshapes). Tests compare the SameDiff graph against it.
 */
public final class ReferenceVit {

    private final VitConfig c;
    private final Map<String, INDArray> w;
    /** Optional extra weight per (block, projection index 0..2): added to the q/k/v weight rows. */
    private final BiFunction<Integer, Integer, double[][]> extra;
    private ObjIntConsumer<double[][]> attentionInputs = (a, block) -> { };

    public ReferenceVit(VitWeights weights, BiFunction<Integer, Integer, double[][]> extra) {
        this.c = weights.config();
        this.w = weights.tensors();
        this.extra = extra;
    }

    /** Hears each block's attention input (its first LayerNorm's output, [tokens][dim]) per image and block. */
    public ReferenceVit onAttentionInput(ObjIntConsumer<double[][]> listener) {
        this.attentionInputs = listener;
        return this;
    }

    private double[] vec(String name) {
        return w.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private double[][] mat(String name, int rows, int cols) {
        double[] v = vec(name);
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(v, i * cols, m[i], 0, cols);
        }
        return m;
    }

    /** CLS features [N][D] of images [N, C, H, W]. */
    public double[][] features(INDArray images) {
        int n = (int) images.size(0);
        double[][] out = new double[n][];
        INDArray x = images.castTo(DataType.DOUBLE);
        for (int i = 0; i < n; i++) {
            out[i] = feature(x, i);
        }
        return out;
    }

    private double[] feature(INDArray x, int img) {
        int d = c.dim(), p = c.patchSize(), g = c.gridSize(), t = c.numTokens(), ch = c.channels();
        double[] pw = vec(TimmVitLayout.PATCH_WEIGHT); // [D, C, p, p]
        double[] pb = vec(TimmVitLayout.PATCH_BIAS);
        double[] cls = vec(TimmVitLayout.CLS_TOKEN);
        double[] pos = vec(TimmVitLayout.POS_EMBED);
        double[][] h = new double[t][d];
        h[0] = cls.clone();
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                double[] e = h[1 + gy * g + gx];
                for (int o = 0; o < d; o++) {
                    double s = pb[o];
                    for (int ci = 0; ci < ch; ci++) {
                        for (int ky = 0; ky < p; ky++) {
                            for (int kx = 0; kx < p; kx++) {
                                s += pw[((o * ch + ci) * p + ky) * p + kx] * x.getDouble(img, ci, gy * p + ky, gx * p + kx);
                            }
                        }
                    }
                    e[o] = s;
                }
            }
        }
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                h[i][j] += pos[i * d + j];
            }
        }
        for (int b = 0; b < c.depth(); b++) {
            double[][] a = layerNorm(h, TimmVitLayout.block(b, "norm1.weight"), TimmVitLayout.block(b, "norm1.bias"));
            attentionInputs.accept(a, b);
            double[][] att = attention(b, a);
            add(h, att);
            double[][] m = layerNorm(h, TimmVitLayout.block(b, "norm2.weight"), TimmVitLayout.block(b, "norm2.bias"));
            double[][] hid = linear(m, mat(TimmVitLayout.block(b, "mlp.fc1.weight"), c.mlpDim(), d),
                    vec(TimmVitLayout.block(b, "mlp.fc1.bias")));
            for (double[] row : hid) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = 0.5 * row[j] * (1 + Erf.erf(row[j] / Math.sqrt(2)));
                }
            }
            add(h, linear(hid, mat(TimmVitLayout.block(b, "mlp.fc2.weight"), d, c.mlpDim()),
                    vec(TimmVitLayout.block(b, "mlp.fc2.bias"))));
        }
        return layerNorm(h, TimmVitLayout.NORM_WEIGHT, TimmVitLayout.NORM_BIAS)[0];
    }

    private double[][] attention(int b, double[][] x) {
        int d = c.dim(), t = x.length, nh = c.heads(), hd = c.headDim();
        double[][] qkvW = mat(TimmVitLayout.block(b, "attn.qkv.weight"), 3 * d, d);
        double[] qkvB = vec(TimmVitLayout.block(b, "attn.qkv.bias"));
        double[][][] proj = new double[3][][];
        for (int k = 0; k < 3; k++) {
            double[][] wk = new double[d][];
            double[] bk = new double[d];
            double[][] e = extra == null ? null : extra.apply(b, k);
            for (int i = 0; i < d; i++) {
                wk[i] = qkvW[k * d + i].clone();
                if (e != null) {
                    for (int j = 0; j < d; j++) {
                        wk[i][j] += e[i][j];
                    }
                }
                bk[i] = qkvB[k * d + i];
            }
            proj[k] = linear(x, wk, bk);
        }
        double[][] out = new double[t][d];
        double scale = 1.0 / Math.sqrt(hd);
        for (int head = 0; head < nh; head++) {
            for (int i = 0; i < t; i++) {
                double[] s = new double[t];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    double dot = 0;
                    for (int k = 0; k < hd; k++) {
                        dot += proj[0][i][head * hd + k] * proj[1][j][head * hd + k];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < t; j++) {
                    for (int k = 0; k < hd; k++) {
                        out[i][head * hd + k] += s[j] / sum * proj[2][j][head * hd + k];
                    }
                }
            }
        }
        return linear(out, mat(TimmVitLayout.block(b, "attn.proj.weight"), d, d), vec(TimmVitLayout.block(b, "attn.proj.bias")));
    }

    private double[][] layerNorm(double[][] x, String gain, String bias) {
        double[] g = vec(gain), bb = vec(bias);
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0, var = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + c.layerNormEps()) * g[j] + bb[j];
            }
        }
        return y;
    }

    private static double[][] linear(double[][] x, double[][] weight, double[] bias) {
        double[][] y = new double[x.length][weight.length];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < weight.length; o++) {
                double s = bias[o];
                for (int k = 0; k < x[i].length; k++) {
                    s += x[i][k] * weight[o][k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] h, double[][] delta) {
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h[i].length; j++) {
                h[i][j] += delta[i][j];
            }
        }
    }
}
