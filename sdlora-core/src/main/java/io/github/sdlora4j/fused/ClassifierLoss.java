package io.github.sdlora4j.fused;

import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The end of the step: final LayerNorm of the CLS tokens, the head rows, mean softmax cross-entropy, and their
 * backward down to the residual stream (whose gradient is zero outside the CLS rows).
 */
final class ClassifierLoss {

    private ClassifierLoss() {
    }

    /** The final LayerNorm of the CLS rows: its input's {@code xhat} and {@code rstd}, and its output. */
    record Features(float[] xhat, float[] rstd, float[] feature) {
    }

    /**
     * The final LayerNorm of the CLS rows of {@code a.stream}, column-major [batch, D].
     *
     * @param pendingBias the last block's output bias, not yet added to {@code a.stream}
     */
    static Features features(VitConfig c, FrozenVit vit, Activations a, float[] pendingBias) {
        int batch = a.batch;
        int dim = c.dim();
        float[] x = new float[batch * dim];
        ForwardPass.clsRows(a.streamBytes, c, batch, x);
        if (pendingBias != null) {
            for (int d = 0; d < dim; d++) {
                for (int b = 0; b < batch; b++) {
                    x[d * batch + b] += pendingBias[d];
                }
            }
        }
        return features(c, vit, x, batch);
    }

    /**
     * The final LayerNorm of CLS rows already gathered.
     *
     * @param x the CLS rows, column-major [batch, D], biases added
     */
    static Features features(VitConfig c, FrozenVit vit, float[] x, int batch) {
        int dim = c.dim();
        float[] mean = new float[batch];
        float[] rstd = new float[batch];
        float[] xhat = new float[batch * dim];
        float[] feature = new float[batch * dim];
        VectorKernels.normalize(bytes(x), null, batch, dim, (float) c.layerNormEps(), mean, rstd, xhat, null);
        ByteBuffer featureBytes = bytes(feature);
        VectorKernels.affine(xhat, batch, dim, vit.normGain, vit.normBias, featureBytes);
        featureBytes.asFloatBuffer().get(0, feature);
        return new Features(xhat, rstd, feature);
    }

    /** Image {@code b}'s logit of class {@code k}: head row {@code k} of {@code w} (row-major [classes, D]) and bias. */
    static double logit(float[] feature, int batch, int b, float[] w, float[] bias, int k, int dim) {
        double acc = bias[k];
        for (int d = 0; d < dim; d++) {
            acc += (double) feature[d * batch + b] * w[k * dim + d];
        }
        return acc;
    }

    /**
     * @param pendingBias the last block's output bias, not yet added to {@code a.stream}
     * @param meanOver    the number of images the loss is the mean over: the whole batch this shard is part of
     * @return this shard's share of the batch's mean loss (its loss sum over {@code meanOver}); {@code a.dh}
     *         receives the gradient of the residual stream
     */
    static double lossAndBackward(VitConfig c, FrozenVit vit, Activations a, float[] pendingBias, INDArray weight,
                                  INDArray bias, INDArray labels, INDArray gradWeight, INDArray gradBias,
                                  int meanOver) {
        int batch = a.batch;
        int dim = c.dim();
        int tokens = c.numTokens();
        int rows = a.rows;
        int classes = (int) weight.size(0);
        Features f = features(c, vit, a, pendingBias);
        float[] xhat = f.xhat();
        float[] rstd = f.rstd();
        float[] feature = f.feature();
        float[] w = weight.data().asFloat();
        float[] bv = bias.data().asFloat();
        float[] y = labels.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double loss = 0;
        double[] dLogits = new double[batch * classes];
        double[] z = new double[classes];
        for (int b = 0; b < batch; b++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                z[k] = logit(feature, batch, b, w, bv, k, dim);
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(z[k] - max);
            }
            double logSum = max + Math.log(sum);
            double targetMass = 0;
            for (int k = 0; k < classes; k++) {
                targetMass += y[b * classes + k];
                loss -= y[b * classes + k] * (z[k] - logSum);
            }
            for (int k = 0; k < classes; k++) {
                dLogits[b * classes + k] = (Math.exp(z[k] - logSum) * targetMass - y[b * classes + k]) / meanOver;
            }
        }
        float[] gw = new float[classes * dim];
        float[] gb = new float[classes];
        float[] dFeature = new float[batch * dim];
        for (int k = 0; k < classes; k++) {
            double accB = 0;
            for (int b = 0; b < batch; b++) {
                accB += dLogits[b * classes + k];
            }
            gb[k] = (float) accB;
            for (int d = 0; d < dim; d++) {
                double acc = 0;
                for (int b = 0; b < batch; b++) {
                    acc += dLogits[b * classes + k] * feature[d * batch + b];
                }
                gw[k * dim + d] = (float) acc;
            }
        }
        for (int b = 0; b < batch; b++) {
            for (int d = 0; d < dim; d++) {
                double acc = 0;
                for (int k = 0; k < classes; k++) {
                    acc += dLogits[b * classes + k] * w[k * dim + d];
                }
                dFeature[d * batch + b] = (float) acc;
            }
        }
        Matrices.write(gw, gradWeight);
        Matrices.write(gb, gradBias);
        float[] dCls = new float[batch * dim];
        VectorKernels.normalizeBackward(bytes(dFeature), xhat, rstd, batch, dim, vit.normGain, new float[batch],
                new float[batch], new float[batch * dim], dCls, null);
        Arrays.fill(a.dh, 0f);
        for (int d = 0; d < dim; d++) {
            for (int b = 0; b < batch; b++) {
                a.dh[d * rows + b * tokens] = dCls[d * batch + b];
            }
        }
        return loss / meanOver;
    }

    /**
     * A native-order direct copy of {@code values} for the kernels that read buffers (the CLS rows are few). Direct,
     * not heap: see {@link VectorKernels}.
     */
    private static ByteBuffer bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(0, values);
        return b;
    }
}
